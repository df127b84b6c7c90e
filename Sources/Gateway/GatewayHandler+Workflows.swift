import RPCShared
import ServiceRuntime

// Placeholder: the mutating workflows (sagas) are being written.
extension GatewayHandler {
    public func openCase(_ request: GatewayV1.OpenCaseRequest, context: ServerContext) async throws -> GatewayV1.CaseView {
        throw RPCError(.unimplemented, "OpenCase")
    }

    public func approveCase(_ request: GatewayV1.ApproveCaseRequest, context: ServerContext) async throws -> GatewayV1.CaseView {
        throw RPCError(.unimplemented, "ApproveCase")
    }

    public func rejectCase(_ request: GatewayV1.RejectCaseRequest, context: ServerContext) async throws -> GatewayV1.CaseView {
        throw RPCError(.unimplemented, "RejectCase")
    }

    public func cancelCase(_ request: GatewayV1.CancelCaseRequest, context: ServerContext) async throws -> GatewayV1.CaseView {
        throw RPCError(.unimplemented, "CancelCase")
    }

    public func recordReceipt(_ request: GatewayV1.RecordReceiptRequest, context: ServerContext) async throws -> GatewayV1.CaseView {
        throw RPCError(.unimplemented, "RecordReceipt")
    }

    public func inspectCase(_ request: GatewayV1.InspectCaseRequest, context: ServerContext) async throws -> GatewayV1.CaseView {
        throw RPCError(.unimplemented, "InspectCase")
    }

    public func resolveCase(_ request: GatewayV1.ResolveCaseRequest, context: ServerContext) async throws -> GatewayV1.CaseView {
        throw RPCError(.unimplemented, "ResolveCase")
    }
}
