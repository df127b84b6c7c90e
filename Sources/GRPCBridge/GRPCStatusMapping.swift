import GRPCCore
import RPCShared

/// Our calls in gRPC's terms and back: status codes (1:1, both are gRPC's), metadata, `grpc-timeout`, and
/// `grpc-status-details-bin`.
enum GRPCStatusMapping {
    /// The trailer gRPC clients read rich error details from (a serialized `google.rpc.Status`).
    static let detailsKey = "grpc-status-details-bin"
    /// The type URL our `ErrorDetails` is packed under in `google.rpc.Status.details`.
    static let errorDetailsTypeURL = "type.googleapis.com/\(CommonV1.ErrorDetails.protoMessageName)"

    /// GRPCCore's error for one of ours: same code and message, our trailers, and our details (if any) as the one
    /// entry of a `google.rpc.Status` in `grpc-status-details-bin`.
    static func grpcError(_ error: RPCShared.RPCError, requestID: String) -> GRPCCore.RPCError {
        var metadata = grpcMetadata(error.trailers)
        metadata.addString(requestID, forKey: "x-request-id")
        if !error.details.isEmpty {
            let status = GoogleRPC.Status(code: error.code.rawValue, message: error.message,
                                          details: [.init(typeURL: errorDetailsTypeURL, value: error.details)])
            if let bytes = try? status.serializedBytes() { metadata.addBinary(bytes, forKey: detailsKey) }
        }
        return GRPCCore.RPCError(code: grpcCode(error.code), message: error.message, metadata: metadata)
    }

    static func grpcCode(_ code: StatusCode) -> GRPCCore.RPCError.Code {
        GRPCCore.Status.Code(rawValue: Int(code.rawValue)).flatMap(GRPCCore.RPCError.Code.init) ?? .unknown
    }

    /// Our metadata as gRPC's: keys ending in `-bin` carry bytes (base64 on the wire), all others text.
    static func grpcMetadata(_ metadata: RPCShared.Metadata) -> GRPCCore.Metadata {
        var out = GRPCCore.Metadata()
        for entry in metadata {
            if entry.key.hasSuffix("-bin") {
                out.addBinary(entry.value, forKey: entry.key)
            } else {
                out.addString(String(decoding: entry.value, as: UTF8.self), forKey: entry.key)
            }
        }
        return out
    }

    /// gRPC's request metadata as ours (binary values decoded from base64 by the transport already).
    static func metadata(_ grpc: GRPCCore.Metadata) -> RPCShared.Metadata {
        var out = RPCShared.Metadata()
        for (key, value) in grpc {
            switch value {
            case .string(let text): out.add(key, text)
            case .binary(let bytes): out.add(key, bytes: bytes)
            }
        }
        return out
    }

    /// The `grpc-timeout` header (`<1-8 digits><H|M|S|m|u|n>`, gRPC's HTTP/2 spec); nil when absent or malformed.
    static func timeout(_ text: String?) -> Duration? {
        guard let text, let unit = text.last, (2...9).contains(text.count),
              let amount = Int64(text.dropLast()), amount >= 0 else { return nil }
        switch unit {
        case "H": return .seconds(amount * 3600)
        case "M": return .seconds(amount * 60)
        case "S": return .seconds(amount)
        case "m": return .milliseconds(amount)
        case "u": return .microseconds(amount)
        case "n": return .nanoseconds(amount)
        default: return nil
        }
    }

    /// GRPCCore's peer (`ipv4:127.0.0.1:5000`, `ipv6:[::1]:5000`, `unix:/path`) in our spelling (`tcp://…`, `unix:…`).
    static func peer(_ remote: String) -> String {
        if remote.hasPrefix("ipv4:") { return "tcp://" + remote.dropFirst(5) }
        if remote.hasPrefix("ipv6:") { return "tcp://" + remote.dropFirst(5) }
        return remote
    }
}
