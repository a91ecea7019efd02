import Dispatch
import TandemIO

/// Every `interval`, while `isIdle()` holds, hands free heap back to the kernel (`malloc_trim`), on a utility
/// queue so no event loop waits for it. Cheap when there is nothing to free.
final class MemoryTrimmer {
    private let timer: (any DispatchSourceTimer)?

    init(interval: Duration, isIdle: @escaping @Sendable () -> Bool) {
        guard interval > .zero else {
            timer = nil
            return
        }
        let milliseconds = Int(interval.components.seconds * 1000 + interval.components.attoseconds / 1_000_000_000_000_000)
        let source = DispatchSource.makeTimerSource(queue: DispatchQueue(label: "tandem.memory-trim", qos: .utility))
        source.schedule(deadline: .now() + .milliseconds(milliseconds), repeating: .milliseconds(milliseconds))
        source.setEventHandler {
            if isIdle() { SystemMemory.trim() }
        }
        source.resume()
        timer = source
    }

    func stop() {
        timer?.cancel()
    }
}
