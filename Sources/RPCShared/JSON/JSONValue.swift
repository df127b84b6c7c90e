/// A parsed JSON document. Numbers keep their source text so that 64-bit integers are read exactly.
public enum JSONValue: Sendable, Hashable {
    case null
    case bool(Bool)
    case number(String)
    case string(String)
    case array([JSONValue])
    case object([JSONMember])

    public var isNull: Bool { if case .null = self { true } else { false } }
}

/// One `"key": value` pair of an object, in document order (duplicates are kept for the reader to judge).
public struct JSONMember: Sendable, Hashable {
    public var key: String
    public var value: JSONValue
    public init(key: String, value: JSONValue) {
        self.key = key
        self.value = value
    }
}

/// Why JSON could not be read as a message: where (a field path or byte offset) and what was wrong.
public struct JSONDecodingError: Error, Hashable, CustomStringConvertible {
    public var path: String
    public var message: String
    public init(path: String, message: String) {
        self.path = path
        self.message = message
    }
    public var description: String { "\(path): \(message)" }
}
