import Gateway
import RPCShared
import ServiceRuntime
import Testing

@Suite struct GatewayAccessTests {
    @Test func everyMethodHasItsOwnRoles() {
        for method in GatewayV1.AfterSaleGateway.Method.all {
            #expect(GatewayAccess.policy.methodRoles[method.path] != nil, "\(method.path) falls back to service-only")
        }
        let approve = GatewayV1.AfterSaleGateway.Method.approveCase.descriptor
        #expect(GatewayAccess.policy.roles(for: approve) == [.agent, .service])
    }

    @Test func customersOwnTheirCasesOnly() throws {
        let customer = GatewayCaller(subject: "cus_1", role: .customer)
        try customer.requireAccess(toCustomer: "cus_1", resource: "case/c1")
        #expect(throws: RPCError.self) { try customer.requireAccess(toCustomer: "cus_2", resource: "case/c1") }
        try GatewayCaller(subject: "alice", role: .agent).requireAccess(toCustomer: "cus_2", resource: "case/c1")
    }

    @Test func actorComesFromTheToken() {
        #expect(GatewayCaller(subject: "wh-7", role: .warehouse).actor == CommonV1.Actor(kind: .warehouse, id: "wh-7"))
    }
}
