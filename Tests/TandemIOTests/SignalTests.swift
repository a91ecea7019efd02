import Glibc
import Synchronization
import Testing
import TandemIO

@Suite("Event loop signals")
struct SignalTests {
    @Test func watchedSignalReachesTheHandler() async throws {
        let loop = try EventLoop(name: "sig")
        try loop.start()
        defer { loop.stop() }
        let got = Atomic<Int32>(0)
        loop.watchSignal(SIGUSR2) { got.store($0, ordering: .relaxed) }
        kill(getpid(), SIGUSR2)
        #expect(await eventually { got.load(ordering: .relaxed) == SIGUSR2 })
    }
}
