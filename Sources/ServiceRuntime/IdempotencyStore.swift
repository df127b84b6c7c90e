import Foundation
import GRDB
import RPCShared

/// Exactly-once effects for mutating calls. The caller sends an `idempotency-key` in the call metadata; the
/// first call with a key runs and its response is stored in the same transaction as its changes; a repeat with
/// the same request bytes replays that response without running anything; the same key with a different request
/// is FAILED_PRECONDITION (`IDEMPOTENCY_KEY_REUSED`). Failed calls store nothing (they changed nothing), so a retry
/// after an error runs again.
///
/// Requests compare by their serialized bytes; the encoder is deterministic (fields in number order, map
/// entries sorted by key), so equal messages always serialize identically.
public enum IdempotencyStore {
    /// The metadata key callers put their key in.
    public static let metadataKey = "idempotency-key"
    /// Records are kept at least this long (docs/CONTRACT.md promises 24 h).
    public static let retention: Duration = .seconds(72 * 3600)

    /// The call's key; INVALID_ARGUMENT when it is missing or malformed.
    public static func key(_ context: ServerContext) throws -> String {
        guard let key = context.metadata[metadataKey], !key.isEmpty else {
            throw RPCError.invalidArgument("metadata.idempotency-key",
                                           "is required on \(context.method.path) (a mutating call)")
        }
        if key.utf8.count > 200 || !key.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) {
            throw RPCError.invalidArgument("metadata.idempotency-key",
                                           "must be 1–200 printable ASCII characters without spaces")
        }
        return key
    }

    /// The stored response for (`method`, `key`), or nil when the key is new. Throws IDEMPOTENCY_KEY_REUSED when
    /// the key was used with a different request.
    public static func replay<Response: ProtoMessage>(_ db: Database, method: String, key: String,
                                                      request: [UInt8], as: Response.Type) throws -> Response? {
        guard let row = try Row.fetchOne(db, sql: "SELECT request, response FROM idempotency_record WHERE method = ? AND key = ?",
                                         arguments: [method, key]) else { return nil }
        let storedRequest: Data = row["request"]
        guard storedRequest.elementsEqual(request) else {
            throw RPCError.failedPrecondition(
                "IDEMPOTENCY_KEY_REUSED",
                "idempotency key '\(key)' was already used for a different \(method) request; use a new key",
                resource: "idempotency-key/\(key)")
        }
        let response: Data = row["response"]
        return try response.withUnsafeBytes { try Response(serializedBytes: $0) }
    }

    /// Stores `response` for (`method`, `key`) in the current transaction.
    public static func record(_ db: Database, method: String, key: String, request: [UInt8], response: some ProtoMessage,
                              at now: Date) throws {
        try db.execute(sql: "INSERT INTO idempotency_record (method, key, request, response, created_at) VALUES (?, ?, ?, ?, ?)",
                       arguments: [method, key, Data(request), Data(try response.serializedBytes()), now.epochMicros])
    }

    /// Deletes records older than the retention; returns how many.
    @discardableResult
    public static func purge(_ db: Database, now: Date) throws -> Int {
        let cutoff = now.epochMicros - retention.components.seconds * 1_000_000
        try db.execute(sql: "DELETE FROM idempotency_record WHERE created_at < ?", arguments: [cutoff])
        return db.changesCount
    }
}

extension ServiceDatabase {
    /// Runs a mutating call once per idempotency key: `body` makes its changes in one write transaction together
    /// with the stored response; a repeat of the call replays it (see ``IdempotencyStore``).
    public func idempotent<Request: ProtoMessage, Response: ProtoMessage>(
        _ request: Request, context: ServerContext, clock: ServiceClock = .system,
        _ body: @escaping @Sendable (Database) throws -> Response
    ) async throws -> Response {
        let key = try IdempotencyStore.key(context)
        let method = context.method.path
        let bytes = try request.serializedBytes()
        return try await write { db in
            if let stored = try IdempotencyStore.replay(db, method: method, key: key, request: bytes, as: Response.self) {
                return stored
            }
            let response = try body(db)
            try IdempotencyStore.record(db, method: method, key: key, request: bytes, response: response, at: clock.now())
            return response
        }
    }
}
