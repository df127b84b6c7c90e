import Foundation
import RPCShared
import Synchronization

/// A refund to an original payment, as sent to a payment provider.
public struct ProviderRefundRequest: Sendable, Hashable {
    public var refundID: String
    public var paymentID: String
    /// The PSP charge the refund goes back to (`Payment.provider_reference`).
    public var paymentReference: String
    public var method: OrderV1.PaymentMethod
    public var amount: CommonV1.Money
    /// Sent on every attempt (`Refund.idempotency_key`): the provider pays at most once per key.
    public var idempotencyKey: String
}

/// The provider's definitive answer. Transient trouble (timeouts, outages) is thrown instead, and the refund
/// stays PENDING to be tried again with the same key.
public enum ProviderRefundResult: Sendable, Hashable {
    case succeeded(providerReference: String)
    case declined(reason: String)
}

/// Where ORIGINAL_PAYMENT refunds are executed. The only implementation here is ``PaymentProviderSimulator``;
/// a real PSP adapter would implement this protocol and send `idempotencyKey` as the PSP's idempotency key.
public protocol PaymentProvider: Sendable {
    func refund(_ request: ProviderRefundRequest) async throws -> ProviderRefundResult
}

/// A payment provider SIMULATOR: it moves no money. Deterministic (the provider reference is derived from the
/// idempotency key), idempotent per key like a real PSP (a repeated key returns the first answer without paying
/// again), and configurable to decline or be unavailable so tests and demos can drive the failure paths.
public final class PaymentProviderSimulator: PaymentProvider {
    public enum Behaviour: Sendable, Hashable {
        case succeed
        case decline(reason: String)
        /// Throws a transient error (the refund stays PENDING and is retried).
        case unavailable
    }

    private struct State {
        var behaviour: Behaviour
        var answers: [String: ProviderRefundResult] = [:]
        var payouts: [String: CommonV1.Money] = [:]
    }

    private let state: Mutex<State>

    public init(behaviour: Behaviour = .succeed) {
        state = Mutex(State(behaviour: behaviour))
    }

    /// Changes how the next new refunds are answered (answers already given for a key stay).
    public func setBehaviour(_ behaviour: Behaviour) { state.withLock { $0.behaviour = behaviour } }

    /// Money "paid out" per idempotency key: a key paid twice would show up as a second entry (it cannot).
    public var payouts: [String: CommonV1.Money] { state.withLock { $0.payouts } }

    public func refund(_ request: ProviderRefundRequest) async throws -> ProviderRefundResult {
        try state.withLock { state in
            if let answer = state.answers[request.idempotencyKey], case .succeeded = answer { return answer }
            switch state.behaviour {
            case .unavailable:
                throw RPCError(.unavailable, "payment provider simulator is unavailable (configured)")
            case .decline(let reason):
                let answer = ProviderRefundResult.declined(reason: reason)
                state.answers[request.idempotencyKey] = answer
                return answer
            case .succeed:
                let answer = ProviderRefundResult.succeeded(providerReference: "sim_re_" + Self.digest(request.idempotencyKey))
                state.answers[request.idempotencyKey] = answer
                state.payouts[request.idempotencyKey] = request.amount
                return answer
            }
        }
    }

    /// FNV-1a of the key, hex: stable across runs so references are reproducible.
    private static func digest(_ key: String) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in key.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x100_0000_01b3
        }
        return String(hash, radix: 16)
    }
}
