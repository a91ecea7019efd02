/// Duration conversions used by the pool (waits), the synthetic model (latencies) and the metrics.
extension Duration {
    /// The duration in seconds as a Double.
    var seconds: Double {
        let (s, atto) = components
        return Double(s) + Double(atto) * 1e-18
    }

    /// Whole microseconds, rounded up.
    var microsecondsRoundedUp: Int64 {
        let (seconds, atto) = components
        return seconds * 1_000_000 + (atto + 999_999_999_999) / 1_000_000_000_000
    }
}
