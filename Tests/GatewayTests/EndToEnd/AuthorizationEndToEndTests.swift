import AfterSaleTestSupport
import Foundation
import RPCShared
import ServiceRuntime
import Testing

/// The gateway process refuses what a caller may not do, with the status that says why, and the refused call
/// changes nothing.
@Suite struct AuthorizationEndToEndTests {
    static func status(_ call: () async throws -> some Sendable) async -> StatusCode? {
        do { _ = try await call(); return .ok } catch let error as RPCError { return error.code } catch { return nil }
    }

    @Test func negatives() async throws {
        try await withProcessSystem { system in try await Self.check(system) }
    }

    static func check(_ system: ProcessSystem) async throws {
        try await system.seedCatalogue()
        let order = try await system.createDeliveredOrder(lines: [("TEE-ORG-BLU-S", 1)])
        let owner = system.client(role: .customer, subject: order.customerID)
        let other = system.client(role: .customer, subject: "cus_someone_else")
        let warehouse = system.client(role: .warehouse, subject: "wh-1")
        let open = GatewayV1.OpenCaseRequest(orderID: order.id, customerID: order.customerID, kind: .returnRefund,
                                             lines: [.init(orderLineID: order.lines[0].id, quantity: 1, reason: .sizeFit,
                                                           requestedResolution: .refund)])
        let view = try await owner.openCase(open, options: .mutating())
        let caseID = try #require(view.afterSaleCase?.id)

        #expect(await status { try await other.getCase(.init(caseID: caseID), options: .read) } == .permissionDenied)
        #expect(await status { try await other.cancelCase(.init(caseID: caseID), options: .mutating()) } == .permissionDenied)
        #expect(await status { try await other.listCases(.init(customerID: order.customerID), options: .read) } == .permissionDenied)
        #expect(await status { try await other.openCase(open, options: .mutating()) } == .permissionDenied)
        #expect(await status { try await owner.approveCase(.init(caseID: caseID), options: .mutating()) } == .permissionDenied)
        #expect(await status { try await warehouse.approveCase(.init(caseID: caseID), options: .mutating()) } == .permissionDenied)
        #expect(await status { try await warehouse.getDashboard(.init(), options: .read) } == .permissionDenied)
        let gateway = try RPCClient(system.address("gateway"))
        defer { Task { await gateway.close() } }
        func presenting(_ token: String?) -> GatewayV1.AfterSaleGateway.Client {
            GatewayV1.AfterSaleGateway.Client(transport: BearerTransport(client: gateway, token: token))
        }
        #expect(await status { try await presenting(nil).getCase(.init(caseID: caseID), options: .read) } == .unauthenticated)
        let forged = String(try system.token(role: .customer, subject: order.customerID).dropLast(2)) + "xx"
        #expect(await status { try await presenting(forged).getCase(.init(caseID: caseID), options: .read) } == .unauthenticated)
        // Expired an hour ago: well past the verifier's leeway for clock skew.
        let expired = try system.token(role: .agent, subject: "alice", issuedAt: Date().addingTimeInterval(-7200))
        #expect(await status { try await presenting(expired).approveCase(.init(caseID: caseID), options: .mutating()) } == .unauthenticated)
        // The domain services take only service tokens: a customer's token opens nothing there, not even one made out
        // to the order service; a gateway token is not one for the order service at all.
        let customerToken = try system.token(role: .customer, subject: order.customerID, audience: "order")
        let orderService = OrderV1.OrderService.Client(transport: BearerTransport(client: try RPCClient(system.address("order")), token: customerToken))
        #expect(await status { try await orderService.getCase(.init(caseID: caseID), options: .read) } == .permissionDenied)
        let gatewayToken = try system.token(role: .service, subject: "shop-backend")
        let misdirected = OrderV1.OrderService.Client(transport: BearerTransport(client: try RPCClient(system.address("order")), token: gatewayToken))
        #expect(await status { try await misdirected.getCase(.init(caseID: caseID), options: .read) } == .unauthenticated)

        let after = try await owner.getCase(.init(caseID: caseID), options: .read)
        #expect(after.afterSaleCase?.version == view.afterSaleCase?.version, "refused calls changed nothing")
        #expect(after.afterSaleCase?.status == view.afterSaleCase?.status)
    }
}
