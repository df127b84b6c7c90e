import Crypto
import Foundation
import Synchronization

/// Mints tokens: `ast1.<kid>.<base64url claims JSON>.<base64url HMAC-SHA256>`, the MAC covering everything before
/// its dot (docs/SECURITY.md).
public struct TokenSigner: Sendable {
    public let keys: TokenKeySet
    public let clock: ServiceClock

    public static let prefix = "ast1"

    public init(keys: TokenKeySet, clock: ServiceClock = .system) {
        self.keys = keys
        self.clock = clock
    }

    /// A token for `subject` in `role`, valid from now for `lifetime`.
    public func sign(subject: String, role: Role, lifetime: Duration) throws -> String {
        guard AccessToken.isValidSubject(subject) else {
            throw TokenKeyError("subject must be 1-\(AccessToken.maxSubjectLength) of A-Z a-z 0-9 . _ - @ :")
        }
        guard lifetime > .zero else { throw TokenKeyError("token lifetime must be positive") }
        let now = Int64(clock.now().timeIntervalSince1970.rounded(.down))
        let claims = TokenClaims(sub: subject, role: role.rawValue, iat: now, exp: now + max(1, lifetime.components.seconds))
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let body = try encoder.encode(claims)
        let key = keys.signingKey
        let signed = "\(Self.prefix).\(key.id).\(Base64URL.encode(body))"
        let mac = HMAC<SHA256>.authenticationCode(for: Data(signed.utf8), using: key.secret)
        return "\(signed).\(Base64URL.encode(mac))"
    }
}

/// Checks tokens minted by ``TokenSigner`` with any key of its set: format and length, key id, the MAC (compared in
/// constant time by swift-crypto), then expiry and issue time with a leeway for clock skew between hosts.
public struct TokenVerifier: Sendable {
    public let keys: TokenKeySet
    public let leeway: Duration
    public let clock: ServiceClock

    /// Longer input is refused before any decoding: a real token is about 150 bytes.
    public static let maxTokenLength = 1024

    /// Tokens already verified, by their text: a caller presents the same token on every call until it refreshes it,
    /// and the MAC and claims of a token never change. Times are still checked on every use.
    private let verified = VerifiedTokens()

    public init(keys: TokenKeySet, leeway: Duration = .seconds(60), clock: ServiceClock = .system) {
        self.keys = keys
        self.leeway = leeway
        self.clock = clock
    }

    /// Verifies the value of an `authorization` metadata entry (`Bearer <token>`).
    public func verify(authorization: String?) throws(TokenError) -> AccessToken {
        guard let authorization, !authorization.isEmpty else { throw .missing }
        let scheme = "bearer "
        guard authorization.count > scheme.count, authorization.prefix(scheme.count).lowercased() == scheme else {
            throw .malformed("authorization must be 'Bearer <token>'")
        }
        return try verify(String(authorization.dropFirst(scheme.count)).trimmingCharacters(in: .whitespaces))
    }

    public func verify(_ token: String) throws(TokenError) -> AccessToken {
        if let known = verified.token(token) {
            try checkTimes(known)
            return known
        }
        let accessToken = try verifyText(token)
        verified.remember(token, accessToken)
        return accessToken
    }

    private func checkTimes(_ token: AccessToken) throws(TokenError) {
        let now = clock.now().timeIntervalSince1970
        let slack = Double(leeway.components.seconds)
        if now >= token.expiresAt.timeIntervalSince1970 + slack { throw .expired(token.expiresAt) }
        if now < token.issuedAt.timeIntervalSince1970 - slack { throw .notYetValid(token.issuedAt) }
    }

    private func verifyText(_ token: String) throws(TokenError) -> AccessToken {
        guard token.utf8.count <= Self.maxTokenLength else { throw .tooLong(token.utf8.count) }
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4, parts[0] == TokenSigner.prefix else {
            throw .malformed("expected \(TokenSigner.prefix).<kid>.<claims>.<mac>")
        }
        let keyID = String(parts[1])
        guard let key = keys.key(id: keyID) else {
            throw TokenKeySet.isValidKeyID(keyID) ? .unknownKey(keyID) : .malformed("bad key id")
        }
        guard let mac = Base64URL.decode(parts[3]), mac.count == SHA256.byteCount else {
            throw .malformed("the MAC is not base64url of \(SHA256.byteCount) bytes")
        }
        let signed = Data(token.utf8.prefix(parts[0].utf8.count + parts[1].utf8.count + parts[2].utf8.count + 2))
        guard HMAC<SHA256>.isValidAuthenticationCode(mac, authenticating: signed, using: key.secret) else {
            throw .badSignature
        }
        // Only authenticated bytes are parsed from here on.
        guard let body = Base64URL.decode(parts[2]),
              let claims = try? JSONDecoder().decode(TokenClaims.self, from: body) else {
            throw .malformed("the claims are not valid JSON")
        }
        guard let role = Role(rawValue: claims.role) else { throw .malformed("unknown role '\(claims.role.prefix(20))'") }
        guard AccessToken.isValidSubject(claims.sub) else { throw .malformed("bad subject") }
        guard claims.exp > claims.iat else { throw .malformed("expiry is not after issue time") }
        let accessToken = AccessToken(subject: claims.sub, role: role, issuedAt: Date(timeIntervalSince1970: TimeInterval(claims.iat)),
                                      expiresAt: Date(timeIntervalSince1970: TimeInterval(claims.exp)), keyID: keyID)
        try checkTimes(accessToken)
        return accessToken
    }
}

/// The verified tokens of a ``TokenVerifier``, at most ``capacity`` (then it starts over).
private final class VerifiedTokens: Sendable {
    static let capacity = 4096
    private let tokens = Mutex<[String: AccessToken]>([:])

    func token(_ text: String) -> AccessToken? { tokens.withLock { $0[text] } }

    func remember(_ text: String, _ token: AccessToken) {
        tokens.withLock { tokens in
            if tokens.count >= Self.capacity { tokens.removeAll(keepingCapacity: true) }
            tokens[text] = token
        }
    }
}
