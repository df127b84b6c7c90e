import AfterSaleTestSupport
import Foundation
import Synchronization
@testable import ServiceRuntime
import Testing

/// Fixed keys for the token tests (32-byte secrets, base64).
enum TestKeys {
    static let first = "k1=" + Data(repeating: 1, count: 32).base64EncodedString()
    static let second = "k2=" + Data(repeating: 2, count: 32).base64EncodedString()
    static let other = "k1=" + Data(repeating: 9, count: 32).base64EncodedString()
    static func set(_ text: String) -> TokenKeySet { try! TokenKeySet(parsing: text) }
}

@Suite struct AuthTokenTests {
    static let t0 = Date(timeIntervalSince1970: 1_750_000_000)

    static func signer(_ keys: String = TestKeys.first, at date: Date = t0) -> TokenSigner {
        TokenSigner(keys: TestKeys.set(keys), clock: .fixed(date))
    }

    static func verifier(_ keys: String = TestKeys.first, at date: Date = t0) -> TokenVerifier {
        TokenVerifier(keys: TestKeys.set(keys), leeway: .seconds(60), clock: .fixed(date))
    }

    @Test func signedTokenVerifiesWithItsClaims() throws {
        let token = try Self.signer().sign(subject: "alice", role: .agent, lifetime: .seconds(3600))
        #expect(token.hasPrefix("ast1.k1."))
        #expect(token.split(separator: ".").count == 4)
        let claims = try Self.verifier().verify(token)
        #expect(claims == AccessToken(subject: "alice", role: .agent, issuedAt: Self.t0,
                                      expiresAt: Self.t0.addingTimeInterval(3600), keyID: "k1"))
        #expect(try Self.verifier().verify(authorization: "Bearer \(token)") == claims)
        #expect(try Self.verifier().verify(authorization: "bearer  \(token)") == claims)
    }

    /// Each way a token can be wrong, and the exact refusal.
    @Test(arguments: [
        ("expired past the leeway", 3600.0 + 60, TestKeys.first, TokenError.expired(t0.addingTimeInterval(3600))),
        ("not yet valid past the leeway", -61.0, TestKeys.first, TokenError.notYetValid(t0)),
        ("signed by another key with the same id", 0.0, TestKeys.other, TokenError.badSignature),
        ("key id the verifier does not have", 0.0, TestKeys.second, TokenError.unknownKey("k1")),
    ])
    func refusals(_ label: String, _ offset: TimeInterval, _ verifierKeys: String, _ expected: TokenError) throws {
        let token = try Self.signer().sign(subject: "alice", role: .agent, lifetime: .seconds(3600))
        #expect(throws: expected, "\(label)") {
            try Self.verifier(verifierKeys, at: Self.t0.addingTimeInterval(offset)).verify(token)
        }
    }

    @Test(arguments: [3600.0 + 59, -60.0, 0.0])
    func clockSkewWithinTheLeewayIsAccepted(_ offset: TimeInterval) throws {
        let token = try Self.signer().sign(subject: "alice", role: .agent, lifetime: .seconds(3600))
        #expect(try Self.verifier(at: Self.t0.addingTimeInterval(offset)).verify(token).subject == "alice")
    }

    /// A verifier remembers tokens it verified, but a remembered token still expires.
    @Test func aRememberedTokenStillExpires() throws {
        let token = try Self.signer().sign(subject: "alice", role: .agent, lifetime: .seconds(3600))
        let now = Mutex(Self.t0)
        let verifier = TokenVerifier(keys: TestKeys.set(TestKeys.first), leeway: .seconds(60),
                                     clock: ServiceClock { now.withLock { $0 } })
        #expect(try verifier.verify(token).subject == "alice")
        #expect(try verifier.verify(token).subject == "alice", "again, from memory")
        now.withLock { $0 = Self.t0.addingTimeInterval(3600 + 60) }
        #expect(throws: TokenError.expired(Self.t0.addingTimeInterval(3600))) { try verifier.verify(token) }
    }

    @Test func tamperedClaimsFailTheSignature() throws {
        let token = try Self.signer().sign(subject: "alice", role: .customer, lifetime: .seconds(3600))
        let parts = token.split(separator: ".").map(String.init)
        let claims = String(decoding: Base64URL.decode(Substring(parts[2]))!, as: UTF8.self)
        let promoted = claims.replacingOccurrences(of: "\"customer\"", with: "\"service\"")
        #expect(promoted != claims)
        let forged = [parts[0], parts[1], Base64URL.encode(Array(promoted.utf8)), parts[3]].joined(separator: ".")
        #expect(throws: TokenError.badSignature) { try Self.verifier().verify(forged) }
        // A token re-labelled with another key id does not verify either.
        let relabelled = [parts[0], "k2", parts[2], parts[3]].joined(separator: ".")
        #expect(throws: TokenError.badSignature) {
            try Self.verifier(TestKeys.first + "," + TestKeys.second).verify(relabelled)
        }
    }

    @Test(arguments: [
        ("", TokenError.missing),
        ("Basic abc", TokenError.malformed("authorization must be 'Bearer <token>'")),
        ("Bearer ast1.k1.abc", TokenError.malformed("expected ast1.<kid>.<claims>.<mac>")),
        ("Bearer ast2.k1.abc.def", TokenError.malformed("expected ast1.<kid>.<claims>.<mac>")),
        ("Bearer ast1.k1.abc.!!", TokenError.malformed("the MAC is not base64url of 32 bytes")),
        ("Bearer ast1.k1.abc.AAAA", TokenError.malformed("the MAC is not base64url of 32 bytes")),
        ("Bearer ast1.k 1.abc.def", TokenError.malformed("bad key id")),
        ("Bearer " + String(repeating: "a", count: 1025), TokenError.tooLong(1025)),
    ])
    func malformedHeaders(_ header: String, _ expected: TokenError) {
        #expect(throws: expected) { try Self.verifier().verify(authorization: header) }
    }

    @Test func rotationVerifiesOldAndNewKeysAndSignsWithTheFirst() throws {
        let old = try Self.signer(TestKeys.first).sign(subject: "order", role: .service, lifetime: .seconds(600))
        let rotated = TestKeys.second + "," + TestKeys.first
        let new = try Self.signer(rotated).sign(subject: "order", role: .service, lifetime: .seconds(600))
        #expect(new.hasPrefix("ast1.k2."))
        #expect(try Self.verifier(rotated).verify(old).keyID == "k1")
        #expect(try Self.verifier(rotated).verify(new).keyID == "k2")
        // Once the old key is removed, its tokens stop working.
        #expect(throws: TokenError.unknownKey("k1")) { try Self.verifier(TestKeys.second).verify(old) }
    }

    @Test(arguments: ["", "a b", String(repeating: "x", count: 129), "ü"])
    func badSubjectsAreNotSigned(_ subject: String) {
        #expect(throws: TokenKeyError.self) { try Self.signer().sign(subject: subject, role: .agent, lifetime: .seconds(60)) }
    }

    @Test(arguments: [
        ("", "no keys given"),
        ("k1", "key 1 is not kid=base64secret"),
        ("k1=%%%", "key 'k1': the secret is not base64"),
        ("k1=" + Data(count: 16).base64EncodedString(), "the secret has 16 bytes, at least 32 needed"),
        ("bad id=" + Data(count: 32).base64EncodedString(), "key id 'bad id' must be"),
        (TestKeys.first + "," + TestKeys.first, "key id 'k1' appears twice"),
    ])
    func badKeyTextIsOneClearLine(_ text: String, _ message: String) {
        do {
            _ = try TokenKeySet(parsing: text)
            Issue.record("expected a failure")
        } catch {
            #expect("\(error)".contains(message), "\(error)")
            #expect(!"\(error)".contains(Data(repeating: 1, count: 32).base64EncodedString()))
        }
    }

    @Test func keysFileMustBePrivate() throws {
        let directory = try TemporaryDirectory("auth-keys")
        defer { directory.remove() }
        let path = directory.file("token.keys")
        try TokenKeySet.createDevelopmentFile(at: path)
        #expect(try TokenKeySet(file: path).keys.count == 1)
        #expect(try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int == 0o600)
        // An existing file is never overwritten.
        #expect(throws: TokenKeyError.self) { try TokenKeySet.createDevelopmentFile(at: path) }
        try FileManager.default.setAttributes([.posixPermissions: 0o640], ofItemAtPath: path)
        do {
            _ = try TokenKeySet(file: path)
            Issue.record("a group-readable keys file was accepted")
        } catch {
            #expect("\(error)".contains("has mode 640, readable by group or others; run chmod 600"), "\(error)")
        }
    }

    @Test func keySourcePrecedence() throws {
        let directory = try TemporaryDirectory("auth-keys")
        defer { directory.remove() }
        let path = directory.file("k")
        try TokenKeySet.createDevelopmentFile(at: path)
        let inline = try #require(try TokenKeySource.load(file: nil, environment: ["AFTERSALE_TOKEN_KEYS": TestKeys.second,
                                                                                   "AFTERSALE_TOKEN_KEYS_FILE": path]))
        #expect(inline.1 == .inline && inline.0.signingKey.id == "k2")
        let file = try #require(try TokenKeySource.load(file: path, environment: ["AFTERSALE_TOKEN_KEYS": TestKeys.second]))
        #expect(file.1 == .file(path) && file.0.signingKey.id == "dev1")
        #expect(try TokenKeySource.load(file: nil, environment: [:]) == nil)
    }

    @Test func settingsWithoutKeysAreUnconfiguredUnlessInsecureIsExplicit() throws {
        let base = ["AFTERSALE_ORDER_LISTEN": "tcp://127.0.0.1:0", "AFTERSALE_ORDER_DATA": "/tmp"]
        let none = try ServiceSettings.resolve(name: "order", listen: nil, data: nil, reporting: nil, environment: base)
        guard case .unconfigured = none.auth else { Issue.record("\(none.auth)"); return }
        #expect(throws: ServiceSettingsError.self) { try ServiceHost(settings: none).interceptors() }
        let insecure = try ServiceSettings.resolve(name: "order", listen: nil, data: nil, reporting: nil,
                                                   environment: base.merging(["AFTERSALE_INSECURE_NO_AUTH": "1"]) { $1 })
        guard case .insecureNoAuth = insecure.auth else { Issue.record("\(insecure.auth)"); return }
        #expect(try ServiceHost(settings: insecure).interceptors().map { "\(type(of: $0))" }
                == ["InFlightLimitInterceptor", "RateLimitInterceptor"])  // no authentication
        let keyed = try ServiceSettings.resolve(name: "order", listen: nil, data: nil, reporting: nil, rateLimit: "off",
                                                environment: base.merging(["AFTERSALE_TOKEN_KEYS": TestKeys.first]) { $1 })
        #expect(keyed.auth.keys?.signingKey.id == "k1")
        #expect(keyed.rateLimit == nil)
        #expect(try ServiceHost(settings: keyed).interceptors().map { "\(type(of: $0))" }
                == ["InFlightLimitInterceptor", "AuthInterceptor"])  // rate limit off
        do {
            _ = try ServiceSettings.resolve(name: "order", listen: nil, data: nil, reporting: nil,
                                            environment: base.merging(["AFTERSALE_TOKEN_KEYS": "k1=short"]) { $1 })
            Issue.record("short key accepted")
        } catch {
            #expect("\(error)".hasPrefix("AFTERSALE_TOKEN_KEYS: key 'k1'"), "\(error)")
        }
    }
}
