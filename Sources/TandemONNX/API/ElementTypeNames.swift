/// The names of every ONNX `TensorProto.DataType`, including those Tandem does not run, so a
/// load error can say "float16" rather than a bare number.
public enum ElementTypeNames {
    /// The ONNX name of data type `raw` (`float16`, `bfloat16`, ...), or `type <n>` when unknown.
    public static func name(_ raw: Int32) -> String {
        switch raw {
        case 0: "undefined"
        case 1: "float"
        case 2: "uint8"
        case 3: "int8"
        case 4: "uint16"
        case 5: "int16"
        case 6: "int32"
        case 7: "int64"
        case 8: "string"
        case 9: "bool"
        case 10: "float16"
        case 11: "double"
        case 12: "uint32"
        case 13: "uint64"
        case 14: "complex64"
        case 15: "complex128"
        case 16: "bfloat16"
        case 17: "float8e4m3fn"
        case 18: "float8e4m3fnuz"
        case 19: "float8e5m2"
        case 20: "float8e5m2fnuz"
        case 21: "uint4"
        case 22: "int4"
        case 23: "float4e2m1"
        default: "type \(raw)"
        }
    }
}
