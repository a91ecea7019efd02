import Foundation
import TandemHTTP
import Testing
@testable import TandemServer
@testable import TandemServing

/// Every failure of the core, as each front door answers it: the SageMaker contract (`/invocations`)
/// and the Runtime API emulation (`/endpoints/{name}/invocations`).
@Suite("Front doors map the core's failures")
struct FrontDoorErrorMappingTests {
    static let route = ServedRoute(variant: "control", model: ModelID(name: "m", version: 2), rule: .sticky)

    /// Each failure with the status, code and Retry-After `/invocations` answers it with.
    static let sageMaker: [(InvocationFailure, status: Int, code: String, retryAfter: String?)] = [
        (.notReady(reason: "models are still loading"), 503, "not_ready", "1"),
        (.unknownVariant(requested: "x", available: ["a", "b"]), 400, "unknown_variant", nil),
        (.noVariantAvailable(reasons: "a: failed"), 503, "no_variant_available", "5"),
        (.badInput(PayloadError(code: "bad_cell", message: "row 2, column 3: not a number", row: 2, column: 3,
                                expected: "a number", got: "abc")), 400, "bad_cell", nil),
        (.unsupportedContentType(message: "Content-Type 'image/png' is not supported"), 415, "unsupported_media_type", nil),
        (.notAcceptable(message: "none of the types in Accept can be produced"), 406, "not_acceptable", nil),
        (.variantFailed(variant: "a", state: "failed: no model.onnx"), 503, "variant_failed", "5"),
        (.overloaded(variant: "a", queued: 512), 503, "queue_full", "1"),
        (.shuttingDown(afterQueueing: false), 503, "shutting_down", nil),
        (.shuttingDown(afterQueueing: true), 503, "shutting_down", nil),
        (.deadlineExceeded(variant: "a", timeout: .milliseconds(300), whileRunning: true), 504, "deadline_exceeded", nil),
        (.clientGone, 499, "client_closed", nil),
        (.modelRefusedInput(code: "unknown_category", message: "category 'z' is unknown"), 400, "unknown_category", nil),
        (.modelFailed(code: "model_error", message: "model m/2 failed: boom"), 500, "model_error", nil),
    ]

    static func json(_ body: [UInt8]) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(body)) as? [String: Any])
    }

    @Test func invocationsAnswersEveryFailureWithItsStatusCodeAndRetryHint() throws {
        for (failure, status, code, retryAfter) in Self.sageMaker {
            let response = SageMakerInvocations.response(InvocationResult(requestID: "r1", route: nil, outcome: .failure(failure)))
            #expect(response.status == status, "\(failure)")
            #expect(response.headers["Retry-After"] == retryAfter, "\(failure)")
            #expect(response.headers["Content-Type"] == "application/json")
            let body = try Self.json(response.body)
            #expect(body["code"] as? String == code)
            #expect(body["message"] as? String == failure.message)
            #expect(body["request_id"] as? String == "r1")
            #expect(response.headers["X-Amzn-Invoked-Production-Variant"] == nil, "refused before routing: no variant")
        }
    }

    @Test func badInputNamesTheRowAndColumn() throws {
        let failure = InvocationFailure.badInput(
            PayloadError(code: "bad_cell", message: "m", row: 2, column: 3, expected: "a number", got: "a\"b"))
        let body = try Self.json(SageMakerInvocations.errorBody(failure, requestID: "r"))
        #expect(body["row"] as? Int == 2)
        #expect(body["column"] as? Int == 3)
        #expect(body["expected"] as? String == "a number")
        #expect(body["got"] as? String == "a\"b")
        let unknown = try Self.json(SageMakerInvocations.errorBody(.unknownVariant(requested: "x", available: ["a", "b"]), requestID: "r"))
        #expect(unknown["variants"] as? [String] == ["a", "b"])
    }

    @Test func routedAnswersCarryTheVariantAndRouting() throws {
        let ok = SageMakerInvocations.response(InvocationResult(
            requestID: "r", route: Self.route, outcome: .success(InvocationAnswer(body: Array("1\n".utf8), mediaType: "text/csv"))))
        #expect(ok.status == 200)
        #expect(ok.body == Array("1\n".utf8))
        #expect(ok.headers["Content-Type"] == "text/csv")
        #expect(ok.headers["X-Amzn-Invoked-Production-Variant"] == "control")
        #expect(ok.headers["X-Tandem-Routing"] == "sticky")
        #expect(ok.headers["X-Tandem-Model"] == "m/2")
        #expect(ok.headers["X-Amzn-SageMaker-Custom-Attributes"] == "variant=control,model=m/2,routing=sticky")
        let failed = SageMakerInvocations.response(InvocationResult(requestID: "r", route: Self.route, outcome: .failure(.clientGone)))
        #expect(failed.headers["X-Amzn-Invoked-Production-Variant"] == "control")
    }

    @Test func runtimeAPIWrapsContainerErrorsAsModelError() throws {
        for (failure, status, _, retryAfter) in Self.sageMaker {
            let response = RuntimeAPI.response(InvocationResult(requestID: "r1", route: nil, outcome: .failure(failure)))
            let body = try Self.json(response.body)
            switch failure {
            case .unknownVariant:
                #expect(response.status == 400)
                #expect(response.headers["x-amzn-ErrorType"] == "ValidationError")
                #expect(body["message"] as? String == failure.message)
            case .notReady, .noVariantAvailable:
                #expect(response.status == 503)
                #expect(response.headers["x-amzn-ErrorType"] == "ServiceUnavailable")
                #expect(body["message"] as? String == failure.message)
            default:
                #expect(response.status == 424, "\(failure)")
                #expect(response.headers["x-amzn-ErrorType"] == "ModelError")
                #expect(body["OriginalStatusCode"] as? Int == status)
                // The original message is the body the container answered with, byte for byte.
                let original = String(decoding: SageMakerInvocations.errorBody(failure, requestID: "r1"), as: UTF8.self)
                #expect(body["OriginalMessage"] as? String == original)
                let side = status < 500 ? "client" : "server"
                #expect((body["message"] as? String)?.hasPrefix("Received \(side) error (\(status)) from primary") == true)
            }
            #expect(response.headers["Retry-After"] == retryAfter, "\(failure)")
        }
    }

    @Test func runtimeAPIPassesAnswersThrough() {
        let answer = InvocationAnswer(body: Array("{}".utf8), mediaType: "application/json")
        let response = RuntimeAPI.response(InvocationResult(requestID: "r", route: Self.route, outcome: .success(answer)))
        #expect(response.status == 200)
        #expect(response.body == answer.body)
        #expect(response.headers["X-Amzn-Invoked-Production-Variant"] == "control")
        #expect(response.headers["x-amzn-ErrorType"] == nil)
    }

    @Test func blameDecidesTheMetricsClass() {
        for (failure, status, _, _) in Self.sageMaker {
            #expect((failure.blame == .client) == (status < 500), "\(failure)")
        }
    }
}
