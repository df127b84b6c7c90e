import RPCShared
import ServiceRuntime

/// Eligibility: the order's facts per line (``EligibilitySnapshot``) and the customer's time zone, judged by
/// ProductService against the effective policies.
extension GatewayHandler {
    /// Most lines one check may ask about (an order has far fewer).
    static var maxEligibilityLines: Int { 100 }

    public func checkEligibility(_ request: GatewayV1.CheckEligibilityRequest, context: ServerContext) async throws -> ProductV1.CheckEligibilityResponse {
        var check = FieldValidator()
        check.gatewayIdentifier(request.orderID, "order_id")
        check.known(request.kind, "kind")
        check.count(request.lines, "lines", max: Self.maxEligibilityLines)
        for (index, line) in request.lines.enumerated() {
            check.gatewayIdentifier(line.orderLineID, "lines[\(index)].order_line_id")
            check.nonNegative(line.quantity, "lines[\(index)].quantity")
            if line.requestedResolution != .unspecified { check.known(line.requestedResolution, "lines[\(index)].requested_resolution") }
            if line.reason != .unspecified { check.known(line.reason, "lines[\(index)].reason") }
        }
        check.timestamp(request.asOf, "as_of")
        try check.validate()
        return try await eligibility(orderID: request.orderID, kind: request.kind, lines: request.lines, asOf: request.asOf,
                                     budget: DownstreamBudget(context: context)).verdicts
    }

    /// Reads the order (a customer caller must own it: PERMISSION_DENIED) and its customer, builds the line
    /// snapshot (INVALID_ARGUMENT `lines[i].order_line_id` for a line not on the order; no lines = every line) and
    /// asks ProductService for the verdicts in the order's market.
    ///
    /// The customer is only needed for its time zone. When CustomerService cannot answer (down, slow, or no such
    /// customer) `customer` is nil and the check goes ahead with an empty `time_zone`, which ProductService reads
    /// as the market's default zone: a deadline may then be off by the few hours between the customer's zone and
    /// the market's, which is better than refusing every return while CustomerService is down.
    func eligibility(orderID: String, kind: OrderV1.CaseKind, lines: [GatewayV1.EligibilityQueryLine],
                     asOf: CommonV1.Timestamp?, budget: DownstreamBudget)
        async throws -> (order: OrderV1.Order, customer: CustomerV1.Customer?, verdicts: ProductV1.CheckEligibilityResponse) {
        let caller = GatewayCaller.current
        // A customer's id is known before the order arrives, so both reads run together; for other callers the
        // customer comes from the order.
        async let ownCustomer: CustomerV1.Customer? = caller.role == .customer ? timeZoneSource(caller.subject, budget: budget) : nil
        let order = try await GatewayCallError.map("order") {
            try await downstream.order.getOrder(.init(orderID: orderID), options: try budget.read())
        }
        try caller.requireAccess(toCustomer: order.customerID, resource: "order/\(orderID)")
        let customer = caller.role == .customer ? await ownCustomer : await timeZoneSource(order.customerID, budget: budget)
        let verdicts = try await self.verdicts(for: order, timeZone: customer?.timeZone ?? "", kind: kind, lines: lines,
                                          asOf: asOf, budget: budget)
        return (order, customer, verdicts)
    }

    /// The verdicts for `lines` of an order already read (OpenCase has it from its journal), in `timeZone`.
    func verdicts(for order: OrderV1.Order, timeZone: String, kind: OrderV1.CaseKind, lines: [GatewayV1.EligibilityQueryLine],
                  asOf: CommonV1.Timestamp?, budget: DownstreamBudget) async throws -> ProductV1.CheckEligibilityResponse {
        let snapshot = try EligibilitySnapshot.lines(order: order, query: lines)
        return try await GatewayCallError.map("product") {
            try await downstream.product.checkEligibility(.init(
                market: order.market, timeZone: timeZone, asOf: asOf, kind: kind, lines: snapshot,
                orderID: order.id), options: try budget.read())
        }
    }

    /// The time zone of `order`'s customer; "" (ProductService then uses the market's zone) when
    /// CustomerService cannot say.
    func timeZone(of order: OrderV1.Order, budget: DownstreamBudget) async -> String {
        await timeZoneSource(order.customerID, budget: budget)?.timeZone ?? ""
    }

    /// The customer whose time zone the windows are counted in, or nil when CustomerService cannot say.
    private func timeZoneSource(_ customerID: String, budget: DownstreamBudget) async -> CustomerV1.Customer? {
        do {
            return try await downstream.customer.getCustomer(.init(customerID: customerID), options: try budget.read())
        } catch {
            logger.warning("customer unavailable for eligibility; using the market's time zone",
                           metadata: ["customer_id": "\(customerID)", "error": "\(error)"])
            return nil
        }
    }
}
