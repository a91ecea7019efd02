import CLibevent

/// The calling thread's kernel-level identity: its name (what `top -H`, `ps -L` and /proc show) and
/// its scheduling priority.
///
/// Tandem's inference workers run at a higher nice value than the event loops, so when CPU-bound
/// models keep every core busy the kernel still gives a loop the CPU the moment a connection or
/// `/ping` arrives (CFS weights: nice 0 is 1024, nice 10 is 110).
public enum CurrentThread {
    /// Sets the calling thread's nice value (0...19; higher is lower priority). Returns false when the
    /// kernel refuses, which leaves the thread as it was.
    @discardableResult
    public static func setNice(_ nice: Int) -> Bool {
        tandem_set_thread_nice(Int32(clamping: nice)) == 0
    }

    /// The calling thread's nice value.
    public static var nice: Int {
        Int(tandem_thread_nice())
    }

    /// Names the calling thread for the kernel (at most 15 bytes are kept).
    public static func setName(_ name: String) {
        tandem_set_thread_name(name)
    }
}
