import Foundation

/// Normalising and masking of contact data. Pure functions: no storage, no RPC.
///
/// Masking rules (docs/services/customer.md):
/// - e-mail: the first character of the local part, `***`, its last character when it has at least three
///   characters, then `@` and the domain: `anna.weber@example.de` → `a***r@example.de`, `jo@x.cn` → `j***@x.cn`.
/// - phone: `+`, the country calling code, `••• •••`, the last three digits: `+49 30 1234 5123` →
///   `+49 ••• ••• 123`. The middle is fixed-width so the mask does not reveal the number's length.
public enum ContactMasking {
    /// The longest e-mail address accepted (RFC 5321 path limit).
    public static let maxEmailLength = 254

    /// `value` trimmed, with the domain lower-cased; nil when it is not a plausible address
    /// (exactly one `@`, a local part of 1–64 characters, a dotted domain, printable ASCII without spaces).
    public static func normalizeEmail(_ value: String) -> String? {
        let trimmed = value.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty, trimmed.utf8.count <= maxEmailLength,
              trimmed.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else { return nil }
        let parts = trimmed.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, (1...64).contains(parts[0].utf8.count) else { return nil }
        let domain = parts[1].lowercased()
        let labels = domain.split(separator: ".", omittingEmptySubsequences: false)
        guard labels.count >= 2, labels.allSatisfy({ !$0.isEmpty }) else { return nil }
        return "\(parts[0])@\(domain)"
    }

    /// The masked form of a normalised address.
    public static func maskEmail(_ normalized: String) -> String {
        guard let at = normalized.firstIndex(of: "@") else { return "***" }
        let local = normalized[..<at]
        let domain = normalized[normalized.index(after: at)...]
        guard let first = local.first else { return "***@\(domain)" }
        let last = local.count >= 3 ? String(local[local.index(before: local.endIndex)]) : ""
        return "\(first)***\(last)@\(domain)"
    }

    /// `+` and 7–15 digits (E.164). Spaces, dashes, dots and parentheses are allowed as separators and dropped;
    /// a number must start with `+` and its country code, so that it is unambiguous across markets.
    public static func normalizePhone(_ value: String) -> String? {
        let trimmed = value.trimmingCharacters(in: .whitespaces)
        guard trimmed.first == "+" else { return nil }
        var digits = ""
        for character in trimmed.dropFirst() {
            if character.isASCII, character.isNumber { digits.append(character) }
            else if !" -.()".contains(character) { return nil }
        }
        guard (7...15).contains(digits.count), digits.first != "0" else { return nil }
        return "+" + digits
    }

    /// The masked form of a normalised number: `+49 ••• ••• 123`.
    public static func maskPhone(_ normalized: String) -> String {
        let digits = normalized.filter(\.isNumber)
        let code = callingCode(of: digits)
        return "+\(code) ••• ••• \(digits.suffix(3))"
    }

    /// Whether `value` has the shape ``maskPhone(_:)`` produces.
    public static func isMaskedPhone(_ value: String) -> Bool {
        let parts = value.split(separator: " ", omittingEmptySubsequences: false)
        guard parts.count == 4, parts[1] == "•••", parts[2] == "•••", parts[0].first == "+" else { return false }
        let code = parts[0].dropFirst()
        return (1...3).contains(code.count) && code.allSatisfy { $0.isASCII && $0.isNumber }
            && parts[3].count == 3 && parts[3].allSatisfy { $0.isASCII && $0.isNumber }
    }

    /// The ITU country calling code at the start of `digits`: the 1- and 2-digit codes are listed, every other
    /// code has 3 digits (ITU-T E.164 assigns them that way).
    static func callingCode(of digits: String) -> String {
        if let first = digits.first, first == "1" || first == "7" { return String(first) }
        let two = String(digits.prefix(2))
        return twoDigitCodes.contains(two) ? two : String(digits.prefix(3))
    }

    private static let twoDigitCodes: Set<String> = [
        "20", "27", "30", "31", "32", "33", "34", "36", "39", "40", "41", "43", "44", "45", "46", "47", "48", "49",
        "51", "52", "53", "54", "55", "56", "57", "58", "60", "61", "62", "63", "64", "65", "66", "81", "82", "84",
        "86", "90", "91", "92", "93", "94", "95", "98",
    ]

    /// An identity-document number in canonical form (upper-case, separators removed) so that `ab-123 456` and
    /// `AB123456` hash alike; nil unless it is 4–64 ASCII letters and digits.
    public static func normalizeIdentityDocument(_ value: String) -> String? {
        var canonical = ""
        for character in value {
            if character.isASCII, character.isLetter || character.isNumber { canonical.append(character) }
            else if !" -./".contains(character) { return nil }
        }
        guard (4...64).contains(canonical.count) else { return nil }
        return canonical.uppercased()
    }
}
