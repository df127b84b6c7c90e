import AfterSaleTestSupport
import Foundation
import RPCShared
import Testing

/// `kill -9` of each process in the middle of a workflow step, then a restart: the client retries the step with the
/// same idempotency key until it answers, and at the end nothing acknowledged is lost and nothing happened twice —
/// one case, one return label, one unit restocked, one refund paid once into the wallet.
@Suite(.serialized) struct KillRecoveryTests {
    /// Retries `call` while the system answers UNAVAILABLE / DEADLINE_EXCEEDED (a process restarting), for at most
    /// `timeout`.
    static func untilAnswered<T: Sendable>(_ what: String, timeout: Duration = .seconds(40),
                                           _ call: @Sendable () async throws -> T) async throws -> T {
        let deadline = ContinuousClock.now + timeout
        while true {
            do { return try await call() } catch let error as RPCError
                where [.unavailable, .deadlineExceeded, .cancelled].contains(error.code) && ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(150))
            }
        }
    }

    /// Sends `call` with `key`, kills `victim` `delay` later (while the call is in flight), starts it again and
    /// retries with the same key until it answers.
    static func killDuring<T: Sendable>(_ system: ProcessSystem, _ victim: String, after delay: Duration, key: String,
                                        _ call: @escaping @Sendable (String) async throws -> T) async throws -> T {
        let inFlight = Task { try await call(key) }
        try await Task.sleep(for: delay)
        await system.kill(victim)
        _ = await inFlight.result
        try await system.start(victim)
        return try await untilAnswered("\(victim) restarted") { try await call(key) }
    }

    @Test(arguments: ["gateway", "order", "product", "customer", "logistics", "reporting"])
    func aWorkflowSurvivesKill9(of victim: String) async throws {
        try await withProcessSystem { system in try await Self.workflow(system, killing: victim) }
    }

    static func workflow(_ system: ProcessSystem, killing victim: String) async throws {
        try await system.seedCatalogue()
        let (orders, customers, products, logistics) = (system.downstream.order, system.downstream.customer,
                                                         system.downstream.product, system.downstream.logistics)
        let order = try await system.createDeliveredOrder(lines: [("TEE-ORG-BLU-XL", 2)])
        let customer = system.client(role: .customer, subject: order.customerID)
        let agent = system.client(role: .agent, subject: "alice")
        let warehouse = system.client(role: .warehouse, subject: "wh-1")
        let stockBefore = try await products.getStock(.init(sku: "TEE-ORG-BLU-XL", warehouseID: "wh_berlin"), options: .read).totalAvailable
        // Where each victim hurts most: the step that calls it (or, for the gateway, any step).
        let delay = Duration.milliseconds(Int.random(in: 2...25))
        func step(_ name: String, _ call: @escaping @Sendable (String) async throws -> GatewayV1.CaseView) async throws -> GatewayV1.CaseView {
            let key = "\(name)-\(UUID().uuidString)"
            let attacked = ["open": ["reporting", "customer"], "approve": ["gateway", "logistics"],
                            "inspect": ["product"], "resolve": ["order"]][name] ?? []
            if attacked.contains(victim) { return try await killDuring(system, victim, after: delay, key: key, call) }
            return try await untilAnswered(name) { try await call(key) }
        }

        let opened = try await step("open") { key in
            try await customer.openCase(.init(orderID: order.id, customerID: order.customerID, kind: .returnRefund,
                                             lines: [.init(orderLineID: order.lines[0].id, quantity: 1, reason: .sizeFit,
                                                           requestedResolution: .storeCredit)]),
                                       options: .mutating(key: key))
        }
        let caseID = try #require(opened.afterSaleCase?.id)
        var view = opened
        if view.afterSaleCase?.status == .requested {
            let version = view.afterSaleCase?.version ?? 0
            view = try await step("approve") { key in
                try await agent.approveCase(.init(caseID: caseID, expectedVersion: version), options: .mutating(key: key))
            }
        }
        // The return label may still be pending in the reconciler after a crash: wait for it, bounded.
        for _ in 0..<100 where view.afterSaleCase?.status != .awaitingShipment {
            try await Task.sleep(for: .milliseconds(200))
            view = try await untilAnswered("read") { try await agent.getCase(.init(caseID: caseID), options: .read) }
        }
        #expect(view.afterSaleCase?.status == .awaitingShipment, "\(victim): \(String(describing: view.afterSaleCase?.status))")
        let line = try #require(view.afterSaleCase?.lines.first)
        let receivedVersion = view.afterSaleCase?.version ?? 0
        let received = try await step("receive") { key in
            try await warehouse.recordReceipt(.init(caseID: caseID, expectedVersion: receivedVersion,
                                                  lines: [.init(caseLineID: line.id, quantity: 1)]), options: .mutating(key: key))
        }
        let inspectVersion = received.afterSaleCase?.version ?? 0
        let inspected = try await step("inspect") { key in
            try await warehouse.inspectCase(.init(caseID: caseID, expectedVersion: inspectVersion,
                                                lines: [.init(caseLineID: line.id, acceptedQuantity: 1, disposition: .restock)]),
                                          options: .mutating(key: key))
        }
        let resolveVersion = inspected.afterSaleCase?.version ?? 0
        let resolved = try await step("resolve") { key in
            try await agent.resolveCase(.init(caseID: caseID, expectedVersion: resolveVersion, resolution: .storeCredit),
                                          options: .mutating(key: key))
        }
        #expect(resolved.afterSaleCase?.status == .resolved)

        // Background work (refund execution, inspection side effects) finishes by itself, once.
        var refunds: [OrderV1.Refund] = []
        var wallet = CustomerV1.Wallet()
        var stock: Int32 = 0
        for _ in 0..<150 {
            refunds = try await orders.listRefunds(.init(caseID: caseID), options: .read).refunds
            wallet = try await customers.getWallet(.init(customerID: order.customerID), options: .read)
            stock = try await products.getStock(.init(sku: "TEE-ORG-BLU-XL", warehouseID: "wh_berlin"), options: .read).totalAvailable
            if refunds.allSatisfy({ $0.status == .succeeded }) && stock == stockBefore + 1 { break }
            try await Task.sleep(for: .milliseconds(200))
        }
        #expect(refunds.count == 1, "\(victim): one refund, got \(refunds.count)")
        #expect(refunds.first?.status == .succeeded, "\(victim): \(String(describing: refunds.first?.status))")
        let credited = wallet.balances.first { $0.currency == "EUR" }?.minorUnits ?? 0
        #expect(credited == refunds.first?.amount?.minorUnits, "\(victim): credited \(credited) once")
        #expect(stock == stockBefore + 1, "\(victim): restocked once")
        let shipments = try await logistics.listShipments(.init(caseID: caseID), options: .read).shipments
        #expect(shipments.filter { $0.kind == .reverse }.count == 1, "\(victim): one return label")
        let cases = try await agent.listCases(.init(orderID: order.id), options: .read).cases
        #expect(cases.count == 1, "\(victim): one case")
    }
}
