import Testing
import TandemHTTP
@testable import TandemServer
@testable import TandemServing

@Suite("SageMaker Runtime API emulation")
struct RuntimeAPITests {
    @Test func operationsFromPaths() {
        #expect(RuntimeAPI.operation(path: "/endpoints/demo/invocations") == .invoke(endpoint: "demo"))
        #expect(RuntimeAPI.operation(path: "/endpoints/demo/invocations-response-stream")
            == .notEmulated(endpoint: "demo", name: "InvokeEndpointWithResponseStream"))
        #expect(RuntimeAPI.operation(path: "/endpoints/demo/async-invocations")
            == .notEmulated(endpoint: "demo", name: "InvokeEndpointAsync"))
        #expect(RuntimeAPI.operation(path: "/endpoints//invocations") == .unknown)
        #expect(RuntimeAPI.operation(path: "/endpoints/demo/invocations/extra") == .unknown)
        #expect(RuntimeAPI.operation(path: "/endpoints/demo") == .unknown)
    }

    @Test func endpointNamesFollowSageMakersPattern() {
        for good in ["a", "demo", "tandem-demo", "a--b", "A1", String(repeating: "x", count: 63)] {
            #expect(EndpointConfig.isSageMakerName(good), "\(good)")
        }
        for bad in ["", "-a", "a-", "a_b", "a.b", "é", String(repeating: "x", count: 64)] {
            #expect(!EndpointConfig.isSageMakerName(bad), "\(bad)")
        }
    }

    @Test func endpointChecks() throws {
        #expect(RuntimeAPI.rejectEndpoint("demo", hosted: .named("demo"), requestID: "r") == nil)
        #expect(RuntimeAPI.rejectEndpoint("any-name", hosted: .anyName, requestID: "r") == nil)
        #expect(RuntimeAPI.rejectEndpoint("bad_name", hosted: .anyName, requestID: "r")?.status == 400)
        let other = try #require(RuntimeAPI.rejectEndpoint("other", hosted: .named("demo"), requestID: "r"))
        #expect(other.status == 400)
        #expect(other.headers["x-amzn-ErrorType"] == "ValidationError")
        let loading = try #require(RuntimeAPI.rejectEndpoint("demo", hosted: .loading, requestID: "r"))
        #expect(loading.status == 503)
        #expect(loading.headers["x-amzn-ErrorType"] == "ServiceUnavailable")
        #expect(loading.headers["Retry-After"] == "1")
    }

    @Test func answersAreTranslated() {
        let ok = InvocationResponse(status: 200, contentType: "text/csv", body: Array("1\n".utf8),
                                    headers: [("X-Amzn-Invoked-Production-Variant", "a")])
        let passed = RuntimeAPI.translate(ok, requestID: "r")
        #expect(passed.status == 200 && passed.body == ok.body)
        #expect(passed.headers["Content-Type"] == "text/csv")
        #expect(passed.headers["X-Amzn-Invoked-Production-Variant"] == "a")

        let notReady = InvocationResponse(status: 503, contentType: "application/json", body: [], headers: [],
                                          errorCode: "not_ready", errorMessage: "models are still loading")
        #expect(RuntimeAPI.translate(notReady, requestID: "r").headers["x-amzn-ErrorType"] == "ServiceUnavailable")

        let original = #"{"code":"queue_full","message":"full \"x\""}"#
        let full = InvocationResponse(status: 503, contentType: "application/json", body: Array(original.utf8),
                                      headers: [("Retry-After", "1")], errorCode: "queue_full", errorMessage: "full")
        let modelError = RuntimeAPI.translate(full, requestID: "r1")
        #expect(modelError.status == 424)
        #expect(modelError.headers["x-amzn-ErrorType"] == "ModelError")
        #expect(modelError.headers["Retry-After"] == "1")
        let body = String(decoding: modelError.body, as: UTF8.self)
        #expect(body.contains(#""OriginalStatusCode":503"#))
        #expect(body.contains(#""OriginalMessage":"{\"code\":\"queue_full\",\"message\":\"full \\\"x\\\"\"}""#))
        #expect(body.contains("Received server error (503) from primary"))
    }
}
