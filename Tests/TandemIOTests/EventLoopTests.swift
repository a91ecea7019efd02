import Synchronization
import Testing
import TandemIO

@Suite("Event loop")
struct EventLoopTests {
    @Test func executeRunsEveryTaskOnTheLoop() async throws {
        let loop = try EventLoop(name: "t")
        try loop.start()
        defer { loop.stop() }
        let count = Atomic<Int>(0)
        for _ in 0..<10_000 { loop.execute { count.add(1, ordering: .relaxed) } }
        #expect(await eventually { count.load(ordering: .relaxed) == 10_000 })
        #expect(!loop.inEventLoop)
        #expect(loop.executeAndWait { loop.inEventLoop })
    }
}
