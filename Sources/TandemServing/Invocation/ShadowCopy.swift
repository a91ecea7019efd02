/// A sampled copy of one production request for a shadow variant: the same pipeline as production's,
/// with a different sink. Its predictions go to the `ShadowComparison` with production's answer and are
/// then discarded; only the shadow's metrics and health record how it went.
struct ShadowCopy: Sendable {
    let variant: Variant
    let model: any InferenceModel
    let comparison: ShadowComparison

    /// Queues the copy on the shadow's lane (refused at once, and counted so, when that lane is full).
    /// A sink hears of the copy's predictions when they came in time (`sink`, with the request and the
    /// snapshot it ran with, and how production was chosen).
    func submit(
        body: [UInt8], codec: any InvocationCodec, pool: WorkerPool,
        sink: (any InvocationSink)? = nil, request: InvocationRequest? = nil, state: EndpointState? = nil, rule: RoutingRule = .weighted
    ) {
        let pipeline = InvocationPipeline(variant: variant, model: model, codec: codec)
        let metrics = variant.metrics
        let health = variant.health
        let timeout = variant.timeout
        let name = variant.name
        let comparison = comparison
        let route = ServedRoute(variant: variant.name, model: variant.modelID, rule: rule)
        let received = ContinuousClock.now
        let deadline = received + timeout
        metrics.requestStarted()
        let admission = pool.submit(
            to: variant.lane, deadline: deadline,
            drop: { _ in
                metrics.requestFinished(
                    .deadlineExceeded(variant: name, timeout: timeout, whileRunning: false),
                    total: .now - received, compute: nil, queueWait: nil)
            },
            run: { wait in
                let start = ContinuousClock.now
                var decoded: ContinuousClock.Instant?
                var inferred: ContinuousClock.Instant?
                var failure: InvocationFailure?
                do throws(InvocationFailure) {
                    let predictions = try pipeline.predict(body, decodedAt: &decoded)
                    inferred = .now
                    // Past its deadline the shadow would have answered as production does: counted so, not compared.
                    if ContinuousClock.now > deadline {
                        failure = .deadlineExceeded(variant: name, timeout: timeout, whileRunning: true)
                    } else {
                        comparison.shadowAnswered(predictions.table)
                        if let sink, let request, let state {
                            sink.invocationSettled(SettledInvocation(
                                shadowOf: request, state: state, route: route, predictions: predictions, codec: codec))
                        }
                    }
                } catch {
                    failure = error
                }
                let end = ContinuousClock.now
                metrics.shadowRan()
                health.record(failed: failure?.blame == .server)
                metrics.requestFinished(
                    failure, total: end - received,
                    compute: ComputeSplit(start: start, decoded: decoded, inferred: inferred, end: end), queueWait: wait)
            })
        if admission != .accepted {
            metrics.requestRejected()
            metrics.requestFinished(
                .overloaded(variant: variant.name, queued: variant.lane.capacity), total: .zero, compute: nil, queueWait: nil)
        }
    }
}
