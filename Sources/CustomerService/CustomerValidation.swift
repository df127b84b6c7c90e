import Foundation
import RPCShared
import ServiceRuntime

/// Field checks specific to this service, on top of ``FieldValidator``. Messages never repeat the rejected
/// value: it may be an e-mail address, a phone or an identity number.
enum CustomerValidation {
    static let maxAddresses = 20
    static let maxAddressLines = 5

    /// The normalised e-mail, nil when empty (or invalid, which is reported).
    static func email(_ value: String, _ field: String, _ check: inout FieldValidator) -> String? {
        normalized(value, field, &check, maxLength: ContactMasking.maxEmailLength, ContactMasking.normalizeEmail,
                   "is not a valid e-mail address (local@domain.tld, at most \(ContactMasking.maxEmailLength) characters)")
    }

    /// The normalised phone, nil when empty (or invalid, which is reported).
    static func phone(_ value: String, _ field: String, _ check: inout FieldValidator) -> String? {
        normalized(value, field, &check, maxLength: 32, ContactMasking.normalizePhone,
                   "must be an international number: '+', country code and 7–15 digits in all")
    }

    static func identityDocument(_ value: String, _ field: String, _ check: inout FieldValidator) -> String? {
        normalized(value, field, &check, maxLength: 80, ContactMasking.normalizeIdentityDocument,
                   "must be 4–64 letters and digits (spaces, '-', '.', '/' allowed as separators)")
    }

    private static func normalized(_ value: String, _ field: String, _ check: inout FieldValidator, maxLength: Int,
                                   _ normalize: (String) -> String?, _ problem: String) -> String? {
        guard !value.isEmpty else { return nil }
        guard value.count <= maxLength, let normalized = normalize(value) else {
            check.fail(field, problem)
            return nil
        }
        return normalized
    }

    /// ISO 3166-1 alpha-2: two upper-case ASCII letters.
    static func market(_ value: String, _ field: String, _ check: inout FieldValidator) {
        if value.isEmpty { return check.fail(field, "is required") }
        if !isCountryCode(value) { check.fail(field, "must be an ISO 3166-1 alpha-2 code such as DE, got '\(value.prefix(8))'") }
    }

    static func isCountryCode(_ value: String) -> Bool {
        value.utf8.count == 2 && value.utf8.allSatisfy { $0 >= 0x41 && $0 <= 0x5A }
    }

    /// A known IANA zone; empty falls back to the market's zone (DE, CN, US), else it is required.
    static func timeZone(_ value: String, market: String, _ field: String, _ check: inout FieldValidator) -> String {
        if value.isEmpty {
            if let zone = CustomerSeed.timeZones[market] { return zone }
            check.fail(field, "is required (an IANA zone such as Europe/Berlin)")
            return ""
        }
        if value.utf8.count > 64 || TimeZone(identifier: value) == nil {
            check.fail(field, "is not a known IANA time zone, got '\(value.prefix(64))'")
        }
        return value
    }

    /// Checked addresses with their phone numbers masked (the contract stores address phones masked too).
    static func addresses(_ addresses: [CommonV1.Address], _ field: String,
                          _ check: inout FieldValidator) -> [CommonV1.Address] {
        check.count(addresses, field, max: maxAddresses)
        return addresses.enumerated().map { index, address in
            let path = "\(field)[\(index)]"
            var masked = address
            check.name(address.name, path + ".name")
            check.count(address.lines, path + ".lines", required: true, max: maxAddressLines)
            for (line, text) in address.lines.enumerated() { check.name(text, "\(path).lines[\(line)]", required: true) }
            check.name(address.city, path + ".city", required: true)
            check.name(address.region, path + ".region")
            check.name(address.postalCode, path + ".postal_code")
            if !isCountryCode(address.country) { check.fail(path + ".country", "must be an ISO 3166-1 alpha-2 code such as DE") }
            // A phone already masked (an address read back from GetCustomer and sent again) stays as it is.
            if !ContactMasking.isMaskedPhone(address.phone),
               let phone = phone(address.phone, path + ".phone", &check) {
                masked.phone = ContactMasking.maskPhone(phone)
            }
            return masked
        }
    }
}
