import AfterSaleTestSupport
import Foundation
import LogisticsService
import RPCShared
import Testing

/// Bad input for every method: the exact status code, a message naming the field, and nothing stored.
@Suite(.serialized) struct LogisticsBadInputTests {
    typealias Client = LogisticsV1.LogisticsService.Client
    typealias Call = @Sendable (Client, String) async throws -> Void

    struct Case: Sendable, CustomTestStringConvertible {
        let name: String
        let code: StatusCode
        /// Text the message must contain (the field, or the resource).
        let mentions: String
        let call: Call
        var testDescription: String { name }
    }

    static let long = String(repeating: "x", count: 300)
    static let longText = String(repeating: "x", count: 4_001)

    static func create(_ change: @escaping @Sendable (inout LogisticsV1.CreateShipmentRequest) -> Void) -> Call {
        { client, _ in
            var request = Fixtures.reverse()
            change(&request)
            _ = try await client.createShipment(request, options: .mutating())
        }
    }

    static func track(_ change: @escaping @Sendable (inout LogisticsV1.RecordTrackingEventRequest) -> Void) -> Call {
        { client, id in
            var request = LogisticsV1.RecordTrackingEventRequest(shipmentID: id, event: Fixtures.event("e", .pickedUp, at: 10))
            change(&request)
            _ = try await client.recordTrackingEvent(request, options: .mutating())
        }
    }

    static func recommend(_ change: @escaping @Sendable (inout LogisticsV1.RecommendMethodRequest) -> Void) -> Call {
        { client, _ in
            var request = LogisticsV1.RecommendMethodRequest(originRegion: "CN", destinationRegion: "CN", weightGrams: 1_000, currency: "CNY")
            change(&request)
            _ = try await client.recommendMethod(request)
        }
    }

    static let cases: [Case] = [
        // ListCarriers
        .init(name: "carriers: bad region", code: .invalidArgument, mentions: "region") { c, _ in _ = try await c.listCarriers(.init(region: "china")) },
        .init(name: "carriers: unknown method", code: .invalidArgument, mentions: "method") { c, _ in _ = try await c.listCarriers(.init(method: .init(rawValue: 9))) },
        .init(name: "carriers: negative page size", code: .invalidArgument, mentions: "page.page_size") { c, _ in _ = try await c.listCarriers(.init(page: .init(pageSize: -1))) },
        .init(name: "carriers: forged token", code: .invalidArgument, mentions: "page.page_token") { c, _ in _ = try await c.listCarriers(.init(page: .init(pageToken: "bm9wZQ"))) },
        // RecommendMethod
        .init(name: "recommend: no origin", code: .invalidArgument, mentions: "origin_region", call: recommend { $0.originRegion = "" }),
        .init(name: "recommend: wildcard destination", code: .invalidArgument, mentions: "destination_region", call: recommend { $0.destinationRegion = "*" }),
        .init(name: "recommend: zero weight", code: .invalidArgument, mentions: "weight_grams", call: recommend { $0.weightGrams = 0 }),
        .init(name: "recommend: negative weight", code: .invalidArgument, mentions: "weight_grams", call: recommend { $0.weightGrams = -5 }),
        .init(name: "recommend: bad currency", code: .invalidArgument, mentions: "currency", call: recommend { $0.currency = "yuan" }),
        .init(name: "recommend: unknown preference", code: .invalidArgument, mentions: "preference", call: recommend { $0.preference = .init(rawValue: 7) }),
        .init(name: "recommend: unspecified method", code: .invalidArgument, mentions: "allowed_methods[0]", call: recommend { $0.allowedMethods = [.unspecified] }),
        // CreateShipment
        .init(name: "create: no kind", code: .invalidArgument, mentions: "kind", call: create { $0.kind = .unspecified }),
        .init(name: "create: no order", code: .invalidArgument, mentions: "order_id", call: create { $0.orderID = "" }),
        .init(name: "create: reverse without case", code: .invalidArgument, mentions: "case_id", call: create { $0.caseID = "" }),
        .init(name: "create: outbound with case", code: .invalidArgument, mentions: "case_id", call: create { $0.kind = .outbound }),
        .init(name: "create: oversize order id", code: .invalidArgument, mentions: "order_id", call: create { $0.orderID = long }),
        .init(name: "create: no origin", code: .invalidArgument, mentions: "origin", call: create { $0.origin = nil }),
        .init(name: "create: bad destination country", code: .invalidArgument, mentions: "destination.country", call: create { $0.destination?.country = "China" }),
        .init(name: "create: oversize city", code: .invalidArgument, mentions: "origin.city", call: create { $0.origin?.city = long }),
        .init(name: "create: negative weight", code: .invalidArgument, mentions: "weight_grams", call: create { $0.weightGrams = -1 }),
        .init(name: "create: negative quantity", code: .invalidArgument, mentions: "items[0].quantity", call: create { $0.items[0].quantity = -2 }),
        .init(name: "create: item without sku", code: .invalidArgument, mentions: "items[0].sku", call: create { $0.items[0].sku = "" }),
        .init(name: "create: unknown service", code: .notFound, mentions: "service_level/nope", call: create { $0.serviceCode = "nope" }),
        .init(name: "create: unknown carrier", code: .notFound, mentions: "carrier/nope", call: create { $0.serviceCode = ""; $0.carrierID = "nope" }),
        .init(name: "create: carrier/service mismatch", code: .invalidArgument, mentions: "carrier_id", call: create { $0.carrierID = "dhl" }),
        .init(name: "create: method mismatch", code: .invalidArgument, mentions: "method", call: create { $0.method = .dropOff }),
        .init(name: "create: over the weight limit", code: .invalidArgument, mentions: "service_code", call: create { $0.weightGrams = 60_000 }),
        .init(name: "create: region not served", code: .invalidArgument, mentions: "origin US not served", call: create { $0.serviceCode = "sf-pickup-std"; $0.carrierID = ""; $0.origin?.country = "US"; $0.origin?.region = "" }),
        .init(name: "create: inactive carrier", code: .failedPrecondition, mentions: "yto", call: create { $0.serviceCode = "yto-pickup"; $0.carrierID = "" }),
        .init(name: "create: ambiguous currency", code: .invalidArgument, mentions: "service_code", call: create { $0.serviceCode = ""; $0.carrierID = ""; $0.origin?.country = "JP"; $0.origin?.region = "" }),
        .init(name: "create: nothing can carry it", code: .failedPrecondition, mentions: "no service level", call: create { $0.serviceCode = ""; $0.carrierID = ""; $0.weightGrams = 900_000 }),
        .init(name: "create: no idempotency key", code: .invalidArgument, mentions: "metadata.idempotency-key") { c, _ in _ = try await c.createShipment(Fixtures.reverse()) },
        // GetShipment
        .init(name: "get: no id", code: .invalidArgument, mentions: "shipment_id") { c, _ in _ = try await c.getShipment(.init()) },
        .init(name: "get: unknown id", code: .notFound, mentions: "shipment/shp_nope") { c, _ in _ = try await c.getShipment(.init(shipmentID: "shp_nope")) },
        .init(name: "get: id with spaces", code: .invalidArgument, mentions: "shipment_id") { c, _ in _ = try await c.getShipment(.init(shipmentID: "a b")) },
        // ListShipments
        .init(name: "list: unknown kind", code: .invalidArgument, mentions: "kind") { c, _ in _ = try await c.listShipments(.init(kind: .init(rawValue: 42))) },
        .init(name: "list: unspecified status", code: .invalidArgument, mentions: "statuses[0]") { c, _ in _ = try await c.listShipments(.init(statuses: [.unspecified])) },
        .init(name: "list: oversize case id", code: .invalidArgument, mentions: "case_id") { c, _ in _ = try await c.listShipments(.init(caseID: long)) },
        // RecordTrackingEvent
        .init(name: "track: no event", code: .invalidArgument, mentions: "event", call: track { $0.event = nil }),
        .init(name: "track: no carrier event id", code: .invalidArgument, mentions: "event.carrier_event_id", call: track { $0.event?.carrierEventID = "" }),
        .init(name: "track: canceled by a carrier", code: .invalidArgument, mentions: "event.status", call: track { $0.event?.status = .canceled }),
        .init(name: "track: unknown status", code: .invalidArgument, mentions: "event.status", call: track { $0.event?.status = .init(rawValue: 99) }),
        .init(name: "track: no time", code: .invalidArgument, mentions: "event.occurred_at", call: track { $0.event?.occurredAt = nil }),
        .init(name: "track: oversize detail", code: .invalidArgument, mentions: "event.detail", call: track { $0.event?.detail = longText }),
        .init(name: "track: negative version", code: .invalidArgument, mentions: "expected_version", call: track { $0.expectedVersion = -1 }),
        .init(name: "track: unknown shipment", code: .notFound, mentions: "shipment/shp_nope", call: track { $0.shipmentID = "shp_nope" }),
        .init(name: "track: stale version", code: .aborted, mentions: "version", call: track { $0.expectedVersion = 9 }),
        // CancelShipment
        .init(name: "cancel: no id", code: .invalidArgument, mentions: "shipment_id") { c, _ in _ = try await c.cancelShipment(.init(), options: .mutating()) },
        .init(name: "cancel: oversize reason", code: .invalidArgument, mentions: "reason") { c, id in _ = try await c.cancelShipment(.init(shipmentID: id, reason: longText), options: .mutating()) },
        .init(name: "cancel: unknown shipment", code: .notFound, mentions: "shipment/shp_nope") { c, _ in _ = try await c.cancelShipment(.init(shipmentID: "shp_nope"), options: .mutating()) },
        .init(name: "cancel: stale version", code: .aborted, mentions: "version") { c, id in _ = try await c.cancelShipment(.init(shipmentID: id, expectedVersion: 3), options: .mutating()) },
        // ConfigureSimulator
        .init(name: "configure: no config", code: .invalidArgument, mentions: "config") { c, _ in _ = try await c.configureSimulator(.init(), options: .mutating()) },
        .init(name: "configure: rate above 100 %", code: .invalidArgument, mentions: "config.exception_rate_bp") { c, _ in _ = try await c.configureSimulator(.init(config: .init(exceptionRateBp: 10_001)), options: .mutating()) },
        .init(name: "configure: negative tick", code: .invalidArgument, mentions: "config.tick_millis") { c, _ in _ = try await c.configureSimulator(.init(config: .init(tickMillis: -5)), options: .mutating()) },
        // AdvanceSimulation
        .init(name: "advance: negative steps", code: .invalidArgument, mentions: "steps") { c, _ in _ = try await c.advanceSimulation(.init(steps: -1), options: .mutating()) },
        .init(name: "advance: too many steps", code: .invalidArgument, mentions: "steps") { c, _ in _ = try await c.advanceSimulation(.init(steps: 1_000), options: .mutating()) },
        .init(name: "advance: until canceled", code: .invalidArgument, mentions: "until_status") { c, _ in _ = try await c.advanceSimulation(.init(untilStatus: .canceled), options: .mutating()) },
        .init(name: "advance: bad now", code: .invalidArgument, mentions: "now") { c, _ in _ = try await c.advanceSimulation(.init(now: .init(seconds: -1, nanos: 0)), options: .mutating()) },
        .init(name: "advance: unknown shipment", code: .notFound, mentions: "shipment/shp_nope") { c, _ in _ = try await c.advanceSimulation(.init(shipmentID: "shp_nope"), options: .mutating()) },
    ]

    @Test(arguments: LogisticsBadInputTests.cases)
    func badInputIsRefusedAndChangesNothing(_ badCase: Case) async throws {
        let fixture = try await LogisticsFixture.start()
        defer { Task { await fixture.stop() } }
        let existing = try await fixture.client.createShipment(Fixtures.reverse(caseID: "case_existing"), options: .mutating())
        let before = try await fixture.snapshot()
        let error = await rpcError { try await badCase.call(fixture.client, existing.id) }
        #expect(error?.code == badCase.code, "\(String(describing: error))")
        #expect(error?.message.contains(badCase.mentions) == true
                || error?.errorDetails?.resource.contains(badCase.mentions) == true, "\(String(describing: error))")
        if badCase.code == .invalidArgument && !badCase.mentions.contains(" ") {
            #expect(error?.errorDetails?.fieldViolations.contains { $0.field.hasPrefix(badCase.mentions) } == true,
                    "\(String(describing: error?.errorDetails))")
        }
        #expect(try await fixture.snapshot() == before)
    }
}
