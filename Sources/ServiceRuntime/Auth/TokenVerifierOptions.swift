import Foundation

/// How a ``TokenVerifier`` judges tokens beyond the shared HMAC keys: clock-skew leeway, extra public keys,
/// revocation, and whether legacy `ast1` tokens still pass.
public struct TokenVerifierOptions: Sendable {
    /// Slack for clock skew between hosts, applied to `exp`, `nbf` and `iat`.
    public var leeway: Duration
    /// Accept `ast1` tokens (deprecated; logged at most once a minute). Off by default.
    public var acceptLegacyTokens: Bool
    /// RS256/ES256 keys from a JWKS file.
    public var publicKeys: TokenPublicKeys?
    /// The `jti` denylist and per-subject not-before times.
    public var revocations: TokenRevocations?

    public static let defaultLeeway: Duration = .seconds(60)
    public static let maximumLeeway: Duration = .seconds(600)

    public init(leeway: Duration = defaultLeeway, acceptLegacyTokens: Bool = false, publicKeys: TokenPublicKeys? = nil,
                revocations: TokenRevocations? = nil) {
        self.leeway = leeway
        self.acceptLegacyTokens = acceptLegacyTokens
        self.publicKeys = publicKeys
        self.revocations = revocations
    }
}
