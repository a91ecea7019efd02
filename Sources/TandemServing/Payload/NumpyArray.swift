/// The `.npy` format (`application/x-npy`), as `numpy.save` writes it and SageMaker's `NumpySerializer` sends it.
///
/// A body is the magic `\x93NUMPY`, a version (1.0 with a 2-byte header length, 2.0 and 3.0 with a 4-byte
/// one), a header that is a Python dict literal (`{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }`)
/// and the raw values. Tandem reads booleans, signed and unsigned integers of 1 to 8 bytes and 4- or 8-byte
/// floats, either byte order, C or Fortran order, 1-D (one record) or 2-D (records x features). Anything else
/// is a 400 naming what came.
enum NumpyArray {
    static let magic: [UInt8] = [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59]  // \x93NUMPY
    /// numpy's own reader refuses longer headers (`max_header_size`); so does Tandem.
    static let maxHeaderBytes = 10_000

    /// True when `body` starts with the `.npy` magic (for a request without `Content-Type`).
    static func hasMagic(_ body: [UInt8]) -> Bool {
        body.count >= magic.count && Array(body[0..<magic.count]) == magic
    }

    /// Decodes a `.npy` body into records.
    static func decode(_ body: [UInt8]) throws(PayloadError) -> NumericMatrix {
        guard hasMagic(body), body.count >= 10 else {
            throw bad("the body does not start with the .npy magic '\\x93NUMPY'")
        }
        let major = body[6]
        let headerStart: Int
        let headerLength: Int
        switch major {
        case 1:
            headerStart = 10
            headerLength = Int(body[8]) | Int(body[9]) << 8
        case 2, 3:
            guard body.count >= 12 else { throw bad("the .npy header is cut short") }
            headerStart = 12
            headerLength = Int(body[8]) | Int(body[9]) << 8 | Int(body[10]) << 16 | Int(body[11]) << 24
        default:
            throw bad("the .npy format version \(major).\(body[7]) is not supported; numpy writes 1.0, 2.0 or 3.0")
        }
        guard headerLength <= maxHeaderBytes else {
            throw bad("the .npy header is \(headerLength) bytes; at most \(maxHeaderBytes) are accepted")
        }
        guard body.count >= headerStart + headerLength else { throw bad("the .npy header is cut short") }
        let header = try NumpyHeader.parse(body[headerStart..<(headerStart + headerLength)])
        let dataStart = headerStart + headerLength
        let (rows, columns) = try shape(header.shape)
        let (count, overflow) = rows.multipliedReportingOverflow(by: columns)
        let (bytes, overflow2) = count.multipliedReportingOverflow(by: header.dtype.size)
        guard !overflow, !overflow2, body.count - dataStart == bytes else {
            throw bad(
                "the .npy data holds \(body.count - dataStart) bytes; shape \(header.shapeText) of \(header.dtype.text) needs "
                    + (overflow || overflow2 ? "more than fits in memory" : "\(bytes)"))
        }
        guard count > 0 else {
            throw PayloadError(code: "empty_body", message: "the .npy array holds no values; send at least one record")
        }
        var matrix = NumericMatrix(rows: rows, columns: columns, values: .double([]))
        matrix.values = header.dtype.read(body, from: dataStart, count: count)
        if header.fortranOrder && rows > 1 && columns > 1 { matrix.transposeFromColumnMajor() }
        return matrix
    }

    /// `(rows, columns)` for a shape: 1-D is one record, 2-D is records x features.
    private static func shape(_ shape: [Int]) throws(PayloadError) -> (Int, Int) {
        switch shape.count {
        case 0: return (1, 1)
        case 1: return (1, shape[0])
        case 2: return (shape[0], shape[1])
        default:
            throw PayloadError(
                code: "bad_npy", message: "the .npy array has \(shape.count) dimensions; send 2 (records x features) or 1 (one record)",
                expected: "1 or 2 dimensions", got: "\(shape.count) dimensions")
        }
    }

    static func bad(_ message: String) -> PayloadError {
        PayloadError(code: "bad_npy", message: message)
    }

    /// Encodes `rows` records of `columns` numbers (row after row) as a version 1.0 `.npy` of little-endian
    /// float64 (`<f8`), int64 (`<i8`) or, when any cell is text, fixed-width unicode (`<U…`), as numpy would
    /// type such a mixed table. One column gives a 1-D array.
    static func encode(_ cells: [NumpyCell], rows: Int, columns: Int) -> [UInt8] {
        let shape = columns == 1 ? "(\(rows),)" : "(\(rows), \(columns))"
        var descr = "<i8"
        var hasText = false
        for cell in cells {
            switch cell {
            case .integer: break
            case .real: if descr == "<i8" { descr = "<f8" }
            case .text: hasText = true
            }
        }
        // With any text cell every cell is written as text, numbers too (numpy's typing of a mixed table).
        let width = hasText ? cells.reduce(1) { max($0, $1.text.unicodeScalars.count) } : 0
        if width > 0 { descr = "<U\(width)" }
        var out = header(descr: descr, shape: shape)
        out.reserveCapacity(out.count + cells.count * max(8, width * 4))
        for cell in cells {
            if width > 0 {
                var scalars = 0
                for scalar in cell.text.unicodeScalars {
                    appendLittleEndian(UInt64(scalar.value), bytes: 4, to: &out)
                    scalars += 1
                }
                for _ in scalars..<width { appendLittleEndian(0, bytes: 4, to: &out) }
            } else if descr == "<f8" {
                appendLittleEndian(cell.real.bitPattern, bytes: 8, to: &out)
            } else if case .integer(let value) = cell {
                appendLittleEndian(UInt64(bitPattern: value), bytes: 8, to: &out)
            }
        }
        return out
    }

    /// The magic, version 1.0 and the header dict, padded with spaces to a multiple of 64 bytes as numpy does.
    private static func header(descr: String, shape: String) -> [UInt8] {
        var dict = Array("{'descr': '\(descr)', 'fortran_order': False, 'shape': \(shape), }".utf8)
        let unpadded = magic.count + 4 + dict.count + 1
        dict += [UInt8](repeating: 0x20, count: (64 - unpadded % 64) % 64)
        dict.append(0x0A)
        var out = magic + [1, 0]
        appendLittleEndian(UInt64(dict.count), bytes: 2, to: &out)
        return out + dict
    }

    private static func appendLittleEndian(_ value: UInt64, bytes: Int, to out: inout [UInt8]) {
        for i in 0..<bytes { out.append(UInt8(truncatingIfNeeded: value >> (8 * UInt64(i)))) }
    }
}

/// One cell of an `.npy` response.
enum NumpyCell: Sendable, Equatable {
    case integer(Int64)
    case real(Double)
    case text(String)

    var real: Double {
        switch self {
        case .integer(let v): Double(v)
        case .real(let v): v
        case .text: .nan
        }
    }

    var text: String {
        switch self {
        case .integer(let v): String(v)
        case .real(let v): String(v)
        case .text(let v): v
        }
    }
}

extension NumericMatrix {
    /// Reorders values read in column-major (Fortran) order into row-major order.
    mutating func transposeFromColumnMajor() {
        let rows = rows
        let columns = columns
        func transpose<T>(_ source: [T]) -> [T] {
            var out = source
            for r in 0..<rows {
                for c in 0..<columns { out[r * columns + c] = source[c * rows + r] }
            }
            return out
        }
        switch values {
        case .double(let v): values = .double(transpose(v))
        case .int64(let v): values = .int64(transpose(v))
        }
    }
}
