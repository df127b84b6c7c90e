import Foundation
import GRDB
import RPCShared
import ServiceRuntime

extension OrderHandler {
    static let defaultAuthorisation: TimeInterval = 14 * 24 * 3600

    public func openCase(_ request: OrderV1.OpenCaseRequest, context: ServerContext) async throws -> OrderV1.Case {
        var check = FieldValidator()
        check.identifier(request.orderID, "order_id")
        check.identifier(request.customerID, "customer_id")
        check.known(request.kind, "kind")
        check.count(request.lines, "lines", required: true, max: 100)
        for (index, line) in request.lines.enumerated() {
            let path = "lines[\(index)]"
            check.identifier(line.orderLineID, path + ".order_line_id")
            check.positive(line.quantity, path + ".quantity")
            check.known(line.reason, path + ".reason")
            check.text(line.reasonText, path + ".reason_text")
            check.known(line.requestedResolution, path + ".requested_resolution")
            if !Self.resolution(line.requestedResolution, fits: request.kind) {
                check.fail(path + ".requested_resolution",
                           "\(line.requestedResolution.label) cannot be requested on a \(request.kind.label) case")
            }
            if line.requestedResolution == .exchange {
                check.identifier(line.exchangeSKU, path + ".exchange_sku")
                check.money(line.exchangeUnitPrice, path + ".exchange_unit_price")
            } else {
                check.optionalIdentifier(line.exchangeSKU, path + ".exchange_sku")
                check.money(line.exchangeUnitPrice, path + ".exchange_unit_price", required: false)
            }
            check.count(line.evidenceURLs, path + ".evidence_urls", max: 20)
            for (urlIndex, url) in line.evidenceURLs.enumerated() {
                check.text(url, "\(path).evidence_urls[\(urlIndex)]", required: true, maxLength: 2048)
            }
        }
        OrderValidation.feeTerms(request.feeTerms, &check)
        check.text(request.note, "note")
        OrderValidation.actor(request.actor, &check)
        try check.validate()
        let opened = try await mutate(request, context: context) { db, now in
            let order = try OrderStore.order(db, request.orderID)
            if order.customerID != request.customerID {
                throw RPCError.invalidArgument("customer_id", "order \(order.id) belongs to another customer")
            }
            var lines: [OrderV1.CaseLine] = []
            var wanted: [String: Int] = [:]
            for (index, line) in request.lines.enumerated() {
                guard let orderLine = order.lines.first(where: { $0.id == line.orderLineID }) else {
                    throw RPCError.invalidArgument("lines[\(index)].order_line_id", "order \(order.id) has no line \(line.orderLineID)")
                }
                if let price = line.exchangeUnitPrice, price.currency != order.currency {
                    throw RPCError.invalidArgument("lines[\(index)].exchange_unit_price.currency",
                                                   "must be the order currency \(order.currency), got \(price.currency)")
                }
                wanted[line.orderLineID, default: 0] += Int(line.quantity)
                lines.append(OrderV1.CaseLine(
                    id: Identifier.make("cl", at: now), orderLineID: orderLine.id, sku: orderLine.sku,
                    productID: orderLine.productID, categoryID: orderLine.categoryID, reason: line.reason,
                    reasonText: line.reasonText, requestedResolution: line.requestedResolution,
                    quantities: OrderV1.QuantityLedger(requested: line.quantity), exchangeSKU: line.exchangeSKU,
                    exchangeUnitPrice: line.exchangeUnitPrice, evidenceURLs: line.evidenceURLs))
            }
            if let fee = request.feeTerms?.returnShippingFee, fee.currency != order.currency {
                throw RPCError.invalidArgument("fee_terms.return_shipping_fee.currency",
                                               "must be the order currency \(order.currency), got \(fee.currency)")
            }
            // The check and the insert share this write transaction; SQLite runs one writer at a time, so two
            // concurrent OpenCase calls cannot both claim the same free units.
            try OrderLineLedger.check(wanted, order: order, openCases: try OrderStore.cases(db, orderID: order.id),
                                      kind: request.kind)
            let afterSaleCase = OrderV1.Case(
                id: Identifier.make("case", at: now), orderID: order.id, customerID: order.customerID, kind: request.kind,
                status: .requested, lines: lines, market: order.market, currency: order.currency,
                feeTerms: request.feeTerms, version: 1, createdAt: CommonV1.Timestamp(now), updatedAt: CommonV1.Timestamp(now))
            try OrderStore.insertCase(db, afterSaleCase)
            let units = lines.reduce(0) { $0 + Int($1.quantities?.requested ?? 0) }
            try CaseJournal.record(db, before: nil, after: afterSaleCase, event: .opened, actor: request.actor,
                                   message: Self.sentence("Opened a \(request.kind.label) case for \(units) unit(s) on \(lines.count) line(s)", request.note),
                                   at: now)
            return afterSaleCase
        }
        broadcaster.notify([opened.id])
        return opened
    }

    public func getCase(_ request: OrderV1.GetCaseRequest, context: ServerContext) async throws -> OrderV1.Case {
        var check = FieldValidator()
        check.identifier(request.caseID, "case_id")
        try check.validate()
        return try await database.read { db in try OrderStore.afterSaleCase(db, request.caseID) }
    }

    public func listCases(_ request: OrderV1.ListCasesRequest, context: ServerContext) async throws -> OrderV1.ListCasesResponse {
        var check = FieldValidator()
        check.optionalIdentifier(request.customerID, "customer_id")
        check.optionalIdentifier(request.orderID, "order_id")
        check.count(request.statuses, "statuses", max: 20)
        for (index, status) in request.statuses.enumerated() { check.known(status, "statuses[\(index)]") }
        check.count(request.kinds, "kinds", max: 20)
        for (index, kind) in request.kinds.enumerated() { check.known(kind, "kinds[\(index)]") }
        check.timestamp(request.createdAfter, "created_after")
        check.timestamp(request.createdBefore, "created_before")
        OrderValidation.page(request.page, &check)
        try check.validate()
        let filter = OrderStore.CaseFilter(customerID: request.customerID, orderID: request.orderID, statuses: request.statuses,
                                           kinds: request.kinds, createdFrom: request.createdAfter?.epochMicros,
                                           createdBefore: request.createdBefore?.epochMicros)
        let size = try PageCursor.pageSize(request.page)
        let cursor = try PageCursor.decode(request.page, query: filter.query)
        let rows = try await database.read { db in try OrderStore.listCases(db, filter, after: cursor, limit: size + 1) }
        let page = PageCursor.page(rows, size: size, query: filter.query) {
            PageCursor(key: "\($0.createdAt?.epochMicros ?? 0)", id: $0.id)
        }
        return OrderV1.ListCasesResponse(cases: page.rows, page: page.page)
    }

    public func approveCase(_ request: OrderV1.ApproveCaseRequest, context: ServerContext) async throws -> OrderV1.Case {
        var check = FieldValidator()
        OrderValidation.caseCommand(caseID: request.caseID, expectedVersion: request.expectedVersion, actor: request.actor, &check)
        OrderValidation.lineQuantities(request.lines, &check, allowZero: true)
        check.timestamp(request.authorisationExpiresAt, "authorisation_expires_at")
        OrderValidation.feeTerms(request.feeTerms, &check)
        check.text(request.note, "note")
        check.optionalIdentifier(request.replacementReservationID, "replacement_reservation_id")
        try check.validate()
        return try await mutate(request, context: context, cases: [request.caseID]) { db, now in
            try Self.transition(db, request.caseID, expectedVersion: request.expectedVersion, action: .approve,
                                actor: request.actor, now: now) { afterSaleCase in
                try Self.apply(request.lines, to: &afterSaleCase) { line, quantity, field in
                    let ledger = line.quantities ?? .init()
                    if quantity > ledger.requested || quantity < ledger.received {
                        throw RPCError.failedPrecondition(
                            "QUANTITY_EXCEEDED",
                            "\(field): case line \(line.id) can be approved for \(ledger.received)…\(ledger.requested) unit(s), not \(quantity)",
                            resource: "case/\(request.caseID)")
                    }
                    line.quantities = ledger.with { $0.approved = quantity }
                }
                let listed = Set(request.lines.map(\.caseLineID))
                for index in afterSaleCase.lines.indices where !listed.contains(afterSaleCase.lines[index].id) {
                    let ledger = afterSaleCase.lines[index].quantities ?? .init()
                    afterSaleCase.lines[index].quantities = ledger.with { $0.approved = ledger.requested }
                }
                let approved = afterSaleCase.lines.reduce(0) { $0 + Int($1.quantities?.approved ?? 0) }
                let requested = afterSaleCase.lines.reduce(0) { $0 + Int($1.quantities?.requested ?? 0) }
                if approved == 0 { throw RPCError.invalidArgument("lines", "every line would be declined; use RejectCase") }
                if let fault = request.merchantAtFault { afterSaleCase.merchantAtFault = fault.value }
                if let terms = request.feeTerms {
                    if let fee = terms.returnShippingFee, fee.currency != afterSaleCase.currency {
                        throw RPCError.invalidArgument("fee_terms.return_shipping_fee.currency",
                                                       "must be the case currency \(afterSaleCase.currency), got \(fee.currency)")
                    }
                    afterSaleCase.feeTerms = terms
                }
                afterSaleCase.instantRefund = request.instantRefund
                if !request.replacementReservationID.isEmpty {
                    afterSaleCase.replacementReservationID = request.replacementReservationID
                }
                afterSaleCase.authorisationExpiresAt = request.authorisationExpiresAt
                    ?? CommonV1.Timestamp(now.addingTimeInterval(Self.defaultAuthorisation))
                afterSaleCase.statusReason = ""
                return Self.sentence("Approved \(approved) of \(requested) unit(s)", request.note)
            }
        }
    }

    public func rejectCase(_ request: OrderV1.RejectCaseRequest, context: ServerContext) async throws -> OrderV1.Case {
        var check = FieldValidator()
        OrderValidation.caseCommand(caseID: request.caseID, expectedVersion: request.expectedVersion, actor: request.actor, &check)
        check.known(request.reason, "reason")
        check.text(request.message, "message")
        try check.validate()
        return try await mutate(request, context: context, cases: [request.caseID]) { db, now in
            try Self.transition(db, request.caseID, expectedVersion: request.expectedVersion, action: .reject,
                                actor: request.actor, now: now) { afterSaleCase in
                afterSaleCase.statusReason = request.message.isEmpty ? request.reason.label : request.message
                return Self.sentence("Rejected (\(request.reason.protoName ?? "")).", request.message)
            }
        }
    }

    public func cancelCase(_ request: OrderV1.CancelCaseRequest, context: ServerContext) async throws -> OrderV1.Case {
        var check = FieldValidator()
        OrderValidation.caseCommand(caseID: request.caseID, expectedVersion: request.expectedVersion, actor: request.actor, &check)
        check.text(request.reason, "reason")
        try check.validate()
        return try await mutate(request, context: context, cases: [request.caseID]) { db, now in
            try Self.transition(db, request.caseID, expectedVersion: request.expectedVersion, action: .cancel,
                                actor: request.actor, now: now) { afterSaleCase in
                afterSaleCase.statusReason = request.reason
                return Self.sentence("Canceled.", request.reason)
            }
        }
    }

    public func attachShipment(_ request: OrderV1.AttachShipmentRequest, context: ServerContext) async throws -> OrderV1.Case {
        var check = FieldValidator()
        OrderValidation.caseCommand(caseID: request.caseID, expectedVersion: request.expectedVersion, actor: request.actor, &check)
        check.known(request.role, "role")
        check.identifier(request.shipmentID, "shipment_id")
        try check.validate()
        let action: CaseAction = request.role == .replacement ? .attachReplacementShipment : .attachReturnShipment
        return try await mutate(request, context: context, cases: [request.caseID]) { db, now in
            try Self.transition(db, request.caseID, expectedVersion: request.expectedVersion, action: action,
                                actor: request.actor, now: now) { afterSaleCase in
                if action == .attachReplacementShipment {
                    afterSaleCase.replacementShipmentID = request.shipmentID
                    return "Replacement shipment \(request.shipmentID) attached."
                }
                afterSaleCase.returnShipmentID = request.shipmentID
                return "Return shipment \(request.shipmentID) attached; waiting for the customer to hand it over."
            }
        }
    }

    public func markShipped(_ request: OrderV1.MarkShippedRequest, context: ServerContext) async throws -> OrderV1.Case {
        var check = FieldValidator()
        OrderValidation.caseCommand(caseID: request.caseID, expectedVersion: request.expectedVersion, actor: request.actor, &check)
        check.optionalIdentifier(request.shipmentID, "shipment_id")
        check.timestamp(request.shippedAt, "shipped_at")
        try check.validate()
        return try await mutate(request, context: context, cases: [request.caseID]) { db, now in
            try Self.transition(db, request.caseID, expectedVersion: request.expectedVersion, action: .markShipped,
                                actor: request.actor, now: now) { afterSaleCase in
                if afterSaleCase.returnShipmentID.isEmpty { afterSaleCase.returnShipmentID = request.shipmentID }
                let shipment = afterSaleCase.returnShipmentID.isEmpty ? "" : " (shipment \(afterSaleCase.returnShipmentID))"
                return "Goods handed over for the return\(shipment)."
            }
        }
    }

    public func recordReceipt(_ request: OrderV1.RecordReceiptRequest, context: ServerContext) async throws -> OrderV1.Case {
        var check = FieldValidator()
        OrderValidation.caseCommand(caseID: request.caseID, expectedVersion: request.expectedVersion, actor: request.actor, &check)
        check.count(request.lines, "lines", required: true)
        OrderValidation.lineQuantities(request.lines, &check, allowZero: false)
        check.optionalIdentifier(request.warehouseID, "warehouse_id")
        check.timestamp(request.receivedAt, "received_at")
        check.text(request.note, "note")
        try check.validate()
        return try await mutate(request, context: context, cases: [request.caseID]) { db, now in
            try Self.transition(db, request.caseID, expectedVersion: request.expectedVersion, action: .recordReceipt,
                                actor: request.actor, now: now) { afterSaleCase in
                var units = 0
                try Self.apply(request.lines, to: &afterSaleCase) { line, quantity, field in
                    let ledger = line.quantities ?? .init()
                    if ledger.received + quantity > ledger.approved {
                        throw RPCError.failedPrecondition(
                            "QUANTITY_EXCEEDED",
                            "\(field): case line \(line.id) has \(ledger.approved - ledger.received) approved unit(s) not yet received; \(quantity) reported",
                            resource: "case/\(request.caseID)")
                    }
                    units += Int(quantity)
                    line.quantities = ledger.with { $0.received += quantity }
                }
                let place = request.warehouseID.isEmpty ? "" : " at \(request.warehouseID)"
                return Self.sentence("Received \(units) unit(s)\(place).", request.note)
            }
        }
    }

    public func inspectCase(_ request: OrderV1.InspectCaseRequest, context: ServerContext) async throws -> OrderV1.Case {
        var check = FieldValidator()
        OrderValidation.caseCommand(caseID: request.caseID, expectedVersion: request.expectedVersion, actor: request.actor, &check)
        check.count(request.lines, "lines", required: true)
        var seen = Set<String>()
        for (index, line) in request.lines.enumerated() {
            let path = "lines[\(index)]"
            check.identifier(line.caseLineID, path + ".case_line_id")
            if !line.caseLineID.isEmpty && !seen.insert(line.caseLineID).inserted { check.fail(path + ".case_line_id", "repeats a line") }
            check.nonNegative(line.acceptedQuantity, path + ".accepted_quantity")
            check.nonNegative(line.rejectedQuantity, path + ".rejected_quantity")
            if line.acceptedQuantity > 0 { check.known(line.disposition, path + ".disposition") }
            if line.rejectedQuantity > 0 && line.rejectedDisposition != .unspecified {
                check.known(line.rejectedDisposition, path + ".rejected_disposition")
            }
            check.count(line.findings, path + ".findings", max: 20)
            for (findingIndex, finding) in line.findings.enumerated() { check.known(finding, "\(path).findings[\(findingIndex)]") }
            check.text(line.notes, path + ".notes")
            check.name(line.serialNumber, path + ".serial_number")
        }
        try check.validate()
        return try await mutate(request, context: context, cases: [request.caseID]) { db, now in
            try Self.transition(db, request.caseID, expectedVersion: request.expectedVersion, action: .inspect,
                                actor: request.actor, now: now) { afterSaleCase in
                for (index, inspection) in request.lines.enumerated() {
                    guard let lineIndex = afterSaleCase.lines.firstIndex(where: { $0.id == inspection.caseLineID }) else {
                        throw RPCError.invalidArgument("lines[\(index)].case_line_id",
                                                       "case \(afterSaleCase.id) has no line \(inspection.caseLineID)")
                    }
                    let ledger = afterSaleCase.lines[lineIndex].quantities ?? .init()
                    if inspection.acceptedQuantity + inspection.rejectedQuantity != ledger.received {
                        throw RPCError.invalidArgument("lines[\(index)]",
                                                       "accepted + rejected must equal the \(ledger.received) received unit(s) of line \(inspection.caseLineID)")
                    }
                    var stored = inspection
                    if stored.rejectedQuantity > 0 && stored.rejectedDisposition == .unspecified {
                        stored.rejectedDisposition = .returnToCustomer
                    }
                    afterSaleCase.lines[lineIndex].inspection = stored
                    afterSaleCase.lines[lineIndex].quantities = ledger.with {
                        $0.accepted = inspection.acceptedQuantity
                        $0.rejected = inspection.rejectedQuantity
                    }
                }
                for line in afterSaleCase.lines {
                    let ledger = line.quantities ?? .init()
                    if ledger.received > 0 && ledger.accepted + ledger.rejected != ledger.received {
                        throw RPCError.invalidArgument("lines", "received line \(line.id) (\(ledger.received) unit(s)) is not inspected")
                    }
                }
                let accepted = afterSaleCase.lines.reduce(0) { $0 + Int($1.quantities?.accepted ?? 0) }
                let rejected = afterSaleCase.lines.reduce(0) { $0 + Int($1.quantities?.rejected ?? 0) }
                return "Inspected: \(accepted) unit(s) accepted, \(rejected) rejected."
            }
        }
    }

    public func quoteSettlement(_ request: OrderV1.QuoteSettlementRequest, context: ServerContext) async throws -> OrderV1.Settlement {
        var check = FieldValidator()
        check.identifier(request.caseID, "case_id")
        if request.resolution != .unspecified { check.known(request.resolution, "resolution") }
        check.timestamp(request.storeCreditExpiresAt, "store_credit_expires_at")
        try check.validate()
        let now = clock.now()
        return try await database.read { db in
            let afterSaleCase = try OrderStore.afterSaleCase(db, request.caseID)
            if request.resolution != .unspecified && !Self.resolution(request.resolution, settles: afterSaleCase.kind) {
                throw RPCError.invalidArgument("resolution", "\(request.resolution.label) cannot settle a \(afterSaleCase.kind.label) case")
            }
            let order = try Self.orderForSettlement(db, afterSaleCase.orderID)
            return try RefundCalculator.settle(order: order, afterSaleCase: afterSaleCase, resolution: request.resolution,
                                               basis: Self.quoteBasis(afterSaleCase), isFinal: false,
                                               storeCreditExpiresAt: request.storeCreditExpiresAt, at: now)
        }
    }

    public func resolveCase(_ request: OrderV1.ResolveCaseRequest, context: ServerContext) async throws -> OrderV1.Case {
        var check = FieldValidator()
        OrderValidation.caseCommand(caseID: request.caseID, expectedVersion: request.expectedVersion, actor: request.actor, &check)
        check.known(request.resolution, "resolution")
        check.timestamp(request.storeCreditExpiresAt, "store_credit_expires_at")
        check.optionalIdentifier(request.replacementShipmentID, "replacement_shipment_id")
        check.text(request.note, "note")
        try check.validate()
        return try await mutate(request, context: context, cases: [request.caseID]) { db, now in
            let before = try OrderStore.afterSaleCase(db, request.caseID)
            let settlementOrder = try Self.orderForSettlement(db, before.orderID)
            var order = try OrderStore.order(db, before.orderID)
            var refunds: [OrderV1.Refund] = []
            let resolved = try Self.transition(db, request.caseID, expectedVersion: request.expectedVersion, action: .resolve,
                                               actor: request.actor, now: now) { afterSaleCase in
                if !Self.resolution(request.resolution, settles: afterSaleCase.kind) {
                    throw RPCError.invalidArgument("resolution", "\(request.resolution.label) cannot settle a \(afterSaleCase.kind.label) case")
                }
                let basis: OrderV1.QuantityBasis = before.status == .inspected ? .accepted : .approved
                let settlement = try RefundCalculator.settle(
                    order: settlementOrder, afterSaleCase: before, resolution: request.resolution, basis: basis, isFinal: true,
                    storeCreditExpiresAt: request.resolution == .storeCredit ? request.storeCreditExpiresAt : nil, at: now)
                if let owes = settlement.customerOwes?.amount, owes.minorUnits > 0 {
                    throw RPCError.failedPrecondition(
                        "PAYMENT_REQUIRED",
                        "the customer owes \(owes.minorUnits) \(owes.currency) minor units for this case; record the payment (RecordPayment with case_id) first",
                        resource: "case/\(before.id)", metadata: ["amount_minor_units": "\(owes.minorUnits)", "currency": owes.currency])
                }
                if !OrderLineLedger.wasSettled(before) {
                    let settled = OrderLineLedger.settledUnits(before, basis: basis, resolution: request.resolution)
                    for index in order.lines.indices { order.lines[index].returnedQuantity += Int32(settled[order.lines[index].id] ?? 0) }
                }
                afterSaleCase.settlement = settlement
                afterSaleCase.resolution = request.resolution
                afterSaleCase.resolvedAt = CommonV1.Timestamp(now)
                if !request.replacementShipmentID.isEmpty { afterSaleCase.replacementShipmentID = request.replacementShipmentID }
                // A case settled before (then reopened) must not pay the same units twice: only what the new settlement
                // adds on top of this case's earlier refunds (all but FAILED ones) is paid, drawn in allocation order.
                var topUp = Int64.max
                if OrderLineLedger.wasSettled(before) {
                    let earlier = try OrderStore.refunds(db, caseID: before.id).filter { $0.status != .failed }
                    let paid = earlier.reduce(Int64(0)) { $0 + ($1.amount?.minorUnits ?? 0) }
                    topUp = max((settlement.refundTotal?.amount?.minorUnits ?? 0) - paid, 0)
                }
                for var allocation in settlement.allocations where (allocation.amount?.minorUnits ?? 0) > 0 && topUp > 0 {
                    let amount = min(allocation.amount?.minorUnits ?? 0, topUp)
                    topUp -= amount
                    allocation.amount?.minorUnits = amount
                    let id = Identifier.make("rf", at: now)
                    refunds.append(OrderV1.Refund(
                        id: id, caseID: before.id, orderID: before.orderID, paymentID: allocation.paymentID,
                        destination: allocation.destination,
                        storeCreditExpiresAt: allocation.destination == .storeCredit ? request.storeCreditExpiresAt : nil,
                        amount: allocation.amount, idempotencyKey: "refund:\(id)", status: .pending, attempts: 1, version: 1,
                        createdAt: CommonV1.Timestamp(now), updatedAt: CommonV1.Timestamp(now)))
                }
                let total = settlement.refundTotal?.amount?.minorUnits ?? 0
                return Self.sentence("Resolved as \(request.resolution.label): refund \(total) \(settlement.currency) minor units in \(refunds.count) refund(s).", request.note)
            }
            _ = try Self.saveOrder(db, &order, now: now)
            for refund in refunds {
                try OrderStore.insertRefund(db, refund)
                try CaseJournal.recordRefund(db, refund: refund, before: nil, afterSaleCase: resolved, event: .refundCreated,
                                             actor: request.actor, message: Self.refundSentence(refund, "created"), at: now)
            }
            return resolved
        }
    }

    public func closeCase(_ request: OrderV1.CloseCaseRequest, context: ServerContext) async throws -> OrderV1.Case {
        var check = FieldValidator()
        OrderValidation.caseCommand(caseID: request.caseID, expectedVersion: request.expectedVersion, actor: request.actor, &check)
        check.text(request.note, "note")
        try check.validate()
        return try await mutate(request, context: context, cases: [request.caseID]) { db, now in
            let wasResolved = try OrderStore.afterSaleCase(db, request.caseID).status == .resolved
            return try Self.transition(db, request.caseID, expectedVersion: request.expectedVersion, action: .close,
                                       actor: request.actor, now: now) { afterSaleCase in
                if wasResolved {
                    let open = try OrderStore.refunds(db, caseID: afterSaleCase.id).filter { $0.status != .succeeded }
                    if !open.isEmpty {
                        throw RPCError.failedPrecondition(
                            "REFUNDS_OUTSTANDING", "case \(afterSaleCase.id) has \(open.count) refund(s) not yet SUCCEEDED: \(open.map(\.id).joined(separator: ", "))",
                            resource: "case/\(afterSaleCase.id)")
                    }
                    if afterSaleCase.instantRefund && afterSaleCase.kind != .refundOnly {
                        let pending = afterSaleCase.lines.filter {
                            let ledger = $0.quantities ?? .init()
                            return ledger.received < ledger.approved || ledger.accepted + ledger.rejected < ledger.received
                        }
                        if !pending.isEmpty {
                            throw RPCError.failedPrecondition(
                                "CASE_TRANSITION_FORBIDDEN",
                                "case \(afterSaleCase.id) was refunded before receipt; line(s) \(pending.map(\.id).joined(separator: ", ")) are not yet received and inspected",
                                resource: "case/\(afterSaleCase.id)")
                        }
                    }
                }
                afterSaleCase.closedAt = CommonV1.Timestamp(now)
                return Self.sentence("Closed.", request.note)
            }
        }
    }

    public func reopenCase(_ request: OrderV1.ReopenCaseRequest, context: ServerContext) async throws -> OrderV1.Case {
        var check = FieldValidator()
        OrderValidation.caseCommand(caseID: request.caseID, expectedVersion: request.expectedVersion, actor: request.actor, &check)
        check.text(request.reason, "reason")
        try check.validate()
        return try await mutate(request, context: context, cases: [request.caseID]) { db, now in
            try Self.transition(db, request.caseID, expectedVersion: request.expectedVersion, action: .reopen,
                                actor: request.actor, now: now) { afterSaleCase in
                if !OrderLineLedger.wasSettled(afterSaleCase) {
                    // Its units were released when it was rejected/expired/canceled: claim them again.
                    var wanted: [String: Int] = [:]
                    for line in afterSaleCase.lines { wanted[line.orderLineID, default: 0] += Int(line.quantities?.requested ?? 0) }
                    let order = try OrderStore.order(db, afterSaleCase.orderID)
                    let others = try OrderStore.cases(db, orderID: order.id).filter { $0.id != afterSaleCase.id }
                    try OrderLineLedger.check(wanted, order: order, openCases: others, kind: afterSaleCase.kind)
                }
                afterSaleCase.statusReason = request.reason
                afterSaleCase.closedAt = nil
                return Self.sentence("Reopened for review.", request.reason)
            }
        }
    }

    public func expireOverdue(_ request: OrderV1.ExpireOverdueRequest, context: ServerContext) async throws -> OrderV1.ExpireOverdueResponse {
        var check = FieldValidator()
        check.timestamp(request.asOf, "as_of")
        check.count(request.caseIDs, "case_ids")
        for (index, id) in request.caseIDs.enumerated() { check.identifier(id, "case_ids[\(index)]") }
        check.range(request.limit, 0...500, "limit")
        try check.validate()
        let response = try await mutate(request, context: context) { db, now in
            let asOf = request.asOf ?? CommonV1.Timestamp(now)
            let ids = try OrderStore.overdueCaseIDs(db, asOf: asOf.epochMicros, restrictTo: request.caseIDs,
                                                    limit: request.limit == 0 ? 500 : Int(request.limit))
            for id in ids {
                _ = try Self.transition(db, id, expectedVersion: 0, action: .expire,
                                        actor: CommonV1.Actor(kind: .system, id: "order.expire-overdue"), now: now) { afterSaleCase in
                    afterSaleCase.statusReason = "return authorisation expired before the goods were shipped"
                    return "Expired: the return authorisation lapsed at \(afterSaleCase.authorisationExpiresAt.map { "\($0.date)" } ?? "?") with nothing shipped."
                }
            }
            return OrderV1.ExpireOverdueResponse(expiredCaseIDs: ids)
        }
        broadcaster.notify(response.expiredCaseIDs)
        return response
    }

    // MARK: Shared steps

    /// Loads the case, checks `expected_version` and the state machine, lets `change` edit it (returning the
    /// timeline message), then stores it with version + 1 and writes the timeline entry and the event.
    static func transition(_ db: Database, _ caseID: String, expectedVersion: Int64, action: CaseAction,
                           actor: CommonV1.Actor?, now: Date,
                           _ change: (inout OrderV1.Case) throws -> String) throws -> OrderV1.Case {
        let before = try OrderStore.afterSaleCase(db, caseID)
        try RPCError.checkVersion("case", caseID, expected: expectedVersion, current: before.version)
        let target = try CaseStateMachine.transition(action, from: before.status, facts: facts(before), caseID: caseID)
        var after = before
        after.status = target
        let message = try change(&after)
        after.version += 1
        after.updatedAt = CommonV1.Timestamp(now)
        try OrderStore.updateCase(db, after)
        try CaseJournal.record(db, before: before, after: after, event: action.eventType, actor: actor, message: message, at: now)
        return after
    }

    static func facts(_ afterSaleCase: OrderV1.Case) -> CaseFacts {
        CaseFacts(kind: afterSaleCase.kind, instantRefund: afterSaleCase.instantRefund,
                  unitsReceived: afterSaleCase.lines.reduce(0) { $0 + Int($1.quantities?.received ?? 0) })
    }

    /// Applies per-line quantities of a command; unknown case lines are INVALID_ARGUMENT naming the field.
    static func apply(_ lines: [OrderV1.LineQuantity], to afterSaleCase: inout OrderV1.Case,
                      _ body: (inout OrderV1.CaseLine, Int32, String) throws -> Void) throws {
        for (index, line) in lines.enumerated() {
            guard let lineIndex = afterSaleCase.lines.firstIndex(where: { $0.id == line.caseLineID }) else {
                throw RPCError.invalidArgument("lines[\(index)].case_line_id", "case \(afterSaleCase.id) has no line \(line.caseLineID)")
            }
            try body(&afterSaleCase.lines[lineIndex], line.quantity, "lines[\(index)].quantity")
        }
    }

    /// The quantity a quote settles: requested before review, accepted once every received unit was inspected
    /// (and something was received), approved otherwise.
    static func quoteBasis(_ afterSaleCase: OrderV1.Case) -> OrderV1.QuantityBasis {
        switch afterSaleCase.status {
        case .requested, .reopened: return .requested
        case .inspected: return .accepted
        default:
            let received = afterSaleCase.lines.reduce(0) { $0 + Int($1.quantities?.received ?? 0) }
            let inspected = afterSaleCase.lines.allSatisfy {
                let ledger = $0.quantities ?? .init()
                return ledger.accepted + ledger.rejected == ledger.received
            }
            return received > 0 && inspected && afterSaleCase.instantRefund == false ? .accepted : .approved
        }
    }

    /// Which remedies a customer may ask for on a kind of case (refund-only sends nothing back, so it cannot be
    /// replaced, exchanged or repaired; DECLINED is an outcome, never a request).
    static func resolution(_ resolution: OrderV1.Resolution, fits kind: OrderV1.CaseKind) -> Bool {
        switch resolution {
        case .declined: return false
        case .replacement, .exchange, .repair: return kind != .refundOnly
        default: return true
        }
    }

    /// Which resolutions may settle a kind of case: anything but goods-based remedies on refund-only cases.
    static func resolution(_ resolution: OrderV1.Resolution, settles kind: OrderV1.CaseKind) -> Bool {
        switch resolution {
        case .replacement, .exchange, .repair: return kind != .refundOnly
        default: return true
        }
    }

    static func sentence(_ text: String, _ note: String) -> String {
        note.isEmpty ? text : "\(text) \(note)"
    }

    static func refundSentence(_ refund: OrderV1.Refund, _ what: String) -> String {
        "Refund \(refund.id) of \(refund.amount?.minorUnits ?? 0) \(refund.amount?.currency ?? "") minor units to \(refund.destination.label) \(what)."
    }
}

extension OrderV1.QuantityLedger {
    func with(_ edit: (inout OrderV1.QuantityLedger) -> Void) -> OrderV1.QuantityLedger {
        var copy = self
        edit(&copy)
        return copy
    }
}
