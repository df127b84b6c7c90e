import Logging
import RPCShared
import ServiceRuntime

/// Builds the aggregated ``GatewayV1/CaseView``: the case from OrderService, then every other section in
/// parallel. A section whose service fails is left out and named in `unavailable_sections`.
///
/// Some failures are answers, not outages, and leave a section absent without naming it: a quote refused with
/// FAILED_PRECONDITION (the case's status has no settlement to quote), no risk assessment yet (NOT_FOUND), and a
/// catalogue item the catalogue no longer knows (NOT_FOUND for a product, SKU, policy or its statistics).
public struct CaseViewAssembler: Sendable {
    public let downstream: Downstream
    public let logger: Logger
    /// Catalogue answers for the view (30 s; statistics 5 s).
    private let catalogue = CatalogueCache<CatalogueCall, CatalogueAnswer>(ttl: .seconds(30))
    static let statsTTL: Duration = .seconds(5)

    /// The section names of `unavailable_sections`.
    public enum Section: String, Sendable, CaseIterable {
        case order, customer
        case customerHistory = "customer_history"
        case products, shipments, timeline, settlement, refunds, risk
    }

    /// The view's timeline is the case's first entries, oldest first; WatchCase/GetTimeline page further.
    public static let timelineLimit = 200
    /// One page of shipments and refunds: a case has a handful of each.
    public static let listLimit = 100

    public init(downstream: Downstream, logger: Logger = Logger(label: "aftersale.gateway.view")) {
        self.downstream = downstream
        self.logger = logger
    }

    /// The view of case `caseID`; NOT_FOUND (or UNAVAILABLE) when OrderService cannot produce the case itself.
    /// Checks no ownership: callers that act for a customer check it on the case first (see `GatewayHandler.getCase`).
    public func view(caseID: String, budget: DownstreamBudget) async throws -> GatewayV1.CaseView {
        let afterSaleCase = try await GatewayCallError.map("order") {
            try await downstream.order.getCase(.init(caseID: caseID), options: try budget.read())
        }
        return await view(of: afterSaleCase, budget: budget)
    }

    /// The view around a case the caller already holds (just read, or returned by a mutation).
    public func view(of afterSaleCase: OrderV1.Case, budget: DownstreamBudget) async -> GatewayV1.CaseView {
        let downstream = self.downstream
        let caseID = afterSaleCase.id
        async let order = load(.order) {
            try await downstream.order.getOrder(.init(orderID: afterSaleCase.orderID), options: try budget.sectionRead())
        }
        async let customer = load(.customer) {
            try await downstream.customer.getCustomer(.init(customerID: afterSaleCase.customerID), options: try budget.sectionRead())
        }
        async let history = load(.customerHistory) {
            try await downstream.customer.getCustomerHistory(.init(customerID: afterSaleCase.customerID), options: try budget.sectionRead())
        }
        async let products = lineProducts(of: afterSaleCase, budget: budget)
        async let shipments = load(.shipments) {
            try await downstream.logistics.listShipments(
                .init(page: .init(pageSize: Int32(Self.listLimit)), caseID: caseID), options: try budget.sectionRead()).shipments
        }
        async let timeline = load(.timeline) {
            try await downstream.order.getTimeline(
                .init(page: .init(pageSize: Int32(Self.timelineLimit)), caseID: caseID), options: try budget.sectionRead()).entries
        }
        async let settlement = settlement(of: afterSaleCase, budget: budget)
        async let refunds = load(.refunds) {
            try await downstream.order.listRefunds(
                .init(page: .init(pageSize: Int32(Self.listLimit)), caseID: caseID), options: try budget.sectionRead()).refunds
        }
        async let risk = load(.risk, absentOn: [.notFound]) {
            try await downstream.customer.getRiskAssessment(.init(caseID: caseID), options: try budget.sectionRead())
        }

        var view = GatewayV1.CaseView(afterSaleCase: afterSaleCase)
        var unavailable = Set<Section>()
        func take<T>(_ result: SectionResult<T>, _ section: Section) -> T? {
            if case .failed = result { unavailable.insert(section) }
            return result.value
        }
        view.order = take(await order, .order)
        view.customer = take(await customer, .customer)
        view.customerHistory = take(await history, .customerHistory)
        let (lines, productsFailed) = await products
        view.products = lines
        if productsFailed { unavailable.insert(.products) }
        view.shipments = take(await shipments, .shipments) ?? []
        view.timeline = take(await timeline, .timeline) ?? []
        view.settlement = take(await settlement, .settlement)
        view.refunds = take(await refunds, .refunds) ?? []
        view.risk = take(await risk, .risk)
        // In a fixed order, so clients and tests can compare lists.
        view.unavailableSections = Section.allCases.filter(unavailable.contains).map(\.rawValue)
        return view
    }

    /// The final settlement once resolved; before that a fresh quote for the requested resolutions.
    private func settlement(of afterSaleCase: OrderV1.Case, budget: DownstreamBudget) async -> SectionResult<OrderV1.Settlement> {
        if let final = afterSaleCase.settlement { return .loaded(final) }
        let downstream = self.downstream
        return await load(.settlement, absentOn: [.failedPrecondition]) {
            try await downstream.order.quoteSettlement(.init(caseID: afterSaleCase.id), options: try budget.sectionRead())
        }
    }

    // MARK: Catalogue per line

    /// One distinct catalogue read: lines sharing a product, SKU or policy share the call.
    enum CatalogueCall: Hashable, Sendable {
        case product(String)
        case variant(String)
        case policy(sku: String)
        case stats(String)
    }

    enum CatalogueAnswer: Sendable {
        case product(ProductV1.Product)
        case variant(ProductV1.Variant)
        case policy(ProductV1.EffectivePolicy)
        case stats(ProductV1.ProductStats)
    }

    /// One ``GatewayV1/LineProduct`` per case line, from the distinct catalogue reads run in parallel; `failed` when
    /// any read failed for another reason than the item being unknown.
    private func lineProducts(of afterSaleCase: OrderV1.Case, budget: DownstreamBudget) async -> ([GatewayV1.LineProduct], failed: Bool) {
        var calls: [CatalogueCall] = []
        for line in afterSaleCase.lines {
            var lineCalls: [CatalogueCall] = [.variant(line.sku), .policy(sku: line.sku)]
            if !line.productID.isEmpty { lineCalls += [.product(line.productID), .stats(line.productID)] }
            if !line.exchangeSKU.isEmpty { lineCalls.append(.variant(line.exchangeSKU)) }
            for call in lineCalls where !calls.contains(call) { calls.append(call) }
        }
        let downstream = self.downstream
        let market = afterSaleCase.market
        let cache = catalogue
        var cached: [CatalogueCall: SectionResult<CatalogueAnswer>] = [:]
        for call in calls { if let answer = cache.value(call) { cached[call] = .loaded(answer) } }
        let answers = await withTaskGroup(of: (CatalogueCall, SectionResult<CatalogueAnswer>).self) { group in
            for call in calls where cached[call] == nil {
                group.addTask {
                    let result: SectionResult<CatalogueAnswer> = await load(.products, absentOn: [.notFound]) {
                        let options = try budget.sectionRead()
                        switch call {
                        case .product(let id):
                            return .product(try await downstream.product.getProduct(.init(productID: id), options: options))
                        case .variant(let sku):
                            return .variant(try await downstream.product.getVariant(.init(sku: sku), options: options))
                        case .policy(let sku):
                            return .policy(try await downstream.product.getEffectivePolicy(.init(market: market, sku: sku), options: options))
                        case .stats(let id):
                            return .stats(try await downstream.product.getProductStats(.init(productID: id), options: options))
                        }
                    }
                    if case .loaded(let answer) = result {
                        if case .stats = call { cache.store(answer, for: call, ttl: Self.statsTTL) } else { cache.store(answer, for: call) }
                    }
                    return (call, result)
                }
            }
            var answers = cached
            for await (call, result) in group { answers[call] = result }
            return answers
        }
        let lines = afterSaleCase.lines.map { line in
            var product = GatewayV1.LineProduct(caseLineID: line.id)
            if case .product(let value)? = answers[.product(line.productID)]?.value { product.product = value }
            if case .variant(let value)? = answers[.variant(line.sku)]?.value { product.variant = value }
            if !line.exchangeSKU.isEmpty, case .variant(let value)? = answers[.variant(line.exchangeSKU)]?.value {
                product.exchangeVariant = value
            }
            if case .policy(let value)? = answers[.policy(sku: line.sku)]?.value { product.policy = value }
            if case .stats(let value)? = answers[.stats(line.productID)]?.value { product.stats = value }
            return product
        }
        let failed = answers.values.contains { if case .failed = $0 { true } else { false } }
        return (lines, failed)
    }

    // MARK: Sections

    /// A section's outcome: loaded, absent by the service's answer, or failed (the section is named unavailable).
    enum SectionResult<Value: Sendable>: Sendable {
        case loaded(Value)
        case absent
        case failed

        var value: Value? {
            if case .loaded(let value) = self { return value }
            return nil
        }
    }

    /// Runs one section's call; `absentOn` are the status codes that mean "nothing there" rather than a failure.
    private func load<T: Sendable>(_ section: Section, absentOn: Set<StatusCode> = [],
                                   _ call: @Sendable () async throws -> T) async -> SectionResult<T> {
        do {
            return .loaded(try await call())
        } catch let error as RPCError where absentOn.contains(error.code) {
            return .absent
        } catch {
            logger.warning("case view section unavailable", metadata: ["section": "\(section.rawValue)", "error": "\(error)"])
            return .failed
        }
    }
}
