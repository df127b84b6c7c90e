import Foundation
import GRDB
import Logging
import RPCShared
import ServiceLifecycle
import ServiceRuntime

/// Moves simulated shipments inside a write transaction: asks ``CarrierSimulator`` for each next scan and
/// records it through ``TrackingRecorder`` — exactly the path a real carrier's event takes.
enum SimulationRunner {
    /// Most shipments one call moves (the oldest open ones first).
    static let maxShipmentsPerCall = 500

    struct Result: Sendable {
        var shipments: [LogisticsV1.Shipment] = []
        var eventsEmitted = 0
        /// Whether any status changed (the outbox has new events).
        var statusChanged = false
    }

    /// Advances `shipments` under `directive`; step k of a shipment happens at `start + k seconds` (and never
    /// before its last scan).
    static func advance(_ db: Database, _ shipments: [LogisticsV1.Shipment], _ directive: CarrierSimulator.Directive,
                        start: Date, now: Date) throws -> Result {
        let simulator = CarrierSimulator(config: try ShipmentStore.simulatorConfig(db))
        var result = Result()
        for original in shipments {
            var shipment = original
            var taken = 0
            while CarrierSimulator.shouldContinue(shipment, directive, taken: taken),
                  let event = simulator.nextEvent(for: shipment, forcing: CarrierSimulator.forced(directive),
                                                  at: start.addingTimeInterval(Double(taken))) {
                let previous = shipment.status
                let recorded = try TrackingRecorder.record(db, shipmentID: shipment.id, event: event, now: now)
                shipment = recorded.shipment
                taken += 1
                guard recorded.changed else { break }
                result.eventsEmitted += 1
                if shipment.status != previous { result.statusChanged = true }
            }
            if taken > 0 { result.shipments.append(shipment) }
        }
        return result
    }
}

/// Moves every open simulated shipment one step each `tick_millis` (as configured with `ConfigureSimulator`;
/// 0 = only `AdvanceSimulation` moves them). Re-reads the configuration every round, so changes apply at once.
public struct SimulatorTicker: Service {
    let database: ServiceDatabase
    let clock: ServiceClock
    let relay: OutboxRelay?
    let logger: Logger
    /// How often to look at the configuration while ticking is off.
    var idleInterval: Duration = .milliseconds(500)

    public init(database: ServiceDatabase, clock: ServiceClock = .system, relay: OutboxRelay?, logger: Logger) {
        self.database = database
        self.clock = clock
        self.relay = relay
        self.logger = logger
    }

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                let tick = (try? await database.read { db in try ShipmentStore.simulatorConfig(db).tickMillis }) ?? 0
                guard tick > 0 else {
                    try? await Task.sleep(for: idleInterval)
                    continue
                }
                try? await Task.sleep(for: .milliseconds(tick))
                do {
                    if try await tickOnce().statusChanged { relay?.wake() }
                } catch where !Task.isCancelled {
                    logger.warning("simulator tick failed", metadata: ["error": "\(error)"])
                } catch {
                    return
                }
            }
        }
    }

    /// One automatic step for every open simulated shipment.
    @discardableResult
    func tickOnce() async throws -> SimulationRunner.Result {
        let now = clock.now()
        return try await database.write { db in
            let open = try ShipmentStore.open(db, carrierID: CarrierCatalogue.simulatorCarrierID,
                                              limit: SimulationRunner.maxShipmentsPerCall)
            return try SimulationRunner.advance(db, open, .steps(1), start: now, now: now)
        }
    }
}
