import RPCShared

/// Collects every problem with a request, then fails once with INVALID_ARGUMENT naming each field and why —
/// a caller fixing a request should not have to discover its mistakes one round trip at a time.
///
/// ```swift
/// var check = FieldValidator()
/// check.identifier(request.orderID, "order_id")
/// check.positive(line.quantity, "lines[\(i)].quantity")
/// try check.validate()
/// ```
public struct FieldValidator: Sendable {
    /// Longest free text (messages, notes, feedback) a service stores.
    public static let maxTextLength = 4_000
    /// Longest id, SKU or other short token.
    public static let maxIdentifierLength = 128
    /// Longest name, title, e-mail and similar one-line text.
    public static let maxNameLength = 256
    /// Most elements in a repeated request field.
    public static let maxListCount = 500

    public private(set) var violations: [CommonV1.FieldViolation] = []

    public init() {}

    public var isValid: Bool { violations.isEmpty }

    /// Throws INVALID_ARGUMENT when anything was reported.
    public func validate() throws {
        if !violations.isEmpty { throw RPCError.invalidArgument(violations) }
    }

    public mutating func fail(_ field: String, _ description: String) {
        violations.append(.init(field: field, description: description))
    }

    public mutating func require(_ condition: Bool, _ field: String, _ description: @autoclosure () -> String) {
        if !condition { fail(field, description()) }
    }

    /// A required id, SKU or key: non-empty, at most 128 characters, printable ASCII without spaces.
    public mutating func identifier(_ value: String, _ field: String) {
        if value.isEmpty { return fail(field, "is required") }
        if value.utf8.count > Self.maxIdentifierLength {
            return fail(field, "is longer than \(Self.maxIdentifierLength) bytes")
        }
        if !value.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) {
            fail(field, "must be printable ASCII without spaces")
        }
    }

    /// An optional id: empty is fine, otherwise as ``identifier(_:_:)``.
    public mutating func optionalIdentifier(_ value: String, _ field: String) {
        if !value.isEmpty { identifier(value, field) }
    }

    /// Text with a length limit (in bytes of UTF-8) and no control characters other than newline and tab.
    public mutating func text(_ value: String, _ field: String, required: Bool = false,
                              maxLength: Int = FieldValidator.maxTextLength) {
        if value.isEmpty {
            if required { fail(field, "is required") }
            return
        }
        if value.utf8.count > maxLength { return fail(field, "is longer than \(maxLength) bytes") }
        if value.unicodeScalars.contains(where: { $0.value < 0x20 && $0 != "\n" && $0 != "\t" || $0.value == 0x7F }) {
            fail(field, "contains control characters")
        }
    }

    /// A one-line name (no newlines), at most 256 bytes.
    public mutating func name(_ value: String, _ field: String, required: Bool = false) {
        text(value, field, required: required, maxLength: Self.maxNameLength)
        if value.contains(where: \.isNewline) { fail(field, "must be a single line") }
    }

    public mutating func positive<T: BinaryInteger>(_ value: T, _ field: String) {
        if value <= 0 { fail(field, "must be positive, got \(value)") }
    }

    public mutating func nonNegative<T: BinaryInteger>(_ value: T, _ field: String) {
        if value < 0 { fail(field, "must not be negative, got \(value)") }
    }

    public mutating func range<T: BinaryInteger>(_ value: T, _ bounds: ClosedRange<T>, _ field: String) {
        if !bounds.contains(value) { fail(field, "must be between \(bounds.lowerBound) and \(bounds.upperBound), got \(value)") }
    }

    /// A list of at most `max` elements (and at least one when required).
    public mutating func count<C: Collection>(_ list: C, _ field: String, required: Bool = false,
                                              max: Int = FieldValidator.maxListCount) {
        if required && list.isEmpty { fail(field, "needs at least one element") }
        if list.count > max { fail(field, "has \(list.count) elements; at most \(max) allowed") }
    }

    /// An enum value that must be set and known to this server.
    public mutating func known<E: ProtoEnum>(_ value: E, _ field: String) {
        if value.rawValue == 0 { fail(field, "is required") }
        else if value.protoName == nil { fail(field, "has unknown value \(value.rawValue)") }
    }

    /// An ISO 4217 code: three upper-case ASCII letters.
    public mutating func currency(_ code: String, _ field: String) {
        if !MoneyMath.isCurrencyCode(code) { fail(field, "must be an ISO 4217 code such as EUR, got '\(code)'") }
    }

    /// A present amount with a valid currency; negative only when allowed.
    public mutating func money(_ value: CommonV1.Money?, _ field: String, required: Bool = true,
                               allowNegative: Bool = false) {
        guard let value else {
            if required { fail(field, "is required") }
            return
        }
        currency(value.currency, field + ".currency")
        if !allowNegative && value.minorUnits < 0 {
            fail(field + ".minor_units", "must not be negative, got \(value.minorUnits)")
        }
    }

    /// A timestamp in range (years 1970–9999, nanos 0..<1e9).
    public mutating func timestamp(_ value: CommonV1.Timestamp?, _ field: String, required: Bool = false) {
        guard let value else {
            if required { fail(field, "is required") }
            return
        }
        if value.seconds < 0 || value.seconds > 253_402_300_799 { fail(field, "is out of range") }
        if value.nanos < 0 || value.nanos >= 1_000_000_000 { fail(field + ".nanos", "must be in 0..<1000000000") }
    }
}
