import TandemServing

/// How `tandem check-config` describes the `data_capture` section.
enum DataCaptureReport {
    static func line(_ capture: DataCaptureConfig?) -> String {
        guard let capture, capture.enabled else { return "data capture: off" }
        var options: [String] = []
        if capture.captureInput { options.append("input") }
        if capture.captureOutput { options.append("output") }
        if capture.captureShadows { options.append("shadows") }
        let writer = capture.writer
        return "data capture: \(capture.samplingPercentage)% of invocations (\(options.joined(separator: ", "))) to "
            + "\(capture.destination); csv \(capture.csvContentTypes), json \(capture.jsonContentTypes), others base64; "
            + "queue \(writer.queueRecords) records / \(writer.queueBytes) bytes, files up to \(writer.maxFileBytes) bytes, "
            + "paused above \(writer.diskUsageThreshold)% disk usage, flush every \(writer.flushInterval)"
    }
}
