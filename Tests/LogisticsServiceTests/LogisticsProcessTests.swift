import AfterSaleTestSupport
import Foundation
import LogisticsService
import RPCShared
import Testing

/// The real `aftersale serve logistics` process, driven through the `aftersale call` CLI, with an
/// OrderService stand-in receiving its notifications; killed and restarted on the same data.
@Suite(.serialized) struct LogisticsProcessTests {
    static func cli(_ address: String, _ method: String, _ json: String, stdin: String? = nil) async throws -> CLIResult {
        try await runCall(address, "aftersale.logistics.v1.LogisticsService.\(method)", json, stdin: stdin)
    }

    /// A tracking event request as the carrier would report it.
    static func track(_ id: String, event: String, status: String) -> String {
        #"{"shipmentId":"\#(id)","event":{"carrierEventId":"\#(event)","status":"\#(status)","occurredAt":"2026-03-01T12:00:00Z"}}"#
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
        let address = service.address

        let carriers = try await Self.cli(address, "ListCarriers", #"{"region":"US","method":"SHIPPING_METHOD_PREPAID_LABEL"}"#)
        #expect(carriers.status == 0, "\(carriers.stderr)")
        #expect(carriers.stdout.contains("\"usps-ground-label\"") && !carriers.stdout.contains("\"sf-pickup-std\""))

        let recommend = try await Self.cli(address, "RecommendMethod", #"{"originRegion":"CN-GD","destinationRegion":"CN","weightGrams":1200,"currency":"CNY","preference":"SHIPPING_PREFERENCE_CHEAPEST"}"#)
        #expect(recommend.status == 0, "\(recommend.stderr)")
        #expect(recommend.stdout.contains("cainiao-station"))

        let request = #"{"kind":"SHIPMENT_KIND_REVERSE","orderId":"ord_9","caseId":"case_9","carrierId":"simulator","serviceCode":"sim-pickup","origin":{"city":"Shenzhen","country":"CN"},"destination":{"city":"Shanghai","country":"CN"},"weightGrams":1500}"#
        let created = try await Self.cli(address, "CreateShipment", "-", stdin: request)
        #expect(created.status == 0, "\(created.stderr)")
        let id = try #require(Self.field("id", in: created.stdout))

        _ = try await Self.cli(address, "ConfigureSimulator", #"{"config":{"seed":"3"}}"#)
        let advanced = try await Self.cli(address, "AdvanceSimulation", #"{"shipmentId":"\#(id)","untilStatus":"SHIPMENT_STATUS_PICKED_UP"}"#)
        #expect(advanced.status == 0, "\(advanced.stderr)")
        #expect(advanced.stdout.contains("SHIPMENT_STATUS_PICKED_UP"))

        // The process's background sender tells OrderService, with the contract key.
        for _ in 0..<100 where peer.shipped.isEmpty { try await Task.sleep(for: .milliseconds(50)) }
        #expect(peer.shipped.map(\.key) == ["shipped:\(id)"])

        let late = try await Self.cli(address, "CancelShipment", #"{"shipmentId":"\#(id)"}"#)
        #expect(late.status == StatusCode.failedPrecondition.rawValue)
        #expect(late.stderr.contains("FAILED_PRECONDITION") && late.stderr.split(separator: "\n").count == 1, "\(late.stderr)")
        let bad = try await Self.cli(address, "RecordTrackingEvent", Self.track(id, event: "x", status: "SHIPMENT_STATUS_TELEPORTED"))
        #expect(bad.status == 65 && bad.stderr.contains("SHIPMENT_STATUS_TELEPORTED"), "\(bad.stderr)")

        // A crash loses nothing acknowledged.
        await service.kill()
        let restarted = try await ServiceProcess.start(arguments)
        defer { Task { await restarted.stop() } }
        let shown = try await Self.cli(restarted.address, "GetShipment", #"{"shipmentId":"\#(id)"}"#)
        #expect(shown.status == 0, "\(shown.stderr)")
        #expect(shown.stdout.contains("SHIPMENT_STATUS_PICKED_UP"))
        let tracked = try await Self.cli(restarted.address, "RecordTrackingEvent",
                                         Self.track(id, event: "carrier-77", status: "SHIPMENT_STATUS_IN_TRANSIT"))
        #expect(tracked.stdout.contains("carrier-77") && tracked.stdout.contains("SHIPMENT_STATUS_IN_TRANSIT"))
        let listed = try await Self.cli(restarted.address, "ListShipments", #"{"caseId":"case_9"}"#)
        #expect(listed.stdout.contains(id))
        // At least once: a resend after the crash carries the same key, so OrderService applies it once.
        #expect(Set(peer.shipped.map(\.key)) == ["shipped:\(id)"])
    }
}
