import RPCShared
import ServiceRuntime

/// What an approval decides, from an agent's ApproveCase or from auto-approval at opening.
struct Approval: Sendable {
    var expectedVersion: Int64
    var lines: [OrderV1.LineQuantity] = []
    var merchantAtFault: CommonV1.BoolValue?
    var waiveFees = false
    var preference: LogisticsV1.ShippingPreference = .unspecified
    var instantRefund = false
    var note = ""
    var actor: CommonV1.Actor
}

extension GatewayHandler {
    func approveCaseSaga(_ request: GatewayV1.ApproveCaseRequest, caller: GatewayCaller) -> SagaCoordinator.Body {
        { run in
            let current = try await caseForSaga(run, request.caseID, caller: caller)
            let approval = Approval(expectedVersion: request.expectedVersion, lines: request.lines,
                                    merchantAtFault: request.merchantAtFault, waiveFees: request.waiveFees,
                                    preference: request.returnShippingPreference, note: request.note, actor: caller.actor)
            return try await approve(current, approval, run: run, pivot: true)
        }
    }

    /// Exchange/replacement stock first (released if the approval fails) → `OrderService.ApproveCase` → unless
    /// refund-only, the return shipment: RecommendMethod → CreateShipment(REVERSE) → AttachShipment.
    func approve(_ current: OrderV1.Case, _ approval: Approval, run: SagaRun, pivot: Bool) async throws -> OrderV1.Case {
        var reservationIDs: [String] = []
        for line in current.lines where Self.needsReplacementStock(line) {
            let quantity = approval.lines.first { $0.caseLineID == line.id }?.quantity ?? line.quantities?.requested ?? 0
            guard quantity > 0 else { continue }
            let reserve = ProductV1.ReserveStockRequest(sku: line.requestedResolution == .exchange ? line.exchangeSKU : line.sku,
                                                        quantity: quantity, reference: current.id)
            let step = "product.ReserveStock:\(line.id)"
            let reservation = try await run.mutate(step, service: "product",
                                                   undo: .releaseReservation(stepKey: run.key(step), request: try reserve.serializedBytes())) {
                try await downstream.product.reserveStock(reserve, options: $0)
            }
            reservationIDs.append(reservation.id)
        }
        let change = OrderV1.ApproveCaseRequest(
            caseID: current.id, expectedVersion: approval.expectedVersion, lines: approval.lines,
            merchantAtFault: approval.merchantAtFault, feeTerms: approval.waiveFees ? Self.waivedFees(current) : nil,
            note: approval.note, actor: approval.actor, instantRefund: approval.instantRefund,
            replacementReservationID: reservationIDs.first ?? "")
        let approved = try await run.mutate("order.ApproveCase", service: "order", pivot: pivot) {
            try await downstream.order.approveCase(change, options: $0)
        }
        guard approved.kind != .refundOnly else { return approved }
        return try await bookReturn(approved, preference: approval.preference, actor: approval.actor, run: run)
    }

    /// The return label: from the customer (the pickup address given at opening, else the order's shipping
    /// address) to the warehouse that shipped the goods.
    private func bookReturn(_ approved: OrderV1.Case, preference: LogisticsV1.ShippingPreference, actor: CommonV1.Actor,
                            run: SagaRun) async throws -> OrderV1.Case {
        let order = try await run.read("order.GetOrder", service: "order") {
            try await downstream.order.getOrder(.init(orderID: approved.orderID), options: $0)
        }
        let items = approved.lines.compactMap { line -> (sku: String, item: LogisticsV1.ShipmentItem)? in
            let units = line.quantities?.approved ?? 0
            return units > 0 ? (line.sku, LogisticsV1.ShipmentItem(sku: line.sku, quantity: units, orderLineID: line.orderLineID)) : nil
        }
        guard !items.isEmpty else { return approved }
        let opening = try await coordinator.store.openingRequest(caseID: approved.id)
        let origin = opening?.pickupAddress ?? order.shippingAddress
        let destination = ShippingAddresses.warehouse(CaseFacts.warehouse(of: approved, in: order), country: order.market)
        let weight = try await parcelWeight(items.map { ($0.sku, $0.item.quantity) }, run: run)
        let method = opening?.returnMethod ?? .unspecified
        let recommendation = try await run.read("logistics.RecommendMethod", service: "logistics") {
            try await downstream.logistics.recommendMethod(.init(
                originRegion: ShippingAddresses.region(origin), destinationRegion: ShippingAddresses.region(destination),
                weightGrams: weight, currency: approved.currency, preference: preference,
                allowedMethods: method == .unspecified ? [] : [method]), options: $0)
        }
        let create = LogisticsV1.CreateShipmentRequest(
            kind: .reverse, orderID: approved.orderID, caseID: approved.id,
            carrierID: recommendation.chosen?.carrierID ?? "", serviceCode: recommendation.chosen?.serviceCode ?? "",
            method: recommendation.chosen?.method ?? method, origin: origin, destination: destination,
            weightGrams: weight, items: items.map(\.item))
        return try await shipAndAttach(create, role: .reverse, caseID: approved.id, actor: actor, run: run)
    }

    /// Books `create` (cancelled again if the saga is undone) and attaches it to the case.
    func shipAndAttach(_ create: LogisticsV1.CreateShipmentRequest, role: OrderV1.ShipmentRole, caseID: String,
                       actor: CommonV1.Actor, run: SagaRun) async throws -> OrderV1.Case {
        let leg = role == .reverse ? "reverse" : "replacement"
        let step = "logistics.CreateShipment:\(leg)"
        let shipment = try await run.mutate(step, service: "logistics",
                                            undo: .cancelShipment(stepKey: run.key(step), request: try create.serializedBytes())) {
            try await downstream.logistics.createShipment(create, options: $0)
        }
        return try await run.mutate("order.AttachShipment:\(leg)", service: "order") {
            try await downstream.order.attachShipment(.init(caseID: caseID, role: role, shipmentID: shipment.id, actor: actor), options: $0)
        }
    }

    /// Total weight of `units` of each SKU, from the catalogue (journaled reads, one per SKU).
    func parcelWeight(_ units: [(sku: String, quantity: Int32)], run: SagaRun) async throws -> Int32 {
        var grams: Int32 = 0
        for (sku, quantity) in units {
            let variant = try await run.read("product.GetVariant:\(sku)", service: "product") {
                try await downstream.product.getVariant(.init(sku: sku), options: $0)
            }
            grams = grams &+ variant.weightGrams &* quantity
        }
        return max(grams, 1)
    }

    /// Lines whose remedy sends new goods: a reservation holds them from approval to resolution.
    static func needsReplacementStock(_ line: OrderV1.CaseLine) -> Bool {
        line.requestedResolution == .exchange || line.requestedResolution == .replacement
    }

    static func waivedFees(_ afterSaleCase: OrderV1.Case) -> OrderV1.FeeTerms {
        OrderV1.FeeTerms(policyID: afterSaleCase.feeTerms?.policyID ?? "", restockingFeeBp: 0,
                         returnShippingFee: CommonV1.Money(currency: afterSaleCase.currency, minorUnits: 0))
    }

    /// Every reservation held for the case: the one on the case and those its approvals made.
    func reservations(of afterSaleCase: OrderV1.Case) async throws -> [String] {
        var ids = try await coordinator.store.reservations(caseID: afterSaleCase.id)
        if !afterSaleCase.replacementReservationID.isEmpty && !ids.contains(afterSaleCase.replacementReservationID) {
            ids.insert(afterSaleCase.replacementReservationID, at: 0)
        }
        return ids
    }
}
