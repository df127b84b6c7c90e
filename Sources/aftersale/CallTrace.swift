import Foundation
import RPCShared

/// What `aftersale call -v` writes to stderr around a call, so that stdout stays the JSON alone:
///
/// ```
/// > /aftersale.order.v1.OrderService/GetOrder on unix:///run/order.sock (unary, timeout 30s)
/// > authorization: Bearer eyJ…(redacted)
/// < headers: (none)
/// < trailer x-request-id: 01J…
/// < OK in 3.2ms
/// ```
enum CallTrace {
    static func request(_ method: MethodDescriptor, address: String, options: CallOptions) {
        let timeout = options.timeout.map { ", timeout \($0)" } ?? ""
        var lines = ["> \(method.path) on \(address) (\(method.kind)\(timeout))"]
        for entry in options.metadata.entries { lines.append("> \(entry.key): \(shown(entry))") }
        write(lines)
    }

    /// `trailers`: those of a failed call (RPCError carries them); a successful call's are in the recorder.
    static func response(_ recorder: ResponseMetadataRecorder, status: String, duration: Duration, trailers: Metadata? = nil) {
        let headers = recorder.headers.entries
        var lines = headers.isEmpty ? ["< headers: (none)"] : headers.map { "< header \($0.key): \(shown($0))" }
        let trailing = recorder.trailers.entries.isEmpty ? (trailers?.entries ?? []) : recorder.trailers.entries
        lines += trailing.isEmpty ? ["< trailers: (none)"] : trailing.map { "< trailer \($0.key): \(shown($0))" }
        lines.append("< \(status) in \(milliseconds(duration))")
        write(lines)
    }

    /// A value as text; a bearer token only by its start (it is a credential), binary values in hex.
    private static func shown(_ entry: Metadata.Entry) -> String {
        guard let text = entry.text else { return entry.value.map { String($0, radix: 16).leftPadded(2) }.joined() }
        if entry.key == "authorization", text.count > 16 { return "\(text.prefix(16))…(redacted)" }
        return text
    }

    private static func milliseconds(_ duration: Duration) -> String {
        let (seconds, attoseconds) = duration.components
        let millis = Double(seconds) * 1000 + Double(attoseconds) / 1e15
        return String(format: "%.1fms", millis)
    }

    private static func write(_ lines: [String]) {
        FileHandle.standardError.write(Data((lines.joined(separator: "\n") + "\n").utf8))
    }
}
