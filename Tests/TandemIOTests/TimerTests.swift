import Synchronization
import Testing
import TandemIO

@Suite("Event loop timers")
struct TimerTests {
    @Test func scheduledTasksFireAndCancelledOnesDoNot() async throws {
        let loop = try EventLoop(name: "timers")
        try loop.start()
        defer { loop.stop() }
        let fired = Atomic<Int>(0)
        loop.schedule(after: .milliseconds(10)) { fired.add(1, ordering: .relaxed) }
        let cancelled = loop.schedule(after: .milliseconds(50)) { fired.add(100, ordering: .relaxed) }
        cancelled.cancel()
        // A sentinel due after the cancelled timer: once it has fired, the cancelled one's time has passed.
        let sentinel = Atomic<Bool>(false)
        loop.schedule(after: .milliseconds(100)) { sentinel.store(true, ordering: .relaxed) }
        #expect(await eventually { sentinel.load(ordering: .relaxed) })
        #expect(fired.load(ordering: .relaxed) == 1)
    }
}
