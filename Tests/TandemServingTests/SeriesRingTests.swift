import Testing
import TandemServing

/// The dashboard's per-second history: the ring keeps the newest `capacity` points in order, the per-variant
/// store drops variants a reload removed, and the per-second window drains counts and percentiles.
@Suite("Dashboard series")
struct SeriesRingTests {
    @Test func ringKeepsTheNewestPointsInOrder() {
        var ring = SeriesRing(capacity: 5)
        #expect(ring.points().isEmpty)
        #expect(ring.last == nil)
        for second in 1...3 { ring.append(SeriesPoint(second: Int64(second))) }
        #expect(ring.points().map(\.second) == [1, 2, 3])
        for second in 4...12 { ring.append(SeriesPoint(second: Int64(second))) }
        #expect(ring.count == 5)
        #expect(ring.points().map(\.second) == [8, 9, 10, 11, 12])
        #expect(ring.points(after: 10).map(\.second) == [11, 12])
        #expect(ring.last?.second == 12)
    }

    @Test func pointStorageIsBoundedByCapacity() {
        #expect(MemoryLayout<SeriesPoint>.stride == 48)
        #expect(SeriesRing.storageBytes(capacity: 900) == 900 * 48)
        let series = VariantSeries(capacity: 900)
        for second in 0..<2000 {
            series.record([("a", SeriesPoint(second: Int64(second))), ("b", SeriesPoint(second: Int64(second)))])
        }
        #expect(series.points(of: "a").count == 900)
        #expect(series.points(of: "a").first?.second == 1100)
        #expect(series.boundBytes == 2 * 900 * 48)
    }

    @Test func variantsAReloadRemovedLoseTheirHistory() {
        let series = VariantSeries(capacity: 10)
        series.record([("a", SeriesPoint(second: 1)), ("b", SeriesPoint(second: 1))])
        series.record([("a", SeriesPoint(second: 2)), ("c", SeriesPoint(second: 2))])
        #expect(series.variants == ["a", "c"])
        #expect(series.points(of: "b").isEmpty)
        #expect(series.points(of: "a").map(\.second) == [1, 2])
    }

    @Test func windowDrainsCountsAndPercentiles() {
        let window = SecondWindow()
        for i in 0..<100 {
            window.record(clientError: i < 3, serverError: i >= 98, total: .microseconds(i < 99 ? 1100 : 60_000),
                          model: .microseconds(i < 99 ? 1000 : 50_000))
        }
        window.record(clientError: true, serverError: false, total: .microseconds(10), model: nil)
        let totals = window.drain()
        #expect(totals.requests == 101)
        #expect(totals.errors4xx == 4)
        #expect(totals.errors5xx == 2)
        // Bucket upper edges: within 25% above the true value.
        #expect(totals.modelP50 >= 1000 && totals.modelP50 <= 1250)
        #expect(totals.modelP99 >= 1000 && totals.modelP99 <= 1250)
        #expect(totals.overheadP50 >= 100 && totals.overheadP50 <= 125)
        #expect(window.drain() == SecondWindow.Totals())
        window.record(clientError: false, serverError: false, total: .milliseconds(60), model: .milliseconds(50))
        let next = window.drain()
        #expect(next.requests == 1)
        #expect(next.modelP99 >= 50_000 && next.modelP99 <= 62_500)
    }

    @Test func percentileEdgesCoverTheirValues() {
        for micros: Int64 in [1, 2, 3, 4, 5, 7, 8, 100, 999, 1000, 1023, 1024, 65_535, 3_600_000_000] {
            let window = SecondWindow()
            window.record(clientError: false, serverError: false, total: .microseconds(micros), model: .microseconds(micros))
            let p = window.drain().modelP50
            #expect(UInt64(p) >= UInt64(micros), "\(micros) -> \(p)")
            #expect(Double(p) <= Double(micros) * 1.25 + 1, "\(micros) -> \(p)")
        }
    }
}
