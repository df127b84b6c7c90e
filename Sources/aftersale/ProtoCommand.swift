import ArgumentParser
import Foundation
import RPCShared

/// `aftersale proto …`: encode and decode messages offline, like `protoc --encode/--decode`.
struct ProtoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "proto",
        abstract: "Encode, decode and list the protobuf messages AfterSale knows.",
        subcommands: [Types.self, Encode.self, Decode.self]
    )

    struct Types: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List every message type.")
        func run() {
            for name in ProtoRegistry.messageTypes.keys.sorted() { print(name) }
        }
    }

    struct Encode: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "JSON in, binary protobuf out (hex).")
        @Argument(help: "Full message name, e.g. aftersale.common.v1.Money.") var type: String
        @Argument(help: "The message as proto3 JSON, @FILE, or - to read standard input.") var json: String
        func run() throws {
            let message = try MessageType(type).fromJSON(readInput(json))
            print(try message.serializedBytes().map { String($0, radix: 16).leftPadded(2) }.joined())
        }
    }

    struct Decode: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Binary protobuf in (hex), proto3 JSON out.")
        @Argument(help: "Full message name.") var type: String
        @Argument(help: "The bytes in hex, @FILE, or - to read standard input.") var hex: String
        @Flag(name: .customLong("emit-defaults"), help: "Print every field, zero values included (proto3 JSON EmitDefaults).")
        var emitDefaults = false
        func run() throws {
            let text = try readInput(hex).filter { !$0.isWhitespace }
            guard text.count % 2 == 0, let bytes = HexBytes.parse(text) else {
                throw CLIError("'\(text.prefix(40))' is not hex", status: .dataError)
            }
            print(try MessageType(type).type.init(serializedBytes: bytes).jsonString(pretty: true, emitDefaults: emitDefaults))
        }
    }
}

/// A message type looked up by its full name, with a clear error for a name that does not exist.
struct MessageType {
    let type: any ProtoMessage.Type

    init(_ name: String) throws {
        let name = name.hasPrefix(".") ? String(name.dropFirst()) : name
        guard let type = ProtoRegistry.messageTypes[name] else {
            throw CLIError("unknown message type '\(name)' (see 'aftersale proto types')")
        }
        self.type = type
    }

    func fromJSON(_ text: String) throws -> any ProtoMessage {
        try type.init(jsonString: text)
    }
}

enum HexBytes {
    static func parse(_ text: String) -> [UInt8]? {
        var bytes: [UInt8] = []
        var index = text.startIndex
        while index < text.endIndex {
            let next = text.index(index, offsetBy: 2)
            guard let byte = UInt8(text[index..<next], radix: 16) else { return nil }
            bytes.append(byte)
            index = next
        }
        return bytes
    }
}

/// An argument's value; standard input when it is `-`; the file's content when it is `@PATH` (a missing or
/// unreadable file exits 66, EX_NOINPUT).
func readInput(_ value: String) throws -> String {
    if value.hasPrefix("@") {
        let path = String(value.dropFirst())
        guard let data = FileManager.default.contents(atPath: path) else {
            throw CLIError("cannot read \(path): \(FileManager.default.fileExists(atPath: path) ? "permission denied" : "no such file")",
                           status: .noInput)
        }
        return String(decoding: data, as: UTF8.self)
    }
    guard value == "-" else { return value }
    var lines: [String] = []
    while let line = readLine(strippingNewline: false) { lines.append(line) }
    return lines.joined()
}

extension String {
    func leftPadded(_ width: Int) -> String { String(repeating: "0", count: max(0, width - count)) + self }
}
