import Glibc

/// The system's wall clock, for protocol fields that carry calendar time (the HTTP `Date` header).
/// Durations and deadlines use `ContinuousClock`; this clock may jump.
public enum WallClock {
    /// Whole seconds since 1970-01-01T00:00:00Z (vDSO `clock_gettime(CLOCK_REALTIME_COARSE)`: tens of nanoseconds).
    public static func secondsSinceEpoch() -> Int {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME_COARSE, &now)
        return now.tv_sec
    }
}
