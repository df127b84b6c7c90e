import AfterSaleTestSupport
@testable import CustomerService
import Foundation
import Testing

@Suite struct SensitiveValueHasherTests {
    @Test func theSaltIsCreatedOnceWithMode0600AndReused() throws {
        let directory = try TemporaryDirectory("customer-salt")
        defer { directory.remove() }
        let first = try SensitiveValueHasher.loadOrCreate(directory: directory.path)
        let path = directory.file(SensitiveValueHasher.saltFileName)
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
        #expect((attributes[.size] as? NSNumber)?.intValue == 32)

        let again = try SensitiveValueHasher.loadOrCreate(directory: directory.path)
        #expect(first.hash("T22000129", purpose: "identity") == again.hash("T22000129", purpose: "identity"))
    }

    @Test func hashesDependOnSaltAndPurposeAndNeverContainTheValue() {
        let a = SensitiveValueHasher(salt: Array(repeating: 1, count: 32))
        let b = SensitiveValueHasher(salt: Array(repeating: 2, count: 32))
        let value = "110101199003070012"
        let hash = a.hash(value, purpose: "identity")
        #expect(hash.count == 64)
        #expect(hash != b.hash(value, purpose: "identity"))
        #expect(hash != a.hash(value, purpose: "phone"))
        #expect(!hash.contains(value))
    }

    @Test func aDamagedSaltFileStopsTheService() throws {
        let directory = try TemporaryDirectory("customer-salt")
        defer { directory.remove() }
        try Data([1, 2, 3]).write(to: URL(fileURLWithPath: directory.file(SensitiveValueHasher.saltFileName)))
        #expect(throws: SaltFileError.self) { try SensitiveValueHasher.loadOrCreate(directory: directory.path) }
    }
}
