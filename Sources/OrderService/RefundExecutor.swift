import Foundation
import GRDB
import Logging
import RPCShared
import ServiceLifecycle
import ServiceRuntime
import Synchronization

/// Performs PENDING refunds after the transaction that created them committed: STORE_CREDIT ones through
/// `CustomerService.CreditWallet`, ORIGINAL_PAYMENT ones through the ``PaymentProvider``, both with
/// `Refund.idempotency_key`, so a crash between paying and recording the answer repeats the call harmlessly.
/// A definitive answer is recorded like RecordRefundOutcome; transient trouble (peer down, timeout) leaves the
/// refund PENDING and retries it with exponential backoff (200 ms doubling to 60 s).
public final class RefundExecutor: Service, Sendable {
    let database: ServiceDatabase
    let clock: ServiceClock
    let provider: any PaymentProvider
    let customer: CustomerV1.CustomerService.Client?
    let broadcaster: CaseBroadcaster
    let afterCommit: @Sendable () -> Void
    let logger: Logger
    let callTimeout: Duration
    private let wakeup = WakeSignal()
    private let backoff = Mutex<[String: (failures: Int, next: ContinuousClock.Instant)]>([:])

    public init(database: ServiceDatabase, clock: ServiceClock = .system, provider: any PaymentProvider,
                customer: CustomerV1.CustomerService.Client?, broadcaster: CaseBroadcaster,
                afterCommit: @escaping @Sendable () -> Void = {}, logger: Logger = Logger(label: "aftersale.order.refunds"),
                callTimeout: Duration = .seconds(5)) {
        self.database = database
        self.clock = clock
        self.provider = provider
        self.customer = customer
        self.broadcaster = broadcaster
        self.afterCommit = afterCommit
        self.logger = logger
        self.callTimeout = callTimeout
    }

    /// New refunds were committed: look now rather than at the next poll.
    public func wake() { wakeup.wake() }

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                _ = await self.executePending()
                await self.wakeup.wait(upTo: .seconds(1))
            }
        }
    }

    /// One pass over the PENDING refunds not in backoff; returns how many got a definitive outcome.
    @discardableResult
    public func executePending(limit: Int = 50) async -> Int {
        let pending: [OrderV1.Refund]
        do {
            pending = try await database.read { db in try OrderStore.pendingRefunds(db, limit: limit) }
        } catch {
            logger.warning("cannot read pending refunds", metadata: ["error": "\(error)"])
            return 0
        }
        let now = ContinuousClock.now
        var finished = 0
        for refund in pending {
            if Task.isCancelled { break }
            if let next = backoff.withLock({ $0[refund.id]?.next }), next > now { continue }
            if await execute(refund) { finished += 1 }
        }
        return finished
    }

    private func execute(_ refund: OrderV1.Refund) async -> Bool {
        let answer: ProviderRefundResult
        do {
            answer = try await perform(refund)
        } catch {
            let failures = backoff.withLock { state -> Int in
                let failures = (state[refund.id]?.failures ?? 0) + 1
                let delay = min(Duration.milliseconds(200) * (1 << min(failures - 1, 12)), .seconds(60))
                state[refund.id] = (failures, .now + delay)
                return failures
            }
            if failures == 1 || failures.isMultiple(of: 10) {
                logger.warning("refund could not be executed yet; will retry",
                               metadata: ["refund_id": "\(refund.id)", "failures": "\(failures)", "error": "\(error)"])
            }
            return false
        }
        backoff.withLock { _ = $0.removeValue(forKey: refund.id) }
        let now = clock.now()
        do {
            let recorded = try await database.write { db -> OrderV1.Refund in
                switch answer {
                case .succeeded(let reference):
                    try OrderHandler.recordOutcome(db, refundID: refund.id, expectedVersion: refund.version, succeeded: true,
                                                   providerReference: reference, failureReason: "", actor: self.actor(refund),
                                                   now: now)
                case .declined(let reason):
                    try OrderHandler.recordOutcome(db, refundID: refund.id, expectedVersion: refund.version, succeeded: false,
                                                   providerReference: "", failureReason: reason, actor: self.actor(refund),
                                                   now: now)
                }
            }
            afterCommit()
            broadcaster.notify([recorded.caseID])
            return true
        } catch let error as RPCError where error.code == .aborted || error.code == .failedPrecondition {
            // Someone (a provider webhook, an agent) recorded an outcome meanwhile; theirs stands.
            return false
        } catch {
            logger.error("cannot record refund outcome", metadata: ["refund_id": "\(refund.id)", "error": "\(error)"])
            return false
        }
    }

    private func actor(_ refund: OrderV1.Refund) -> CommonV1.Actor {
        CommonV1.Actor(kind: .service, id: refund.destination == .storeCredit ? "customer.wallet" : "payment-provider-simulator")
    }

    /// Calls the wallet or the provider. Throws for transient failures; a definitive refusal is `.declined`.
    private func perform(_ refund: OrderV1.Refund) async throws -> ProviderRefundResult {
        guard let amount = refund.amount else { return .declined(reason: "refund has no amount") }
        let order = try await database.read { db in try OrderStore.order(db, refund.orderID) }
        switch refund.destination {
        case .storeCredit:
            guard let customer else { throw RPCError(.unavailable, "no customer service address configured") }
            do {
                let entry = try await customer.creditWallet(
                    CustomerV1.CreditWalletRequest(customerID: order.customerID, amount: amount,
                                                   reason: "Refund \(refund.id) for case \(refund.caseID)", reference: refund.id,
                                                   expiresAt: refund.storeCreditExpiresAt),
                    options: CallOptions(timeout: callTimeout, metadata: [IdempotencyStore.metadataKey: refund.idempotencyKey]))
                return .succeeded(providerReference: entry.id)
            } catch let error as RPCError where Self.isDefinitive(error.code) {
                return .declined(reason: "CreditWallet: \(error.code): \(error.message)")
            }
        default:
            let payment = order.payments.first { $0.id == refund.paymentID }
            return try await provider.refund(ProviderRefundRequest(
                refundID: refund.id, paymentID: refund.paymentID, paymentReference: payment?.providerReference ?? "",
                method: payment?.method ?? .unspecified, amount: amount, idempotencyKey: refund.idempotencyKey))
        }
    }

    /// Errors that retrying with the same request cannot fix.
    static func isDefinitive(_ code: StatusCode) -> Bool {
        [.invalidArgument, .notFound, .failedPrecondition, .alreadyExists, .permissionDenied, .outOfRange, .unimplemented]
            .contains(code)
    }
}
