import AfterSaleTestSupport
import Crypto
import CryptoExtras
import Foundation
import JWTKit
@testable import ServiceRuntime
import Testing

/// RS256 and ES256 tokens signed elsewhere (here: by jwt-kit with a private key) and verified with a JWKS.
@Suite struct TokenPublicKeysTests {
    static let ecKey = ES256PrivateKey()
    static let rsaKey = try! JWTKit.Insecure.RSA.PrivateKey(backing: _RSA.Signing.PrivateKey(keySize: .bits2048))

    static var jwks: String {
        let (x, y) = ecKey.publicKey.parameters!
        let (n, e) = try! rsaKey.publicKey.getKeyPrimitives()
        return """
            {"keys": [{"kty": "EC", "crv": "P-256", "alg": "ES256", "kid": "ec1", "x": "\(x)", "y": "\(y)"},
                      {"kty": "RSA", "alg": "RS256", "kid": "rsa1", "n": "\(Base64URL.encode(n))", "e": "\(Base64URL.encode(e))"}]}
            """
    }

    static func verifier() throws -> TokenVerifier {
        AuthTokenTests.verifier(options: .init(publicKeys: try TokenPublicKeys(parsing: Data(jwks.utf8))))
    }

    /// A token signed by jwt-kit itself with `kid`'s private key.
    static func signed(kid: String, audience: String = "aftersale:order") async throws -> String {
        let keys = JWTKeyCollection()
        await keys.add(ecdsa: ecKey, kid: "ec1")
        await keys.add(rsa: rsaKey, digestAlgorithm: .sha256, kid: "rsa1")
        let claims = AccessTokenClaims(aud: [audience], sub: "idp-user", role: .agent, iat: AuthTokenTests.t0,
                                       exp: AuthTokenTests.t0.addingTimeInterval(600))
        return try await keys.sign(claims, kid: JWKIdentifier(string: kid))
    }

    @Test(arguments: ["ec1", "rsa1"])
    func publicKeyTokensVerify(_ kid: String) async throws {
        let token = try await Self.signed(kid: kid)
        let claims = try await Self.verifier().verify(token)
        #expect(claims.subject == "idp-user" && claims.keyID == kid)
        await #expect(throws: TokenError.wrongAudience(expected: "aftersale:order", got: ["aftersale:gateway"])) {
            try await Self.verifier().verify(try await Self.signed(kid: kid, audience: "aftersale:gateway"))
        }
        // Tampered: the signature no longer matches.
        let parts = token.split(separator: ".").map(String.init)
        let other = try await Self.signed(kid: kid, audience: "aftersale:order,evil")
        let forged = [parts[0], String(other.split(separator: ".")[1]), parts[2]].joined(separator: ".")
        await #expect(throws: TokenError.badSignature) { try await Self.verifier().verify(forged) }
    }

    /// The classic confusion: HS256 "signed" with the RSA public key as the HMAC secret, under the RSA key's kid.
    @Test func anHMACTokenUnderAPublicKeysKidIsRefusedBeforeAnyMAC() async throws {
        let secret = SymmetricKey(data: Data(Self.rsaKey.publicKey.pemRepresentation.utf8))
        let token = AuthTokenTests.handmade(header: #"{"alg":"HS256","kid":"rsa1"}"#, payload: AuthTokenTests.goodPayload, secret: secret)
        await #expect(throws: TokenError.algorithmNotAllowed(alg: "HS256", keyID: "rsa1")) { try await Self.verifier().verify(token) }
        let es = AuthTokenTests.handmade(header: #"{"alg":"ES256","kid":"rsa1"}"#, payload: AuthTokenTests.goodPayload)
        await #expect(throws: TokenError.algorithmNotAllowed(alg: "ES256", keyID: "rsa1")) { try await Self.verifier().verify(es) }
    }

    @Test(arguments: [
        (#"{"keys": []}"#, "the JWKS has no keys"),
        (#"{"keys": [{"kty": "EC", "crv": "P-256", "alg": "ES256", "x": "AA", "y": "AA"}]}"#, "key 1: needs a kid"),
        (#"{"keys": [{"kty": "RSA", "kid": "r", "n": "AQAB", "e": "AQAB"}]}"#, "key 'r': alg must be RS256 (kty RSA) or ES256 (kty EC)"),
        (#"{"keys": [{"kty": "EC", "crv": "P-256", "alg": "RS256", "kid": "e", "x": "AA", "y": "AA"}]}"#, "key 'e': alg must be RS256"),
        (#"{"keys": [{"kty": "EC", "crv": "P-256", "alg": "ES256", "kid": "e", "x": "AA", "y": "AA"}]}"#, "key 'e': not a usable P-256 public key"),
        (#"{"keys": [{"kty": "EC", "crv": "P-256", "alg": "ES256", "kid": "e", "x": "AA", "y": "AA", "d": "AA"}]}"#, "key 'e' is a private key"),
        ("nope", "not a JWKS document"),
    ])
    func badJWKSIsOneClearLine(_ json: String, _ message: String) {
        do {
            _ = try TokenPublicKeys(parsing: Data(json.utf8))
            Issue.record("accepted \(json)")
        } catch {
            #expect("\(error)".contains(message), "\(error)")
        }
    }

    @Test func aJWKSKidMayNotRepeatATokenKeyID() throws {
        let directory = try TemporaryDirectory("jwks")
        defer { directory.remove() }
        let path = directory.file("keys.jwks")
        try Data(Self.jwks.replacingOccurrences(of: "\"ec1\"", with: "\"k1\"").utf8).write(to: URL(fileURLWithPath: path))
        let environment = ["AFTERSALE_ORDER_LISTEN": "tcp://127.0.0.1:0", "AFTERSALE_ORDER_DATA": "/tmp",
                           "AFTERSALE_TOKEN_KEYS": TestKeys.first, "AFTERSALE_TOKEN_JWKS": path]
        #expect(throws: ServiceSettingsError.self) {
            try ServiceSettings.resolve(name: "order", listen: nil, data: nil, reporting: nil, environment: environment)
        }
    }
}
