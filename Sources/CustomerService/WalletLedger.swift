/// The store-credit rules, without storage: which credits are spendable, in which order a debit consumes
/// them, and what expires.
///
/// A credit is a lot with a `remaining` amount. A credit whose `expiresAt` is at or before "now" is not
/// spendable even before `ExpireCredits` writes its EXPIRY entry, so the balance never includes money that has
/// already lapsed. Debits consume the lots that expire first (never-expiring lots last, then oldest first), so
/// the customer loses as little as possible to expiry.
public enum WalletLedger {
    /// An open credit: an unspent (part of a) CREDIT entry.
    public struct CreditLot: Sendable, Hashable {
        public var entryID: String
        public var remaining: Int64
        /// Epoch micros; nil = never expires.
        public var expiresAt: Int64?
        public var createdAt: Int64

        public init(entryID: String, remaining: Int64, expiresAt: Int64?, createdAt: Int64) {
            self.entryID = entryID
            self.remaining = remaining
            self.expiresAt = expiresAt
            self.createdAt = createdAt
        }

        public func isSpendable(at now: Int64) -> Bool {
            remaining > 0 && (expiresAt.map { $0 > now } ?? true)
        }
    }

    /// How much of one lot a debit takes.
    public struct Draw: Sendable, Hashable {
        public var entryID: String
        public var amount: Int64
    }

    /// Why a debit cannot be made.
    public struct InsufficientBalance: Error, Sendable, Hashable {
        public var available: Int64
        public var requested: Int64
    }

    /// The spendable balance of `lots` at `now` (lots of one currency).
    public static func balance(_ lots: [CreditLot], at now: Int64) -> Int64 {
        lots.filter { $0.isSpendable(at: now) }.reduce(0) { $0 + $1.remaining }
    }

    /// Spendable lots in the order debits consume them: earliest expiry first, never-expiring last, then the
    /// older credit first, then by id so that the order is total.
    public static func consumptionOrder(_ lots: [CreditLot], at now: Int64) -> [CreditLot] {
        lots.filter { $0.isSpendable(at: now) }.sorted { a, b in
            let ea = a.expiresAt ?? .max, eb = b.expiresAt ?? .max
            if ea != eb { return ea < eb }
            if a.createdAt != b.createdAt { return a.createdAt < b.createdAt }
            return a.entryID < b.entryID
        }
    }

    /// The draws that pay `amount` (> 0) from `lots`; throws ``InsufficientBalance`` when they cannot, so a
    /// balance never goes below zero.
    public static func planDebit(_ amount: Int64, from lots: [CreditLot], at now: Int64) throws(InsufficientBalance) -> [Draw] {
        let available = balance(lots, at: now)
        guard amount <= available else { throw InsufficientBalance(available: available, requested: amount) }
        var left = amount
        var draws: [Draw] = []
        for lot in consumptionOrder(lots, at: now) where left > 0 {
            let take = min(lot.remaining, left)
            draws.append(Draw(entryID: lot.entryID, amount: take))
            left -= take
        }
        return draws
    }

    /// Lots whose expiry is at or before `asOf` and that still hold money: each becomes one EXPIRY entry of its
    /// remaining amount.
    public static func expired(_ lots: [CreditLot], asOf: Int64) -> [CreditLot] {
        lots.filter { lot in lot.remaining > 0 && (lot.expiresAt.map { $0 <= asOf } ?? false) }
            .sorted { ($0.expiresAt ?? .max, $0.entryID) < ($1.expiresAt ?? .max, $1.entryID) }
    }
}
