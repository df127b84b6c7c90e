import Foundation
import GRDB
import RPCShared
import ServiceRuntime

/// `aftersale.logistics.v1.LogisticsService`: validate → domain (``MethodRecommender``,
/// ``ShipmentStateMachine``, ``CarrierSimulator``) → storage (``ShipmentStore``) → proto.
public struct LogisticsHandler: LogisticsV1.LogisticsService.Handler {
    public let database: ServiceDatabase
    public let catalogue: CarrierCatalogue
    public let clock: ServiceClock
    let relay: OutboxRelay?

    /// Heaviest parcel a request may describe (1 t): beyond any carrier, and far from Int32 overflow.
    public static let maxWeightGrams: Int32 = 1_000_000
    /// Most steps one AdvanceSimulation may ask for per shipment.
    public static let maxSteps: Int32 = 100

    public init(database: ServiceDatabase, catalogue: CarrierCatalogue, clock: ServiceClock = .system,
                relay: OutboxRelay? = nil) {
        self.database = database
        self.catalogue = catalogue
        self.clock = clock
        self.relay = relay
    }

    // MARK: Carriers and method choice

    public func listCarriers(_ request: LogisticsV1.ListCarriersRequest,
                             context: ServerContext) async throws -> LogisticsV1.ListCarriersResponse {
        var check = FieldValidator()
        if !request.region.isEmpty && !CarrierCatalogue.isRegion(request.region) {
            check.fail("region", "must be an ISO 3166 code such as CN or CN-GD, got '\(request.region.prefix(40))'")
        }
        Self.optionalEnum(request.method, "method", &check)
        try check.validate()
        let size = try PageCursor.pageSize(request.page)
        let query = "carriers|\(request.region)|\(request.method.rawValue)|\(request.includeInactive)"
        let cursor = try PageCursor.decode(request.page, query: query)
        let matching = catalogue.carriers.filter { carrier in
            (request.includeInactive || carrier.active)
                && (request.region.isEmpty || CarrierCatalogue.carrier(carrier, touches: request.region))
                && (request.method == .unspecified || carrier.serviceLevels.contains { $0.method == request.method })
                && (cursor.map { carrier.id > $0.id } ?? true)
        }
        let page = PageCursor.page(Array(matching.prefix(size + 1)), size: size, query: query) { PageCursor(key: $0.id, id: $0.id) }
        return .init(carriers: page.rows, page: page.page)
    }

    public func recommendMethod(_ request: LogisticsV1.RecommendMethodRequest,
                                context: ServerContext) async throws -> LogisticsV1.RecommendMethodResponse {
        var check = FieldValidator()
        Self.region(request.originRegion, "origin_region", &check)
        Self.region(request.destinationRegion, "destination_region", &check)
        check.range(request.weightGrams, 1...Self.maxWeightGrams, "weight_grams")
        check.currency(request.currency, "currency")
        Self.optionalEnum(request.preference, "preference", &check)
        check.count(request.allowedMethods, "allowed_methods", max: 16)
        for (index, method) in request.allowedMethods.enumerated() { check.known(method, "allowed_methods[\(index)]") }
        try check.validate()
        return MethodRecommender.recommend(.init(request), catalogue: catalogue)
    }

    // MARK: Shipments

    public func createShipment(_ request: LogisticsV1.CreateShipmentRequest,
                               context: ServerContext) async throws -> LogisticsV1.Shipment {
        var check = FieldValidator()
        check.known(request.kind, "kind")
        check.identifier(request.orderID, "order_id")
        switch request.kind {
        case .reverse, .replacement: check.identifier(request.caseID, "case_id")
        case .outbound: check.require(request.caseID.isEmpty, "case_id", "must be empty for an OUTBOUND shipment")
        default: check.optionalIdentifier(request.caseID, "case_id")
        }
        check.optionalIdentifier(request.carrierID, "carrier_id")
        check.optionalIdentifier(request.serviceCode, "service_code")
        Self.optionalEnum(request.method, "method", &check)
        Self.address(request.origin, "origin", &check)
        Self.address(request.destination, "destination", &check)
        check.range(request.weightGrams, 1...Self.maxWeightGrams, "weight_grams")
        check.count(request.items, "items")
        for (index, item) in request.items.enumerated() {
            check.identifier(item.sku, "items[\(index)].sku")
            check.positive(item.quantity, "items[\(index)].quantity")
            check.optionalIdentifier(item.orderLineID, "items[\(index)].order_line_id")
        }
        try check.validate()
        let (carrier, level, cost) = try choose(request)
        let now = clock.now()
        let shipment = try await database.idempotent(request, context: context, clock: clock) { db in
            let id = Identifier.make("shp", at: now)
            let sequence = try ShipmentStore.nextSequence(db, carrierID: carrier.id)
            let label: CarrierLabel
            if let gateway = try gateway(for: carrier.id, db) {
                label = try gateway.createLabel(.init(shipmentID: id, serviceCode: level.code, method: level.method,
                                                      weightGrams: request.weightGrams, origin: request.origin,
                                                      destination: request.destination, sequence: sequence))
            } else {
                label = .offline(carrierID: carrier.id, sequence: sequence, method: level.method, shipmentID: id)
            }
            let created = CommonV1.Timestamp(now)
            let shipment = LogisticsV1.Shipment(
                id: id, kind: request.kind, status: .labelCreated, orderID: request.orderID, caseID: request.caseID,
                carrierID: carrier.id, serviceCode: level.code, method: level.method,
                trackingNumber: label.trackingNumber, labelURL: label.labelURL, origin: request.origin,
                destination: request.destination, weightGrams: request.weightGrams, cost: cost, items: request.items,
                estimatedDeliveryAt: CommonV1.Timestamp(now.addingTimeInterval(Double(level.transitDaysMax) * 86_400)),
                version: 1, createdAt: created, updatedAt: created)
            try ShipmentStore.insert(db, shipment)
            try TrackingRecorder.statusChanged(db, shipment, now: now)
            return shipment
        }
        relay?.wake()
        return shipment
    }

    public func getShipment(_ request: LogisticsV1.GetShipmentRequest,
                            context: ServerContext) async throws -> LogisticsV1.Shipment {
        var check = FieldValidator()
        check.identifier(request.shipmentID, "shipment_id")
        try check.validate()
        return try await database.read { db in try ShipmentStore.require(db, request.shipmentID) }
    }

    public func listShipments(_ request: LogisticsV1.ListShipmentsRequest,
                              context: ServerContext) async throws -> LogisticsV1.ListShipmentsResponse {
        var check = FieldValidator()
        check.optionalIdentifier(request.orderID, "order_id")
        check.optionalIdentifier(request.caseID, "case_id")
        Self.optionalEnum(request.kind, "kind", &check)
        check.count(request.statuses, "statuses", max: 16)
        for (index, status) in request.statuses.enumerated() { check.known(status, "statuses[\(index)]") }
        try check.validate()
        var filter = ShipmentStore.Filter()
        filter.orderID = request.orderID
        filter.caseID = request.caseID
        filter.kind = request.kind.rawValue
        filter.statuses = request.statuses.map(\.rawValue)
        let size = try PageCursor.pageSize(request.page)
        let cursor = try PageCursor.decode(request.page, query: filter.query)
        let rows = try await database.read { [filter] db in try ShipmentStore.list(db, filter, after: cursor, limit: size + 1) }
        let page = PageCursor.page(rows, size: size, query: filter.query) {
            PageCursor(key: String($0.createdAt?.epochMicros ?? 0), id: $0.id)
        }
        return .init(shipments: page.rows, page: page.page)
    }

    public func recordTrackingEvent(_ request: LogisticsV1.RecordTrackingEventRequest,
                                    context: ServerContext) async throws -> LogisticsV1.Shipment {
        var check = FieldValidator()
        check.identifier(request.shipmentID, "shipment_id")
        check.nonNegative(request.expectedVersion, "expected_version")
        if let event = request.event {
            check.identifier(event.carrierEventID, "event.carrier_event_id")
            check.known(event.status, "event.status")
            if event.status == .canceled {
                check.fail("event.status", "CANCELED is set by CancelShipment, not by carrier events")
            }
            check.name(event.location, "event.location")
            check.timestamp(event.occurredAt, "event.occurred_at", required: true)
            check.text(event.detail, "event.detail")
        } else {
            check.fail("event", "is required")
        }
        try check.validate()
        let now = clock.now()
        let event = request.event ?? .init()
        let shipment = try await database.idempotent(request, context: context, clock: clock) { db in
            try TrackingRecorder.record(db, shipmentID: request.shipmentID, event: event,
                                        expectedVersion: request.expectedVersion, now: now).shipment
        }
        relay?.wake()
        return shipment
    }

    public func cancelShipment(_ request: LogisticsV1.CancelShipmentRequest,
                               context: ServerContext) async throws -> LogisticsV1.Shipment {
        var check = FieldValidator()
        check.identifier(request.shipmentID, "shipment_id")
        check.nonNegative(request.expectedVersion, "expected_version")
        check.text(request.reason, "reason", maxLength: FieldValidator.maxNameLength * 4)
        try check.validate()
        let now = clock.now()
        let shipment = try await database.idempotent(request, context: context, clock: clock) { db in
            var shipment = try ShipmentStore.require(db, request.shipmentID)
            try RPCError.checkVersion("shipment", shipment.id, expected: request.expectedVersion, current: shipment.version)
            if ShipmentStateMachine.wasPickedUp(shipment) || ShipmentStateMachine.isTerminal(shipment.status) && shipment.status != .canceled {
                throw Self.alreadyPickedUp(shipment)
            }
            try gateway(for: shipment.carrierID, db)?.cancelLabel(shipment)
            switch ShipmentStateMachine.cancel(&shipment, at: CommonV1.Timestamp(now)) {
            case .alreadyCanceled:
                return shipment
            case .forbidden:
                throw Self.alreadyPickedUp(shipment)
            case .canceled:
                try ShipmentStore.update(db, shipment, cancelReason: request.reason)
                try TrackingRecorder.statusChanged(db, shipment, now: now)
                return shipment
            }
        }
        relay?.wake()
        return shipment
    }

    // MARK: Simulator

    public func configureSimulator(_ request: LogisticsV1.ConfigureSimulatorRequest,
                                   context: ServerContext) async throws -> LogisticsV1.SimulatorConfig {
        var check = FieldValidator()
        if let config = request.config {
            if config.tickMillis != 0 { check.range(config.tickMillis, 50...86_400_000, "config.tick_millis") }
            check.range(config.exceptionRateBp, 0...10_000, "config.exception_rate_bp")
        } else {
            check.fail("config", "is required")
        }
        try check.validate()
        let config = request.config ?? .init()
        let now = clock.now()
        return try await database.idempotent(request, context: context, clock: clock) { db in
            try ShipmentStore.saveSimulatorConfig(db, config, at: now)
            return config
        }
    }

    public func advanceSimulation(_ request: LogisticsV1.AdvanceSimulationRequest,
                                  context: ServerContext) async throws -> LogisticsV1.AdvanceSimulationResponse {
        var check = FieldValidator()
        check.optionalIdentifier(request.shipmentID, "shipment_id")
        check.range(request.steps, 0...Self.maxSteps, "steps")
        Self.optionalEnum(request.untilStatus, "until_status", &check)
        if request.untilStatus == .labelCreated || request.untilStatus == .canceled {
            check.fail("until_status", "must be a status the simulator can reach (PICKED_UP … DELIVERED, EXCEPTION, RETURNED_TO_SENDER)")
        }
        check.timestamp(request.now, "now")
        try check.validate()
        let directive: CarrierSimulator.Directive = request.untilStatus == .unspecified
            ? .steps(Int(max(1, request.steps))) : .until(request.untilStatus)
        let now = clock.now()
        let start = request.now?.date ?? now
        let result = try await database.idempotent(request, context: context, clock: clock) { db in
            let shipments: [LogisticsV1.Shipment]
            if request.shipmentID.isEmpty {
                shipments = try ShipmentStore.open(db, carrierID: CarrierCatalogue.simulatorCarrierID,
                                                   limit: SimulationRunner.maxShipmentsPerCall)
            } else {
                let shipment = try ShipmentStore.require(db, request.shipmentID)
                guard shipment.carrierID == CarrierCatalogue.simulatorCarrierID else {
                    throw RPCError.failedPrecondition(
                        "NOT_SIMULATED", "shipment \(shipment.id) is carried by \(shipment.carrierID), not the simulator",
                        resource: "shipment/\(shipment.id)")
                }
                shipments = [shipment]
            }
            let result = try SimulationRunner.advance(db, shipments, directive, start: start, now: now)
            return LogisticsV1.AdvanceSimulationResponse(shipments: result.shipments, eventsEmitted: Int32(result.eventsEmitted))
        }
        relay?.wake()
        return result
    }

    // MARK: Helpers

    /// The gateway booking for `carrierID`: the simulator (configured as stored), or nil for carriers without
    /// a connected API.
    func gateway(for carrierID: String, _ db: Database) throws -> (any CarrierGateway)? {
        guard carrierID == CarrierCatalogue.simulatorCarrierID else { return nil }
        return CarrierSimulator(config: try ShipmentStore.simulatorConfig(db))
    }

    static func alreadyPickedUp(_ shipment: LogisticsV1.Shipment) -> RPCError {
        RPCError.failedPrecondition(
            "SHIPMENT_ALREADY_PICKED_UP",
            "shipment \(shipment.id) is \(shipment.status.protoName ?? "\(shipment.status.rawValue)") and was handed to the carrier; only a shipment not yet picked up can be canceled",
            resource: "shipment/\(shipment.id)", metadata: ["status": shipment.status.protoName ?? ""])
    }

    static func optionalEnum<E: ProtoEnum>(_ value: E, _ field: String, _ check: inout FieldValidator) {
        if value.rawValue != 0 { check.known(value, field) }
    }

    static func region(_ value: String, _ field: String, _ check: inout FieldValidator) {
        if value.isEmpty { return check.fail(field, "is required") }
        if !CarrierCatalogue.isRegion(value) {
            check.fail(field, "must be an ISO 3166 code such as CN or CN-GD, got '\(value.prefix(40))'")
        }
    }

    static func address(_ value: CommonV1.Address?, _ field: String, _ check: inout FieldValidator) {
        guard let value else { return check.fail(field, "is required") }
        check.name(value.name, field + ".name")
        check.count(value.lines, field + ".lines", max: 8)
        for (index, line) in value.lines.enumerated() { check.name(line, field + ".lines[\(index)]") }
        check.name(value.city, field + ".city")
        check.name(value.region, field + ".region")
        check.name(value.postalCode, field + ".postal_code")
        check.name(value.phone, field + ".phone")
        if value.country.isEmpty {
            check.fail(field + ".country", "is required")
        } else if value.country.utf8.count != 2 || !CarrierCatalogue.isRegion(value.country) {
            check.fail(field + ".country", "must be an ISO 3166-1 alpha-2 code such as CN, got '\(value.country.prefix(40))'")
        }
    }
}
