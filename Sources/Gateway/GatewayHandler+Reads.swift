import RPCShared
import ServiceRuntime

// Placeholder: the read side (CheckEligibility, GetCase, ListCases, QuoteSettlement, WatchCase, GetDashboard,
// SubmitFeedback) is being written.
extension GatewayHandler {
    public func checkEligibility(_ request: GatewayV1.CheckEligibilityRequest, context: ServerContext) async throws -> ProductV1.CheckEligibilityResponse {
        throw RPCError(.unimplemented, "CheckEligibility")
    }

    public func getCase(_ request: GatewayV1.GetCaseRequest, context: ServerContext) async throws -> GatewayV1.CaseView {
        throw RPCError(.unimplemented, "GetCase")
    }

    public func listCases(_ request: GatewayV1.ListCasesRequest, context: ServerContext) async throws -> GatewayV1.ListCasesResponse {
        throw RPCError(.unimplemented, "ListCases")
    }

    public func quoteSettlement(_ request: GatewayV1.QuoteSettlementRequest, context: ServerContext) async throws -> OrderV1.Settlement {
        throw RPCError(.unimplemented, "QuoteSettlement")
    }

    public func submitFeedback(_ request: GatewayV1.SubmitFeedbackRequest, context: ServerContext) async throws -> CustomerV1.Feedback {
        throw RPCError(.unimplemented, "SubmitFeedback")
    }

    public func watchCase(_ request: GatewayV1.WatchCaseRequest, responses: ResponseWriter<OrderV1.CaseEvent>, context: ServerContext) async throws {
        throw RPCError(.unimplemented, "WatchCase")
    }

    public func getDashboard(_ request: GatewayV1.GetDashboardRequest, context: ServerContext) async throws -> ReportingV1.Dashboard {
        throw RPCError(.unimplemented, "GetDashboard")
    }
}
