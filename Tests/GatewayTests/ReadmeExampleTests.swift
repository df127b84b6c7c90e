import AfterSaleTestSupport
import Foundation
import RPCShared
import ServiceRuntime
import Testing

/// The README's "From Swift" example, as written there (only the address, ids and token are the test's), run
/// against a real gateway: if the stub's API changes, this stops compiling and the README must change with it.
@Suite struct ReadmeExampleTests {
    static func readmeExample(address: String, token: String, requestID: String, orderID: String, customerID: String,
                              lineID: String) async throws -> OrderV1.Case? {
        let gateway = GatewayV1.AfterSaleGateway.Client(transport: try RPCClient(address))
        var options = CallOptions(timeout: .seconds(10))
        options.metadata.set("authorization", "Bearer \(token)")
        options.metadata.set("idempotency-key", "open:\(requestID)")   // the same on a retry of this request
        do {
            let view = try await gateway.openCase(.init(
                orderID: orderID, customerID: customerID, kind: .returnRefund,
                lines: [.init(orderLineID: lineID, quantity: 1, reason: .sizeFit, requestedResolution: .refund)]),
                options: options)
            let opened = view.afterSaleCase!
            print(opened.id, opened.status, opened.version)   // next call: expectedVersion: opened.version, a new key
            return opened
        } catch let error as RPCError {
            print(error.code, error.errorDetails?.reason ?? "", error.message)   // e.g. FAILED_PRECONDITION NOT_ELIGIBLE
            return nil
        }
    }

    @Test func theSwiftExampleOpensACase() async throws {
        try await withGatewayHarness { harness in
            try await harness.seedCatalogue()
            let order = try await harness.createDeliveredOrder()
            let address = try #require(harness.gatewayServer.boundEndpoint).description
            let opened = try await Self.readmeExample(
                address: address, token: try harness.token(role: .customer, subject: order.customerID),
                requestID: UUID().uuidString, orderID: order.id, customerID: order.customerID, lineID: order.lines[0].id)
            #expect(opened?.orderID == order.id)
        }
    }
}
