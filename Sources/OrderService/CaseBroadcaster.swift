import Synchronization

/// Tells WatchCase streams in this process that a case has new timeline entries. It carries no data: a watcher
/// reads the entries after the last sequence it sent from the database, so notifications that arrive out of order,
/// coalesce, or race with the initial read can neither lose nor duplicate an entry.
public final class CaseBroadcaster: Sendable {
    private struct Subscriber {
        let caseID: String
        let continuation: AsyncStream<Void>.Continuation
    }

    private let subscribers = Mutex<[Int: Subscriber]>([:])
    private let nextID = Atomic<Int>(0)

    public init() {}

    /// A stream that yields whenever `caseID` changes (coalesced: at most one wake-up buffered). It finishes
    /// when the consuming task is cancelled.
    public func subscribe(_ caseID: String) -> AsyncStream<Void> {
        let id = nextID.wrappingAdd(1, ordering: .relaxed).newValue
        let (stream, continuation) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
        continuation.onTermination = { [weak self] _ in
            _ = self?.subscribers.withLock { $0.removeValue(forKey: id) }
        }
        subscribers.withLock { $0[id] = Subscriber(caseID: caseID, continuation: continuation) }
        return stream
    }

    /// Wakes the watchers of `caseIDs` (call after the transaction that changed them committed).
    public func notify<S: Sequence<String>>(_ caseIDs: S) {
        let wanted = Set(caseIDs)
        guard !wanted.isEmpty else { return }
        let targets = subscribers.withLock { $0.values.filter { wanted.contains($0.caseID) }.map(\.continuation) }
        for continuation in targets { continuation.yield() }
    }

    /// How many streams are watching (tests check that cancelled watchers go away).
    public var watcherCount: Int { subscribers.withLock { $0.count } }
}
