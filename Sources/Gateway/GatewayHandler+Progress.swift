import RPCShared
import ServiceRuntime

/// The workflows after approval: rejection, withdrawal, receipt, inspection and resolution.
extension GatewayHandler {
    func rejectCaseSaga(_ request: GatewayV1.RejectCaseRequest, caller: GatewayCaller) -> SagaCoordinator.Body {
        { run in
            let change = OrderV1.RejectCaseRequest(caseID: request.caseID, expectedVersion: request.expectedVersion,
                                                   reason: request.reason, message: request.message, actor: caller.actor)
            return try await run.mutate("order.RejectCase", service: "order", pivot: true) {
                try await downstream.order.rejectCase(change, options: $0)
            }
        }
    }

    /// `OrderService.CancelCase`, then the unused return label is cancelled and reserved stock released. Those two
    /// are best effort: a label already handed to the carrier cannot be cancelled, and the case stays cancelled.
    func cancelCaseSaga(_ request: GatewayV1.CancelCaseRequest, caller: GatewayCaller) -> SagaCoordinator.Body {
        { run in
            _ = try await caseForSaga(run, request.caseID, caller: caller)
            let change = OrderV1.CancelCaseRequest(caseID: request.caseID, expectedVersion: request.expectedVersion,
                                                   reason: request.reason, actor: caller.actor)
            let canceled = try await run.mutate("order.CancelCase", service: "order", pivot: true) {
                try await downstream.order.cancelCase(change, options: $0)
            }
            if !canceled.returnShipmentID.isEmpty {
                try await bestEffort("cancel the return label") {
                    _ = try await run.mutate("logistics.CancelShipment:reverse", service: "logistics") {
                        try await downstream.logistics.cancelShipment(.init(shipmentID: canceled.returnShipmentID, reason: "case canceled"), options: $0)
                    }
                }
            }
            for reservation in try await reservations(of: canceled) {
                try await bestEffort("release reservation \(reservation)") {
                    _ = try await run.mutate("product.ReleaseReservation:\(reservation)", service: "product") {
                        try await downstream.product.releaseReservation(.init(reservationID: reservation, reason: "case canceled"), options: $0)
                    }
                }
            }
            return canceled
        }
    }

    func recordReceiptSaga(_ request: GatewayV1.RecordReceiptRequest, caller: GatewayCaller) -> SagaCoordinator.Body {
        { run in
            let change = OrderV1.RecordReceiptRequest(caseID: request.caseID, expectedVersion: request.expectedVersion,
                                                      lines: request.lines, warehouseID: request.warehouseID,
                                                      receivedAt: request.receivedAt, note: request.note, actor: caller.actor)
            return try await run.mutate("order.RecordReceipt", service: "order", pivot: true) {
                try await downstream.order.recordReceipt(change, options: $0)
            }
        }
    }

    /// `OrderService.InspectCase`, then per line the accepted units into stock by disposition (`ReceiveReturn`) and
    /// into the product's return statistics, and the findings to the customer's record.
    func inspectCaseSaga(_ request: GatewayV1.InspectCaseRequest, caller: GatewayCaller) -> SagaCoordinator.Body {
        { run in
            let change = OrderV1.InspectCaseRequest(caseID: request.caseID, expectedVersion: request.expectedVersion,
                                                    lines: request.lines, actor: caller.actor)
            let inspected = try await run.mutate("order.InspectCase", service: "order", pivot: true) {
                try await downstream.order.inspectCase(change, options: $0)
            }
            var warehouse = request.warehouseID
            if warehouse.isEmpty {
                let order = try await run.read("order.GetOrder", service: "order") {
                    try await downstream.order.getOrder(.init(orderID: inspected.orderID), options: $0)
                }
                warehouse = CaseFacts.warehouse(of: inspected, in: order)
            }
            let stockWarehouse = warehouse
            for line in request.lines where line.acceptedQuantity > 0 {
                guard let caseLine = inspected.lines.first(where: { $0.id == line.caseLineID }) else { continue }
                let disposition: OrderV1.Disposition = line.disposition == .unspecified ? .restock : line.disposition
                if disposition != .returnToCustomer {
                    try await bestEffort("stock of \(caseLine.sku)") {
                        _ = try await run.mutate("product.ReceiveReturn:\(line.caseLineID):\(disposition.rawValue)", service: "product") {
                            try await downstream.product.receiveReturn(.init(
                                sku: caseLine.sku, warehouseID: stockWarehouse, quantity: line.acceptedQuantity,
                                disposition: disposition, reference: line.caseLineID), options: $0)
                        }
                    }
                }
                try await bestEffort("return statistics of \(caseLine.sku)") {
                    _ = try await run.mutate("product.RecordReturnStat:\(line.caseLineID)", service: "product") {
                        try await downstream.product.recordReturnStat(.init(
                            productID: caseLine.productID, sku: caseLine.sku, quantity: line.acceptedQuantity,
                            reason: caseLine.reason, caseLineID: line.caseLineID), options: $0)
                    }
                }
            }
            let outcome = CustomerV1.RecordInspectionOutcomeRequest(
                customerID: inspected.customerID, caseID: inspected.id, findings: request.lines.flatMap(\.findings),
                unitsInspected: request.lines.reduce(0) { $0 + $1.acceptedQuantity + $1.rejectedQuantity },
                unitsRejected: request.lines.reduce(0) { $0 + $1.rejectedQuantity })
            try await bestEffort("inspection outcome") {
                _ = try await run.mutate("customer.RecordInspectionOutcome", service: "customer") {
                    try await downstream.customer.recordInspectionOutcome(outcome, options: $0)
                }
            }
            return inspected
        }
    }

    /// `OrderService.ResolveCase` (refunds are created and paid by OrderService); for REPLACEMENT / EXCHANGE /
    /// REPAIR then the reserved stock is committed and the replacement (or repaired item) shipped and attached.
    func resolveCaseSaga(_ request: GatewayV1.ResolveCaseRequest, caller: GatewayCaller) -> SagaCoordinator.Body {
        { run in
            let change = OrderV1.ResolveCaseRequest(caseID: request.caseID, expectedVersion: request.expectedVersion,
                                                    resolution: request.resolution, storeCreditExpiresAt: request.storeCreditExpiresAt,
                                                    note: request.note, actor: caller.actor)
            let resolved = try await run.mutate("order.ResolveCase", service: "order", pivot: true) {
                try await downstream.order.resolveCase(change, options: $0)
            }
            guard [.replacement, .exchange, .repair].contains(resolved.resolution) else { return resolved }
            var origin = ""
            for reservation in try await reservations(of: resolved) {
                try await bestEffort("commit reservation \(reservation)") {
                    let committed = try await run.mutate("product.CommitReservation:\(reservation)", service: "product") {
                        try await downstream.product.commitReservation(.init(reservationID: reservation), options: $0)
                    }
                    if origin.isEmpty { origin = committed.warehouseID }
                }
            }
            let order = try await run.read("order.GetOrder", service: "order") {
                try await downstream.order.getOrder(.init(orderID: resolved.orderID), options: $0)
            }
            let items = CaseFacts.replacementItems(resolved)
            guard !items.isEmpty else { return resolved }
            if origin.isEmpty { origin = CaseFacts.warehouse(of: resolved, in: order) }
            let create = LogisticsV1.CreateShipmentRequest(
                kind: .replacement, orderID: resolved.orderID, caseID: resolved.id,
                origin: ShippingAddresses.warehouse(origin, country: order.market), destination: order.shippingAddress,
                weightGrams: try await parcelWeight(items.map { ($0.sku, $0.quantity) }, run: run), items: items)
            return try await shipAndAttach(create, role: .replacement, caseID: resolved.id, actor: caller.actor, run: run)
        }
    }
}
