import RPCShared
import ServiceRuntime

extension GatewayHandler {
    /// OpenCase: eligibility (blocked → NOT_ELIGIBLE) → exchange prices and fee terms → `OrderService.OpenCase`
    /// (the pivot) → `AssessReturnRisk` with the customer's purchases → on AUTO_APPROVE with every line's requested
    /// resolution allowed by the policy, the approval at once with an instant refund.
    func openCaseSaga(_ request: GatewayV1.OpenCaseRequest, caller: GatewayCaller) -> SagaCoordinator.Body {
        { run in
            let order = try await run.read("order.GetOrder", service: "order") {
                try await downstream.order.getOrder(.init(orderID: request.orderID), options: $0)
            }
            try caller.requireAccess(toCustomer: order.customerID, resource: "order/\(order.id)")
            guard order.customerID == request.customerID else {
                throw RPCError.invalidArgument("customer_id", "is not the customer of order \(order.id)")
            }
            // The customer's purchases feed only the risk step after the pivot: read them while eligibility runs.
            async let purchases = run.read("order.ListOrders", service: "order") {
                try await downstream.order.listOrders(.init(page: .init(pageSize: 200), customerID: order.customerID), options: $0)
            }
            let query = request.lines.map {
                GatewayV1.EligibilityQueryLine(orderLineID: $0.orderLineID, quantity: $0.quantity,
                                               requestedResolution: $0.requestedResolution, reason: $0.reason)
            }
            let verdicts = try await run.read("product.CheckEligibility", service: "product") { _ in
                try await self.verdicts(for: order, timeZone: await timeZone(of: order, budget: run.budget), kind: request.kind,
                                        lines: query, asOf: nil, budget: run.budget)
            }
            try Self.requireEligible(verdicts, request: request)

            var lines = request.lines
            for index in lines.indices where lines[index].requestedResolution == .exchange {
                let sku = lines[index].exchangeSKU
                let variant = try await run.read("product.GetVariant:\(sku)", service: "product") {
                    try await downstream.product.getVariant(.init(sku: sku), options: $0)
                }
                guard variant.active, let price = variant.price, price.currency == order.currency else {
                    throw RPCError.invalidArgument("lines[\(index)].exchange_sku",
                                                   "\(sku) is not sold in \(order.currency) any more")
                }
                lines[index].exchangeUnitPrice = price
            }
            let opening = OrderV1.OpenCaseRequest(
                orderID: order.id, customerID: order.customerID, kind: request.kind, lines: lines,
                feeTerms: Self.feeTerms(verdicts, currency: order.currency), note: request.note, actor: caller.actor)
            let opened = try await run.mutate("order.OpenCase", service: "order", pivot: true) {
                try await downstream.order.openCase(opening, options: $0)
            }

            let assessment = CustomerV1.AssessReturnRiskRequest(
                customerID: order.customerID, caseID: opened.id, orderID: order.id, kind: opened.kind,
                caseValue: CaseFacts.requestedValue(opened, order: order), units: CaseFacts.requestedUnits(opened),
                reasons: opened.lines.map(\.reason), orderPlacedAt: order.placedAt,
                deliveredAt: CaseFacts.lastDelivery(of: opened, in: order),
                hasEvidence: opened.lines.contains { !$0.evidenceURLs.isEmpty },
                purchases: CaseFacts.purchaseSummary(try await purchases.orders))
            let risk = try await run.mutate("customer.AssessReturnRisk", service: "customer") {
                try await downstream.customer.assessReturnRisk(assessment, options: $0)
            }
            guard risk.decision == .autoApprove, Self.policyAllowsAutoApproval(verdicts, lines: opened.lines) else {
                return opened
            }
            let approval = Approval(expectedVersion: opened.version, instantRefund: true,
                                    note: "auto-approved: \(risk.summary)",
                                    actor: CommonV1.Actor(kind: .system, id: "auto-approval"))
            return try await approve(opened, approval, run: run, pivot: false)
        }
    }

    /// FAILED_PRECONDITION `NOT_ELIGIBLE` with one violation per blocked line, in the request's line order.
    static func requireEligible(_ verdicts: ProductV1.CheckEligibilityResponse, request: GatewayV1.OpenCaseRequest) throws {
        var violations: [CommonV1.FieldViolation] = []
        for (index, line) in request.lines.enumerated() {
            guard let verdict = verdicts.lines.first(where: { $0.orderLineID == line.orderLineID }) else { continue }
            if !verdict.eligible || verdict.eligibleQuantity < line.quantity {
                violations.append(.init(field: "lines[\(index)]", description: verdict.summary))
            } else if line.requestedResolution != .unspecified && !verdict.allowedResolutions.contains(line.requestedResolution) {
                violations.append(.init(field: "lines[\(index)].requested_resolution",
                                        description: "\(line.requestedResolution) is not offered for this item (allowed: \(verdict.allowedResolutions.map { "\($0)" }.joined(separator: ", ")))"))
            }
        }
        guard violations.isEmpty else {
            throw RPCError(.failedPrecondition,
                           "not eligible: " + violations.map { "\($0.field): \($0.description)" }.joined(separator: "; "),
                           details: .init(fieldViolations: violations, reason: "NOT_ELIGIBLE"))
        }
    }

    /// The case's fee terms from the lines' effective policies: the strictest terms of any line (the highest
    /// restocking rate and return-shipping fee), since a case carries one set.
    static func feeTerms(_ verdicts: ProductV1.CheckEligibilityResponse, currency: String) -> OrderV1.FeeTerms? {
        let policies = verdicts.lines.compactMap(\.policy)
        guard !policies.isEmpty else { return nil }
        var terms = OrderV1.FeeTerms(policyID: policies.compactMap(\.appliedPolicyIDs.last).first ?? "")
        for policy in policies {
            terms.restockingFeeBp = max(terms.restockingFeeBp, policy.restockingFeeBp)
            if let fee = policy.returnShippingFee, fee.currency == currency,
               fee.minorUnits > (terms.returnShippingFee?.minorUnits ?? -1) {
                terms.returnShippingFee = fee
            }
        }
        return terms
    }

    /// The policy's part of auto-approval: every line's requested resolution is one the policy offers.
    static func policyAllowsAutoApproval(_ verdicts: ProductV1.CheckEligibilityResponse, lines: [OrderV1.CaseLine]) -> Bool {
        verdicts.allEligible && lines.allSatisfy { line in
            guard let verdict = verdicts.lines.first(where: { $0.orderLineID == line.orderLineID }) else { return false }
            return line.requestedResolution == .unspecified || verdict.allowedResolutions.contains(line.requestedResolution)
        }
    }
}
