/// Hashing that gives the same answer on every run and every machine (unlike Swift's seeded `Hasher`),
/// for sticky variant assignment.
enum StableHash {
    /// 64-bit FNV-1a over the parts, each followed by a 0 byte so ("ab","c") and ("a","bc") differ,
    /// then the splitmix64 finaliser to spread FNV's weak low bits.
    static func hash(_ parts: String...) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for part in parts {
            for byte in part.utf8 {
                h ^= UInt64(byte)
                h = h &* 0x0000_0100_0000_01b3
            }
            h ^= 0
            h = h &* 0x0000_0100_0000_01b3
        }
        return mix(h)
    }

    static func mix(_ value: UInt64) -> UInt64 {
        var z = value &+ 0x9e37_79b9_7f4a_7c15
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }

    /// A uniform value in the open interval (0, 1) from 53 bits of `value`.
    static func unit(_ value: UInt64) -> Double {
        (Double(value >> 11) + 0.5) / 9_007_199_254_740_992.0
    }
}
