import AfterSaleTestSupport
import Foundation
import GRDB
import Logging
import RPCShared
import ServiceRuntime
import Testing

/// Idempotency and the outbox on a real SQLite file, through `ServiceDatabase.idempotent`.
@Suite struct IdempotencyStoreTests {
    static func context(key: String?, method: String = "Set") -> ServerContext {
        var metadata = Metadata()
        if let key { metadata.add("idempotency-key", key) }
        let descriptor = RPCMethod<CommonV1.Money, CommonV1.Money>(service: "aftersale.test.v1.Counter", method: method,
                                                                  kind: .unary).descriptor
        return ServerContext(method: descriptor, metadata: metadata, requestID: "r1", logger: Logger(label: "test"))
    }

    static func open(_ directory: TemporaryDirectory) throws -> ServiceDatabase {
        try ServiceDatabase(path: directory.file("test.sqlite")) { migrator in
            migrator.registerMigration("v1") { db in
                try db.execute(sql: "CREATE TABLE counter (id INTEGER PRIMARY KEY, total INTEGER NOT NULL); INSERT INTO counter VALUES (1, 0)")
            }
        }
    }

    /// Adds the request's amount to the counter and answers with the new total.
    static func add(_ database: ServiceDatabase, _ amount: Int64, key: String?) async throws -> CommonV1.Money {
        try await database.idempotent(CommonV1.Money(currency: "EUR", minorUnits: amount), context: context(key: key)) { db in
            try db.execute(sql: "UPDATE counter SET total = total + ? WHERE id = 1", arguments: [amount])
            let total = try Int64.fetchOne(db, sql: "SELECT total FROM counter WHERE id = 1") ?? -1
            return CommonV1.Money(currency: "EUR", minorUnits: total)
        }
    }

    static func total(_ database: ServiceDatabase) async throws -> Int64 {
        try await database.read { db in try Int64.fetchOne(db, sql: "SELECT total FROM counter") ?? -1 }
    }

    @Test func aRepeatReplaysTheStoredResponseWithoutRunningAgain() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let database = try Self.open(directory)
        #expect(try await Self.add(database, 5, key: "k1").minorUnits == 5)
        #expect(try await Self.add(database, 7, key: "k2").minorUnits == 12)
        #expect(try await Self.add(database, 5, key: "k1").minorUnits == 5)   // the first answer, not 17
        #expect(try await Self.total(database) == 12)
    }

    @Test func theSameKeyWithAnotherRequestIsRefused() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let database = try Self.open(directory)
        _ = try await Self.add(database, 5, key: "k1")
        let error = try await #require(throws: RPCError.self) { try await Self.add(database, 6, key: "k1") }
        #expect(error.code == .failedPrecondition)
        #expect(error.errorDetails?.reason == "IDEMPOTENCY_KEY_REUSED")
        #expect(try await Self.total(database) == 5)
    }

    @Test(arguments: [nil, "", "has space", String(repeating: "k", count: 201)])
    func aMissingOrMalformedKeyIsInvalid(_ key: String?) async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let database = try Self.open(directory)
        let error = try await #require(throws: RPCError.self) { try await Self.add(database, 5, key: key) }
        #expect(error.code == .invalidArgument)
        #expect(error.message.contains("idempotency-key"))
        #expect(try await Self.total(database) == 0)
    }

    @Test func aFailedCallStoresNothingSoItsRetryRuns() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let database = try Self.open(directory)
        let failing: @Sendable (Database) throws -> CommonV1.Money = { db in
            try db.execute(sql: "UPDATE counter SET total = total + 100")
            throw RPCError.failedPrecondition("NOT_NOW", "refused")
        }
        await #expect(throws: RPCError.self) {
            try await database.idempotent(CommonV1.Money(currency: "EUR", minorUnits: 1), context: Self.context(key: "k"), failing)
        }
        #expect(try await Self.total(database) == 0)     // rolled back with the failure
        #expect(try await Self.add(database, 1, key: "k").minorUnits == 1)
    }

    @Test func concurrentRepeatsApplyOnce() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let database = try Self.open(directory)
        let answers = try await withThrowingTaskGroup(of: Int64.self) { group in
            for _ in 0..<20 { group.addTask { try await Self.add(database, 3, key: "same").minorUnits } }
            return try await group.reduce(into: [Int64]()) { $0.append($1) }
        }
        #expect(Set(answers) == [3])
        #expect(try await Self.total(database) == 3)
    }

    @Test func recordsAndOutboxSurviveARestart() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        do {
            let database = try Self.open(directory)
            _ = try await Self.add(database, 5, key: "k1")
            _ = try await database.write { db in
                try Outbox.enqueue(db, ReportingV1.EventEnvelope(eventType: .caseOpened, aggregateType: "case", aggregateID: "c1"),
                                   producer: "test", at: Date())
            }
        }
        let reopened = try Self.open(directory)
        #expect(try await Self.add(reopened, 5, key: "k1").minorUnits == 5)
        #expect(try await Self.total(reopened) == 5)
        let pending = try await reopened.read { db in try Outbox.pending(db, limit: 10) }
        #expect(pending.map(\.envelope.aggregateID) == ["c1"])
        #expect(pending.first?.envelope.eventID.hasPrefix("evt_") == true)
        #expect(pending.first?.envelope.producer == "test")
    }

    @Test func purgeKeepsRecentRecords() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let database = try Self.open(directory)
        _ = try await Self.add(database, 5, key: "k1")
        let purgedNow = try await database.write { db in try IdempotencyStore.purge(db, now: Date()) }
        #expect(purgedNow == 0)
        let purgedLater = try await database.write { db in
            try IdempotencyStore.purge(db, now: Date().addingTimeInterval(73 * 3600))
        }
        #expect(purgedLater == 1)
    }
}
