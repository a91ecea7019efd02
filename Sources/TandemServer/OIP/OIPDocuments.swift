import TandemJSON
import TandemONNX
import TandemServing

/// The JSON documents of the Open Inference Protocol's read routes: server metadata, model metadata (from
/// the model's ONNX signature), Triton's model configuration (what `perf_analyzer` reads to shape its
/// requests), the statistics extension (fed by each variant's exact totals) and the repository index.
enum OIPDocuments {
    /// The extensions `GET /v2` announces.
    static let extensions = ["binary_tensor_data", "model_configuration", "statistics", "model_repository"]

    static func serverMetadata() -> [UInt8] {
        var w = JSONWriter()
        w.beginObject()
        w.member("name", string: "tandem")
        w.member("version", string: TandemVersion.string)
        w.member("extensions", strings: extensions)
        w.endObject()
        return w.bytes
    }

    /// `platform`: Triton's name for an ONNX model (tools key on it), or `tandem_<kind>` for others.
    static func platform(_ model: OIPCatalog.Model) -> String {
        guard let kind = model.kind else { return "unknown" }
        return kind == "onnx" ? "onnxruntime_onnx" : "tandem_" + kind
    }

    static func modelMetadata(_ model: OIPCatalog.Model, versions: [String]) -> [UInt8] {
        var w = JSONWriter()
        w.beginObject()
        w.member("name", string: model.name)
        w.member("versions", strings: versions)
        w.member("platform", string: platform(model))
        let signature = model.signature
        w.key("inputs")
        w.beginArray()
        for input in signature?.inputs ?? [] {
            tensorMetadata(&w, name: input.name, datatype: OIPDataType.name(input.elementType), shape: input.shape.map { $0 ?? -1 })
        }
        w.endArray()
        w.key("outputs")
        w.beginArray()
        for output in signature?.outputs ?? [] {
            let (datatype, shape) = OIPDataType.describe(output, classes: classCount(signature))
            tensorMetadata(&w, name: output.name, datatype: datatype, shape: shape)
        }
        w.endArray()
        w.endObject()
        return w.bytes
    }

    private static func tensorMetadata(_ w: inout JSONWriter, name: String, datatype: String, shape: [Int]) {
        w.beginObject()
        w.member("name", string: name)
        w.member("datatype", string: datatype)
        w.key("shape")
        w.beginArray()
        for dim in shape { w.number(dim) }
        w.endArray()
        w.endObject()
    }

    private static func classCount(_ signature: ModelSignature?) -> Int? {
        switch signature?.classLabels {
        case .int64(let labels)?: labels.count
        case .string(let labels)?: labels.count
        case nil: nil
        }
    }

    /// The batch size announced in `/config`: when every input and output has a dynamic first dimension,
    /// the model takes any number of records, and (as Triton does) `max_batch_size` is positive and the
    /// dims leave the batch dimension out; otherwise 0 with full dims.
    static let announcedMaxBatch = 1024

    static func batchable(_ signature: ModelSignature) -> Bool {
        let inputs = signature.inputs.allSatisfy { !$0.shape.isEmpty && $0.shape[0] == nil }
        let outputs = signature.outputs.allSatisfy { output in
            if case .mapSequence = output.kind { return true }
            return !output.shape.isEmpty && output.shape[0] == nil
        }
        return !signature.inputs.isEmpty && inputs && outputs
    }

    static func modelConfig(_ model: OIPCatalog.Model) -> [UInt8] {
        let signature = model.signature
        let batched = signature.map(batchable) ?? false
        var w = JSONWriter()
        w.beginObject()
        w.member("name", string: model.name)
        w.member("platform", string: platform(model))
        w.member("backend", string: "tandem")
        w.member("max_batch_size", int: batched ? announcedMaxBatch : 0)
        w.key("input")
        w.beginArray()
        for input in signature?.inputs ?? [] {
            configTensor(&w, name: input.name, type: OIPDataType.configName(input.elementType),
                         dims: dims(input.shape.map { $0 ?? -1 }, batched: batched))
        }
        w.endArray()
        w.key("output")
        w.beginArray()
        for output in signature?.outputs ?? [] {
            let (datatype, shape) = OIPDataType.describe(output, classes: classCount(signature))
            let type = OIPDataType.elementType(datatype).map(OIPDataType.configName) ?? "TYPE_FP32"
            configTensor(&w, name: output.name, type: type, dims: dims(shape, batched: batched))
        }
        w.endArray()
        w.key("version_policy")
        w.beginObject()
        w.key("specific")
        w.beginObject()
        w.member("versions", strings: [model.version])
        w.endObject()
        w.endObject()
        w.key("parameters")
        w.beginObject()
        w.key("routing")
        w.beginObject()
        w.member("string_value", string: { if case .endpoint = model.target { return "a/b" } else { return "direct" } }())
        w.endObject()
        w.key("variants")
        w.beginObject()
        w.member("string_value", string: model.variants.map(\.name).joined(separator: ","))
        w.endObject()
        w.endObject()
        w.endObject()
        return w.bytes
    }

    private static func dims(_ shape: [Int], batched: Bool) -> [Int] {
        batched ? Array(shape.dropFirst()) : shape
    }

    private static func configTensor(_ w: inout JSONWriter, name: String, type: String, dims: [Int]) {
        w.beginObject()
        w.member("name", string: name)
        w.member("data_type", string: type)
        w.key("dims")
        w.beginArray()
        for dim in dims { w.number(dim) }
        w.endArray()
        w.endObject()
    }

    /// The statistics extension's `{"model_stats": [...]}` for `models`. Tandem does not batch requests
    /// together: every request is one execution. A worker's time on a request is split as Triton splits it:
    /// `compute_input` decodes the body into tensors, `compute_infer` runs the model, `compute_output`
    /// encodes the answer. There is no response cache.
    static func statistics(_ models: [OIPCatalog.Model]) -> [UInt8] {
        var w = JSONWriter(capacity: 1024)
        w.beginObject()
        w.key("model_stats")
        w.beginArray()
        for model in models {
            let totals = model.variants.map(\.metrics.statistics.snapshot).reduce(InferenceStatistics.Snapshot(), +)
            w.beginObject()
            w.member("name", string: model.name)
            w.member("version", string: model.version)
            w.member("last_inference", int: totals.lastInferenceMilliseconds)
            w.member("inference_count", int: totals.success.count)
            w.member("execution_count", int: totals.success.count)
            w.key("inference_stats")
            w.beginObject()
            stat(&w, "success", totals.success)
            stat(&w, "fail", totals.failure)
            stat(&w, "queue", totals.queue)
            stat(&w, "compute_input", totals.computeInput)
            stat(&w, "compute_infer", totals.compute)
            stat(&w, "compute_output", totals.computeOutput)
            stat(&w, "cache_hit", InferenceStatistics.Total())
            stat(&w, "cache_miss", InferenceStatistics.Total())
            w.endObject()
            w.key("batch_stats")
            w.beginArray()
            w.endArray()
            w.endObject()
        }
        w.endArray()
        w.endObject()
        return w.bytes
    }

    private static func stat(_ w: inout JSONWriter, _ name: String, _ total: InferenceStatistics.Total) {
        w.key(name)
        w.beginObject()
        w.member("count", int: total.count)
        w.member("ns", int: total.nanoseconds)
        w.endObject()
    }

    /// The repository index: every addressable model version, `READY` or `UNAVAILABLE` with the reason.
    static func repositoryIndex(_ catalog: OIPCatalog, poolHealthy: Bool, readyOnly: Bool) -> [UInt8] {
        var w = JSONWriter()
        w.beginArray()
        for model in catalog.allModels {
            let ready = model.isReady(poolHealthy: poolHealthy, state: catalog.state)
            if readyOnly && !ready { continue }
            w.beginObject()
            w.member("name", string: model.name)
            w.member("version", string: model.version)
            w.member("state", string: ready ? "READY" : "UNAVAILABLE")
            if !ready {
                w.member("reason", string: model.variants.map { "\($0.name): \($0.state)" }.joined(separator: "; "))
            }
            w.endObject()
        }
        w.endArray()
        return w.bytes
    }
}
