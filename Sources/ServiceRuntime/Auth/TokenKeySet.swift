import Crypto
import Foundation

/// The HMAC keys tokens are signed and verified with, by key id. The first key signs; every key verifies, so a
/// key is rotated by putting the new one first, waiting out the longest token lifetime, then removing the old.
///
/// Text form (`AFTERSALE_TOKEN_KEYS`, or one entry per line in a keys file, `#` comments allowed):
/// `kid=base64secret,kid2=base64secret`. Secrets are at least 32 bytes.
public struct TokenKeySet: Sendable {
    public struct Key: Sendable {
        public let id: String
        let secret: SymmetricKey
    }

    /// In order; `keys[0]` signs.
    public let keys: [Key]
    public var signingKey: Key { keys[0] }

    public static let minimumSecretBytes = 32
    public static let maximumKeys = 16

    public func key(id: String) -> Key? { keys.first { $0.id == id } }

    /// Parses the text form. Errors name the entry (by position and key id, never the secret).
    public init(parsing text: String) throws {
        let entries = text.split(whereSeparator: { $0 == "," || $0 == "\n" })
            .map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty && !$0.hasPrefix("#") }
        guard !entries.isEmpty else { throw TokenKeyError("no keys given (expected kid=base64secret,…)") }
        guard entries.count <= Self.maximumKeys else {
            throw TokenKeyError("too many keys (\(entries.count), at most \(Self.maximumKeys))")
        }
        var keys: [Key] = []
        for (index, entry) in entries.enumerated() {
            guard let equals = entry.firstIndex(of: "=") else {
                throw TokenKeyError("key \(index + 1) is not kid=base64secret")
            }
            let id = String(entry[..<equals])
            guard Self.isValidKeyID(id) else {
                throw TokenKeyError("key \(index + 1): key id '\(id.prefix(40))' must be 1-32 of A-Z a-z 0-9 _ -")
            }
            guard !keys.contains(where: { $0.id == id }) else { throw TokenKeyError("key id '\(id)' appears twice") }
            guard let secret = Data(base64Encoded: String(entry[entry.index(after: equals)...])) else {
                throw TokenKeyError("key '\(id)': the secret is not base64")
            }
            guard secret.count >= Self.minimumSecretBytes else {
                throw TokenKeyError("key '\(id)': the secret has \(secret.count) bytes, at least \(Self.minimumSecretBytes) needed")
            }
            keys.append(Key(id: id, secret: SymmetricKey(data: secret)))
        }
        self.keys = keys
    }

    /// Reads a keys file, refusing one that the group or others may read: the keys can mint any token.
    public init(file path: String) throws {
        var info = stat()
        guard stat(path, &info) == 0 else {
            throw TokenKeyError("cannot read token keys file \(path): \(String(cString: strerror(errno)))")
        }
        let mode = UInt32(info.st_mode) & 0o777
        guard mode & 0o077 == 0 else {
            throw TokenKeyError("token keys file \(path) has mode \(String(mode, radix: 8)), readable by group or others; run chmod 600 \(path)")
        }
        let text: String
        do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
            throw TokenKeyError("cannot read token keys file \(path): \(error.localizedDescription)")
        }
        do { try self.init(parsing: text) } catch let error as TokenKeyError {
            throw TokenKeyError("token keys file \(path): \(error)")
        }
    }

    /// A fresh random key set (one 256-bit key) in text form, for development.
    public static func generateText(keyID: String = "dev1") -> String {
        let secret = SymmetricKey(size: .bits256).withUnsafeBytes { Data($0) }
        return "\(keyID)=\(secret.base64EncodedString())"
    }

    /// Writes a fresh development key file with mode 0600 (created exclusively: an existing file is kept).
    public static func createDevelopmentFile(at path: String) throws {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL, 0o600)
        guard descriptor >= 0 else {
            throw TokenKeyError("cannot create token keys file \(path): \(String(cString: strerror(errno)))")
        }
        let handle = FileHandle(fileDescriptor: descriptor, closeOnDealloc: true)
        handle.write(Data("# AfterSale development token keys (first signs). Keep private.\n\(generateText())\n".utf8))
    }

    static func isValidKeyID(_ id: String) -> Bool {
        (1...32).contains(id.utf8.count) && id.utf8.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "_"), UInt8(ascii: "-"): true
            default: false
            }
        }
    }
}

/// Where token keys come from, resolved the same way by every process: `--token-keys-file`, then
/// `AFTERSALE_TOKEN_KEYS` (inline), then `AFTERSALE_TOKEN_KEYS_FILE`.
public enum TokenKeySource: Sendable, Equatable {
    case inline
    case file(String)

    public static let inlineVariable = "AFTERSALE_TOKEN_KEYS"
    public static let fileVariable = "AFTERSALE_TOKEN_KEYS_FILE"

    /// The configured keys, or nil when none are configured.
    public static func load(file: String?, environment: [String: String]) throws -> (TokenKeySet, TokenKeySource)? {
        if let file, !file.isEmpty { return (try TokenKeySet(file: file), .file(file)) }
        if let text = environment[inlineVariable], !text.isEmpty {
            do { return (try TokenKeySet(parsing: text), .inline) } catch let error as TokenKeyError {
                throw TokenKeyError("\(inlineVariable): \(error)")
            }
        }
        if let file = environment[fileVariable], !file.isEmpty { return (try TokenKeySet(file: file), .file(file)) }
        return nil
    }
}

/// Token keys that are missing, malformed or unsafely stored.
public struct TokenKeyError: Error, Sendable, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
