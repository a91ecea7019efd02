/// The header dict of a `.npy` body, `{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }`, read by a
/// small tokenizer for exactly the Python literals numpy writes there (strings, True/False, tuples of integers).
struct NumpyHeader: Equatable {
    var dtype: NumpyDType
    var fortranOrder: Bool
    var shape: [Int]

    var shapeText: String { "(" + shape.map(String.init).joined(separator: ", ") + (shape.count == 1 ? ",)" : ")") }

    static func parse(_ bytes: ArraySlice<UInt8>) throws(PayloadError) -> NumpyHeader {
        var reader = Reader(bytes: Array(bytes))
        var descr: String?
        var fortran: Bool?
        var shape: [Int]?
        try reader.expect(UInt8(ascii: "{"))
        while true {
            reader.skipSpaces()
            if reader.take(UInt8(ascii: "}")) { break }
            let key = try reader.string()
            try reader.expect(UInt8(ascii: ":"))
            switch key {
            case "descr": descr = try reader.string()
            case "fortran_order": fortran = try reader.boolean()
            case "shape": shape = try reader.tuple()
            default: throw NumpyArray.bad("the .npy header has an unknown key '\(key)'; numpy writes descr, fortran_order and shape")
            }
            reader.skipSpaces()
            if reader.take(UInt8(ascii: ",")) { continue }
            try reader.expect(UInt8(ascii: "}"))
            break
        }
        guard let descr, let fortran, let shape else {
            throw NumpyArray.bad("the .npy header must name descr, fortran_order and shape")
        }
        return NumpyHeader(dtype: try NumpyDType(descr), fortranOrder: fortran, shape: shape)
    }

    private struct Reader {
        var bytes: [UInt8]
        var index = 0

        mutating func skipSpaces() {
            while index < bytes.count, bytes[index] == 0x20 || bytes[index] == 0x0A || bytes[index] == 0x09 { index += 1 }
        }

        mutating func take(_ byte: UInt8) -> Bool {
            guard index < bytes.count, bytes[index] == byte else { return false }
            index += 1
            return true
        }

        mutating func expect(_ byte: UInt8) throws(PayloadError) {
            skipSpaces()
            guard take(byte) else {
                throw NumpyArray.bad("the .npy header is not a Python dict literal: expected '\(Character(Unicode.Scalar(byte)))' at byte \(index)")
            }
        }

        mutating func string() throws(PayloadError) -> String {
            skipSpaces()
            guard index < bytes.count, bytes[index] == 0x27 || bytes[index] == 0x22 else {
                throw NumpyArray.bad("the .npy header is not a Python dict literal: expected a quoted string at byte \(index)")
            }
            let quote = bytes[index]
            let start = index + 1
            guard let end = bytes[start...].firstIndex(of: quote), end - start <= 64 else {
                throw NumpyArray.bad("the .npy header has an unterminated or over-long string at byte \(index)")
            }
            index = end + 1
            return String(decoding: bytes[start..<end], as: UTF8.self)
        }

        mutating func boolean() throws(PayloadError) -> Bool {
            skipSpaces()
            for (word, value) in [("True", true), ("False", false)] where bytes[index...].starts(with: word.utf8) {
                index += word.utf8.count
                return value
            }
            throw NumpyArray.bad("the .npy header's fortran_order must be True or False")
        }

        mutating func tuple() throws(PayloadError) -> [Int] {
            try expect(UInt8(ascii: "("))
            var values: [Int] = []
            while true {
                skipSpaces()
                if take(UInt8(ascii: ")")) { return values }
                let start = index
                while index < bytes.count, bytes[index] >= 0x30, bytes[index] <= 0x39, index - start < 18 { index += 1 }
                guard index > start, let value = Int(String(decoding: bytes[start..<index], as: UTF8.self)) else {
                    throw NumpyArray.bad("the .npy header's shape must be a tuple of non-negative integers")
                }
                _ = take(UInt8(ascii: "L"))  // Python 2's long suffix
                values.append(value)
                guard values.count <= 32 else { throw NumpyArray.bad("the .npy header's shape has more than 32 dimensions") }
                skipSpaces()
                if take(UInt8(ascii: ",")) { continue }
                try expect(UInt8(ascii: ")"))
                return values
            }
        }
    }
}

/// An `.npy` element type (`descr`): byte order, kind and size, for the kinds Tandem reads.
struct NumpyDType: Equatable {
    enum Kind: Equatable { case float, signed, unsigned, bool }

    var kind: Kind
    var size: Int
    var bigEndian: Bool
    var text: String

    init(_ descr: String) throws(PayloadError) {
        text = descr
        var chars = Substring(descr)
        bigEndian = false
        switch chars.first {
        case "<", "|", "=": chars.removeFirst()
        case ">": bigEndian = true; chars.removeFirst()
        default: break
        }
        let kindChar = chars.first ?? " "
        let size = Int(chars.dropFirst()) ?? 0
        self.size = size
        switch (kindChar, size) {
        case ("f", 4), ("f", 8): kind = .float
        case ("i", 1), ("i", 2), ("i", 4), ("i", 8): kind = .signed
        case ("u", 1), ("u", 2), ("u", 4), ("u", 8): kind = .unsigned
        case ("b", 1), ("?", 1): kind = .bool
        default:
            throw PayloadError(
                code: "unsupported_dtype",
                message: "the .npy element type '\(descr)' is not supported; send float32, float64, integers or booleans",
                expected: "<f4, <f8, <i1..<i8, <u1..<u8 or |b1", got: descr)
        }
    }

    /// Reads `count` values of this type from `body` at `offset` (the caller checked the length).
    func read(_ body: [UInt8], from offset: Int, count: Int) -> NumericMatrix.Values {
        func raw(_ index: Int) -> UInt64 {
            var value: UInt64 = 0
            let start = offset + index * size
            for i in 0..<size {
                let byte = UInt64(body[start + (bigEndian ? size - 1 - i : i)])
                value |= byte << (8 * UInt64(i))
            }
            return value
        }
        switch kind {
        case .float:
            var out = [Double]()
            out.reserveCapacity(count)
            for i in 0..<count {
                out.append(size == 4 ? Double(Float(bitPattern: UInt32(truncatingIfNeeded: raw(i)))) : Double(bitPattern: raw(i)))
            }
            return .double(out)
        case .signed:
            let shift = UInt64(64 - 8 * size)
            return .int64((0..<count).map { Int64(bitPattern: raw($0) << shift) >> Int64(shift) })
        case .unsigned, .bool:
            var out = [Int64]()
            out.reserveCapacity(count)
            for i in 0..<count {
                let value = raw(i)
                // uint64 beyond Int64.max is kept as a (rounded) double: no model input holds it exactly anyway.
                guard value <= UInt64(Int64.max) else {
                    return .double((0..<count).map { Double(raw($0)) })
                }
                out.append(kind == .bool ? (value != 0 ? 1 : 0) : Int64(value))
            }
            return .int64(out)
        }
    }
}
