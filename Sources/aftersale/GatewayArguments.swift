import Foundation
import RPCShared

/// Parsing and printing shared by the `aftersale gateway …` commands.
enum GatewayArguments {
    /// `REFUND` or `RESOLUTION_REFUND` (any case) → the enum value; anything else names the allowed values.
    static func parseEnum<E: ProtoEnum>(_ text: String, prefix: String, as: E.Type, option: String) throws -> E {
        let upper = text.uppercased().replacingOccurrences(of: "-", with: "_")
        if let value = E(protoName: upper.hasPrefix(prefix) ? upper : prefix + upper), value.rawValue != 0 { return value }
        let allowed = E.allCases.compactMap(\.protoName).filter { !$0.hasSuffix("_UNSPECIFIED") }.map { String($0.dropFirst(prefix.count)) }
        throw CLIError("\(option): '\(text)' is not one of \(allowed.joined(separator: ", "))")
    }

    /// Prints a case's events as JSON lines until the stream ends or `count` were printed.
    static func printEvents(_ stream: ResponseStream<OrderV1.CaseEvent>, count: Int?) async throws {
        var seen = 0
        do {
            for try await event in stream {
                FileHandle.standardOutput.write(Data((event.jsonString() + "\n").utf8))
                seen += 1
                if let count, seen >= count { break }
            }
        } catch let error as RPCError {
            throw CLIFailure(error)
        }
    }

    /// `CASE_LINE_ID=QUANTITY` pairs.
    static func parseLines(_ pairs: [String]) throws -> [OrderV1.LineQuantity] {
        try pairs.map { pair in
            let parts = pair.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, let quantity = Int32(parts[1]) else {
                throw CLIError("--line: '\(pair)' is not CASE_LINE_ID=QUANTITY")
            }
            return OrderV1.LineQuantity(caseLineID: parts[0], quantity: quantity)
        }
    }
}
