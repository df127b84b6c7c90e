import Crypto
import Foundation

/// The pre-JWT token format, `ast1.<kid>.<base64url claims JSON>.<base64url HMAC-SHA256>`, the MAC covering
/// everything before its dot. Accepted for one release behind `--accept-legacy-tokens` and then removed
/// (docs/SECURITY.md); nothing mints it any more but the tests.
enum LegacyToken {
    static let prefix = "ast1."

    /// The signed JSON body. Times are whole seconds since 1970.
    struct Claims: Codable, Equatable {
        var sub: String
        var role: String
        var iat: Int64
        var exp: Int64
    }

    static func isLegacy(_ token: String) -> Bool { token.hasPrefix(prefix) }

    /// Format, key id, the MAC (constant time), then the claims; times are the caller's to check.
    static func verify(_ token: String, keys: TokenKeySet) throws(TokenError) -> AccessToken {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { throw .malformed("expected ast1.<kid>.<claims>.<mac>") }
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
        guard let body = Base64URL.decode(parts[2]), let claims = try? JSONDecoder().decode(Claims.self, from: body) else {
            throw .malformed("the claims are not valid JSON")
        }
        guard let role = Role(rawValue: claims.role) else { throw .malformed("unknown role '\(claims.role.prefix(20))'") }
        guard AccessToken.isValidSubject(claims.sub) else { throw .malformed("bad subject") }
        guard claims.exp > claims.iat else { throw .malformed("expiry is not after issue time") }
        return AccessToken(subject: claims.sub, role: role, issuedAt: Date(timeIntervalSince1970: TimeInterval(claims.iat)),
                           expiresAt: Date(timeIntervalSince1970: TimeInterval(claims.exp)), keyID: keyID, isLegacy: true)
    }

    /// An `ast1` token, as the previous release minted it (for the tests of the transition).
    static func sign(keys: TokenKeySet, subject: String, role: Role, lifetime: Duration, clock: ServiceClock = .system) throws -> String {
        let now = Int64(clock.now().timeIntervalSince1970.rounded(.down))
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let body = try encoder.encode(Claims(sub: subject, role: role.rawValue, iat: now, exp: now + max(1, lifetime.components.seconds)))
        let key = keys.signingKey
        let signed = "ast1.\(key.id).\(Base64URL.encode(body))"
        return "\(signed).\(Base64URL.encode(HMAC<SHA256>.authenticationCode(for: Data(signed.utf8), using: key.secret)))"
    }
}
