import Foundation
import RPCShared
import ServiceRuntime

/// The read side: the aggregated case, lists, quotes, the live case stream, the dashboard, and feedback (which
/// writes, but to no case, so it needs no saga: its two downstream writes carry derived keys and a retry finishes it).
extension GatewayHandler {
    public func getCase(_ request: GatewayV1.GetCaseRequest, context: ServerContext) async throws -> GatewayV1.CaseView {
        var check = FieldValidator()
        check.gatewayIdentifier(request.caseID, "case_id")
        try check.validate()
        let budget = DownstreamBudget(context: context)
        let afterSaleCase = try await ownedCase(request.caseID, budget: budget)
        return await assembler.view(of: afterSaleCase, budget: budget)
    }

    public func listCases(_ request: GatewayV1.ListCasesRequest, context: ServerContext) async throws -> GatewayV1.ListCasesResponse {
        var check = FieldValidator()
        check.page(request.page)
        check.optionalGatewayIdentifier(request.customerID, "customer_id")
        check.optionalGatewayIdentifier(request.orderID, "order_id")
        check.count(request.statuses, "statuses", max: 20)
        for (index, status) in request.statuses.enumerated() { check.known(status, "statuses[\(index)]") }
        check.count(request.kinds, "kinds", max: 20)
        for (index, kind) in request.kinds.enumerated() { check.known(kind, "kinds[\(index)]") }
        check.timestamp(request.createdAfter, "created_after")
        check.timestamp(request.createdBefore, "created_before")
        try check.validate()
        // A customer lists its own cases only: no filter means "mine", another customer's id is refused.
        let caller = GatewayCaller.current
        var customerID = request.customerID
        if caller.role == .customer {
            if customerID.isEmpty { customerID = caller.subject }
            try caller.requireAccess(toCustomer: customerID, resource: "customer/\(customerID)/cases")
        }
        let budget = DownstreamBudget(context: context)
        let response = try await GatewayCallError.map("order") {
            try await downstream.order.listCases(.init(
                page: request.page, customerID: customerID, orderID: request.orderID, statuses: request.statuses,
                kinds: request.kinds, createdAfter: request.createdAfter, createdBefore: request.createdBefore),
                options: try budget.read())
        }
        return GatewayV1.ListCasesResponse(cases: response.cases, page: response.page)
    }

    public func quoteSettlement(_ request: GatewayV1.QuoteSettlementRequest, context: ServerContext) async throws -> OrderV1.Settlement {
        var check = FieldValidator()
        check.gatewayIdentifier(request.caseID, "case_id")
        if request.resolution != .unspecified { check.known(request.resolution, "resolution") }
        try check.validate()
        let budget = DownstreamBudget(context: context)
        try await requireCaseAccess(request.caseID, budget: budget)
        return try await GatewayCallError.map("order") {
            try await downstream.order.quoteSettlement(.init(caseID: request.caseID, resolution: request.resolution),
                                                       options: try budget.read())
        }
    }

    public func watchCase(_ request: GatewayV1.WatchCaseRequest, responses: ResponseWriter<OrderV1.CaseEvent>, context: ServerContext) async throws {
        var check = FieldValidator()
        check.gatewayIdentifier(request.caseID, "case_id")
        check.nonNegative(request.afterSequence, "after_sequence")
        try check.validate()
        try await requireCaseAccess(request.caseID, budget: DownstreamBudget(context: context))
        // A watch lasts as long as the caller wants: the caller's own deadline (less the margin) or none, never the
        // per-call cap of reads. The caller cancelling ends this task, which ends the downstream stream with it.
        let timeout = context.remaining.map { $0 - DownstreamBudget.margin }
        let options = CallOptions(timeout: timeout, traceparent: context.traceparent.isEmpty ? nil : context.traceparent)
        let events = downstream.order.watchCase(
            .init(caseID: request.caseID, afterSequence: request.afterSequence, statusChangesOnly: request.statusChangesOnly),
            options: options)
        do {
            for try await event in events {
                // OrderService filters too; checked again so the gateway's promise does not rest on a peer's.
                if request.statusChangesOnly, let entry = event.entry, entry.fromStatus == entry.toStatus { continue }
                try await responses.write(event)
            }
        } catch {
            throw GatewayCallError.translate(error, service: "order")
        }
    }

    public func getDashboard(_ request: GatewayV1.GetDashboardRequest, context: ServerContext) async throws -> ReportingV1.Dashboard {
        var check = FieldValidator()
        if let range = request.range {
            check.timestamp(range.start, "range.start", required: true)
            check.timestamp(range.end, "range.end", required: true)
            if let start = range.start, let end = range.end, start.epochMicros >= end.epochMicros {
                check.fail("range", "start must be before end")
            }
        }
        if !request.market.isEmpty, request.market.count != 2 || !request.market.allSatisfy({ $0.isASCII && $0.isUppercase }) {
            check.fail("market", "must be an ISO 3166-1 alpha-2 code such as CN, got '\(request.market.prefix(8))'")
        }
        if request.trendGranularity != .unspecified { check.known(request.trendGranularity, "trend_granularity") }
        try check.validate()
        let now = clock.now()
        let range = request.range ?? ReportingV1.TimeRange(start: CommonV1.Timestamp(now.addingTimeInterval(-Self.dashboardDays * 86_400)),
                                                           end: CommonV1.Timestamp(now))
        let budget = DownstreamBudget(context: context)
        return try await GatewayCallError.map("reporting") {
            try await downstream.reporting.getDashboard(
                .init(range: range, market: request.market, trendGranularity: request.trendGranularity), options: try budget.read())
        }
    }

    /// The dashboard's range when the request has none.
    static var dashboardDays: Double { 30 }

    public func submitFeedback(_ request: GatewayV1.SubmitFeedbackRequest, context: ServerContext) async throws -> CustomerV1.Feedback {
        var check = FieldValidator()
        check.range(request.rating, 1...5, "rating")
        check.text(request.text, "text")
        check.optionalGatewayIdentifier(request.customerID, "customer_id")
        check.optionalGatewayIdentifier(request.orderID, "order_id")
        check.optionalGatewayIdentifier(request.productID, "product_id")
        check.optionalGatewayIdentifier(request.sku, "sku")
        check.optionalGatewayIdentifier(request.caseID, "case_id")
        let caller = GatewayCaller.current
        if caller.role != .customer && request.customerID.isEmpty { check.fail("customer_id", "is required") }
        try check.validate()
        let customerID = caller.role == .customer && request.customerID.isEmpty ? caller.subject : request.customerID
        try caller.requireAccess(toCustomer: customerID, resource: "customer/\(customerID)")
        let feedbackKey = try derivedKey(context, "customer.SubmitFeedback")
        let ratingKey = try derivedKey(context, "product.RecordRating")
        let budget = DownstreamBudget(context: context)

        // Classification failing fails the call before anything is stored: storing the feedback unclassified
        // instead would make the retry's request differ from the stored one (IDEMPOTENCY_KEY_REUSED).
        var classification: ProductV1.ClassifyTextResponse?
        if !request.text.isEmpty {
            classification = try await GatewayCallError.map("product") {
                try await downstream.product.classifyText(.init(text: request.text), options: try budget.read())
            }
        }
        let feedback = try await GatewayCallError.map("customer") {
            try await downstream.customer.submitFeedback(.init(
                customerID: customerID, rating: request.rating, text: request.text, orderID: request.orderID,
                productID: request.productID, sku: request.sku, caseID: request.caseID,
                category: classification?.category ?? .unspecified, categoryConfidence: classification?.confidence ?? 0),
                options: try budget.mutation(idempotencyKey: feedbackKey))
        }
        // The feedback is stored; if the rating fails the caller retries with the same key, which replays the
        // feedback and records the rating once.
        if !request.productID.isEmpty {
            _ = try await GatewayCallError.map("product") {
                try await downstream.product.recordRating(
                    .init(productID: request.productID, rating: request.rating, feedbackID: feedback.id),
                    options: try budget.mutation(idempotencyKey: ratingKey))
            }
        }
        return feedback
    }

    // MARK: Helpers

    /// The caller's longest idempotency key: derived keys (`<key>/<service>.<Method>`) must stay within the
    /// services' 200-character limit.
    static var maxCallerKeyLength: Int { 128 }

    /// The idempotency key for downstream step `step` (`"<service>.<Method>"`) of this mutating call:
    /// `<caller's key>/<step>`, so a retried gateway call repeats no downstream side effect. INVALID_ARGUMENT
    /// naming `metadata.idempotency-key` when the caller sent none (or an unusable one).
    func derivedKey(_ context: ServerContext, _ step: String) throws -> String {
        let key = try IdempotencyStore.key(context)
        guard key.utf8.count <= Self.maxCallerKeyLength else {
            throw RPCError.invalidArgument("metadata.idempotency-key",
                                           "must be at most \(Self.maxCallerKeyLength) characters on the gateway")
        }
        return "\(key)/\(step)"
    }

    /// The case, when the caller may see it (a customer: only its own, else PERMISSION_DENIED).
    func ownedCase(_ caseID: String, budget: DownstreamBudget) async throws -> OrderV1.Case {
        let afterSaleCase = try await GatewayCallError.map("order") {
            try await downstream.order.getCase(.init(caseID: caseID), options: try budget.read())
        }
        try GatewayCaller.current.requireAccess(toCustomer: afterSaleCase.customerID, resource: "case/\(caseID)")
        return afterSaleCase
    }

    /// Ownership for calls that do not need the case otherwise: only a customer's call costs the extra read.
    func requireCaseAccess(_ caseID: String, budget: DownstreamBudget) async throws {
        if GatewayCaller.current.role == .customer { _ = try await ownedCase(caseID, budget: budget) }
    }
}

extension FieldValidator {
    /// The gateway's limit on ids: stricter than the services' 128 bytes, because the gateway faces callers outside
    /// the system and no id the services mint comes near it.
    static var maxGatewayIdentifierLength: Int { 64 }

    /// A required id of at most 64 printable ASCII characters.
    mutating func gatewayIdentifier(_ value: String, _ field: String) {
        if value.utf8.count > Self.maxGatewayIdentifierLength {
            return fail(field, "is longer than \(Self.maxGatewayIdentifierLength) bytes")
        }
        identifier(value, field)
    }

    /// An optional id: empty is fine, otherwise as ``gatewayIdentifier(_:_:)``.
    mutating func optionalGatewayIdentifier(_ value: String, _ field: String) {
        if !value.isEmpty { gatewayIdentifier(value, field) }
    }

    /// A page request per the contract: size 0 (= 50) to 500, a token of sane length (its content is the owning
    /// service's to judge).
    mutating func page(_ page: CommonV1.PageRequest?) {
        guard let page else { return }
        range(page.pageSize, 0...Int32(PageCursor.maxPageSize), "page.page_size")
        text(page.pageToken, "page.page_token", maxLength: 1024)
    }
}
