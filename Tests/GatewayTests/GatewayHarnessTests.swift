import AfterSaleTestSupport
import Gateway
import RPCShared
import ServiceRuntime
import Testing

/// The harness itself: five services and the gateway come up, answer through authentication, and go away.
@Suite struct GatewayHarnessTests {
    @Test func unknownCaseIsNotFoundThroughTheGateway() async throws {
        try await withGatewayHarness { harness in
            await expectFailure(.notFound, mentioning: "case") {
                _ = try await harness.client(role: .agent, subject: "alice").getCase(.init(caseID: "case_missing"), options: .read)
            }
        }
    }

    @Test func deliveredOrderHasEveryUnitDelivered() async throws {
        try await withGatewayHarness { harness in
            try await harness.seedCatalogue()
            let order = try await harness.createDeliveredOrder(customer: "cus_smoke")
            #expect(order.customerID == "cus_smoke")
            #expect(order.fulfilments.count == 1)
            #expect(order.fulfilments.first?.deliveredAt != nil)
            #expect(order.lines.map(\.quantity) == TestBasket.defaultLines.map(\.quantity))
        }
    }
}
