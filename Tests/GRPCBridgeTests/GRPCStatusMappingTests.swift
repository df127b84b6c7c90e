import GRPCCore
import RPCShared
import Testing
@testable import GRPCBridge

@Suite struct GRPCStatusMappingTests {
    @Test(arguments: [("2H", Duration.seconds(7200)), ("3M", .seconds(180)), ("5S", .seconds(5)), ("250m", .milliseconds(250)),
                      ("99999999u", .microseconds(99_999_999)), ("7n", .nanoseconds(7))])
    func grpcTimeoutReadsEveryUnit(_ text: String, _ expected: Duration) {
        #expect(GRPCStatusMapping.timeout(text) == expected)
    }

    @Test(arguments: ["", "5", "S", "123456789S", "-1S", "1.5S", "10x"])
    func aMalformedGrpcTimeoutIsNoDeadline(_ text: String) {
        #expect(GRPCStatusMapping.timeout(text) == nil)
    }

    @Test func everyStatusCodeMapsToTheSameGRPCCode() {
        for code in StatusCode.allCases where code != .ok {
            #expect(GRPCStatusMapping.grpcCode(code).rawValue == Int(code.rawValue), "\(code)")
        }
    }

    @Test func errorDetailsTravelAsAGoogleRPCStatusInTheDetailsTrailer() throws {
        let details = CommonV1.ErrorDetails(fieldViolations: [.init(field: "lines", description: "at least one line")],
                                            reason: "NOT_ELIGIBLE")
        var trailers = RPCShared.Metadata()
        trailers.add("retry-hint", "later")
        let error = RPCShared.RPCError(.failedPrecondition, "line 1 is not eligible", details: details)
        var withTrailers = error
        withTrailers.trailers = trailers
        let grpc = GRPCStatusMapping.grpcError(withTrailers, requestID: "req-1")
        #expect(grpc.code == .failedPrecondition)
        #expect(grpc.message == "line 1 is not eligible")
        #expect(Array(grpc.metadata[stringValues: "x-request-id"]) == ["req-1"])
        #expect(Array(grpc.metadata[stringValues: "retry-hint"]) == ["later"])
        let raw = try #require(Array(grpc.metadata[binaryValues: GRPCStatusMapping.detailsKey]).first)
        let status = try GoogleRPC.Status(serializedBytes: raw)
        #expect(status.code == StatusCode.failedPrecondition.rawValue)
        #expect(status.message == error.message)
        #expect(status.details.map(\.typeURL) == ["type.googleapis.com/aftersale.common.v1.ErrorDetails"])
        #expect(try CommonV1.ErrorDetails(serializedBytes: status.details[0].value) == details)
    }

    @Test func anErrorWithoutDetailsSendsNoDetailsTrailer() {
        let grpc = GRPCStatusMapping.grpcError(RPCShared.RPCError(.notFound, "no case"), requestID: "r")
        #expect(Array(grpc.metadata[binaryValues: GRPCStatusMapping.detailsKey]).isEmpty)
    }

    @Test func binaryMetadataStaysBytesBothWays() {
        var ours = RPCShared.Metadata()
        ours.add("trace-bin", bytes: [0, 1, 255])
        ours.add("note", "plain")
        let theirs = GRPCStatusMapping.grpcMetadata(ours)
        #expect(Array(theirs[binaryValues: "trace-bin"]) == [[0, 1, 255]])
        let back = GRPCStatusMapping.metadata(theirs)
        #expect(back.values("trace-bin") == [[0, 1, 255]])
        #expect(back["note"] == "plain")
    }

    @Test(arguments: [("ipv4:127.0.0.1:5000", "tcp://127.0.0.1:5000"), ("ipv6:[::1]:5000", "tcp://[::1]:5000"),
                      ("unix:/run/a.sock", "unix:/run/a.sock")])
    func peersAreSpelledAsOurs(_ grpc: String, _ ours: String) {
        #expect(GRPCStatusMapping.peer(grpc) == ours)
    }
}
