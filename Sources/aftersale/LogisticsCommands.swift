import ArgumentParser
import Foundation
import LogisticsService
import RPCShared
import ServiceRuntime

/// `aftersale serve logistics`.
struct ServeLogisticsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "logistics", abstract: "LogisticsService, shipments and carrier choice.")
    @OptionGroup var options: ServeOptions
    @Option(name: .customLong("order-addr"), help: "OrderService address, for MarkShipped/MarkDelivered (or AFTERSALE_ORDER_ADDR).")
    var orderAddress: String?
    @Option(help: "Carrier catalogue file (ListCarriersResponse JSON); default: the built-in catalogue.")
    var carriers: String?

    func run() async throws {
        let settings = try options.settings("logistics", peers: ["order": orderAddress])
        do {
            try await LogisticsServiceApp.run(settings, catalogue: LogisticsServiceApp.catalogue(file: carriers))
        } catch let error as ServiceSettingsError {
            throw CLIError("serve logistics: \(error)")
        }
    }
}

/// `aftersale logistics …`: the logistics service's debugging client.
struct LogisticsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "logistics", abstract: "Debugging client for LogisticsService, shipments and carrier choice.",
        subcommands: [Carriers.self, Recommend.self, CreateShipment.self, Shipment.self, Shipments.self, Track.self,
                      Cancel.self, SimulateConfigure.self, SimulateAdvance.self])

    struct Carriers: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List carriers and their service levels.")
        @OptionGroup var client: ServiceClientOptions
        @Option(help: "Only carriers serving this region (CN, CN-GD).") var region = ""
        @Option(help: "Only carriers offering this method: pickup, drop-off, prepaid-label.") var method: String?
        @Flag(help: "Include inactive carriers.") var includeInactive = false
        @Option(help: "Page size (0 = 50).") var pageSize: Int32 = 0
        @Option(help: "next_page_token of the previous page.") var pageToken = ""

        func run() async throws {
            let request = LogisticsV1.ListCarriersRequest(
                page: .init(pageSize: pageSize, pageToken: pageToken), region: region,
                method: try method.map { try parseEnum($0, prefix: "SHIPPING_METHOD_") } ?? .unspecified,
                includeInactive: includeInactive)
            try await client.run("logistics") { rpc in
                try await LogisticsV1.LogisticsService.Client(transport: rpc).listCarriers(request, options: client.callOptions())
            }
        }
    }

    struct Recommend: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Recommend a shipping method, explaining the choice.")
        @OptionGroup var client: ServiceClientOptions
        @Option(help: "Origin region (CN, CN-GD, DE).") var from: String
        @Option(help: "Destination region.") var to: String
        @Option(help: "Parcel weight in grams.") var weight: Int32
        @Option(help: "ISO 4217 currency the costs are compared in.") var currency: String
        @Option(help: "cheapest, fastest or balanced (default).") var preference = "balanced"
        @Option(help: "Allowed method (repeatable): pickup, drop-off, prepaid-label. Default: all.") var method: [String] = []

        func run() async throws {
            let request = LogisticsV1.RecommendMethodRequest(
                originRegion: from, destinationRegion: to, weightGrams: weight, currency: currency,
                preference: try parseEnum(preference, prefix: "SHIPPING_PREFERENCE_"),
                allowedMethods: try method.map { try parseEnum($0, prefix: "SHIPPING_METHOD_") })
            try await client.run("logistics") { rpc in
                try await LogisticsV1.LogisticsService.Client(transport: rpc).recommendMethod(request, options: client.callOptions())
            }
        }
    }

    struct CreateShipment: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "create-shipment", abstract: "Book a shipment from a CreateShipmentRequest JSON (or - for stdin).")
        @OptionGroup var client: ServiceClientOptions
        @Argument(help: #"e.g. {"kind":"SHIPMENT_KIND_REVERSE","orderId":"o1","caseId":"c1","carrierId":"simulator", …}"#)
        var request: String

        func run() async throws {
            let request = try parseJSON(request, as: LogisticsV1.CreateShipmentRequest.self)
            try await client.run("logistics") { rpc in
                try await LogisticsV1.LogisticsService.Client(transport: rpc).createShipment(request, options: client.callOptions(mutating: true))
            }
        }
    }

    struct Shipment: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show a shipment with its tracking events.")
        @OptionGroup var client: ServiceClientOptions
        @Argument var shipmentID: String

        func run() async throws {
            try await client.run("logistics") { rpc in
                try await LogisticsV1.LogisticsService.Client(transport: rpc).getShipment(.init(shipmentID: shipmentID), options: client.callOptions())
            }
        }
    }

    struct Shipments: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List shipments, newest first.")
        @OptionGroup var client: ServiceClientOptions
        @Option var order = ""
        @Option(name: .customLong("case")) var caseID = ""
        @Option(help: "outbound, reverse or replacement.") var kind: String?
        @Option(help: "Status filter (repeatable), e.g. in-transit.") var status: [String] = []
        @Option(help: "Page size (0 = 50).") var pageSize: Int32 = 0
        @Option(help: "next_page_token of the previous page.") var pageToken = ""

        func run() async throws {
            let request = LogisticsV1.ListShipmentsRequest(
                page: .init(pageSize: pageSize, pageToken: pageToken), orderID: order, caseID: caseID,
                kind: try kind.map { try parseEnum($0, prefix: "SHIPMENT_KIND_") } ?? .unspecified,
                statuses: try status.map { try parseEnum($0, prefix: "SHIPMENT_STATUS_") })
            try await client.run("logistics") { rpc in
                try await LogisticsV1.LogisticsService.Client(transport: rpc).listShipments(request, options: client.callOptions())
            }
        }
    }

    struct Track: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Record a carrier tracking event (as a carrier webhook would).")
        @OptionGroup var client: ServiceClientOptions
        @Argument var shipmentID: String
        @Option(help: "The carrier's event id (de-duplication key).") var eventID: String
        @Option(help: "picked-up, in-transit, out-for-delivery, delivered, exception, returned-to-sender.") var status: String
        @Option(help: "Carrier time, ISO 8601 (default: now).") var at: String?
        @Option var location = ""
        @Option var detail = ""
        @Option var expectedVersion: Int64 = 0

        func run() async throws {
            var time = Date()
            if let at {
                guard let parsed = ISO8601DateFormatter().date(from: at) else { throw CLIError("--at: '\(at)' is not an ISO 8601 time such as 2025-03-01T12:00:00Z") }
                time = parsed
            }
            let request = LogisticsV1.RecordTrackingEventRequest(
                shipmentID: shipmentID, expectedVersion: expectedVersion,
                event: .init(carrierEventID: eventID, status: try parseEnum(status, prefix: "SHIPMENT_STATUS_"),
                             location: location, occurredAt: .init(time), detail: detail))
            try await client.run("logistics") { rpc in
                try await LogisticsV1.LogisticsService.Client(transport: rpc).recordTrackingEvent(request, options: client.callOptions(mutating: true))
            }
        }
    }

    struct Cancel: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Cancel a shipment that was not picked up yet.")
        @OptionGroup var client: ServiceClientOptions
        @Argument var shipmentID: String
        @Option var reason = ""
        @Option var expectedVersion: Int64 = 0

        func run() async throws {
            let request = LogisticsV1.CancelShipmentRequest(shipmentID: shipmentID, expectedVersion: expectedVersion, reason: reason)
            try await client.run("logistics") { rpc in
                try await LogisticsV1.LogisticsService.Client(transport: rpc).cancelShipment(request, options: client.callOptions(mutating: true))
            }
        }
    }

    struct SimulateConfigure: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "simulate-configure", abstract: "Configure the carrier simulator.")
        @OptionGroup var client: ServiceClientOptions
        @Option(help: "Automatic step interval in ms (0 = only simulate-advance moves shipments).") var tickMs: Int64 = 0
        @Option(help: "Chance of an EXCEPTION per step, in basis points (100 = 1 %).") var exceptionRateBp: Int32 = 0
        @Option(help: "Random seed, for reproducible runs.") var seed: Int64 = 0

        func run() async throws {
            let request = LogisticsV1.ConfigureSimulatorRequest(config: .init(tickMillis: tickMs, exceptionRateBp: exceptionRateBp, seed: seed))
            try await client.run("logistics") { rpc in
                try await LogisticsV1.LogisticsService.Client(transport: rpc).configureSimulator(request, options: client.callOptions(mutating: true))
            }
        }
    }

    struct SimulateAdvance: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "simulate-advance", abstract: "Move simulated shipments forward.")
        @OptionGroup var client: ServiceClientOptions
        @Option(help: "One shipment (default: every open simulated shipment).") var shipment = ""
        @Option(help: "Steps per shipment (default 1).") var steps: Int32 = 0
        @Option(help: "Step until this status (delivered, exception, returned-to-sender, …) instead.") var until: String?

        func run() async throws {
            let request = LogisticsV1.AdvanceSimulationRequest(
                shipmentID: shipment, steps: steps,
                untilStatus: try until.map { try parseEnum($0, prefix: "SHIPMENT_STATUS_") } ?? .unspecified)
            try await client.run("logistics") { rpc in
                try await LogisticsV1.LogisticsService.Client(transport: rpc).advanceSimulation(request, options: client.callOptions(mutating: true))
            }
        }
    }
}

/// `pickup`, `PREPAID_LABEL`, `prepaid-label` or the full `SHIPPING_METHOD_PICKUP` → the enum value.
fileprivate func parseEnum<E: ProtoEnum>(_ text: String, prefix: String) throws -> E {
    let upper = text.uppercased().replacingOccurrences(of: "-", with: "_")
    guard let value = E(protoName: upper.hasPrefix(prefix) ? upper : prefix + upper), value.rawValue != 0 else {
        throw CLIError("'\(text)' is not one of: \(allNames(E.self, prefix: prefix))")
    }
    return value
}

fileprivate func allNames<E: ProtoEnum>(_ type: E.Type, prefix: String) -> String {
    E.allCases.filter { $0.rawValue != 0 }.compactMap(\.protoName).map {
        $0.dropFirst(prefix.count).lowercased().replacingOccurrences(of: "_", with: "-")
    }.joined(separator: ", ")
}
