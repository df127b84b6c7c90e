import RPCShared

/// The text `aftersale describe` prints, from the schema compiled into this binary (``ProtoRegistry``): the same
/// proto/ the embedded descriptor set and the reflection service come from.
enum SchemaDescription {
    /// Looks `name` up as a service, a method, a message, then an enum.
    static func describe(_ name: String) throws -> String {
        let name = name.hasPrefix(".") ? String(name.dropFirst()) : name
        if let methods = ProtoRegistry.services[name] {
            return (["service \(name)"] + methods.map { "  \(signature($0))" }).joined(separator: "\n")
        }
        if let method = try? MethodLookup.descriptor(name) {
            return Self.method(path: method.path, streaming: method.kind == .serverStreaming,
                               input: method.inputType, output: method.outputType, kind: method.kind)
        }
        if let message = ProtoRegistry.messageTypes[name] { return self.message(name, message) }
        if let type = ProtoRegistry.enumTypes[name] { return enumeration(name, type) }
        throw CLIError("unknown name '\(name)': not a service, method, message or enum (see 'aftersale proto types')")
    }

    /// A method's signature and the fields of its request and response.
    static func method(path: String, streaming: Bool, input: String, output: String, kind: RPCKind? = nil) -> String {
        var lines = ["\(path)  \(kind.map(label) ?? (streaming ? "server-streaming" : "unary"))"]
        for (role, name) in [("request", input), ("response", output)] {
            lines.append("\(role): \(name)")
            lines += (ProtoRegistry.messageTypes[name]?.protoFields ?? []).map(field)
        }
        return lines.joined(separator: "\n")
    }

    /// `message NAME` and one line per field: number, name, type, label.
    static func message(_ name: String, _ type: any ProtoMessage.Type) -> String {
        (["message \(name)"] + type.protoFields.map(field)).joined(separator: "\n")
    }

    /// `enum NAME` and one line per value: number, name.
    static func enumeration(_ name: String, _ type: any ProtoEnum.Type) -> String {
        (["enum \(name)"] + values(type)).joined(separator: "\n")
    }

    private static func values<E: ProtoEnum>(_ type: E.Type) -> [String] {
        E.allCases.compactMap { value in value.protoName.map { "  \(value.rawValue)  \($0)" } }
    }

    /// `  3  sleep_millis: int64 (singular)`; the label is repeated, map, oneof or singular (proto3 has no
    /// required, and `optional` is not used in proto/).
    private static func field(_ field: ProtoFieldInfo) -> String {
        var type = field.type, label = "singular"
        if type.hasPrefix("repeated ") {
            type.removeFirst("repeated ".count)
            label = "repeated"
        } else if type.hasPrefix("map<") {
            label = "map"
        } else if type.hasSuffix(" (oneof)") {
            type.removeLast(" (oneof)".count)
            label = "oneof"
        }
        return "  \(field.number)  \(field.name): \(type) (\(label))"
    }

    private static func signature(_ method: MethodDescriptor) -> String {
        let input = method.kind == .clientStreaming || method.kind == .bidirectionalStreaming ? "stream " : ""
        let output = method.kind == .serverStreaming || method.kind == .bidirectionalStreaming ? "stream " : ""
        return "\(method.method)(\(input)\(method.inputType)) returns (\(output)\(method.outputType))"
    }

    private static func label(_ kind: RPCKind) -> String {
        switch kind {
        case .unary: "unary"
        case .serverStreaming: "server-streaming"
        case .clientStreaming: "client-streaming"
        case .bidirectionalStreaming: "bidirectional-streaming"
        }
    }
}
