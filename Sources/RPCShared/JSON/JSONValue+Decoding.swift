/// The typed reads the generated `init(json:path:)` uses. Each accepts what the proto3 JSON mapping allows
/// (numbers as JSON numbers or strings, enums as names or numbers, bytes as standard or URL-safe base64) and
/// throws a ``JSONDecodingError`` naming the path otherwise.
extension JSONValue {
    public func objectMembers(_ path: String) throws -> [(key: String, value: JSONValue)] {
        guard case .object(let members) = self else { throw mismatch(path, "an object") }
        var seen = Set<String>()
        for member in members where !seen.insert(member.key).inserted {
            throw JSONDecodingError(path: path, message: "duplicate key '\(member.key)'")
        }
        return members.map { ($0.key, $0.value) }
    }

    public func array<T>(_ path: String, _ element: (JSONValue, String) throws -> T) throws -> [T] {
        guard case .array(let values) = self else { throw mismatch(path, "an array") }
        return try values.enumerated().map { index, value in
            if value.isNull { throw JSONDecodingError(path: "\(path)[\(index)]", message: "null is not allowed in a repeated field") }
            return try element(value, "\(path)[\(index)]")
        }
    }

    public func map<K: ProtoMapKey, V>(_ path: String, _ element: (JSONValue, String) throws -> V) throws -> [K: V] {
        var result: [K: V] = [:]
        for (key, value) in try objectMembers(path) {
            guard let mapKey = K(jsonKey: key) else {
                throw JSONDecodingError(path: path, message: "'\(key)' is not a valid map key of type \(K.self)")
            }
            result[mapKey] = try element(value, "\(path)[\"\(key)\"]")
        }
        return result
    }

    public func string(_ path: String) throws -> String {
        guard case .string(let value) = self else { throw mismatch(path, "a string") }
        return value
    }

    public func bool(_ path: String) throws -> Bool {
        guard case .bool(let value) = self else { throw mismatch(path, "true or false") }
        return value
    }

    public func bytes(_ path: String) throws -> [UInt8] {
        guard case .string(let text) = self else { throw mismatch(path, "a base64 string") }
        guard let bytes = Base64.decode(text) else { throw JSONDecodingError(path: path, message: "invalid base64") }
        return bytes
    }

    public func int32(_ path: String) throws -> Int32 { try integer(path) }
    public func uint32(_ path: String) throws -> UInt32 { try integer(path) }
    public func int64(_ path: String) throws -> Int64 { try integer(path) }
    public func uint64(_ path: String) throws -> UInt64 { try integer(path) }

    public func double(_ path: String) throws -> Double {
        switch self {
        case .number(let text):
            guard let value = Double(text), value.isFinite else { throw outOfRange(path, text, "a double") }
            return value
        case .string(let text):
            switch text {
            case "NaN": return .nan
            case "Infinity": return .infinity
            case "-Infinity": return -.infinity
            default:
                guard let value = Double(text), value.isFinite, (try? JSONParser.parse(text)) != nil else {
                    throw JSONDecodingError(path: path, message: "'\(text)' is not a number")
                }
                return value
            }
        default:
            throw mismatch(path, "a number")
        }
    }

    /// Parsed as a Float directly (not via Double) so that a value printed by a float32 writer reads back exactly.
    public func float(_ path: String) throws -> Float {
        if case .number(let text) = self {
            guard let value = Float(text), value.isFinite else { throw outOfRange(path, text, "a float") }
            return value
        }
        let value = try double(path)
        guard value.isNaN || value.isInfinite || abs(value) <= Double(Float.greatestFiniteMagnitude) else {
            throw JSONDecodingError(path: path, message: "\(value) is out of range for a float")
        }
        if case .string(let text) = self, value.isFinite, let exact = Float(text) { return exact }
        return Float(value)
    }

    public func enumValue<E: ProtoEnum>(_ path: String, as: E.Type) throws -> E {
        switch self {
        case .string(let name):
            guard let value = E(protoName: name) else {
                throw JSONDecodingError(path: path, message: "'\(name)' is not a value of \(E.self)")
            }
            return value
        case .number:
            return E(rawValue: try int32(path))
        default:
            throw mismatch(path, "an enum name or number")
        }
    }

    /// An RFC 3339 string, as `aftersale.common.v1.Timestamp` maps to JSON.
    public func timestamp(_ path: String) throws -> (seconds: Int64, nanos: Int32) {
        if case .object = self {
            var value: (seconds: Int64, nanos: Int32) = (0, 0)
            for (key, member) in try objectMembers(path) {
                switch key {
                case "seconds": value.seconds = try member.int64(path + ".seconds")
                case "nanos": value.nanos = try member.int32(path + ".nanos")
                default: throw JSONDecodingError(path: path, message: "unknown field '\(key)'")
                }
            }
            return value
        }
        let text = try string(path)
        guard let value = RFC3339.parse(text) else {
            throw JSONDecodingError(path: path, message: "'\(text)' is not an RFC 3339 timestamp such as 2026-11-21T16:30:00Z")
        }
        return value
    }

    private func integer<T: FixedWidthInteger>(_ path: String) throws -> T {
        let text: String
        switch self {
        case .number(let number): text = number
        case .string(let string): text = string
        default: throw mismatch(path, "an integer")
        }
        if let value = T(text) { return value }
        // Proto3 JSON also accepts integral values in exponent or fraction form ("1e3", "5.0").
        if let double = Double(text), double.rounded() == double, (try? JSONParser.parse(text)) != nil,
           let value = T(exactly: double) {
            return value
        }
        throw outOfRange(path, text, "\(T.self)")
    }

    private func mismatch(_ path: String, _ expected: String) -> JSONDecodingError {
        let found: String
        switch self {
        case .null: found = "null"
        case .bool: found = "a boolean"
        case .number: found = "a number"
        case .string: found = "a string"
        case .array: found = "an array"
        case .object: found = "an object"
        }
        return JSONDecodingError(path: path, message: "expected \(expected), found \(found)")
    }

    private func outOfRange(_ path: String, _ text: String, _ type: String) -> JSONDecodingError {
        JSONDecodingError(path: path, message: "'\(text)' is not a valid \(type)")
    }
}

/// The fields a JSON object has set so far: a field named twice (e.g. as `orderId` and `order_id`) is an error,
/// as in Google's implementations.
public struct JSONFieldSet {
    private var numbers: Set<Int32> = []
    public init() {}
    public mutating func insert(_ number: Int32, _ key: String, _ path: String) throws {
        guard numbers.insert(number).inserted else {
            throw JSONDecodingError(path: path, message: "duplicate key '\(key)' (the field is already set)")
        }
    }
}
