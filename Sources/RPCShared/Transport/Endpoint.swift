import NIOCore

/// Where a server listens or a client connects: `unix:///abs/path.sock` or `tcp://host:port`.
public enum Endpoint: Sendable, Hashable, CustomStringConvertible {
    case unix(path: String)
    case tcp(host: String, port: Int)

    /// Parses an address, throwing a message that says what a valid one looks like.
    public init(parsing text: String) throws {
        if text.hasPrefix("unix://") {
            let path = String(text.dropFirst("unix://".count))
            guard path.hasPrefix("/") else {
                throw RPCError(.invalidArgument, "'\(text)': a unix address needs an absolute path, e.g. unix:///run/aftersale/order.sock")
            }
            guard path.utf8.count < 108 else {
                throw RPCError(.invalidArgument, "'\(text)': a unix socket path must be shorter than 108 bytes")
            }
            self = .unix(path: path)
        } else if text.hasPrefix("tcp://") {
            let rest = text.dropFirst("tcp://".count)
            guard let colon = rest.lastIndex(of: ":"), let port = Int(rest[rest.index(after: colon)...]),
                  (0...65535).contains(port) else {
                throw RPCError(.invalidArgument, "'\(text)': a tcp address needs host and port, e.g. tcp://127.0.0.1:7000")
            }
            var host = String(rest[..<colon])
            if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
            guard !host.isEmpty else { throw RPCError(.invalidArgument, "'\(text)': the host is empty") }
            self = .tcp(host: host, port: port)
        } else {
            throw RPCError(.invalidArgument, "'\(text)' is not an address: use unix:///path.sock or tcp://host:port")
        }
    }

    public var description: String {
        switch self {
        case .unix(let path): "unix://\(path)"
        case .tcp(let host, let port): host.contains(":") ? "tcp://[\(host)]:\(port)" : "tcp://\(host):\(port)"
        }
    }
}
