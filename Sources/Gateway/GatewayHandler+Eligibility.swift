import RPCShared
import ServiceRuntime

// TEMPORARY stand-in until the read side lands (gateway-reads branch replaces this file).
extension GatewayHandler {
    func eligibility(orderID: String, kind: OrderV1.CaseKind, lines: [GatewayV1.EligibilityQueryLine], asOf: CommonV1.Timestamp?,
                     budget: DownstreamBudget) async throws -> (order: OrderV1.Order, customer: CustomerV1.Customer?, verdicts: ProductV1.CheckEligibilityResponse) {
        throw RPCError(.unimplemented, "eligibility")
    }
}
