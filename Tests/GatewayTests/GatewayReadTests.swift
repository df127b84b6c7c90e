import AfterSaleTestSupport
import Foundation
import Gateway
import RPCShared
import ServiceRuntime
import Testing

/// The gateway's reads over the real services: aggregation, partial views, the live stream, feedback, eligibility.
@Suite struct GatewayReadTests {
    static let agent = CommonV1.Actor(kind: .agent, id: "alice")
    static let warehouse = CommonV1.Actor(kind: .warehouse, id: "wh-7")

    /// Takes `opened` through OrderService alone to RESOLVED (refund): approve, receive, inspect, resolve.
    static func resolve(_ opened: OrderV1.Case, in harness: GatewayHarness) async throws -> OrderV1.Case {
        let order = harness.downstream.order
        let approved = try await order.approveCase(.init(caseID: opened.id, actor: agent), options: .mutating())
        let received = try await order.recordReceipt(.init(
            caseID: approved.id, lines: approved.lines.map { .init(caseLineID: $0.id, quantity: $0.quantities?.approved ?? 0) },
            warehouseID: "wh_berlin", actor: warehouse), options: .mutating())
        let inspected = try await order.inspectCase(.init(
            caseID: received.id, lines: received.lines.map {
                .init(caseLineID: $0.id, acceptedQuantity: $0.quantities?.received ?? 0, disposition: .restock, findings: [.asDescribed])
            }, actor: warehouse), options: .mutating())
        return try await order.resolveCase(.init(caseID: inspected.id, resolution: .refund, actor: agent), options: .mutating())
    }

    @Test func getCaseAggregatesEverySection() async throws {
        try await withGatewayHarness { harness in
            try await harness.seedCatalogue()
            let order = try await harness.createDeliveredOrder(customer: "cus_anna")
            let opened = try await harness.openCaseDirectly(order, quantity: 2)
            _ = try await harness.downstream.customer.assessReturnRisk(.init(
                customerID: order.customerID, caseID: opened.id, orderID: order.id, kind: .returnRefund,
                caseValue: .init(currency: "EUR", minorUnits: 3998), units: 2, reasons: [.changedMind],
                orderPlacedAt: order.placedAt, deliveredAt: order.fulfilments.first?.deliveredAt), options: .mutating())
            _ = try await harness.downstream.logistics.createShipment(.init(
                kind: .reverse, orderID: order.id, caseID: opened.id, carrierID: "simulator", serviceCode: "sim-pickup",
                origin: order.shippingAddress, destination: .init(name: "Returns", lines: ["Lager 1"], city: "Berlin",
                                                                  postalCode: "10115", country: "DE"),
                weightGrams: 400, items: [.init(sku: order.lines[0].sku, quantity: 2, orderLineID: order.lines[0].id)]),
                options: .mutating())
            let resolved = try await Self.resolve(opened, in: harness)

            let view = try await harness.client(role: .customer, subject: "cus_anna").getCase(.init(caseID: opened.id), options: .read)
            #expect(view.unavailableSections == [])
            #expect(view.afterSaleCase?.id == opened.id)
            #expect(view.afterSaleCase?.status == resolved.status)
            #expect(view.order?.id == order.id)
            #expect(view.customer?.id == "cus_anna")
            #expect(view.customer?.email.contains("*") == true, "contact data comes masked")
            #expect(view.customerHistory?.customerID == "cus_anna")
            let line = try #require(view.products.first)
            #expect(view.products.count == opened.lines.count)
            #expect(line.caseLineID == opened.lines[0].id)
            #expect(line.product?.id == order.lines[0].productID)
            #expect(line.variant?.sku == order.lines[0].sku)
            #expect(line.exchangeVariant == nil)
            #expect(line.policy != nil)
            #expect(line.stats?.productID == order.lines[0].productID)
            #expect(view.shipments.count == 1)
            #expect(view.timeline.count >= 5, "opened, approved, received, inspected, resolved")
            #expect(view.timeline.map(\.sequence) == view.timeline.map(\.sequence).sorted(), "oldest first")
            #expect(view.settlement?.isFinal == true)
            #expect(view.refunds.isEmpty == false)
            #expect(view.risk?.caseID == opened.id)
        }
    }

    @Test func openCaseShowsAQuoteAndNoRiskYet() async throws {
        try await withGatewayHarness { harness in
            try await harness.seedCatalogue()
            let order = try await harness.createDeliveredOrder(customer: "cus_ben")
            let opened = try await harness.openCaseDirectly(order)
            let view = try await harness.client(role: .agent, subject: "alice").getCase(.init(caseID: opened.id), options: .read)
            // No assessment yet and no shipment are answers, not outages.
            #expect(view.unavailableSections == [])
            #expect(view.risk == nil)
            #expect(view.shipments.isEmpty)
            #expect(view.settlement?.isFinal == false, "a fresh quote before resolution")
            #expect(view.timeline.first?.sequence == 1)
        }
    }

    @Test func aDownedServiceLeavesOnlyItsSectionOut() async throws {
        try await withGatewayHarness { harness in
            try await harness.seedCatalogue()
            let order = try await harness.createDeliveredOrder(customer: "cus_carl")
            let opened = try await harness.openCaseDirectly(order)
            await harness.logistics.server.shutdown(gracePeriod: .zero)
            let started = ContinuousClock.now
            let view = try await harness.service.getCase(.init(caseID: opened.id), options: .read)
            #expect(view.unavailableSections == ["shipments"])
            #expect(view.afterSaleCase?.id == opened.id)
            #expect(view.order != nil && view.customer != nil && !view.timeline.isEmpty && view.settlement != nil)
            #expect(ContinuousClock.now - started < .seconds(5), "a refused connection fails fast, not at the deadline")
        }
    }

    @Test func onlyTheCaseItselfIsRequired() async throws {
        try await withGatewayHarness { harness in
            try await harness.seedCatalogue()
            let order = try await harness.createDeliveredOrder(customer: "cus_dora")
            let opened = try await harness.openCaseDirectly(order)
            await harness.customer.server.shutdown(gracePeriod: .zero)
            await harness.product.server.shutdown(gracePeriod: .zero)
            let view = try await harness.service.getCase(.init(caseID: opened.id), options: .read)
            #expect(view.unavailableSections == ["customer", "customer_history", "products", "risk"])
            #expect(view.products.map(\.caseLineID) == opened.lines.map(\.id), "one (empty) entry per line still")
            #expect(view.order?.id == order.id)
        }
    }

    // MARK: Ownership and authentication

    @Test func customersSeeOnlyTheirOwnCases() async throws {
        try await withGatewayHarness { harness in
            try await harness.seedCatalogue()
            let order = try await harness.createDeliveredOrder(customer: "cus_a")
            let opened = try await harness.openCaseDirectly(order)
            let owner = harness.client(role: .customer, subject: "cus_a")
            let other = harness.client(role: .customer, subject: "cus_b")

            await expectFailure(.permissionDenied, reason: "NOT_OWNER") {
                _ = try await other.getCase(.init(caseID: opened.id), options: .read)
            }
            await expectFailure(.permissionDenied, reason: "NOT_OWNER") {
                _ = try await other.listCases(.init(customerID: "cus_a"), options: .read)
            }
            await expectFailure(.permissionDenied, reason: "NOT_OWNER") {
                _ = try await other.quoteSettlement(.init(caseID: opened.id), options: .read)
            }
            await expectFailure(.permissionDenied, reason: "NOT_OWNER") {
                for try await _ in other.watchCase(.init(caseID: opened.id), options: .read) {}
            }
            await expectFailure(.permissionDenied, reason: "NOT_OWNER") {
                _ = try await other.checkEligibility(.init(orderID: order.id, kind: .returnRefund), options: .read)
            }
            // Without a filter a customer lists its own cases.
            #expect(try await other.listCases(.init(), options: .read).cases.isEmpty)
            #expect(try await owner.listCases(.init(), options: .read).cases.map(\.id) == [opened.id])
            #expect(try await owner.quoteSettlement(.init(caseID: opened.id), options: .read).isFinal == false)
            // Agents see everyone's.
            #expect(try await harness.client(role: .agent, subject: "alice").listCases(.init(customerID: "cus_a"), options: .read).cases.count == 1)
        }
    }

    @Test func rolesAndTokensAreChecked() async throws {
        try await withGatewayHarness { harness in
            await expectFailure(.permissionDenied, mentioning: "warehouse") {
                _ = try await harness.client(role: .warehouse, subject: "wh-7").getDashboard(.init(), options: .read)
            }
            await expectFailure(.unauthenticated, mentioning: "missing") {
                _ = try await harness.client(token: nil).getCase(.init(caseID: "case_x"), options: .read)
            }
            let expired = try harness.token(role: .agent, subject: "alice", lifetime: .seconds(60),
                                            issuedAt: Date().addingTimeInterval(-3600))
            await expectFailure(.unauthenticated, mentioning: "expired") {
                _ = try await harness.client(token: expired).getCase(.init(caseID: "case_x"), options: .read)
            }
            await expectFailure(.unauthenticated, mentioning: "legacy ast1 token refused") {
                _ = try await harness.client(token: "ast1.test.e30.AAAA").getCase(.init(caseID: "case_x"), options: .read)
            }
            // The dashboard without a range covers the last 30 days.
            let dashboard = try await harness.client(role: .agent, subject: "alice").getDashboard(.init(), options: .read)
            let range = try #require(dashboard.range)
            let days = Double((range.end?.epochMicros ?? 0) - (range.start?.epochMicros ?? 0)) / 86_400_000_000
            #expect(abs(days - 30) < 0.01)
        }
    }

    // MARK: WatchCase

    @Test func watchCaseRelaysStoredAndLiveEvents() async throws {
        try await withGatewayHarness { harness in
            try await harness.seedCatalogue()
            let order = try await harness.createDeliveredOrder(customer: "cus_w")
            let opened = try await harness.openCaseDirectly(order)
            let stream = harness.client(role: .customer, subject: "cus_w").watchCase(.init(caseID: opened.id), options: .read)
            var events = stream.makeAsyncIterator()
            let first = try #require(try await events.next())
            #expect(first.entry?.sequence == 1)
            #expect(first.snapshot?.id == opened.id)
            _ = try await harness.downstream.order.approveCase(.init(caseID: opened.id, actor: Self.agent), options: .mutating())
            let live = try #require(try await events.next())
            #expect(live.entry?.sequence == 2)
            #expect(live.snapshot?.status == .approved)
        }
    }

    @Test func cancellingTheWatchEndsTheDownstreamWatch() async throws {
        try await withGatewayHarness { harness in
            try await harness.seedCatalogue()
            let order = try await harness.createDeliveredOrder(customer: "cus_c")
            let opened = try await harness.openCaseDirectly(order)
            let client = harness.client(role: .customer, subject: "cus_c")
            let (received, signal) = AsyncStream<Void>.makeStream()
            let watcher = Task {
                for try await _ in client.watchCase(.init(caseID: opened.id), options: .init()) { signal.yield() }
            }
            var iterator = received.makeAsyncIterator()
            _ = await iterator.next()
            #expect(harness.orderComponents.broadcaster.watcherCount == 1, "the gateway relays one OrderService watch")
            watcher.cancel()
            let deadline = ContinuousClock.now + .seconds(5)
            while harness.orderComponents.broadcaster.watcherCount > 0, ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(20))
            }
            #expect(harness.orderComponents.broadcaster.watcherCount == 0, "the caller leaving ends the downstream watch")
        }
    }

    @Test func watchCaseCanSkipEntriesThatKeepTheStatus() async throws {
        try await withGatewayHarness { harness in
            try await harness.seedCatalogue()
            let order = try await harness.createDeliveredOrder(customer: "cus_w2")
            let opened = try await harness.openCaseDirectly(order)
            let approved = try await harness.downstream.order.approveCase(.init(caseID: opened.id, actor: Self.agent), options: .mutating())
            let stream = harness.service.watchCase(.init(caseID: opened.id, afterSequence: 1, statusChangesOnly: true),
                                                   options: .read)
            var events = stream.makeAsyncIterator()
            let next = try #require(try await events.next())
            #expect(next.entry.map { $0.fromStatus != $0.toStatus } == true)
            #expect(next.snapshot?.version ?? 0 <= approved.version)
        }
    }

    // MARK: SubmitFeedback

    @Test func feedbackIsClassifiedStoredAndRatedOnce() async throws {
        try await withGatewayHarness { harness in
            try await harness.seedCatalogue()
            try await harness.createCustomer("cus_f")
            let customer = harness.client(role: .customer, subject: "cus_f")
            let request = GatewayV1.SubmitFeedbackRequest(rating: 2, text: "The kettle arrived with a cracked glass and leaks water",
                                                          productID: "prod_glass_kettle", sku: "KETTLE-GLS-EU")
            let options = CallOptions.mutating(key: "fb-\(UUID().uuidString)")
            let feedback = try await customer.submitFeedback(request, options: options)
            #expect(feedback.customerID == "cus_f", "filled from the token")
            #expect(feedback.category != .unspecified)
            #expect(feedback.categoryConfidence > 0)
            let stats = try await harness.downstream.product.getProductStats(.init(productID: "prod_glass_kettle"), options: .init())
            #expect(stats.ratingCount == 1)
            #expect(stats.averageRating == 2)

            let again = try await customer.submitFeedback(request, options: options)
            #expect(again.id == feedback.id, "the retry replays the stored feedback")
            let after = try await harness.downstream.product.getProductStats(.init(productID: "prod_glass_kettle"), options: .init())
            #expect(after.ratingCount == 1, "and adds no second rating")

            await expectFailure(.invalidArgument, mentioning: "idempotency-key") {
                _ = try await customer.submitFeedback(request, options: .read)
            }
            await expectFailure(.permissionDenied) {
                var foreign = request
                foreign.customerID = "cus_someone_else"
                _ = try await customer.submitFeedback(foreign, options: .mutating())
            }
        }
    }

    // MARK: CheckEligibility

    @Test func eligibleAndBlockedLines() async throws {
        try await withGatewayHarness { harness in
            try await harness.seedCatalogue()
            // US: jeans (30-day window) and a perfume (beauty is final sale in the US, no withdrawal right).
            let order = try await harness.createDeliveredOrder(customer: "cus_us", market: "US",
                                                               lines: [("JEANS-SLIM-32", 1), ("EDP-CEDAR-50", 1)])
            let customer = harness.client(role: .customer, subject: "cus_us")
            let all = try await customer.checkEligibility(.init(orderID: order.id, kind: .returnRefund), options: .read)
            #expect(all.lines.map(\.orderLineID) == order.lines.map(\.id))
            #expect(all.allEligible == false)
            let jeans = try #require(all.lines.first)
            #expect(jeans.eligible)
            #expect(jeans.eligibleQuantity == 1)
            #expect(jeans.deadline != nil)
            let perfume = try #require(all.lines.last)
            #expect(!perfume.eligible)
            #expect(perfume.findings.first?.reason == .finalSale)

            let one = try await customer.checkEligibility(.init(
                orderID: order.id, kind: .returnRefund,
                lines: [.init(orderLineID: order.lines[0].id, quantity: 1, requestedResolution: .refund, reason: .sizeFit)]),
                options: .read)
            #expect(one.allEligible)
            #expect(one.lines.count == 1)

            // Once the unit is on an open case there is nothing left to return.
            _ = try await harness.openCaseDirectly(order)
            let claimed = try await customer.checkEligibility(.init(orderID: order.id, kind: .returnRefund,
                                                                    lines: [.init(orderLineID: order.lines[0].id)]), options: .read)
            #expect(claimed.lines.first?.eligible == false)
            #expect(claimed.lines.first?.findings.first?.reason == .quantityExceeded)
        }
    }

    @Test func eligibilityFallsBackToTheMarketZoneWithoutCustomerService() async throws {
        try await withGatewayHarness { harness in
            try await harness.seedCatalogue()
            let order = try await harness.createDeliveredOrder(customer: "cus_tz")
            await harness.customer.server.shutdown(gracePeriod: .zero)
            let verdicts = try await harness.service.checkEligibility(.init(orderID: order.id, kind: .returnRefund), options: .read)
            #expect(verdicts.allEligible)
        }
    }

    // MARK: Bad input

    @Test func badInputNamesTheField() async throws {
        try await withGatewayHarness { harness in
            let client = harness.service
            let longID = String(repeating: "x", count: 65)
            await expectFailure(.invalidArgument, mentioning: "case_id") { _ = try await client.getCase(.init(), options: .read) }
            await expectFailure(.invalidArgument, mentioning: "case_id") { _ = try await client.getCase(.init(caseID: longID), options: .read) }
            await expectFailure(.invalidArgument, mentioning: "case_id") { _ = try await client.quoteSettlement(.init(caseID: "bad id"), options: .read) }
            await expectFailure(.invalidArgument, mentioning: "after_sequence") {
                for try await _ in client.watchCase(.init(caseID: "case_1", afterSequence: -1), options: .read) {}
            }
            await expectFailure(.invalidArgument, mentioning: "page.page_size") {
                _ = try await client.listCases(.init(page: .init(pageSize: 501)), options: .read)
            }
            await expectFailure(.invalidArgument, mentioning: "statuses[0]") {
                _ = try await client.listCases(.init(statuses: [OrderV1.CaseStatus(rawValue: 999)]), options: .read)
            }
            await expectFailure(.invalidArgument, mentioning: "order_id") {
                _ = try await client.checkEligibility(.init(kind: .returnRefund), options: .read)
            }
            await expectFailure(.invalidArgument, mentioning: "kind") {
                _ = try await client.checkEligibility(.init(orderID: "ord_1"), options: .read)
            }
            await expectFailure(.invalidArgument, mentioning: "lines[0].quantity") {
                _ = try await client.checkEligibility(.init(orderID: "ord_1", kind: .returnRefund,
                                                            lines: [.init(orderLineID: "l1", quantity: -1)]), options: .read)
            }
            await expectFailure(.invalidArgument, mentioning: "lines") {
                let lines = (0..<101).map { GatewayV1.EligibilityQueryLine(orderLineID: "l\($0)") }
                _ = try await client.checkEligibility(.init(orderID: "ord_1", kind: .returnRefund, lines: lines), options: .read)
            }
            await expectFailure(.invalidArgument, mentioning: "rating") {
                _ = try await client.submitFeedback(.init(customerID: "cus_1", rating: 6), options: .mutating())
            }
            await expectFailure(.invalidArgument, mentioning: "text") {
                _ = try await client.submitFeedback(.init(customerID: "cus_1", rating: 3, text: String(repeating: "a", count: 4001)),
                                                    options: .mutating())
            }
            await expectFailure(.invalidArgument, mentioning: "customer_id") {
                _ = try await client.submitFeedback(.init(rating: 3), options: .mutating())
            }
            await expectFailure(.invalidArgument, mentioning: "range") {
                let now = CommonV1.Timestamp(Date())
                _ = try await client.getDashboard(.init(range: .init(start: now, end: now)), options: .read)
            }
        }
    }

    @Test func unknownOrderLineIsNamed() async throws {
        try await withGatewayHarness { harness in
            try await harness.seedCatalogue()
            let order = try await harness.createDeliveredOrder(customer: "cus_l")
            await expectFailure(.invalidArgument, mentioning: "lines[1].order_line_id") {
                _ = try await harness.service.checkEligibility(.init(
                    orderID: order.id, kind: .returnRefund,
                    lines: [.init(orderLineID: order.lines[0].id), .init(orderLineID: "ol_missing")]), options: .read)
            }
            await expectFailure(.notFound) {
                _ = try await harness.service.checkEligibility(.init(orderID: "ord_missing", kind: .returnRefund), options: .read)
            }
        }
    }
}
