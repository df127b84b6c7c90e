/// Writes the proto3 canonical JSON form of messages (see https://protobuf.dev/programming-guides/json/).
///
/// Field names are the proto `json_name`s; 64-bit integers are strings; bytes are base64; enums are their
/// value names (numbers when unrecognized); fields at their default value are omitted, except a oneof's chosen
/// field; non-finite floats are "NaN", "Infinity", "-Infinity".
///
/// With `emitDefaults` (protobuf's `always_print_fields_with_no_presence`, once `EmitDefaults`) every field without
/// presence is written even at its default: zero numbers, "", false, enums by the name of value 0, `[]`, `{}`.
/// Fields with presence — singular messages, an unset oneof — stay absent when unset, as in Google's runtimes.
public struct JSONWriter {
    private var output: [UInt8] = []
    private var needsComma: [Bool] = []
    private let pretty: Bool
    private let emitDefaults: Bool

    public init(pretty: Bool = false, emitDefaults: Bool = false) {
        self.pretty = pretty
        self.emitDefaults = emitDefaults
        output.reserveCapacity(256)
    }

    public var result: String { String(decoding: output, as: UTF8.self) }

    // MARK: structure

    public mutating func beginObject() { open(UInt8(ascii: "{")) }
    public mutating func endObject() { close(UInt8(ascii: "}")) }

    /// Starts a member: the separator, the key and the colon. The value follows.
    public mutating func key(_ key: String) {
        separate()
        writeString(key)
        output.append(UInt8(ascii: ":"))
        if pretty { output.append(UInt8(ascii: " ")) }
    }

    private mutating func open(_ bracket: UInt8) {
        output.append(bracket)
        needsComma.append(false)
    }

    private mutating func close(_ bracket: UInt8) {
        let hadMembers = needsComma.removeLast()
        if pretty && hadMembers { newline() }
        output.append(bracket)
    }

    /// Before an object member or array element: a comma after the previous one, and the indentation.
    private mutating func separate() {
        if needsComma.last == true { output.append(UInt8(ascii: ",")) }
        if !needsComma.isEmpty { needsComma[needsComma.count - 1] = true }
        if pretty { newline() }
    }

    private mutating func newline() {
        output.append(UInt8(ascii: "\n"))
        output.append(contentsOf: repeatElement(UInt8(ascii: " "), count: 2 * needsComma.count))
    }

    // MARK: fields (omitted at their default unless `always`)

    public mutating func field(_ name: String, _ value: Bool, always: Bool = false) {
        if value || always || emitDefaults { key(name); self.value(value) }
    }
    public mutating func field(_ name: String, _ value: Int32, always: Bool = false) {
        if value != 0 || always || emitDefaults { key(name); self.value(value) }
    }
    public mutating func field(_ name: String, _ value: UInt32, always: Bool = false) {
        if value != 0 || always || emitDefaults { key(name); self.value(value) }
    }
    public mutating func field(_ name: String, _ value: Int64, always: Bool = false) {
        if value != 0 || always || emitDefaults { key(name); self.value(value) }
    }
    public mutating func field(_ name: String, _ value: UInt64, always: Bool = false) {
        if value != 0 || always || emitDefaults { key(name); self.value(value) }
    }
    public mutating func field(_ name: String, _ value: Float, always: Bool = false) {
        if value != 0 || value.sign == .minus || always || emitDefaults { key(name); self.value(value) }
    }
    public mutating func field(_ name: String, _ value: Double, always: Bool = false) {
        if value != 0 || value.sign == .minus || always || emitDefaults { key(name); self.value(value) }
    }
    public mutating func field(_ name: String, _ value: String, always: Bool = false) {
        if !value.isEmpty || always || emitDefaults { key(name); self.value(value) }
    }
    public mutating func field(_ name: String, _ value: [UInt8], always: Bool = false) {
        if !value.isEmpty || always || emitDefaults { key(name); self.value(value) }
    }
    public mutating func field<E: ProtoEnum>(_ name: String, _ value: E, always: Bool = false) {
        if value.rawValue != 0 || always || emitDefaults { key(name); self.value(value) }
    }

    public mutating func array<T>(_ name: String, _ values: [T], _ element: (inout JSONWriter, T) -> Void) {
        guard !values.isEmpty || emitDefaults else { return }
        key(name)
        open(UInt8(ascii: "["))
        for value in values {
            separate()
            element(&self, value)
        }
        close(UInt8(ascii: "]"))
    }

    public mutating func map<K: ProtoMapKey, V>(_ name: String, _ values: [K: V], _ element: (inout JSONWriter, V) -> Void) {
        guard !values.isEmpty || emitDefaults else { return }
        key(name)
        beginObject()
        for (entryKey, entryValue) in values.sorted(by: { K.protoOrder($0.key, $1.key) }) {
            key(entryKey.jsonKey)
            element(&self, entryValue)
        }
        endObject()
    }

    // MARK: values

    /// A parsed JSON document, compact; with `sortedKeys` every object's members in key order, a canonical form for
    /// storing and comparing. Numbers are written as they were read.
    public mutating func value(_ json: JSONValue, sortedKeys: Bool) {
        switch json {
        case .null: output.append(contentsOf: "null".utf8)
        case .bool(let flag): value(flag)
        case .number(let text): output.append(contentsOf: text.utf8)
        case .string(let text): writeString(text)
        case .array(let elements):
            open(UInt8(ascii: "["))
            for element in elements {
                separate()
                value(element, sortedKeys: sortedKeys)
            }
            close(UInt8(ascii: "]"))
        case .object(let members):
            beginObject()
            for member in sortedKeys ? members.sorted(by: { $0.key < $1.key }) : members {
                key(member.key)
                value(member.value, sortedKeys: sortedKeys)
            }
            endObject()
        }
    }

    public mutating func value(_ value: Bool) { output.append(contentsOf: (value ? "true" : "false").utf8) }
    public mutating func value(_ value: Int32) { output.append(contentsOf: String(value).utf8) }
    public mutating func value(_ value: UInt32) { output.append(contentsOf: String(value).utf8) }
    public mutating func value(_ value: Int64) { writeString(String(value)) }
    public mutating func value(_ value: UInt64) { writeString(String(value)) }
    public mutating func value(_ value: Float) { writeFloatingPoint(value.isFinite ? Self.floatText(value) : nil, value) }
    public mutating func value(_ value: Double) { writeFloatingPoint(value.isFinite ? value.description : nil, value) }
    public mutating func value(_ value: String) { writeString(value) }
    public mutating func value(_ value: [UInt8]) { writeString(Base64.encode(value)) }
    public mutating func value<E: ProtoEnum>(_ value: E) {
        if let name = value.protoName { writeString(name) } else { self.value(value.rawValue) }
    }

    /// A `aftersale.common.v1.Timestamp` as RFC 3339 in UTC, with 0, 3, 6 or 9 fractional digits. A value RFC 3339
    /// cannot express (outside years 1–9999, or nanos outside 0..<1e9) is written as `{"seconds": "…", "nanos": …}`
    /// rather than lost; the reader accepts both forms.
    public mutating func timestamp(seconds: Int64, nanos: Int32) {
        if let text = RFC3339.format(seconds: seconds, nanos: nanos) {
            writeString(text)
        } else {
            beginObject()
            field("seconds", seconds)
            field("nanos", nanos)
            endObject()
        }
    }

    /// The shortest text that reads back as `value` — unless read as a double it lands beyond the largest float
    /// (3.4028235e+38 does), which stricter parsers (Google's Python runtime) refuse; then the exact value.
    static func floatText(_ value: Float) -> String {
        let shortest = value.description
        if let wide = Double(shortest), wide.magnitude > Double(Float.greatestFiniteMagnitude) {
            return Double(value).description
        }
        return shortest
    }

    private mutating func writeFloatingPoint<F: BinaryFloatingPoint>(_ finite: String?, _ value: F) {
        if let finite {
            output.append(contentsOf: finite.utf8)
        } else {
            writeString(value.isNaN ? "NaN" : (value.sign == .minus ? "-Infinity" : "Infinity"))
        }
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)

    private mutating func writeString(_ string: String) {
        output.append(UInt8(ascii: "\""))
        for byte in string.utf8 {
            switch byte {
            case UInt8(ascii: "\""): output.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\"")])
            case UInt8(ascii: "\\"): output.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
            case 0x0A: output.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
            case 0x0D: output.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "r")])
            case 0x09: output.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "t")])
            case 0..<0x20:
                output.append(contentsOf: Array("\\u00".utf8))
                output.append(Self.hexDigits[Int(byte >> 4)])
                output.append(Self.hexDigits[Int(byte & 0xF)])
            default: output.append(byte)
            }
        }
        output.append(UInt8(ascii: "\""))
    }
}
