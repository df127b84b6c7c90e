import Foundation
import JWTKit

/// Public keys that verify tokens signed elsewhere (an identity provider, a signing service), from a JWKS file
/// (RFC 7517 §5, `--token-jwks FILE` / `AFTERSALE_TOKEN_JWKS`). Optional: without it only HS256 tokens from the
/// shared ``TokenKeySet`` are accepted.
///
/// Each key must carry `kid` and `alg`, and `alg` must be `RS256` (with `kty` `RSA`) or `ES256` (with `kty` `EC`,
/// `crv` `P-256`): the algorithm is pinned per key when the file is read, never taken from a token's header.
/// Private keys (`d`) are refused — a verifier has no business holding them.
public struct TokenPublicKeys: Sendable {
    public enum Material: Sendable {
        case rsa(JWTKit.Insecure.RSA.PublicKey)
        case ecdsa(ES256PublicKey)
    }

    public struct Key: Sendable {
        public let id: String
        /// `RS256` or `ES256`.
        public let algorithm: String
        public let material: Material
    }

    public let keys: [Key]

    public static let maximumKeys = 64
    public static let rs256 = "RS256"
    public static let es256 = "ES256"

    /// Parses a JWKS document. Errors name the key (by position and `kid`).
    public init(parsing json: Data) throws {
        let jwks: JWKS
        do { jwks = try JSONDecoder().decode(JWKS.self, from: json) } catch {
            throw TokenKeyError("not a JWKS document ({\"keys\": [...]}, RS256/ES256 public keys): \(Self.reason(error))")
        }
        guard !jwks.keys.isEmpty else { throw TokenKeyError("the JWKS has no keys") }
        guard jwks.keys.count <= Self.maximumKeys else {
            throw TokenKeyError("too many keys (\(jwks.keys.count), at most \(Self.maximumKeys))")
        }
        var keys: [Key] = []
        for (index, jwk) in jwks.keys.enumerated() {
            let name = "key \(index + 1)"
            guard let id = jwk.keyIdentifier?.string, TokenKeySet.isValidKeyID(id) else {
                throw TokenKeyError("\(name): needs a kid of 1-32 of A-Z a-z 0-9 _ -")
            }
            guard !keys.contains(where: { $0.id == id }) else { throw TokenKeyError("kid '\(id)' appears twice") }
            guard jwk.privateExponent == nil else { throw TokenKeyError("key '\(id)' is a private key (has 'd'); give only public keys") }
            let material: Material, algorithm: String
            switch (jwk.algorithm, jwk.keyType) {
            case (.rs256?, .rsa):
                guard let modulus = jwk.modulus, let exponent = jwk.exponent else {
                    throw TokenKeyError("key '\(id)': an RSA key needs n and e")
                }
                algorithm = TokenPublicKeys.rs256
                do { material = .rsa(try JWTKit.Insecure.RSA.PublicKey(modulus: modulus, exponent: exponent)) } catch {
                    throw TokenKeyError("key '\(id)': not a usable RSA public key: \(Self.reason(error))")
                }
            case (.es256?, .ecdsa):
                guard jwk.curve == .ecdsa(.p256), let x = jwk.x, let y = jwk.y else {
                    throw TokenKeyError("key '\(id)': an ES256 key needs crv P-256, x and y")
                }
                algorithm = TokenPublicKeys.es256
                do { material = .ecdsa(try ES256PublicKey(parameters: (x, y))) } catch {
                    throw TokenKeyError("key '\(id)': not a usable P-256 public key: \(Self.reason(error))")
                }
            default:
                throw TokenKeyError("key '\(id)': alg must be RS256 (kty RSA) or ES256 (kty EC), got alg "
                    + "'\(jwk.algorithm?.rawValue ?? "none")' kty '\(jwk.keyType.rawValue)'")
            }
            keys.append(Key(id: id, algorithm: algorithm, material: material))
        }
        self.keys = keys
    }

    /// Reads a JWKS file (public keys: any mode is fine).
    public init(file path: String) throws {
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw TokenKeyError("cannot read token JWKS file \(path): \(error.localizedDescription)")
        }
        do { try self.init(parsing: data) } catch let error as TokenKeyError {
            throw TokenKeyError("token JWKS file \(path): \(error)")
        }
    }

    private static func reason(_ error: any Error) -> String {
        if case DecodingError.dataCorrupted(let context) = error { return context.debugDescription }
        if case DecodingError.keyNotFound(let key, _) = error { return "missing '\(key.stringValue)'" }
        if case DecodingError.typeMismatch(_, let context) = error { return context.debugDescription }
        return "\(error)"
    }
}
