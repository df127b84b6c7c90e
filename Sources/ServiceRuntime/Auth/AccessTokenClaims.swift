import Foundation
import JWTKit

/// The JWT payload of an AfterSale token: the registered claims (RFC 7519 §4.1) plus `role`.
///
/// Every claim is optional in the type so a missing one is refused by name ("missing claim 'aud'") rather than
/// with a decoder error; ``TokenVerifier`` requires `iss`, `aud`, `sub`, `exp`, `iat` and `role`. Times are
/// checked by the verifier on every use, with its leeway, so ``verify(using:)`` has nothing left to do.
public struct AccessTokenClaims: JWTPayload, Equatable {
    public var iss: IssuerClaim?
    public var aud: AudienceClaim?
    public var sub: SubjectClaim?
    public var exp: ExpirationClaim?
    public var nbf: NotBeforeClaim?
    public var iat: IssuedAtClaim?
    public var jti: IDClaim?
    public var role: String?

    public init(iss: String = AccessToken.issuer, aud: [String], sub: String, role: Role, iat: Date, exp: Date,
                nbf: Date? = nil, jti: String? = nil) {
        self.iss = IssuerClaim(value: iss)
        self.aud = AudienceClaim(value: aud)
        self.sub = SubjectClaim(value: sub)
        self.exp = ExpirationClaim(value: exp)
        self.nbf = nbf.map { NotBeforeClaim(value: $0) }
        self.iat = IssuedAtClaim(value: iat)
        self.jti = jti.map { IDClaim(value: $0) }
        self.role = role.rawValue
    }

    public func verify(using algorithm: some JWTAlgorithm) async throws {}

    /// The checks on the content, after the signature verified: everything but the times and revocation, which
    /// can change while a token is remembered.
    func accessToken(keyID: String, audience expected: String) throws(TokenError) -> AccessToken {
        guard let issuer = iss?.value else { throw .malformed("missing claim 'iss'") }
        guard issuer == AccessToken.issuer else { throw .wrongIssuer(String(issuer.prefix(64))) }
        guard let audience = aud?.value else { throw .malformed("missing claim 'aud'") }
        guard audience.contains(expected) else { throw .wrongAudience(expected: expected, got: audience.map { String($0.prefix(64)) }) }
        guard let subject = sub?.value else { throw .malformed("missing claim 'sub'") }
        guard AccessToken.isValidSubject(subject) else { throw .malformed("bad subject") }
        guard let roleName = role else { throw .malformed("missing claim 'role'") }
        guard let role = Role(rawValue: roleName) else { throw .malformed("unknown role '\(roleName.prefix(20))'") }
        guard let issuedAt = iat?.value else { throw .malformed("missing claim 'iat'") }
        guard let expiresAt = exp?.value else { throw .malformed("missing claim 'exp'") }
        guard expiresAt > issuedAt else { throw .malformed("expiry is not after issue time") }
        if let id = jti?.value, !(1...AccessToken.maxSubjectLength).contains(id.utf8.count) {
            throw .malformed("jti must be 1-\(AccessToken.maxSubjectLength) bytes")
        }
        return AccessToken(subject: subject, role: role, issuedAt: issuedAt, expiresAt: expiresAt, keyID: keyID,
                           audience: audience, tokenID: jti?.value, notBefore: nbf?.value)
    }
}
