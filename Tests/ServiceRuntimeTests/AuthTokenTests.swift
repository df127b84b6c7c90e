import AfterSaleTestSupport
import Crypto
import Foundation
import Logging
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
    static let service = "order"
    static let audience = [AccessToken.audience(for: service)]

    static func signer(_ keys: String = TestKeys.first, at date: Date = t0) -> TokenSigner {
        TokenSigner(keys: TestKeys.set(keys), clock: .fixed(date))
    }

    static func verifier(_ keys: String = TestKeys.first, at date: Date = t0,
                         options: TokenVerifierOptions = .init(leeway: .seconds(60))) -> TokenVerifier {
        TokenVerifier(keys: TestKeys.set(keys), service: service, options: options, clock: .fixed(date))
    }

    static func token(_ subject: String = "alice", role: Role = .agent, audience: [String] = audience,
                      lifetime: Duration = .seconds(3600), id: String? = "t-1", notBefore: Date? = nil,
                      keys: String = TestKeys.first, at date: Date = t0) throws -> String {
        try signer(keys, at: date).sign(subject: subject, role: role, audience: audience, lifetime: lifetime,
                                        tokenID: id, notBefore: notBefore)
    }

    static func json(_ part: Substring) throws -> [String: Any] {
        let data = try #require(Base64URL.decode(part))
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    @Test func aSignedTokenIsAnHS256JWTThatVerifiesWithItsClaims() async throws {
        let token = try Self.token()
        let parts = token.split(separator: ".")
        #expect(parts.count == 3)
        let header = try Self.json(parts[0])
        #expect(header["alg"] as? String == "HS256" && header["kid"] as? String == "k1" && header["typ"] as? String == "JWT")
        let payload = try Self.json(parts[1])
        #expect(payload["iss"] as? String == "aftersale" && payload["aud"] as? String == "aftersale:order")
        #expect(payload["sub"] as? String == "alice" && payload["role"] as? String == "agent" && payload["jti"] as? String == "t-1")
        #expect(payload["iat"] as? Int == 1_750_000_000 && payload["exp"] as? Int == 1_750_003_600)
        let claims = try await Self.verifier().verify(token)
        #expect(claims == AccessToken(subject: "alice", role: .agent, issuedAt: Self.t0, expiresAt: Self.t0.addingTimeInterval(3600),
                                      keyID: "k1", audience: ["aftersale:order"], tokenID: "t-1"))
        #expect(try await Self.verifier().verify(authorization: "Bearer \(token)") == claims)
        #expect(try await Self.verifier().verify(authorization: "bearer  \(token)") == claims)
        // A token for several services passes at each of them.
        let both = try Self.token(audience: ["aftersale:gateway", "aftersale:order"])
        #expect(try await Self.verifier().verify(both).audience == ["aftersale:gateway", "aftersale:order"])
    }

    /// A token built by hand: `header` and `payload` as JSON, signed HS256 with `secret` (or given `signature`).
    static func handmade(header: String, payload: String, secret: SymmetricKey? = TestKeys.set(TestKeys.first).keys[0].secret,
                         signature: String? = nil) -> String {
        let input = Base64URL.encode(Array(header.utf8)) + "." + Base64URL.encode(Array(payload.utf8))
        let mac = secret.map { Base64URL.encode(HMAC<SHA256>.authenticationCode(for: Data(input.utf8), using: $0)) } ?? ""
        return input + "." + (signature ?? mac)
    }

    static let goodPayload = #"{"iss":"aftersale","aud":"aftersale:order","sub":"alice","role":"agent","iat":1750000000,"exp":1750003600}"#
    static let hs256Header = #"{"alg":"HS256","kid":"k1","typ":"JWT"}"#

    /// A way a token can be wrong: how to make it, and the exact refusal.
    struct Refusal: Sendable, CustomTestStringConvertible {
        let label: String
        let make: @Sendable () throws -> String
        let expected: TokenError
        init(_ label: String, _ make: @escaping @Sendable () throws -> String, _ expected: TokenError) {
            self.label = label
            self.make = make
            self.expected = expected
        }
        var testDescription: String { label }
    }

    /// Each way a token can be wrong, and the exact refusal (tokens made at t0 unless the case says otherwise).
    static let refusalCases: [Refusal] = [
        Refusal("wrong audience", { try token(audience: ["aftersale:gateway"]) },
         TokenError.wrongAudience(expected: "aftersale:order", got: ["aftersale:gateway"])),
        Refusal("key id the verifier does not have", { try token(keys: TestKeys.second) }, TokenError.unknownKey("k2")),
        Refusal("signed by another key with the same id", { try token(keys: TestKeys.other) }, TokenError.badSignature),
        Refusal("tampered payload (role promoted)", {
            let parts = try token(role: .customer).split(separator: ".").map(String.init)
            let claims = String(decoding: Base64URL.decode(parts[1])!, as: UTF8.self).replacingOccurrences(of: "customer", with: "service")
            return [parts[0], Base64URL.encode(Array(claims.utf8)), parts[2]].joined(separator: ".")
        }, TokenError.badSignature),
        Refusal("tampered signature", { String(try token().dropLast(3)) + "AAA" }, TokenError.badSignature),
        Refusal("expired beyond the leeway", { try token(at: t0.addingTimeInterval(-3600 - 60)) }, TokenError.expired(t0.addingTimeInterval(-60))),
        Refusal("issued in the future beyond the leeway", { try token(at: t0.addingTimeInterval(61)) }, TokenError.notYetValid(t0.addingTimeInterval(61))),
        Refusal("nbf in the future beyond the leeway", { try token(notBefore: t0.addingTimeInterval(120)) },
         TokenError.notYetValid(t0.addingTimeInterval(120))),
        Refusal("alg none", { handmade(header: #"{"alg":"none","kid":"k1"}"#, payload: goodPayload, secret: nil) },
         TokenError.algorithmNotAllowed(alg: "none", keyID: nil)),
        Refusal("alg HS512 with an HS256 key", { handmade(header: #"{"alg":"HS512","kid":"k1"}"#, payload: goodPayload) },
         TokenError.algorithmNotAllowed(alg: "HS512", keyID: nil)),
        Refusal("alg RS256 naming an HMAC key (confusion)", { handmade(header: #"{"alg":"RS256","kid":"k1"}"#, payload: goodPayload) },
         TokenError.algorithmNotAllowed(alg: "RS256", keyID: "k1")),
        Refusal("wrong issuer", { handmade(header: hs256Header, payload: goodPayload.replacingOccurrences(of: "\"aftersale\"", with: "\"evil\"")) },
         TokenError.wrongIssuer("evil")),
        Refusal("missing aud", { handmade(header: hs256Header, payload: goodPayload.replacingOccurrences(of: #""aud":"aftersale:order","#, with: "")) },
         TokenError.malformed("missing claim 'aud'")),
        Refusal("missing iat", { handmade(header: hs256Header, payload: goodPayload.replacingOccurrences(of: #""iat":1750000000,"#, with: "")) },
         TokenError.malformed("missing claim 'iat'")),
        Refusal("unknown role", { handmade(header: hs256Header, payload: goodPayload.replacingOccurrences(of: "agent", with: "root")) },
         TokenError.malformed("unknown role 'root'")),
        Refusal("missing kid", { handmade(header: #"{"alg":"HS256"}"#, payload: goodPayload) }, TokenError.malformed("the header has no 'kid'")),
        Refusal("missing alg", { handmade(header: #"{"kid":"k1"}"#, payload: goodPayload) }, TokenError.malformed("the header has no 'alg'")),
        Refusal("header not JSON", { "bm90IGpzb24." + Base64URL.encode(Array(goodPayload.utf8)) + ".AAAA" },
         TokenError.malformed("the header is not base64url JSON")),
        Refusal("two parts", { "eyJhbGciOiJIUzI1NiJ9.e30" }, TokenError.malformed("expected a JWT, <header>.<payload>.<signature>")),
        Refusal("legacy ast1 without the flag", { try LegacyToken.sign(keys: TestKeys.set(TestKeys.first), subject: "alice", role: .agent,
                                                                 lifetime: .seconds(3600), clock: .fixed(t0)) }, TokenError.legacyRefused),
    ]

    @Test(arguments: refusalCases)
    func refusals(_ refusal: Refusal) async throws {
        let token = try refusal.make()
        await #expect(throws: refusal.expected, "\(refusal.label)") { try await Self.verifier().verify(token) }
    }

    @Test(arguments: [("expired 59 s ago", -3600.0 - 59, nil as TimeInterval?), ("issued 60 s ahead", 60.0, nil),
                      ("nbf 60 s ahead", 0.0, 60.0), ("now", 0.0, nil)])
    func clockSkewWithinTheLeewayIsAccepted(_ label: String, _ issuedOffset: TimeInterval, _ notBefore: TimeInterval?) async throws {
        let token = try Self.token(notBefore: notBefore.map { Self.t0.addingTimeInterval($0) }, at: Self.t0.addingTimeInterval(issuedOffset))
        #expect(try await Self.verifier().verify(token).subject == "alice", "\(label)")
    }

    @Test func theLeewayIsTheVerifiers() async throws {
        let token = try Self.token(at: Self.t0.addingTimeInterval(-3600 - 20))
        #expect(try await Self.verifier(options: .init(leeway: .seconds(30))).verify(token).subject == "alice")
        await #expect(throws: TokenError.expired(Self.t0.addingTimeInterval(-20))) {
            try await Self.verifier(options: .init(leeway: .seconds(10))).verify(token)
        }
    }

    /// A verifier remembers tokens it verified: the signature is checked once, but a remembered token still expires.
    @Test func aRememberedTokenIsVerifiedOnceAndStillExpires() async throws {
        let token = try Self.token()
        let now = Mutex(Self.t0)
        let verifier = TokenVerifier(keys: TestKeys.set(TestKeys.first), service: Self.service, clock: ServiceClock { now.withLock { $0 } })
        for _ in 0..<100 { #expect(try await verifier.verify(token).subject == "alice") }
        #expect(verifier.signatureVerifications == 1)
        now.withLock { $0 = Self.t0.addingTimeInterval(3600 + 60) }
        await #expect(throws: TokenError.expired(Self.t0.addingTimeInterval(3600))) { try await verifier.verify(token) }
        #expect(verifier.signatureVerifications == 1)
    }

    @Test func aLegacyTokenPassesOnlyWithTheFlagAndIsLoggedOnceAMinute() async throws {
        let keys = TestKeys.set(TestKeys.first)
        let logged = CapturedLog()
        let verifier = TokenVerifier(keys: keys, service: Self.service, options: .init(acceptLegacyTokens: true), clock: .fixed(Self.t0),
                                     logger: logged.logger)
        for subject in ["alice", "bob", "carol"] {
            let legacy = try LegacyToken.sign(keys: keys, subject: subject, role: .agent, lifetime: .seconds(3600), clock: .fixed(Self.t0))
            let claims = try await verifier.verify(legacy)
            #expect(claims.subject == subject && claims.isLegacy && claims.audience.isEmpty)
            _ = try await verifier.verify(legacy)
        }
        let warnings = logged.messages.filter { $0.contains("ast1") }
        #expect(warnings.count == 1, "\(warnings)")
        #expect(warnings.first?.contains("--accept-legacy-tokens is removed in the next release") == true)
        // A tampered legacy token is still refused with the flag on.
        let legacy = try LegacyToken.sign(keys: keys, subject: "alice", role: .agent, lifetime: .seconds(3600), clock: .fixed(Self.t0))
        await #expect(throws: TokenError.badSignature) { try await verifier.verify(String(legacy.dropLast(2)) + "AA") }
    }

    @Test func rotationVerifiesOldAndNewKeysAndSignsWithTheFirst() async throws {
        let old = try Self.token(keys: TestKeys.first)
        let rotated = TestKeys.second + "," + TestKeys.first
        let new = try Self.token(keys: rotated)
        #expect(try Self.json(new.split(separator: ".")[0])["kid"] as? String == "k2")
        #expect(try await Self.verifier(rotated).verify(old).keyID == "k1")
        #expect(try await Self.verifier(rotated).verify(new).keyID == "k2")
        // Once the old key is removed, its tokens stop working.
        await #expect(throws: TokenError.unknownKey("k1")) { try await Self.verifier(TestKeys.second).verify(old) }
    }

    @Test(arguments: [
        ("", TokenError.missing),
        ("Basic abc", TokenError.malformed("authorization must be 'Bearer <token>'")),
        ("Bearer " + String(repeating: "a", count: 2049), TokenError.tooLong(2049)),
        ("Bearer ast1.k1.abc", TokenError.legacyRefused),
    ])
    func malformedHeaders(_ header: String, _ expected: TokenError) async {
        await #expect(throws: expected) { try await Self.verifier().verify(authorization: header) }
    }

    @Test(arguments: ["", "a b", String(repeating: "x", count: 129), "ü"])
    func badSubjectsAreNotSigned(_ subject: String) {
        #expect(throws: TokenKeyError.self) { try Self.signer().sign(subject: subject, role: .agent, audience: Self.audience, lifetime: .seconds(60)) }
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

/// Log lines a test can read back.
final class CapturedLog: Sendable {
    private let lines = Mutex<[String]>([])
    var messages: [String] { lines.withLock { $0 } }

    var logger: Logger {
        Logger(label: "test") { _ in Handler(log: self) }
    }

    struct Handler: LogHandler {
        let log: CapturedLog
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace
        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }
        func log(event: LogEvent) {
            log.lines.withLock { $0.append("\(event.level): \(event.message) \(event.metadata ?? [:])") }
        }
    }
}
