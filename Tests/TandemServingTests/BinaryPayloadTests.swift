import TandemONNX
import Testing

@testable import TandemServing

/// `.npy` and RecordIO-protobuf bodies decode to the same tensors as CSV; their errors are precise 400s; the
/// responses read back. (The e2e suite checks the same against numpy and the SageMaker SDK's own writers.)
@Suite struct BinaryPayloadTests {
    let inputs = [ModelSignature.Input(name: "input", elementType: .float, shape: [nil, 3], featureCount: 3)]

    func floats(_ body: [UInt8], _ format: PayloadFormat) throws(PayloadError) -> [Float] {
        let decoded = try RequestDecoder.decode(body, format: format, inputs: inputs)
        guard case .float(let values)? = decoded.feeds["input"]?.data else { return [] }
        return values
    }

    /// A `.npy` body as numpy 1.0 writes it (header padded to 64 bytes).
    func npy(descr: String, fortran: Bool = false, shape: String, data: [UInt8], version: UInt8 = 1) -> [UInt8] {
        var dict = Array("{'descr': '\(descr)', 'fortran_order': \(fortran ? "True" : "False"), 'shape': \(shape), }".utf8)
        let prefix = version == 1 ? 10 : 12
        dict += [UInt8](repeating: 0x20, count: (64 - (prefix + dict.count + 1) % 64) % 64) + [0x0A]
        var out = NumpyArray.magic + [version, 0, UInt8(dict.count & 0xFF), UInt8(dict.count >> 8)]
        if version != 1 { out += [0, 0] }
        return out + dict + data
    }

    func littleEndian<T: FixedWidthInteger>(_ values: [T]) -> [UInt8] {
        values.flatMap { value in (0..<(T.bitWidth / 8)).map { UInt8(truncatingIfNeeded: value >> (8 * $0)) } }
    }

    @Test func npyEveryTypeAndOrder() throws {
        let expected: [Float] = [1, 2, 3, 4, 5, 6]
        let f4 = littleEndian(expected.map(\.bitPattern))
        #expect(try floats(npy(descr: "<f4", shape: "(2, 3)", data: f4), .npy) == expected)
        #expect(try floats(npy(descr: "<f4", shape: "(2, 3)", data: f4, version: 2), .npy) == expected)
        let f8 = littleEndian(expected.map { Double($0).bitPattern })
        #expect(try floats(npy(descr: "<f8", shape: "(2, 3)", data: f8), .npy) == expected)
        let bigEndian = expected.flatMap { value in littleEndian([value.bitPattern]).reversed() }
        #expect(try floats(npy(descr: ">f4", shape: "(2, 3)", data: bigEndian), .npy) == expected)
        #expect(try floats(npy(descr: "<i8", shape: "(2, 3)", data: littleEndian([Int64](arrayLiteral: 1, 2, 3, 4, 5, 6))), .npy) == expected)
        #expect(try floats(npy(descr: "<i4", shape: "(3,)", data: littleEndian([Int32](arrayLiteral: -1, 0, 7))), .npy) == [-1, 0, 7])
        // Fortran order: column after column.
        let columnMajor = littleEndian([Float](arrayLiteral: 1, 4, 2, 5, 3, 6).map(\.bitPattern))
        #expect(try floats(npy(descr: "<f4", fortran: true, shape: "(2, 3)", data: columnMajor), .npy) == expected)
        // NaN is a missing value, as an empty CSV cell.
        let withNaN = try floats(npy(descr: "<f4", shape: "(1, 3)", data: littleEndian([Float](arrayLiteral: 1, .nan, 3).map(\.bitPattern))), .npy)
        #expect(withNaN[1].isNaN && withNaN[2] == 3)
    }

    @Test func npyErrorsArePrecise() {
        func code(_ body: [UInt8]) -> (String, Int)? {
            do {
                _ = try floats(body, .npy)
                return nil
            } catch {
                return (error.code, error.status)
            }
        }
        let f4 = littleEndian([Float](repeating: 1, count: 6).map(\.bitPattern))
        #expect(code(Array("1,2,3".utf8))?.0 == "bad_npy")
        #expect(code(npy(descr: "<f4", shape: "(2, 3)", data: Array(f4.dropLast())))?.0 == "bad_npy")
        #expect(code(npy(descr: "<U3", shape: "(2,)", data: []))?.0 == "unsupported_dtype")
        #expect(code(npy(descr: "|O", shape: "(2,)", data: []))?.0 == "unsupported_dtype")
        #expect(code(npy(descr: "<f4", shape: "(1, 2, 3)", data: f4))?.0 == "bad_npy")
        #expect(code(npy(descr: "<f4", shape: "(3, 2)", data: f4))?.0 == "wrong_feature_count")
        #expect(code(npy(descr: "<f4", shape: "(0, 3)", data: []))?.0 == "empty_body")
        #expect(code(npy(descr: "<f4", shape: "(99999999999, 99999999999)", data: f4))?.0 == "bad_npy")
        #expect(code(Array(npy(descr: "<f4", shape: "(2, 3)", data: f4).prefix(20)))?.0 == "bad_npy")
        #expect(code(npy(descr: "<f4", shape: "(2, 3)", data: f4))?.1 == nil)
    }

    /// One RecordIO frame holding `record`.
    func frame(_ record: RecordMessage) throws -> [UInt8] {
        var out: [UInt8] = []
        RecordIO.appendFrame(RecordIO.serialize(record), to: &out)
        return out
    }

    func record(_ value: RecordValue.Kind, name: String = "values") -> RecordMessage {
        var record = RecordMessage()
        record.features[name] = RecordValue(kind: value)
        return record
    }

    @Test func recordIODenseAndSparse() throws {
        let dense = try frame(record(.float32(RecordFloat32Tensor(values: [1, 2, 3]))))
            + frame(record(.float64(RecordFloat64Tensor(values: [4, 5, 6], shape: [3]))))
        #expect(try floats(dense, .recordIO) == [1, 2, 3, 4, 5, 6])
        let sparse = try frame(record(.float32(RecordFloat32Tensor(values: [7], keys: [2], shape: [3]))))
            + frame(record(.int32(RecordInt32Tensor(values: [-1, 9], keys: [0, 1], shape: [3]))))
        #expect(try floats(sparse, .recordIO) == [0, 0, 7, -1, 9, 0])
        // A sparse row without a shape takes the model's width; a single feature may have any name.
        let unnamed = try frame(record(.float32(RecordFloat32Tensor(values: [5], keys: [1])), name: "x"))
        #expect(try floats(unnamed, .recordIO) == [0, 5, 0])
    }

    @Test func recordIOErrorsArePrecise() throws {
        func error(_ body: [UInt8]) -> PayloadError? {
            do {
                _ = try floats(body, .recordIO)
                return nil
            } catch {
                return error
            }
        }
        let good = try frame(record(.float32(RecordFloat32Tensor(values: [1, 2, 3]))))
        #expect(error(good) == nil)
        #expect(error(Array(good.dropLast(4)))?.code == "bad_recordio")
        #expect(error(good + [1, 2, 3, 4, 5, 6, 7, 8])?.row == 2)
        var continuation = good
        continuation[7] |= 0x20
        #expect(error(continuation)?.code == "bad_recordio")
        var garbage: [UInt8] = []
        RecordIO.appendFrame([0xFF, 0xFF, 0xFF], to: &garbage)
        #expect(error(garbage)?.code == "bad_recordio")
        #expect(error(try frame(record(.float32(RecordFloat32Tensor(values: [1, 2], keys: [0, 5], shape: [3])))))?.code == "bad_recordio")
        #expect(error(try frame(record(.bytes(RecordBytes(value: [])))))?.code == "bad_record")
        #expect(error(try frame(RecordMessage()))?.code == "bad_record")
        #expect(error(try frame(record(.float32(RecordFloat32Tensor(values: [1, 2])))))?.code == "wrong_feature_count")
        #expect(error([])?.code == "empty_body")
    }

    @Test func sniffedWithoutContentType() throws {
        let negotiation = ContentNegotiation()
        #expect(try negotiation.requestFormat(contentType: nil, body: npy(descr: "<f4", shape: "(0,)", data: [])) == .npy)
        #expect(try negotiation.requestFormat(contentType: nil, body: frame(RecordMessage())) == .recordIO)
        #expect(try negotiation.responseFormat(accept: "application/x-npy") == .npy)
        #expect(try negotiation.responseFormat(accept: "application/x-recordio-protobuf") == .recordIO)
    }

    @Test func responsesReadBack() throws {
        var table = PredictionTable(rows: 2)
        table.labels = .int64([1, 0])
        table.scores = PredictionTable.Matrix(values: [0.25, 0.75, 0.5, 0.5], width: 2)
        let npyBody = ResponseEncoder.encode(table, format: .npy, rendering: OutputRendering())
        let back = try NumpyArray.decode(npyBody)
        #expect(back == NumericMatrix(rows: 2, columns: 3, values: .double([1, 0.25, 0.75, 0, 0.5, 0.5])))
        let recordBody = ResponseEncoder.encode(table, format: .recordIO, rendering: OutputRendering())
        let frames = try RecordIO.frames(recordBody)
        #expect(frames.count == 2)
        let first = try RecordIO.parse(Array(recordBody[frames[0]]))
        #expect(first.label["predicted_label"]?.kind == .float32(RecordFloat32Tensor(values: [1], shape: [1])))
        #expect(first.label["score"]?.kind == .float32(RecordFloat32Tensor(values: [0.25, 0.75], shape: [2])))
        var text = PredictionTable(rows: 1)
        text.labels = .string(["spam"])
        let textBody = ResponseEncoder.encode(text, format: .npy, rendering: OutputRendering())
        #expect(String(decoding: textBody[10..<60], as: UTF8.self).contains("'descr': '<U4'"))
    }
}
