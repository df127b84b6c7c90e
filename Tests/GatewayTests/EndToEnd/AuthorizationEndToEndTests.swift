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
        let system = try await ProcessSystem.start()
        do { try await Self.check(system) } catch {
            await system.stop()
            throw error
        }
        await system.stop()
    }

    static func check(_ system: ProcessSystem) async throws {
        try await system.seed()
        let service = try await Credentials.mint(role: "service", subject: "e2e")
        let orders = OrderV1.OrderService.Client(transport: try system.client("order"))
        let customers = CustomerV1.CustomerService.Client(transport: try system.client("customer"))
        let gateway = GatewayV1.AfterSaleGateway.Client(transport: try system.client("gateway"))
        let order = try await TestOrders.delivered(order: orders, customer: customers, as: service, lines: [("TEE-ORG-BLU-S", 1)])
        let owner = try await Credentials.mint(role: "customer", subject: order.customerID)
        let other = try await Credentials.mint(role: "customer", subject: "cus_someone_else")
        let warehouse = try await Credentials.mint(role: "warehouse", subject: "wh-1")
        // Expired an hour ago: well past the verifier's leeway for clock skew.
        let expired = Credentials(token: try TokenSigner(keys: TokenKeySet(parsing: ServiceProcess.developmentKeys),
                                                         clock: .fixed(Date().addingTimeInterval(-7200)))
            .sign(subject: "alice", role: .agent, lifetime: .seconds(3600)))
        let open = GatewayV1.OpenCaseRequest(orderID: order.id, customerID: order.customerID, kind: .returnRefund,
                                             lines: [.init(orderLineID: order.lines[0].id, quantity: 1, reason: .sizeFit,
                                                           requestedResolution: .refund)])
        let view = try await gateway.openCase(open, options: owner.mutating())
        let caseID = try #require(view.afterSaleCase?.id)

        #expect(await status { try await gateway.getCase(.init(caseID: caseID), options: other.read) } == .permissionDenied)
        #expect(await status { try await gateway.cancelCase(.init(caseID: caseID), options: other.mutating()) } == .permissionDenied)
        #expect(await status { try await gateway.listCases(.init(customerID: order.customerID), options: other.read) } == .permissionDenied)
        #expect(await status { try await gateway.openCase(open, options: other.mutating()) } == .permissionDenied)
        #expect(await status { try await gateway.approveCase(.init(caseID: caseID), options: owner.mutating()) } == .permissionDenied)
        #expect(await status { try await gateway.approveCase(.init(caseID: caseID), options: warehouse.mutating()) } == .permissionDenied)
        #expect(await status { try await gateway.getDashboard(.init(), options: warehouse.read) } == .permissionDenied)
        #expect(await status { try await gateway.getCase(.init(caseID: caseID), options: CallOptions(timeout: .seconds(5))) } == .unauthenticated)
        let forged = CallOptions(timeout: .seconds(5), metadata: ["authorization": "Bearer \(owner.token.dropLast(2))xx"])
        #expect(await status { try await gateway.getCase(.init(caseID: caseID), options: forged) } == .unauthenticated)
        #expect(await status { try await gateway.approveCase(.init(caseID: caseID), options: expired.mutating()) } == .unauthenticated)
        // A service token is not a key to the services for customers: the domain services refuse customer tokens.
        #expect(await status { try await orders.getCase(.init(caseID: caseID), options: owner.read) } == .permissionDenied)

        let after = try await gateway.getCase(.init(caseID: caseID), options: owner.read)
        #expect(after.afterSaleCase?.version == view.afterSaleCase?.version, "refused calls changed nothing")
        #expect(after.afterSaleCase?.status == view.afterSaleCase?.status)
    }
}
