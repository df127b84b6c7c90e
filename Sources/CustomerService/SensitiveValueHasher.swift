import Crypto
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Salted SHA-256 of sensitive identifiers (identity documents, and the e-mail/phone kept for matching), so
/// that the database never holds them in the clear. The salt is per deployment: a leaked database cannot be
/// matched against a table of hashes of known numbers without the salt file as well.
public struct SensitiveValueHasher: Sendable {
    /// The salt file in the data directory.
    public static let saltFileName = "customer.salt"
    static let saltLength = 32

    private let salt: [UInt8]

    public init(salt: [UInt8]) {
        self.salt = salt
    }

    /// Hex SHA-256 of salt ‖ purpose ‖ 0x00 ‖ value. The purpose ("email", "phone", "identity") keeps equal
    /// strings of different kinds from sharing a hash.
    public func hash(_ value: String, purpose: String) -> String {
        var hasher = SHA256()
        hasher.update(data: salt)
        hasher.update(data: Array(purpose.utf8) + [0])
        hasher.update(data: Array(value.utf8))
        return hasher.finalize().map { byte in
            let hex = String(byte, radix: 16)
            return byte < 16 ? "0" + hex : hex
        }.joined()
    }

    /// The deployment's hasher: reads `<directory>/customer.salt`, creating it (32 random bytes, mode 0600,
    /// created exclusively so two starting processes cannot both write one) on first start.
    public static func loadOrCreate(directory: String) throws -> SensitiveValueHasher {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let path = (directory as NSString).appendingPathComponent(saltFileName)
        if let existing = FileManager.default.contents(atPath: path) {
            return try SensitiveValueHasher(salt: validated(existing, path: path))
        }
        var generator = SystemRandomNumberGenerator()
        let salt = (0..<saltLength).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL, 0o600)
        guard descriptor >= 0 else {
            // Lost a race with another process creating it: use the one it wrote.
            if errno == EEXIST, let existing = FileManager.default.contents(atPath: path) {
                return try SensitiveValueHasher(salt: validated(existing, path: path))
            }
            throw SaltFileError("cannot create \(path): \(String(cString: strerror(errno)))")
        }
        defer { close(descriptor) }
        let written = salt.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        guard written == salt.count, fsync(descriptor) == 0 else {
            throw SaltFileError("cannot write \(path): \(String(cString: strerror(errno)))")
        }
        return SensitiveValueHasher(salt: salt)
    }

    private static func validated(_ data: Data, path: String) throws -> [UInt8] {
        guard data.count == saltLength else {
            throw SaltFileError("\(path) holds \(data.count) bytes, not \(saltLength); restore it from backup (hashes depend on it)")
        }
        return Array(data)
    }
}

/// The salt file is missing, unreadable or damaged: the service cannot start (hashes would not match).
public struct SaltFileError: Error, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}
