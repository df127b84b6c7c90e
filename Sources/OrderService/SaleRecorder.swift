import Foundation
import Logging
import RPCShared
import ServiceLifecycle
import ServiceRuntime
import Synchronization

/// Delivers the `ProductService.RecordSale` calls CreateOrder queued in its transaction (key `sale:<order line
/// id>`), so an order is stored and acknowledged whether or not ProductService is up. Transient failures retry
/// with backoff (1 s doubling to 5 min, kept in the table so it survives restarts); a definitive refusal
/// (unknown product, invalid request) is kept as `rejected` with its error rather than retried for ever.
public final class SaleRecorder: Service, Sendable {
    static let kind = "product.record_sale"

    let database: ServiceDatabase
    let clock: ServiceClock
    let product: ProductV1.ProductService.Client?
    let logger: Logger
    let callTimeout: Duration
    private let wakeup = WakeSignal()

    public init(database: ServiceDatabase, clock: ServiceClock = .system, product: ProductV1.ProductService.Client?,
                logger: Logger = Logger(label: "aftersale.order.sales"), callTimeout: Duration = .seconds(5)) {
        self.database = database
        self.clock = clock
        self.product = product
        self.logger = logger
        self.callTimeout = callTimeout
    }

    public func wake() { wakeup.wake() }

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                _ = await self.deliverDue()
                await self.wakeup.wait(upTo: .seconds(1))
            }
        }
    }

    /// Sends the calls that are due; returns how many were delivered.
    @discardableResult
    public func deliverDue(limit: Int = 100) async -> Int {
        let now = clock.now()
        let calls: [OrderStore.PendingCall]
        do {
            calls = try await database.read { db in try OrderStore.dueCalls(db, kind: Self.kind, now: now, limit: limit) }
        } catch {
            logger.warning("cannot read pending sales", metadata: ["error": "\(error)"])
            return 0
        }
        var delivered = 0
        for call in calls {
            if Task.isCancelled { break }
            let outcome = await send(call, now: now)
            if case .delivered = outcome { delivered += 1 }
            do {
                try await database.write { db in try OrderStore.settleCall(db, id: call.id, outcome) }
            } catch {
                logger.warning("cannot update pending sale", metadata: ["call": "\(call.id)", "error": "\(error)"])
            }
        }
        return delivered
    }

    private func send(_ call: OrderStore.PendingCall, now: Date) async -> OrderStore.CallOutcome {
        let retryAt = now.addingTimeInterval(min(pow(2, Double(min(call.attempts, 20))), 300))
        guard let product else { return .retry(at: retryAt, error: "no product service address configured") }
        do {
            let request = try call.request.withUnsafeBytes { try ProductV1.RecordSaleRequest(serializedBytes: $0) }
            _ = try await product.recordSale(request, options: CallOptions(
                timeout: callTimeout, metadata: [IdempotencyStore.metadataKey: call.idempotencyKey]))
            return .delivered
        } catch let error as RPCError where RefundExecutor.isDefinitive(error.code) {
            logger.error("ProductService refused a sale; kept as rejected",
                         metadata: ["key": "\(call.idempotencyKey)", "error": "\(error)"])
            return .rejected(error: "\(error.code): \(error.message)")
        } catch {
            if call.attempts == 0 {
                logger.warning("ProductService unavailable; sale will be retried",
                               metadata: ["key": "\(call.idempotencyKey)", "error": "\(error)"])
            }
            return .retry(at: retryAt, error: "\(error)")
        }
    }
}
