import AfterSaleTestSupport
import Foundation
import RPCShared
import Testing

/// `aftersale gateway …` against the real gateway process: acting as a customer, an agent and a stranger, and bad
/// input answered with one clear line.
@Suite struct GatewayCLITests {
    @Test func actsAsEachRoleAndRefusesWhatTheRoleMayNotDo() async throws {
        try await withProcessSystem { system in
            try await system.seedCatalogue()
            let order = try await system.createDeliveredOrder()
            let environment = ["AFTERSALE_GATEWAY_ADDR": system.address("gateway")]
            func gateway(_ arguments: [String]) async throws -> CLIResult {
                try await runAfterSale(["gateway"] + arguments, environment: environment)
            }
            let open = """
                {"orderId": "\(order.id)", "kind": "CASE_KIND_RETURN_REFUND", "lines": [{"orderLineId": "\(order.lines[0].id)",
                 "quantity": 1, "reason": "REASON_CODE_DEFECTIVE", "requestedResolution": "RESOLUTION_REFUND"}]}
                """
            let opened = try await gateway(["open", "--as", "customer:\(order.customerID)", open])
            #expect(opened.status == 0, "\(opened.stderr)")
            let view = try GatewayV1.CaseView(jsonString: opened.stdout)
            let caseID = try #require(view.afterSaleCase?.id)
            #expect(view.afterSaleCase?.customerID == order.customerID, "customer_id filled from the token")

            let stranger = try await gateway(["case", caseID, "--as", "customer:cus_nosy"])
            #expect(stranger.status == StatusCode.permissionDenied.rawValue)
            #expect(stranger.stderr.split(separator: "\n").count == 1 && stranger.stderr.contains("PERMISSION_DENIED"), "\(stranger.stderr)")

            if view.afterSaleCase?.status == .requested {
                let approved = try await gateway(["approve", caseID, "--as", "agent:alice", "--merchant-at-fault"])
                #expect(approved.status == 0, "\(approved.stderr)")
            }
            let shown = try await gateway(["case", caseID, "--as", "agent:alice"])
            #expect(try GatewayV1.CaseView(jsonString: shown.stdout).afterSaleCase?.status == .awaitingShipment)

            let badRole = try await gateway(["case", caseID, "--as", "boss:me"])
            #expect(badRole.status != 0 && badRole.stderr.contains("--as"), "\(badRole.stderr)")
            let badResolution = try await gateway(["resolve", caseID, "--as", "agent:alice", "--resolution", "cash"])
            #expect(badResolution.status != 0 && badResolution.stderr.contains("--resolution"), "\(badResolution.stderr)")
            let after = try await gateway(["case", caseID, "--as", "agent:alice"])
            #expect(try GatewayV1.CaseView(jsonString: after.stdout).afterSaleCase?.version == GatewayV1.CaseView(jsonString: shown.stdout).afterSaleCase?.version,
                    "refused commands changed nothing")
        }
    }
}
