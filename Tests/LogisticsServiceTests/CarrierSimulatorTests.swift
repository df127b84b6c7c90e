import Foundation
import LogisticsService
import RPCShared
import Testing

/// The carrier simulator: its step rule, forced outcomes, and reproducibility under a seed.
@Suite(.serialized) struct CarrierSimulatorTests {
    typealias S = LogisticsV1.ShipmentStatus

    @Test(arguments: [
        (S.labelCreated, S.labelCreated, UInt64(9_999), Int32(0), S?.none, S?.some(.pickedUp)),
        (.pickedUp, .pickedUp, UInt64(9_999), 0, nil, .inTransit),
        (.inTransit, .inTransit, UInt64(9_999), 0, nil, .outForDelivery),
        (.outForDelivery, .outForDelivery, UInt64(9_999), 0, nil, .delivered),
        (.delivered, .delivered, UInt64(9_999), 0, nil, nil),                      // terminal: nothing more
        (.inTransit, .inTransit, UInt64(0), 100, nil, .exception),              // drawn exception
        (.inTransit, .inTransit, UInt64(0), 0, nil, .outForDelivery),           // rate 0: never
        (.exception, .inTransit, UInt64(0), 10_000, nil, .outForDelivery),      // recovery never draws again
        (.labelCreated, .labelCreated, UInt64(9_999), 0, .returnedToSender, .pickedUp),  // forced RTS: pick up first
        (.inTransit, .inTransit, UInt64(9_999), 0, .returnedToSender, .returnedToSender),
        (.exception, .pickedUp, UInt64(9_999), 0, .returnedToSender, .returnedToSender),
        (.pickedUp, .pickedUp, UInt64(9_999), 0, .exception, .exception),
        (.returnedToSender, .inTransit, UInt64(9_999), 0, .exception, nil),
    ])
    func stepRule(_ current: S, _ lastProgress: S, _ draw: UInt64, _ rate: Int32, _ forced: S?, _ next: S?) {
        #expect(CarrierSimulator.step(current: current, lastProgress: lastProgress, draw: draw,
                                      exceptionRateBP: rate, forced: forced) == next)
    }

    @Test func labelsAreNumberedBySequence() throws {
        let simulator = CarrierSimulator(config: .init())
        let label = try simulator.createLabel(.init(shipmentID: "shp_1", serviceCode: "sim-pickup", method: .pickup,
                                                    weightGrams: 1, origin: nil, destination: nil, sequence: 42))
        #expect(label.trackingNumber == "SIM0000000042")
        #expect(label.labelURL.hasSuffix("SIM0000000042.pdf"))
        let dropOff = try simulator.createLabel(.init(shipmentID: "shp_2", serviceCode: "sim-drop-off", method: .dropOff,
                                                      weightGrams: 1, origin: nil, destination: nil, sequence: 43))
        #expect(dropOff.labelURL.isEmpty)
    }

    /// Drives `count` shipments to a terminal status, returning every event (id and status) in order.
    static func run(seed: Int64, rate: Int32, count: Int = 40) -> [String] {
        let simulator = CarrierSimulator(config: .init(exceptionRateBp: rate, seed: seed))
        var trace: [String] = []
        for n in 1...count {
            var shipment = Fixtures.shipment(.labelCreated)
            shipment.trackingNumber = "SIM" + String(repeating: "0", count: 9) + "\(n)"
            var time = Date(timeIntervalSince1970: 1_000)
            var taken = 0
            while CarrierSimulator.shouldContinue(shipment, .until(.delivered), taken: taken),
                  let event = simulator.nextEvent(for: shipment, forcing: nil, at: time) {
                _ = ShipmentStateMachine.record(event, into: &shipment, at: .init(time))
                trace.append("\(event.carrierEventID):\(event.status.protoName ?? "")")
                time += 60
                taken += 1
            }
            #expect(shipment.status == .delivered)
        }
        return trace
    }

    @Test func sameSeedSameRun() {
        let first = Self.run(seed: 7, rate: 3_000)
        #expect(first == Self.run(seed: 7, rate: 3_000))
        #expect(first != Self.run(seed: 8, rate: 3_000))
        let exceptions = first.filter { $0.hasSuffix("EXCEPTION") }.count
        let steps = first.count - exceptions
        // 40 shipments × 4 progress steps; about 30 % of the non-recovery steps raise an exception.
        #expect(steps == 160)
        #expect((30...110).contains(exceptions), "\(exceptions) exceptions")
        #expect(Self.run(seed: 7, rate: 0).count == 160)
    }

    @Test func drawsAreSpreadEvenly() {
        // A mean far from 5 000 would bias every configured rate.
        let draws = (1...10_000).map { CarrierSimulator.draw(seed: 1, trackingNumber: "SIM\($0 % 97)", ordinal: $0 / 97) % 10_000 }
        let mean = Double(draws.reduce(0, +)) / Double(draws.count)
        #expect(abs(mean - 5_000) < 150)
        #expect(draws.filter { $0 < 1_000 }.count > 850 && draws.filter { $0 < 1_000 }.count < 1_150)
    }

    @Test func simulatedScansNeverGoBackInTime() {
        let simulator = CarrierSimulator(config: .init())
        var shipment = Fixtures.shipment(.labelCreated)
        _ = ShipmentStateMachine.record(Fixtures.event("x", .pickedUp, at: 5_000), into: &shipment, at: .init(epochSeconds: 5_000))
        let event = simulator.nextEvent(for: shipment, forcing: nil, at: Date(timeIntervalSince1970: 10))
        #expect(event?.occurredAt == .init(epochSeconds: 5_001))
        #expect(event?.status == .inTransit)
        #expect(event?.carrierEventID == "sim-SIM0000000001-2")
    }
}
