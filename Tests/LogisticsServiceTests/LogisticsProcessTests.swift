import AfterSaleTestSupport
import Foundation
import LogisticsService
import RPCShared
import Testing

/// The real `aftersale serve logistics` process, driven through the `aftersale logistics …` CLI, with an
/// OrderService stand-in receiving its notifications; killed and restarted on the same data.
@Suite(.serialized) struct LogisticsProcessTests {
    static func cli(_ arguments: [String], stdin: String? = nil) async throws -> CLIResult {
        try await runAfterSale(arguments, stdin: stdin)
    }

    static func field(_ name: String, in json: String) -> String? {
        guard let range = json.range(of: "\"\(name)\": \"") else { return nil }
        return String(json[range.upperBound...].prefix { $0 != "\"" })
    }

    @Test func serveAndDriveThroughTheCLI() async throws {
        let data = try TemporaryDirectory("logistics-process")
        defer { data.remove() }
        let peer = RecordingOrderService()
        let order = try await ServedServices.start([peer.serviceDefinition])
        defer { Task { await order.stop() } }
        let socket = temporarySocketPath()
        let arguments = ["serve", "logistics", "--listen", "unix://\(socket)", "--data", data.path,
                         "--order-addr", order.endpoint.description]
        let service = try await ServiceProcess.start(arguments)
        defer { Task { await service.kill() } }
        let addr = ["--addr", service.address]

        let carriers = try await Self.cli(["logistics", "carriers", "--region", "US", "--method", "prepaid-label"] + addr)
        #expect(carriers.status == 0, "\(carriers.stderr)")
        #expect(carriers.stdout.contains("\"usps-ground-label\"") && !carriers.stdout.contains("\"sf-pickup-std\""))

        let recommend = try await Self.cli(["logistics", "recommend", "--from", "CN-GD", "--to", "CN", "--weight", "1200",
                                            "--currency", "CNY", "--preference", "cheapest"] + addr)
        #expect(recommend.status == 0, "\(recommend.stderr)")
        #expect(recommend.stdout.contains("cainiao-station"))

        let request = #"{"kind":"SHIPMENT_KIND_REVERSE","orderId":"ord_9","caseId":"case_9","carrierId":"simulator","serviceCode":"sim-pickup","origin":{"city":"Shenzhen","country":"CN"},"destination":{"city":"Shanghai","country":"CN"},"weightGrams":1500}"#
        let created = try await Self.cli(["logistics", "create-shipment", "-"] + addr, stdin: request)
        #expect(created.status == 0, "\(created.stderr)")
        let id = try #require(Self.field("id", in: created.stdout))

        _ = try await Self.cli(["logistics", "simulate-configure", "--seed", "3"] + addr)
        let advanced = try await Self.cli(["logistics", "simulate-advance", "--shipment", id, "--until", "picked-up"] + addr)
        #expect(advanced.status == 0, "\(advanced.stderr)")
        #expect(advanced.stdout.contains("SHIPMENT_STATUS_PICKED_UP"))

        // The process's background sender tells OrderService, with the contract key.
        for _ in 0..<100 where peer.shipped.isEmpty { try await Task.sleep(for: .milliseconds(50)) }
        #expect(peer.shipped.map(\.key) == ["shipped:\(id)"])

        let late = try await Self.cli(["logistics", "cancel", id] + addr)
        #expect(late.status == StatusCode.failedPrecondition.rawValue)
        #expect(late.stderr.contains("FAILED_PRECONDITION") && late.stderr.split(separator: "\n").count == 1, "\(late.stderr)")
        let bad = try await Self.cli(["logistics", "track", id, "--event-id", "x", "--status", "teleported"] + addr)
        #expect(bad.status != 0 && bad.stderr.contains("'teleported' is not one of"))

        // A crash loses nothing acknowledged.
        await service.kill()
        let restarted = try await ServiceProcess.start(arguments)
        defer { Task { await restarted.stop() } }
        let shown = try await Self.cli(["logistics", "shipment", id, "--addr", restarted.address])
        #expect(shown.status == 0, "\(shown.stderr)")
        #expect(shown.stdout.contains("SHIPMENT_STATUS_PICKED_UP"))
        let tracked = try await Self.cli(["logistics", "track", id, "--event-id", "carrier-77", "--status", "in-transit",
                                          "--addr", restarted.address])
        #expect(tracked.stdout.contains("carrier-77") && tracked.stdout.contains("SHIPMENT_STATUS_IN_TRANSIT"))
        let listed = try await Self.cli(["logistics", "shipments", "--case", "case_9", "--addr", restarted.address])
        #expect(listed.stdout.contains(id))
        // At least once: a resend after the crash carries the same key, so OrderService applies it once.
        #expect(Set(peer.shipped.map(\.key)) == ["shipped:\(id)"])
    }
}
