import Crypto
import Foundation
import JWTKit

/// Mints AfterSale tokens: compact JWS (RFC 7515) JWTs, `alg` HS256 with the first key of a ``TokenKeySet``,
/// header `{"alg":"HS256","kid":<key id>,"typ":"JWT"}`, payload ``AccessTokenClaims`` (docs/SECURITY.md).
///
/// Signing is synchronous on purpose: jwt-kit signs only through its `JWTKeyCollection` actor (async), while a
/// token is minted on synchronous paths (a streaming call's first token, every debugging CLI call). So the header
/// and payload are jwt-kit's types encoded by jwt-kit's `DefaultJWTSerializer`, and the MAC is swift-crypto's
/// HMAC-SHA256, as jwt-kit's own HS256 signer computes it; verification (``TokenVerifier``) is jwt-kit's, and the
/// interop tests check both directions against PyJWT.
public struct TokenSigner: Sendable {
    public let keys: TokenKeySet
    public let clock: ServiceClock

    public static let algorithm = "HS256"

    public init(keys: TokenKeySet, clock: ServiceClock = .system) {
        self.keys = keys
        self.clock = clock
    }

    /// A token for `subject` in `role`, meant for the services in `audience` (``AccessToken/audience(for:)``),
    /// valid from now (or from `notBefore`) for `lifetime`; `tokenID` (`jti`) defaults to a fresh random id.
    public func sign(subject: String, role: Role, audience: [String], lifetime: Duration,
                     tokenID: String? = UUID().uuidString.lowercased(), notBefore: Date? = nil) throws -> String {
        guard AccessToken.isValidSubject(subject) else {
            throw TokenKeyError("subject must be 1-\(AccessToken.maxSubjectLength) of A-Z a-z 0-9 . _ - @ :")
        }
        guard lifetime > .zero else { throw TokenKeyError("token lifetime must be positive") }
        guard !audience.isEmpty, audience.allSatisfy({ !$0.isEmpty }) else { throw TokenKeyError("token audience must not be empty") }
        // Whole seconds, so the claims read back exactly as they were written.
        let now = clock.now().timeIntervalSince1970.rounded(.down)
        let claims = AccessTokenClaims(aud: audience, sub: subject, role: role, iat: Date(timeIntervalSince1970: now),
                                       exp: Date(timeIntervalSince1970: now + Double(max(1, lifetime.components.seconds))),
                                       nbf: notBefore.map { Date(timeIntervalSince1970: $0.timeIntervalSince1970.rounded(.down)) },
                                       jti: tokenID)
        let key = keys.signingKey
        var header = JWTHeader()
        header.alg = Self.algorithm
        header.typ = "JWT"
        header.kid = key.id
        let serializer = DefaultJWTSerializer()
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let signingInput = Base64URL.encode(try encoder.encode(header)) + "."
            + String(decoding: try serializer.serialize(claims, header: header), as: UTF8.self)
        let mac = HMAC<SHA256>.authenticationCode(for: Data(signingInput.utf8), using: key.secret)
        return "\(signingInput).\(Base64URL.encode(mac))"
    }
}
