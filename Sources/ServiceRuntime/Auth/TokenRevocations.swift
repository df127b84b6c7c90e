import Foundation
import Logging
import Synchronization

/// Tokens cut off before they expire, from a JSON file (`--token-revocations FILE` / `AFTERSALE_TOKEN_REVOCATIONS`):
///
/// ```json
/// {"jti": ["9f1c…", "0b7e…"], "subjects": {"agent-7": "2026-12-04T10:00:00Z"}}
/// ```
///
/// A token whose `jti` is listed is refused; so is every token of a listed subject issued (`iat`) before that
/// subject's time — how a compromised account is cut off without rotating keys (new tokens minted after the time
/// work again). The file is checked for changes at most once per ``checkInterval`` (its modification time, size
/// and inode), on the calling thread, and re-read when it changed. Malformed at start is an error (the process
/// does not start); malformed or missing later keeps the last good list and logs the problem once per change.
public final class TokenRevocations: Sendable {
    /// The parsed file.
    public struct List: Sendable, Equatable {
        public var tokenIDs: Set<String>
        public var subjects: [String: Date]

        public init(tokenIDs: Set<String> = [], subjects: [String: Date] = [:]) {
            self.tokenIDs = tokenIDs
            self.subjects = subjects
        }

        /// Parses the JSON form; errors say which entry is wrong.
        public init(parsing data: Data) throws {
            guard let object = try? JSONSerialization.jsonObject(with: data), let root = object as? [String: Any] else {
                throw TokenKeyError("not a JSON object like {\"jti\": [...], \"subjects\": {\"agent-7\": \"2026-12-04T10:00:00Z\"}}")
            }
            if let unknown = root.keys.first(where: { $0 != "jti" && $0 != "subjects" }) {
                throw TokenKeyError("unknown key '\(unknown.prefix(40))' (only jti and subjects)")
            }
            var tokenIDs = Set<String>()
            if let ids = root["jti"] {
                guard let ids = ids as? [Any] else { throw TokenKeyError("'jti' must be a list of token ids") }
                for (index, id) in ids.enumerated() {
                    guard let id = id as? String, !id.isEmpty else { throw TokenKeyError("jti entry \(index + 1) is not a non-empty string") }
                    tokenIDs.insert(id)
                }
            }
            var subjects: [String: Date] = [:]
            if let entries = root["subjects"] {
                guard let entries = entries as? [String: Any] else {
                    throw TokenKeyError("'subjects' must map a subject to an ISO 8601 time")
                }
                for (subject, value) in entries {
                    guard let text = value as? String, let date = try? Date(text, strategy: .iso8601) else {
                        throw TokenKeyError("subject '\(subject.prefix(64))': not an ISO 8601 time like 2026-12-04T10:00:00Z")
                    }
                    subjects[subject] = date
                }
            }
            self.init(tokenIDs: tokenIDs, subjects: subjects)
        }
    }

    public let path: String
    public let checkInterval: Duration
    private let logger: Logger
    private let now: @Sendable () -> ContinuousClock.Instant
    private let state: Mutex<State>

    private struct State {
        var list: List
        var stamp: FileStamp?
        var checkedAt: ContinuousClock.Instant
    }

    /// What tells a changed file from an unchanged one without reading it.
    struct FileStamp: Equatable {
        var seconds: Int
        var nanoseconds: Int
        var size: Int64
        var inode: UInt64

        init?(path: String) {
            var info = stat()
            guard stat(path, &info) == 0 else { return nil }
            seconds = Int(info.st_mtim.tv_sec)
            nanoseconds = Int(info.st_mtim.tv_nsec)
            size = Int64(info.st_size)
            inode = UInt64(info.st_ino)
        }
    }

    /// Reads the file now; a missing or malformed file is an error (the one line a process stops with).
    public init(file path: String, checkInterval: Duration = .seconds(1), logger: Logger = Logger(label: "aftersale.auth"),
                now: @escaping @Sendable () -> ContinuousClock.Instant = { ContinuousClock.now }) throws {
        self.path = path
        self.checkInterval = checkInterval
        self.logger = logger
        self.now = now
        let stamp = FileStamp(path: path)
        let list = try Self.read(path)
        state = Mutex(State(list: list, stamp: stamp, checkedAt: now()))
    }

    /// The list in force (after a change check, if one is due).
    public var current: List {
        refreshIfDue()
        return state.withLock { $0.list }
    }

    /// Refuses `token` if the list in force revokes it.
    public func check(_ token: AccessToken) throws(TokenError) {
        let list = current
        if let id = token.tokenID, list.tokenIDs.contains(id) { throw .revokedTokenID(id) }
        if let notBefore = list.subjects[token.subject], token.issuedAt < notBefore {
            throw .revokedSubject(token.subject, before: notBefore)
        }
    }

    private func refreshIfDue() {
        let now = self.now()
        let (due, known) = state.withLock { state -> (Bool, FileStamp?) in
            guard now - state.checkedAt >= checkInterval else { return (false, nil) }
            state.checkedAt = now
            return (true, state.stamp)
        }
        guard due else { return }
        let stamp = FileStamp(path: path)
        guard stamp != known else { return }
        do {
            let list = try Self.read(path)
            state.withLock { $0.list = list; $0.stamp = stamp }
            logger.info("token revocation list reloaded", metadata: ["file": "\(path)", "jti": "\(list.tokenIDs.count)",
                                                                      "subjects": "\(list.subjects.count)"])
        } catch {
            // Remember the bad version so the error is logged once, not on every check until it is fixed.
            state.withLock { $0.stamp = stamp }
            logger.error("token revocation list not reloaded; keeping the last good one", metadata: ["error": "\(error)"])
        }
    }

    private static func read(_ path: String) throws -> List {
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw TokenKeyError("cannot read token revocations file \(path): \(error.localizedDescription)")
        }
        do { return try List(parsing: data) } catch let error as TokenKeyError {
            throw TokenKeyError("token revocations file \(path): \(error)")
        }
    }
}
