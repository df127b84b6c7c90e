import AfterSaleTestSupport
import Foundation
import GRDB
import RPCShared
@testable import ServiceRuntime
import Synchronization
import Testing

/// Storage failures reach callers as statuses that say what happened; a busy database is waited out, not surfaced.
@Suite struct ServiceDatabaseTests {
    static func open(_ directory: TemporaryDirectory, busyTimeout: Duration) throws -> ServiceDatabase {
        try ServiceDatabase(path: directory.file("busy.sqlite"), busyTimeout: busyTimeout) { migrator in
            migrator.registerMigration("t") { db in try db.execute(sql: "CREATE TABLE item (id INTEGER PRIMARY KEY)") }
        }
    }

    /// Another connection takes the write lock on its own thread (not a task: it blocks while holding it) and
    /// returns once it holds it; the task ends after `seconds` and `finish`.
    static func holdWriteLock(_ directory: TemporaryDirectory, for seconds: Double, then finish: String) throws -> Task<Void, any Error> {
        let other = try DatabaseQueue(path: directory.file("busy.sqlite"))
        let locked = DispatchSemaphore(value: 0)
        let done = DispatchSemaphore(value: 0)
        let failure = Mutex<(any Error)?>(nil)
        Thread.detachNewThread {
            do {
                try other.inDatabase { db in
                    try db.execute(sql: "BEGIN IMMEDIATE")
                    locked.signal()
                    Thread.sleep(forTimeInterval: seconds)
                    try db.execute(sql: finish)
                }
            } catch {
                failure.withLock { $0 = error }
                locked.signal()
            }
            done.signal()
        }
        locked.wait()
        return Task {
            try await offloaded { done.wait() }
            if let error = failure.withLock({ $0 }) { throw error }
        }
    }

    @Test func aWriteThatMeetsAnotherProcesssLockIsRunAgainNotSurfaced() async throws {
        let directory = try TemporaryDirectory("busy")
        defer { directory.remove() }
        // SQLite waits 50 ms itself; the other connection holds the write lock for 250 ms, so only the retries
        // of the whole transaction get this write through.
        let database = try Self.open(directory, busyTimeout: .milliseconds(50))
        let holding = try Self.holdWriteLock(directory, for: 0.25, then: "INSERT INTO item (id) VALUES (1); COMMIT")
        try await database.write { db in try db.execute(sql: "INSERT INTO item (id) VALUES (2)") }
        try await holding.value
        #expect(try await database.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM item") } == 2)
    }
}
