import Synchronization

/// A short-lived cache of catalogue reads for the aggregated view: products, variants and effective policies change
/// rarely, and every view of every case asks for them again. Entries live ``ttl`` (statistics, which every return
/// moves, ``statsTTL``); the cache holds at most ``capacity`` entries and starts over when full.
///
/// Only the view reads through it. Decisions — eligibility, prices frozen into a case, parcel weights — always ask
/// ProductService itself.
final class CatalogueCache<Key: Hashable & Sendable, Value: Sendable>: Sendable {
    let ttl: Duration
    let capacity: Int
    private let entries = Mutex<[Key: (value: Value, expires: ContinuousClock.Instant)]>([:])

    init(ttl: Duration, capacity: Int = 10_000) {
        self.ttl = ttl
        self.capacity = capacity
    }

    func value(_ key: Key, now: ContinuousClock.Instant = .now) -> Value? {
        entries.withLock { entries in
            guard let entry = entries[key] else { return nil }
            if entry.expires <= now { entries[key] = nil; return nil }
            return entry.value
        }
    }

    func store(_ value: Value, for key: Key, ttl: Duration? = nil, now: ContinuousClock.Instant = .now) {
        entries.withLock { entries in
            if entries.count >= capacity { entries.removeAll(keepingCapacity: true) }
            entries[key] = (value, now + (ttl ?? self.ttl))
        }
    }

    var count: Int { entries.withLock { $0.count } }
}
