import Foundation
import ProductService
import RPCShared

/// A seeded order line (Sources/aftersale/Seed/DemoOrders.swift) a workflow may open its case on.
struct DemoLine: Sendable {
    let customerID: String
    let orderID: String
    let line: Int
    let sku: String
    /// The SKU the customer wants instead (exchanges only).
    var exchangeSKU = ""

    var orderLineID: String { "\(orderID)_l\(line)" }
}

/// The three workflows. Each opens its case on the first line of its list that still has a unit to return: every
/// run takes one unit, and a resolved case moves it into the line's returned quantity for good, so a rerun finds
/// the next unit or the next line. The lists are ordered so that lines in the longest return windows come first.
enum DemoWorkflows {
    /// Apparel bought recently (DE 30-day window, US 30 days, the CN down jacket's 30-day promotion): 8 units.
    static let returnLines = [
        DemoLine(customerID: "cus_de_anna", orderID: "ord_seed_de_anna_2", line: 1, sku: "TEE-ORG-BLU-XL"),
        DemoLine(customerID: "cus_de_jonas", orderID: "ord_seed_de_jonas_1", line: 1, sku: "DRESS-LIN-SND-XS"),
        DemoLine(customerID: "cus_us_michael", orderID: "ord_seed_us_michael_2", line: 1, sku: "JEANS-SLIM-34"),
        DemoLine(customerID: "cus_us_sofia", orderID: "ord_seed_us_sofia_1", line: 2, sku: "JEANS-SLIM-36"),
        DemoLine(customerID: "cus_cn_zhang", orderID: "ord_seed_cn_zhang_2", line: 1, sku: "DOWN-JKT-BLK-XL"),
    ]

    /// T-shirts exchanged for the same brand's linen dress in the same size, hoodies for the same brand's down
    /// jacket: the seeded catalogue has no product whose other variants cost more than the one bought (sizes and
    /// colours share a price; the duvet's dearer King size is the one that was sold), so the dearer SKU is a
    /// sibling product of the same brand and department. 6 units.
    static let exchangeLines = [
        DemoLine(customerID: "cus_de_anna", orderID: "ord_seed_de_anna_1", line: 1, sku: "TEE-ORG-BLU-S", exchangeSKU: "DRESS-LIN-SND-S"),
        DemoLine(customerID: "cus_de_anna", orderID: "ord_seed_de_anna_1", line: 2, sku: "TEE-ORG-BLU-M", exchangeSKU: "DRESS-LIN-SND-M"),
        DemoLine(customerID: "cus_de_markus", orderID: "ord_seed_de_markus_2", line: 1, sku: "TEE-ORG-BLU-L", exchangeSKU: "DRESS-LIN-SND-L"),
        DemoLine(customerID: "cus_de_markus", orderID: "ord_seed_de_markus_2", line: 2, sku: "TEE-ORG-WHT-M", exchangeSKU: "DRESS-LIN-SND-M"),
        DemoLine(customerID: "cus_cn_wang", orderID: "ord_seed_cn_wang_1", line: 2, sku: "HOOD-FLC-GRY-L", exchangeSKU: "DOWN-JKT-BLK-L"),
        DemoLine(customerID: "cus_cn_zhang", orderID: "ord_seed_cn_zhang_1", line: 1, sku: "HOOD-FLC-GRY-XL", exchangeSKU: "DOWN-JKT-BLK-XL"),
    ]

    /// Electronics under the 12-month US/CN warranty; these four units are what limits a fresh system to four
    /// full demo runs.
    static let repairLines = [
        DemoLine(customerID: "cus_us_emily", orderID: "ord_seed_us_emily_1", line: 2, sku: "STUDIO-ANC-BLK"),
        DemoLine(customerID: "cus_us_emily", orderID: "ord_seed_us_emily_1", line: 1, sku: "ASTER-X-128-US"),
        DemoLine(customerID: "cus_us_michael", orderID: "ord_seed_us_michael_2", line: 2, sku: "STUDIO-ANC-BLK"),
        DemoLine(customerID: "cus_cn_zhang", orderID: "ord_seed_cn_zhang_1", line: 2, sku: "ASTER-X-128-CN"),
    ]

    /// Why OpenCase may refuse a seeded line that an earlier run used up: then the next line is tried.
    static let usedUpReasons: Set<String> = ["QUANTITY_EXCEEDED", "NOT_ELIGIBLE"]

    // MARK: The workflows

    /// One workflow: the case to open, how the agent and warehouse treat it, the remedy.
    struct Workflow: Sendable {
        /// The summary line's title (tests look for "<title>: RESOLVED").
        let title: String
        /// What the case is, for messages: "return", "exchange", "repair".
        let noun: String
        let kind: OrderV1.CaseKind
        let candidates: [DemoLine]
        let caseLine: @Sendable (DemoLine) -> OrderV1.OpenCaseLine
        let merchantAtFault: Bool
        let disposition: OrderV1.Disposition
        let findings: [OrderV1.InspectionFinding]
        let inspectionNotes: String
        let resolution: OrderV1.Resolution
    }

    /// (a) Return → refund: open, approve unless the risk check did, receive, inspect (restock), refund.
    static let returnForRefund = Workflow(
        title: "(a) return → refund", noun: "return", kind: .returnRefund, candidates: returnLines,
        caseLine: { line in
            OrderV1.OpenCaseLine(orderLineID: line.orderLineID, quantity: 1, reason: .sizeFit,
                                 reasonText: "Too big across the shoulders", requestedResolution: .refund)
        },
        merchantAtFault: false, disposition: .restock, findings: [.asDescribed], inspectionNotes: "Unworn, tags attached",
        resolution: .refund)

    /// (b) Exchange to a dearer item: resolving answers PAYMENT_REQUIRED while the customer owes the difference;
    /// the payment backend records the payment with OrderService; then the exchange resolves.
    static let exchangeForDearerItem = Workflow(
        title: "(b) exchange for a dearer item", noun: "exchange", kind: .exchange, candidates: exchangeLines,
        caseLine: { line in
            OrderV1.OpenCaseLine(orderLineID: line.orderLineID, quantity: 1, reason: .changedMind,
                                 reasonText: "I would rather have \(line.exchangeSKU) in my size and pay the difference",
                                 requestedResolution: .exchange, exchangeSKU: line.exchangeSKU)
        },
        merchantAtFault: false, disposition: .restock, findings: [.asDescribed], inspectionNotes: "As new",
        resolution: .exchange)

    /// (c) Warranty repair: a defect claim on electronics, the merchant at fault, the unit repaired and sent back
    /// in a shipment the gateway books on resolution.
    static let warrantyRepair = Workflow(
        title: "(c) warranty repair", noun: "repair", kind: .repairWarranty, candidates: repairLines,
        caseLine: { line in
            OrderV1.OpenCaseLine(orderLineID: line.orderLineID, quantity: 1, reason: .defective,
                                 reasonText: "Stops charging after a few minutes; the charging port is loose",
                                 requestedResolution: .repair, evidenceURLs: ["https://media.example.com/demo/charging-port.mp4"])
        },
        merchantAtFault: true, disposition: .returnToCustomer, findings: [.faultConfirmed],
        inspectionNotes: "Charging port loose; port replaced and tested", resolution: .repair)

    static let all = [returnForRefund, exchangeForDearerItem, warrantyRepair]

    /// Runs `workflow` from opening to resolution and prints the case; returns the summary line.
    static func run(_ workflow: Workflow, _ session: DemoSession) async throws -> String {
        say("\n=== \(workflow.title) ===")
        let (line, opened) = try await open(session, workflow)
        var view = try await approve(session, opened, merchantAtFault: workflow.merchantAtFault)
        view = try await receive(session, view, line: line)
        view = try await inspect(session, view, workflow)
        view = try await resolvePayingWhatIsOwed(session, view, workflow.resolution)
        view = await settledRefunds(session, view)
        DemoReport.printCase(view)
        return result(workflow.title, view, line: line)
    }

    // MARK: Steps

    /// OpenCase as the customer on the first line of `candidates` that still has a unit to return.
    static func open(_ session: DemoSession, _ workflow: Workflow) async throws -> (DemoLine, GatewayV1.CaseView) {
        let (what, kind) = (workflow.noun, workflow.kind)
        var lastRefusal: RPCError?
        for candidate in workflow.candidates {
            let caseLine = workflow.caseLine(candidate)
            let exchange = caseLine.exchangeSKU.isEmpty ? "" : " for \(caseLine.exchangeSKU)"
            let request = GatewayV1.OpenCaseRequest(orderID: candidate.orderID, customerID: candidate.customerID, kind: kind,
                                                    lines: [caseLine], note: "aftersale demo run \(session.run)")
            do {
                let view = try await session.step(.customer(candidate.customerID),
                                                  "opens \(DemoReport.article(kind.shortName)) \(kind.shortName) case on \(candidate.orderID): \(caseLine.quantity) × \(candidate.sku)\(exchange) (\(caseLine.reason.shortName)), asking for \(caseLine.requestedResolution.shortName)",
                                                  key: "open") { options in
                    try await session.gateway.openCase(request, options: options)
                }
                say("  \(DemoReport.summary(view))")
                if let risk = DemoReport.risk(view) { say("  \(risk)") }
                return (candidate, view)
            } catch let failure as DemoFailure where failure.error.code == .failedPrecondition
                && usedUpReasons.contains(failure.error.errorDetails?.reason ?? "") {
                // An earlier run used this unit (or its window closed): the next seeded line.
                say("  refused (\(failure.error.errorDetails?.reason ?? "")): \(failure.error.message) — trying the next seeded line")
                lastRefusal = failure.error
            }
        }
        throw DemoFailure(step: "customer: opens \(DemoReport.article(what)) \(what) case",
                          error: RPCError(.failedPrecondition, "no seeded order line has a unit left for the \(what) workflow (earlier runs used them; last refusal: \(lastRefusal?.message ?? "none")); start a fresh system with 'aftersale up --dir NEW_DIR'"))
    }

    /// ApproveCase as the agent — unless the risk check already approved the case when it was opened.
    static func approve(_ session: DemoSession, _ view: GatewayV1.CaseView, merchantAtFault: Bool) async throws -> GatewayV1.CaseView {
        let afterSaleCase = view.afterSaleCase ?? .init()
        guard afterSaleCase.status == .requested || afterSaleCase.status == .reopened else {
            say("  (approved on opening by the risk check\(afterSaleCase.instantRefund ? ", instant refund allowed" : ""): no agent review needed)")
            for shipment in DemoReport.shipments(view, kind: .reverse) { say("  \(shipment)") }
            return view
        }
        let request = GatewayV1.ApproveCaseRequest(
            caseID: afterSaleCase.id, expectedVersion: afterSaleCase.version,
            merchantAtFault: merchantAtFault ? CommonV1.BoolValue(value: true) : nil,
            note: merchantAtFault ? "Manufacturing defect: fees waived" : "Within the return window")
        let fault = merchantAtFault ? ", merchant at fault" : ""
        let approved = try await session.step(.agent, "approves the case\(fault) — the gateway books the return shipment", key: "approve") { options in
            try await session.gateway.approveCase(request, options: options)
        }
        say("  \(DemoReport.summary(approved))")
        for shipment in DemoReport.shipments(approved, kind: .reverse) { say("  \(shipment)") }
        return approved
    }

    /// RecordReceipt as the warehouse of the order's market, for every approved unit.
    static func receive(_ session: DemoSession, _ view: GatewayV1.CaseView, line: DemoLine) async throws -> GatewayV1.CaseView {
        let afterSaleCase = view.afterSaleCase ?? .init()
        let lines = afterSaleCase.lines.map { OrderV1.LineQuantity(caseLineID: $0.id, quantity: $0.quantities?.approved ?? 0) }
        let units = lines.reduce(0) { $0 + $1.quantity }
        let warehouse = ProductCatalogueSeed.warehouses[afterSaleCase.market] ?? "wh_main"
        let request = GatewayV1.RecordReceiptRequest(caseID: afterSaleCase.id, expectedVersion: afterSaleCase.version,
                                                     lines: lines, warehouseID: warehouse, note: "Parcel for \(line.orderID) arrived")
        let received = try await session.step(.warehouse, "receives \(units) unit(s) of \(line.sku) at \(warehouse)", key: "receive") { options in
            try await session.gateway.recordReceipt(request, options: options)
        }
        say("  \(DemoReport.summary(received))")
        return received
    }

    /// InspectCase as the warehouse: every received unit accepted with `disposition`.
    static func inspect(_ session: DemoSession, _ view: GatewayV1.CaseView, _ workflow: Workflow) async throws -> GatewayV1.CaseView {
        let (disposition, findings, notes) = (workflow.disposition, workflow.findings, workflow.inspectionNotes)
        let afterSaleCase = view.afterSaleCase ?? .init()
        let lines = afterSaleCase.lines.map {
            OrderV1.LineInspection(caseLineID: $0.id, acceptedQuantity: $0.quantities?.received ?? 0,
                                   disposition: disposition, findings: findings, notes: notes)
        }
        let units = lines.reduce(0) { $0 + $1.acceptedQuantity }
        let warehouse = ProductCatalogueSeed.warehouses[afterSaleCase.market] ?? "wh_main"
        let request = GatewayV1.InspectCaseRequest(caseID: afterSaleCase.id, expectedVersion: afterSaleCase.version,
                                                   lines: lines, warehouseID: warehouse)
        let inspected = try await session.step(.warehouse, "inspects: \(units) unit(s) accepted (\(findings.map(\.shortName).joined(separator: ", "))), disposition \(disposition.shortName)", key: "inspect") { options in
            try await session.gateway.inspectCase(request, options: options)
        }
        say("  \(DemoReport.summary(inspected))")
        return inspected
    }

    /// ResolveCase as the agent; prints the refunds or the replacement shipment the gateway created.
    static func resolve(_ session: DemoSession, _ view: GatewayV1.CaseView, _ resolution: OrderV1.Resolution) async throws -> GatewayV1.CaseView {
        let afterSaleCase = view.afterSaleCase ?? .init()
        let request = GatewayV1.ResolveCaseRequest(caseID: afterSaleCase.id, expectedVersion: afterSaleCase.version,
                                                   resolution: resolution)
        let books = resolution == .refund || resolution == .storeCredit ? "" : " — the gateway books the shipment to the customer"
        let resolved = try await session.step(.agent, "resolves the case with \(resolution.shortName)\(books)", key: "resolve") { options in
            try await session.gateway.resolveCase(request, options: options)
        }
        say("  \(DemoReport.summary(resolved))")
        for refund in DemoReport.refunds(resolved.refunds) { say("  \(refund)") }
        for shipment in DemoReport.shipments(resolved, kind: .replacement) { say("  \(shipment)") }
        return resolved
    }

    /// ResolveCase; while the customer owes money (an exchange to a dearer item) the gateway answers
    /// PAYMENT_REQUIRED: the customer pays, the payment is recorded, and the same resolution is asked for again.
    static func resolvePayingWhatIsOwed(_ session: DemoSession, _ view: GatewayV1.CaseView,
                                        _ resolution: OrderV1.Resolution) async throws -> GatewayV1.CaseView {
        do {
            return try await resolve(session, view, resolution)
        } catch let failure as DemoFailure where failure.error.errorDetails?.reason == "PAYMENT_REQUIRED" {
            say("  the gateway answers \(failure.error.code) PAYMENT_REQUIRED: \(failure.error.message)")
            try await pay(session, view, try owedAmount(failure.error, view))
            return try await resolve(session, view, resolution)
        }
    }

    /// The balance the customer owes: from the PAYMENT_REQUIRED details (what ResolveCase computed), else from the
    /// settlement quote in the last view.
    static func owedAmount(_ error: RPCError, _ view: GatewayV1.CaseView) throws -> CommonV1.Money {
        let metadata = error.errorDetails?.metadata ?? [:]
        if let minor = metadata["amount_minor_units"].flatMap({ Int64($0) }), let currency = metadata["currency"], minor > 0 {
            return CommonV1.Money(currency: currency, minorUnits: minor)
        }
        if let owes = view.settlement?.customerOwes?.amount, owes.minorUnits > 0 { return owes }
        throw DemoFailure(step: "agent: resolves the exchange", error: RPCError(
            .failedPrecondition, "PAYMENT_REQUIRED names no amount and the case view has no settlement quote: \(error.message)"))
    }

    /// The customer pays the balance; the payment backend records it with OrderService (the gateway has no payment
    /// RPC), linked to the case so the settlement counts it as `customer_paid`.
    static func pay(_ session: DemoSession, _ view: GatewayV1.CaseView, _ owed: CommonV1.Money) async throws {
        let afterSaleCase = view.afterSaleCase ?? .init()
        let payment = OrderV1.Payment(method: .card, providerReference: "demo-psp-\(session.run)", captured: owed,
                                      caseID: afterSaleCase.id)
        // The case view's order is as fresh as the last step; 0 would skip the check, but a conflict here would
        // mean someone else changed the order mid-demo, which is worth stopping for.
        let request = OrderV1.RecordPaymentRequest(orderID: afterSaleCase.orderID, expectedVersion: view.order?.version ?? 0,
                                                   payment: payment)
        let order = try await session.step(.paymentBackend, "the customer pays \(DemoMoney.text(owed)) by card; a payment backend would now record it — here the demo calls OrderService.RecordPayment directly (case_id \(afterSaleCase.id))", key: "pay") { options in
            try await session.orders.recordPayment(request, options: options)
        }
        say("  order \(order.id) now has \(order.payments.count) payment(s) (version \(order.version))")
    }

    /// Refunds are executed after ResolveCase commits: re-read the case (GetCase) for a few seconds until they
    /// have an outcome. This read only adds detail; if it fails, the view ResolveCase returned stands.
    static func settledRefunds(_ session: DemoSession, _ view: GatewayV1.CaseView) async -> GatewayV1.CaseView {
        guard let caseID = view.afterSaleCase?.id, view.refunds.contains(where: { $0.status == .pending }) else { return view }
        var latest = view
        for _ in 0..<20 {
            try? await Task.sleep(for: .milliseconds(250))
            switch await session.optionalRead(.agent, { try await session.gateway.getCase(.init(caseID: caseID), options: $0) }) {
            case .success(let read):
                latest = read
                if !read.refunds.contains(where: { $0.status == .pending }) {
                    say("  refunds executed:")
                    for refund in DemoReport.refunds(read.refunds) { say("    \(refund)") }
                    return read
                }
            case .failure(let error):
                say("  (could not re-read the case for the refunds' outcome: \(error.code): \(error.message))")
                return view
            }
        }
        say("  (refunds still PENDING after 5 s; the executor retries them in the background)")
        return latest
    }

    // MARK: Output

    /// The summary line the run ends with (`aftersale demo` tests look for "<title>: RESOLVED").
    static func result(_ title: String, _ view: GatewayV1.CaseView, line: DemoLine) -> String {
        let afterSaleCase = view.afterSaleCase ?? .init()
        var text = "\(title): \(afterSaleCase.status.shortName) — case \(afterSaleCase.id) on \(line.orderLineID)"
        if let settlement = afterSaleCase.settlement ?? view.settlement {
            text += ", refund \(DemoMoney.text(settlement.refundTotal?.amount))"
            if let paid = settlement.customerPaid?.amount, paid.minorUnits != 0 { text += ", customer paid \(DemoMoney.text(paid))" }
        }
        return text
    }
}
