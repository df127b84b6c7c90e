import AfterSaleTestSupport
import Foundation
import GRDB
import RPCShared
@testable import ServiceRuntime
import Testing

/// Storage failures reach callers as statuses that say what happened; a busy database is waited out, not surfaced.
@Suite struct ServiceDatabaseTests {
    static func open(_ directory: TemporaryDirectory, busyTimeout: Duration) throws -> ServiceDatabase {
        try ServiceDatabase(path: directory.file("busy.sqlite"), busyTimeout: busyTimeout) { migrator in
            migrator.registerMigration("t") { db in try db.execute(sql: "CREATE TABLE item (id INTEGER PRIMARY KEY)") }
        }
    }

    @Test func aWriteThatMeetsAnotherProcesssLockIsRunAgainNotSurfaced() async throws {
        let directory = try TemporaryDirectory("busy")
        defer { directory.remove() }
        // SQLite waits 50 ms itself; the other connection holds the write lock for 250 ms, so only the retries
        // of the whole transaction get this write through.
        let database = try Self.open(directory, busyTimeout: .milliseconds(50))
        let other = try DatabaseQueue(path: directory.file("busy.sqlite"))
        let holding = Task.detached {
            try other.inDatabase { db in
                try db.execute(sql: "BEGIN IMMEDIATE; INSERT INTO item (id) VALUES (1)")
                Thread.sleep(forTimeInterval: 0.25)
                try db.execute(sql: "COMMIT")
            }
        }
        try await Task.sleep(for: .milliseconds(50))  // the other connection has the lock now
        try await database.write { db in try db.execute(sql: "INSERT INTO item (id) VALUES (2)") }
        try await holding.value
        #expect(try await database.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM item") } == 2)
    }

    @Test func aLockHeldPastEveryRetryIsUnavailableWithARetryDelay() async throws {
        let directory = try TemporaryDirectory("busy-long")
        defer { directory.remove() }
        let database = try Self.open(directory, busyTimeout: .milliseconds(10))
        let other = try DatabaseQueue(path: directory.file("busy.sqlite"))
        let holding = Task.detached {
            try other.inDatabase { db in
                try db.execute(sql: "BEGIN IMMEDIATE")
                Thread.sleep(forTimeInterval: 2)
                try db.execute(sql: "ROLLBACK")
            }
        }
        try await Task.sleep(for: .milliseconds(50))
        do {
            try await database.write { db in try db.execute(sql: "INSERT INTO item (id) VALUES (3)") }
            Issue.record("wrote through a lock held for 2 s")
        } catch let error as RPCError {
            #expect(error.code == .unavailable && error.errorDetails?.reason == "DATABASE_BUSY")
        }
        try await holding.value
    }
}
