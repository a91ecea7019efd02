import CLibevent
import Glibc

/// Returning memory to the system after bursts (glibc malloc).
///
/// glibc gives threads their own arenas (up to 8 per core), and freed memory inside an arena stays resident: after
/// an overload burst Tandem kept 1.9 GB against a 41 MB baseline. Fewer arenas and a periodic `malloc_trim` when
/// idle bring it back down (figures in docs/reliability.md).
public enum SystemMemory {
    /// Caps the number of malloc arenas (`M_ARENA_MAX`); 0 leaves glibc's default. Call before threads start.
    public static func limitArenas(_ count: Int) {
        guard count > 0 else { return }
        _ = mallopt(tandem_m_arena_max, Int32(clamping: count))
    }

    /// Hands free pages of every arena back to the kernel. Takes milliseconds on a large heap: call it off the
    /// event loops, when idle.
    public static func trim() {
        _ = malloc_trim(0)
    }
}
