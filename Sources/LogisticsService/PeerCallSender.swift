import Foundation
import Logging
import RPCShared
import ServiceLifecycle
import ServiceRuntime

/// Sends the queued OrderService notifications (``PeerCallStore``) until each is accepted or refused for good.
///
/// Transient failures (UNAVAILABLE, DEADLINE_EXCEEDED, INTERNAL, a connection that cannot be made, …) are
/// retried with exponential backoff — `initialBackoff × 2^(attempts − 1)`, capped at `maxBackoff`, ±20 %
/// jitter — for as long as it takes. Refusals that retrying cannot fix (INVALID_ARGUMENT, NOT_FOUND,
/// FAILED_PRECONDITION, …) mark the call `failed` with OrderService's message, kept in the table.
public final class PeerCallSender: Service, Sendable {
    private let database: ServiceDatabase
    private let order: OrderV1.OrderService.Client?
    private let clock: ServiceClock
    private let logger: Logger
    private let initialBackoff: Duration
    private let maxBackoff: Duration
    private let pollInterval: Duration
    private let callTimeout: Duration

    /// With `order` nil (no address) calls stay queued.
    public init(database: ServiceDatabase, order: OrderV1.OrderService.Client?, clock: ServiceClock = .system,
                logger: Logger = Logger(label: "aftersale.logistics.peer-calls"),
                initialBackoff: Duration = .milliseconds(200), maxBackoff: Duration = .seconds(30),
                pollInterval: Duration = .milliseconds(200), callTimeout: Duration = .seconds(5)) {
        self.database = database
        self.order = order
        self.clock = clock
        self.logger = logger
        self.initialBackoff = initialBackoff
        self.maxBackoff = maxBackoff
        self.pollInterval = pollInterval
        self.callTimeout = callTimeout
    }

    public func run() async throws {
        guard order != nil else {
            logger.warning("no order address configured; OrderService notifications stay queued")
            try? await gracefulShutdown()
            return
        }
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    try await self.sendDue()
                } catch {
                    self.logger.warning("sending peer calls failed", metadata: ["error": "\(error)"])
                }
                try? await Task.sleep(for: self.pollInterval)
            }
        }
    }

    /// One pass: attempts every call due now. Returns how many OrderService accepted.
    @discardableResult
    public func sendDue(limit: Int = 100) async throws -> Int {
        guard let order else { return 0 }
        let now = clock.now()
        let calls = try await database.read { db in try PeerCallStore.due(db, now: now, limit: limit) }
        var accepted = 0
        for call in calls {
            let outcome = await attempt(call, order)
            let finished = clock.now()
            try await database.write { [outcome, backoff = backoff(afterAttempts: call.attempts + 1)] db in
                switch outcome {
                case .accepted: try PeerCallStore.markDone(db, call.id, at: finished)
                case .retry(let error):
                    try PeerCallStore.markRetry(db, call.id, error: error, nextAttemptAt: finished.addingTimeInterval(backoff))
                case .refused(let error): try PeerCallStore.markFailed(db, call.id, error: error, at: finished)
                }
            }
            switch outcome {
            case .accepted: accepted += 1
            case .retry(let error):
                logger.info("OrderService call will be retried", metadata: ["key": "\(call.key)", "error": "\(error)"])
            case .refused(let error):
                logger.error("OrderService refused a notification", metadata: ["key": "\(call.key)", "error": "\(error)"])
            }
        }
        return accepted
    }

    enum Outcome: Sendable {
        case accepted
        case retry(String)
        case refused(String)
    }

    private func attempt(_ call: PeerCallStore.Call, _ order: OrderV1.OrderService.Client) async -> Outcome {
        let options = CallOptions(timeout: callTimeout, metadata: ["idempotency-key": call.key])
        do {
            switch call.method {
            case .markShipped:
                let request = try call.request.withUnsafeBytes { try OrderV1.MarkShippedRequest(serializedBytes: $0) }
                _ = try await order.markShipped(request, options: options)
            case .markDelivered:
                var request = try call.request.withUnsafeBytes { try OrderV1.MarkDeliveredRequest(serializedBytes: $0) }
                let placed = try await order.getOrder(.init(orderID: request.orderID), options: CallOptions(timeout: callTimeout))
                guard let fulfilment = placed.fulfilments.first(where: { $0.shipmentID == call.shipmentID }) else {
                    return .refused("order \(request.orderID) has no fulfilment with shipment \(call.shipmentID)")
                }
                if fulfilment.deliveredAt != nil { return .accepted }
                request.fulfilmentID = fulfilment.id
                _ = try await order.markDelivered(request, options: options)
            }
            return .accepted
        } catch let error as RPCError {
            return Self.isTransient(error.code) ? .retry(error.description) : .refused(error.description)
        } catch {
            return .retry("\(error)")
        }
    }

    /// Codes a later attempt may turn into success.
    static func isTransient(_ code: StatusCode) -> Bool {
        switch code {
        case .unavailable, .deadlineExceeded, .resourceExhausted, .aborted, .internal, .unknown, .cancelled, .dataLoss: true
        default: false
        }
    }

    /// Seconds to wait after `attempts` failed attempts.
    func backoff(afterAttempts attempts: Int) -> TimeInterval {
        let initial = Double(initialBackoff.components.seconds) + Double(initialBackoff.components.attoseconds) / 1e18
        let cap = Double(maxBackoff.components.seconds) + Double(maxBackoff.components.attoseconds) / 1e18
        let base = min(cap, initial * pow(2, Double(max(0, min(attempts - 1, 30)))))
        return base * Double.random(in: 0.8...1.2)
    }
}
