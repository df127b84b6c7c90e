import Synchronization

/// Keeps what a call's server sent besides responses: the initial metadata (HEADERS) and the trailers (STATUS),
/// for tools that show them (`aftersale call -v`). Set ``CallOptions/responseMetadata`` to one before the call and
/// read it after; calls without one record nothing and pay nothing.
public final class ResponseMetadataRecorder: Sendable {
    private let state = Mutex((headers: Metadata(), trailers: Metadata()))

    public init() {}

    /// The initial response metadata; empty when the server sent no HEADERS.
    public var headers: Metadata { state.withLock { $0.headers } }
    /// The trailing metadata of the call's STATUS, on success and on failure.
    public var trailers: Metadata { state.withLock { $0.trailers } }

    func record(headers: [RPCV1.MetadataEntry]) {
        state.withLock { for entry in headers { $0.headers.add(entry.key, bytes: entry.value) } }
    }

    func record(trailers: [RPCV1.MetadataEntry]) {
        state.withLock { for entry in trailers { $0.trailers.add(entry.key, bytes: entry.value) } }
    }
}
