import Foundation

/// Who may call what. Customers and agents reach the system through the gateway; warehouse staff use the
/// logistics screens; `service` is what one AfterSale service presents to another.
public enum Role: String, Sendable, Hashable, CaseIterable, Codable {
    case customer, agent, warehouse, service
}

/// The verified claims of a bearer token: who the caller is, in which role, for whom and for how long the token
/// is good.
public struct AccessToken: Sendable, Hashable {
    /// The caller's identity: a customer id, an agent's login, a service name (`order`, `gateway`).
    public var subject: String
    public var role: Role
    public var issuedAt: Date
    public var expiresAt: Date
    /// The id of the key that signed the token (see ``TokenKeySet`` and ``TokenPublicKeys``).
    public var keyID: String
    /// `aud`: the services the token is meant for (`aftersale:gateway`, …). Empty only for legacy `ast1` tokens.
    public var audience: [String]
    /// `jti`, when the token has one: what a revocation list names.
    public var tokenID: String?
    /// `nbf`, when the token has one.
    public var notBefore: Date?
    /// True for a legacy `ast1` token (accepted only with `--accept-legacy-tokens`).
    public var isLegacy: Bool

    public init(subject: String, role: Role, issuedAt: Date, expiresAt: Date, keyID: String,
                audience: [String] = [], tokenID: String? = nil, notBefore: Date? = nil, isLegacy: Bool = false) {
        self.subject = subject
        self.role = role
        self.issuedAt = issuedAt
        self.expiresAt = expiresAt
        self.keyID = keyID
        self.audience = audience
        self.tokenID = tokenID
        self.notBefore = notBefore
        self.isLegacy = isLegacy
    }

    /// `iss` of every token AfterSale mints and the only issuer it accepts.
    public static let issuer = "aftersale"

    /// The `aud` value naming service `name` (its short name, `gateway`, `order`, …): `aftersale:<name>`.
    public static func audience(for service: String) -> String { "aftersale:\(service)" }

    /// Subjects are short printable identifiers, never free text: they end up in logs and rate-limit keys.
    public static let maxSubjectLength = 128

    static func isValidSubject(_ subject: String) -> Bool {
        guard (1...maxSubjectLength).contains(subject.utf8.count) else { return false }
        return subject.utf8.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "-"),
                 UInt8(ascii: "@"), UInt8(ascii: ":"):
                true
            default: false
            }
        }
    }
}

/// Why a token was refused. Every case reads as one line that says which check failed (the UNAUTHENTICATED
/// message), without echoing the token.
public enum TokenError: Error, Sendable, Hashable, CustomStringConvertible {
    case missing
    case malformed(String)
    case tooLong(Int)
    case unknownKey(String)
    /// `alg` is not the one the key is pinned to (or not one AfterSale accepts at all, like `none`).
    case algorithmNotAllowed(alg: String, keyID: String?)
    case badSignature
    case wrongIssuer(String)
    case wrongAudience(expected: String, got: [String])
    case expired(Date)
    case notYetValid(Date)
    case revokedTokenID(String)
    case revokedSubject(String, before: Date)
    /// An `ast1` token while `--accept-legacy-tokens` is off.
    case legacyRefused

    public var description: String {
        switch self {
        case .missing: "missing bearer token (metadata 'authorization: Bearer <token>')"
        case .malformed(let reason): "malformed token: \(reason)"
        case .tooLong(let length): "token too long (\(length) bytes, at most \(TokenVerifier.maxTokenLength))"
        case .unknownKey(let keyID): "token signed with unknown key id '\(keyID)'"
        case .algorithmNotAllowed(let alg, let keyID?): "token algorithm '\(alg)' is not the one key '\(keyID)' is pinned to"
        case .algorithmNotAllowed(let alg, nil): "token algorithm '\(alg)' is not accepted (HS256, RS256, ES256 only)"
        case .badSignature: "token signature does not verify"
        case .wrongIssuer(let issuer): "token issuer '\(issuer)' is not '\(AccessToken.issuer)'"
        case .wrongAudience(let expected, let got):
            "token audience [\(got.joined(separator: ", "))] does not include \(expected)"
        case .expired(let date): "token expired at \(date.ISO8601Format())"
        case .notYetValid(let date): "token not valid before \(date.ISO8601Format())"
        case .revokedTokenID(let id): "token revoked: its jti '\(id)' is on the revocation list"
        case .revokedSubject(let subject, let date):
            "token revoked: tokens of subject '\(subject)' issued before \(date.ISO8601Format()) are revoked"
        case .legacyRefused:
            "legacy ast1 token refused: AfterSale takes JWTs now (mint one with `aftersale token`); "
                + "--accept-legacy-tokens or AFTERSALE_ACCEPT_LEGACY_TOKENS=1 accepts ast1 for this release only"
        }
    }
}
