@testable import CustomerService
import Testing

@Suite struct ContactMaskingTests {
    @Test(arguments: [
        ("anna.weber@example.de", "a***r@example.de"),
        ("Anna.Weber@EXAMPLE.DE", "A***r@example.de"),
        ("jo@x.cn", "j***@x.cn"),
        ("a@example.com", "a***@example.com"),
        ("abc@mail.example.com", "a***c@mail.example.com"),
        ("  wang.fang@example.cn ", "w***g@example.cn"),
    ])
    func emailsAreMasked(_ input: String, _ masked: String) throws {
        let normalized = try #require(ContactMasking.normalizeEmail(input))
        #expect(ContactMasking.maskEmail(normalized) == masked)
    }

    @Test(arguments: ["", "no-at-sign", "two@@example.com", "a@b@c.de", "@example.com", "anna@localhost",
                      "anna@example.", "anna@.de", "an na@example.de", "ünï@example.de",
                      String(repeating: "a", count: 65) + "@example.de"])
    func implausibleEmailsAreRefused(_ input: String) {
        #expect(ContactMasking.normalizeEmail(input) == nil)
    }

    @Test(arguments: [
        ("+49 30 5550 1123", "+493055501123", "+49 ••• ••• 123"),
        ("+86 138 0013 5678", "+8613800135678", "+86 ••• ••• 678"),
        ("+1 (212) 555-0147", "+12125550147", "+1 ••• ••• 147"),
        ("+7 495 123-45-67", "+74951234567", "+7 ••• ••• 567"),
        ("+353 1 555 0123", "+35315550123", "+353 ••• ••• 123"),
    ])
    func phonesAreNormalisedAndMasked(_ input: String, _ normalized: String, _ masked: String) throws {
        let value = try #require(ContactMasking.normalizePhone(input))
        #expect(value == normalized)
        #expect(ContactMasking.maskPhone(value) == masked)
        #expect(ContactMasking.isMaskedPhone(masked))
        #expect(!ContactMasking.isMaskedPhone(input))
    }

    @Test(arguments: ["", "030 5550 1123", "+49", "+49 12", "+0049 30 555", "+49 30 555 abc", "+1234567890123456",
                      "+49 30 5550 1123 ext 5"])
    func malformedPhonesAreRefused(_ input: String) {
        #expect(ContactMasking.normalizePhone(input) == nil)
    }

    @Test func theMaskHidesTheNumbersLength() {
        let short = ContactMasking.maskPhone("+491234567")
        let long = ContactMasking.maskPhone("+49123456789012")
        #expect(short.count == long.count)
    }

    @Test(arguments: [("ab-123 456", "AB123456"), ("110101199003070012", "110101199003070012"), ("l01x/00t47", "L01X00T47")])
    func identityDocumentsHaveACanonicalForm(_ input: String, _ canonical: String) {
        #expect(ContactMasking.normalizeIdentityDocument(input) == canonical)
    }

    @Test(arguments: ["", "AB1", "AB_123456", "护照123456", String(repeating: "9", count: 65)])
    func malformedIdentityDocumentsAreRefused(_ input: String) {
        #expect(ContactMasking.normalizeIdentityDocument(input) == nil)
    }
}
