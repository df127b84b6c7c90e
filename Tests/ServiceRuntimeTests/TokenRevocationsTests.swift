import AfterSaleTestSupport
import Foundation
import Synchronization
@testable import ServiceRuntime
import Testing

@Suite struct TokenRevocationsTests {
    static let t0 = AuthTokenTests.t0

    /// A revocations file in a fresh directory, re-checked on every use (interval 0) so the test needs no sleeps.
    static func revocations(_ json: String, in directory: TemporaryDirectory, logger: CapturedLog = CapturedLog()) throws -> TokenRevocations {
        let path = directory.file("revoked.json")
        try Data(json.utf8).write(to: URL(fileURLWithPath: path))
        return try TokenRevocations(file: path, checkInterval: .zero, logger: logger.logger)
    }

    static func rewrite(_ revocations: TokenRevocations, _ json: String) throws {
        // Replaced, not edited in place: a new inode even within the same mtime tick.
        let temporary = revocations.path + ".new"
        try Data(json.utf8).write(to: URL(fileURLWithPath: temporary))
        #expect(rename(temporary, revocations.path) == 0)
    }

    @Test(arguments: [
        ("a listed jti", #"{"jti": ["t-1"]}"#, "t-1", "alice", TokenError.revokedTokenID("t-1")),
        ("the subject's tokens issued before its time", #"{"subjects": {"alice": "2025-06-15T16:00:00Z"}}"#, "t-2", "alice",
         TokenError.revokedSubject("alice", before: Date(timeIntervalSince1970: 1_750_003_200))),
    ])
    func revokedTokensAreRefused(_ label: String, _ json: String, _ id: String, _ subject: String, _ expected: TokenError) async throws {
        let directory = try TemporaryDirectory("revocations")
        defer { directory.remove() }
        // The verifier's clock is 55 minutes past t0, after the subject's not-before time (t0 + 3200 s).
        let verifier = AuthTokenTests.verifier(at: Self.t0.addingTimeInterval(3300),
                                               options: .init(revocations: try Self.revocations(json, in: directory)))
        let token = try AuthTokenTests.token(subject, id: id)
        await #expect(throws: expected, "\(label)") { try await verifier.verify(token) }
        // Others pass: another jti, another subject, the same subject's tokens minted after the time.
        #expect(try await verifier.verify(AuthTokenTests.token(subject, id: "t-9", at: Self.t0.addingTimeInterval(3250))).subject == subject)
        #expect(try await verifier.verify(AuthTokenTests.token("bob", id: "t-8")).subject == "bob")
    }

    /// Revocation reaches tokens the verifier already remembers, without verifying their signature again, and a
    /// change of the file is picked up; a broken edit keeps the last good list and is logged once.
    @Test func aChangedFileRevokesRememberedTokensAndABrokenOneKeepsTheLastGood() async throws {
        let directory = try TemporaryDirectory("revocations")
        defer { directory.remove() }
        let log = CapturedLog()
        let revocations = try Self.revocations(#"{"jti": []}"#, in: directory, logger: log)
        let verifier = AuthTokenTests.verifier(options: .init(revocations: revocations))
        let token = try AuthTokenTests.token(id: "t-1")
        #expect(try await verifier.verify(token).subject == "alice")
        try Self.rewrite(revocations, #"{"jti": ["t-1"]}"#)
        await #expect(throws: TokenError.revokedTokenID("t-1")) { try await verifier.verify(token) }
        #expect(verifier.signatureVerifications == 1)

        try Self.rewrite(revocations, #"{"jti": "#)
        await #expect(throws: TokenError.revokedTokenID("t-1"), "the last good list stays") { try await verifier.verify(token) }
        await #expect(throws: TokenError.revokedTokenID("t-1")) { try await verifier.verify(token) }
        #expect(log.messages.filter { $0.hasPrefix("error") }.count == 1, "\(log.messages)")
        try Self.rewrite(revocations, #"{}"#)
        #expect(try await verifier.verify(token).subject == "alice", "un-revoked")
    }

    @Test func checksForChangesAtMostOncePerInterval() throws {
        let directory = try TemporaryDirectory("revocations")
        defer { directory.remove() }
        let path = directory.file("revoked.json")
        try Data(#"{"jti": []}"#.utf8).write(to: URL(fileURLWithPath: path))
        let now = Mutex(ContinuousClock.now)
        let revocations = try TokenRevocations(file: path, checkInterval: .seconds(1), now: { now.withLock { $0 } })
        try Data(#"{"jti": ["x"]}"#.utf8).write(to: URL(fileURLWithPath: path + ".new"))
        #expect(rename(path + ".new", path) == 0)
        #expect(revocations.current.tokenIDs.isEmpty, "not yet due")
        now.withLock { $0 += .seconds(1) }
        #expect(revocations.current.tokenIDs == ["x"])
    }

    @Test(arguments: [
        ("[1]", "not a JSON object"),
        (#"{"jti": "t-1"}"#, "'jti' must be a list"),
        (#"{"jti": [""]}"#, "jti entry 1 is not a non-empty string"),
        (#"{"subjects": {"alice": "yesterday"}}"#, "subject 'alice': not an ISO 8601 time"),
        (#"{"subject": {}}"#, "unknown key 'subject'"),
    ])
    func aMalformedFileAtStartIsOneClearLine(_ json: String, _ message: String) throws {
        let directory = try TemporaryDirectory("revocations")
        defer { directory.remove() }
        let path = directory.file("revoked.json")
        try Data(json.utf8).write(to: URL(fileURLWithPath: path))
        let base = ["AFTERSALE_ORDER_LISTEN": "tcp://127.0.0.1:0", "AFTERSALE_ORDER_DATA": "/tmp", "AFTERSALE_TOKEN_KEYS": TestKeys.first]
        do {
            _ = try ServiceSettings.resolve(name: "order", listen: nil, data: nil, reporting: nil,
                                            environment: base.merging(["AFTERSALE_TOKEN_REVOCATIONS": path]) { $1 })
            Issue.record("accepted \(json)")
        } catch {
            #expect("\(error)".hasPrefix("--token-revocations / AFTERSALE_TOKEN_REVOCATIONS: token revocations file \(path): "), "\(error)")
            #expect("\(error)".contains(message), "\(error)")
            #expect(!"\(error)".contains("\n"))
        }
    }
}
