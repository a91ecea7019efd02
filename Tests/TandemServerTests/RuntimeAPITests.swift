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

}
