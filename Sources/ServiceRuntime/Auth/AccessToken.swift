import Foundation

/// Who may call what. Customers and agents reach the system through the gateway; warehouse staff use the
/// logistics screens; `service` is what one AfterSale service presents to another.
public enum Role: String, Sendable, Hashable, CaseIterable, Codable {
    case customer, agent, warehouse, service
}

/// The verified claims of a bearer token: who the caller is, in which role, and for how long the token is good.
public struct AccessToken: Sendable, Hashable {
    /// The caller's identity: a customer id, an agent's login, a service name (`order`, `gateway`).
    public var subject: String
    public var role: Role
    public var issuedAt: Date
    public var expiresAt: Date
    /// The id of the key that signed the token (see ``TokenKeySet``).
    public var keyID: String

    public init(subject: String, role: Role, issuedAt: Date, expiresAt: Date, keyID: String) {
        self.subject = subject
        self.role = role
        self.issuedAt = issuedAt
        self.expiresAt = expiresAt
        self.keyID = keyID
    }

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

/// The signed JSON body of a token. Times are whole seconds since 1970 so the encoding is exact.
struct TokenClaims: Codable, Equatable {
    var sub: String
    var role: String
    var iat: Int64
    var exp: Int64
}

/// Why a token was refused. Every case reads as one line that says which check failed (the UNAUTHENTICATED
/// message), without echoing the token.
public enum TokenError: Error, Sendable, Hashable, CustomStringConvertible {
    case missing
    case malformed(String)
    case tooLong(Int)
    case unknownKey(String)
    case badSignature
    case expired(Date)
    case notYetValid(Date)

    public var description: String {
        switch self {
        case .missing: "missing bearer token (metadata 'authorization: Bearer <token>')"
        case .malformed(let reason): "malformed token: \(reason)"
        case .tooLong(let length): "token too long (\(length) bytes, at most \(TokenVerifier.maxTokenLength))"
        case .unknownKey(let keyID): "token signed with unknown key id '\(keyID)'"
        case .badSignature: "token signature does not verify"
        case .expired(let date): "token expired at \(date.ISO8601Format())"
        case .notYetValid(let date): "token not valid before \(date.ISO8601Format())"
        }
    }
}
