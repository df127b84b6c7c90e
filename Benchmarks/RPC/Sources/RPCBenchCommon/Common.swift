import NIOCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What serves or is called: AfterSale's RPC protocol, grpc-swift-2 over HTTP/2, or the raw length-prefixed echo.
public enum BenchKind: String, CaseIterable, Sendable {
    case aftersale, grpc, raw
}

/// `unix:///abs/path.sock` or `tcp://127.0.0.1:PORT` (port 0: the server picks one and prints it on READY).
public enum BenchAddress: Sendable, CustomStringConvertible {
    case unix(path: String)
    case tcp(host: String, port: Int)

    public init(parsing text: String) throws {
        if text.hasPrefix("unix://") {
            let path = String(text.dropFirst("unix://".count))
            guard path.hasPrefix("/") else { throw BenchError("a unix address needs an absolute path: \(text)") }
            self = .unix(path: path)
        } else if text.hasPrefix("tcp://") {
            let rest = text.dropFirst("tcp://".count)
            guard let colon = rest.lastIndex(of: ":"), let port = Int(rest[rest.index(after: colon)...]),
                  (0...65535).contains(port), colon > rest.startIndex else {
                throw BenchError("a tcp address needs host and port: \(text)")
            }
            self = .tcp(host: String(rest[..<colon]), port: port)
        } else {
            throw BenchError("not an address (unix:///path or tcp://host:port): \(text)")
        }
    }

    public var description: String {
        switch self {
        case .unix(let path): "unix://\(path)"
        case .tcp(let host, let port): "tcp://\(host):\(port)"
        }
    }
}

public struct BenchError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// The one message every kind sends: aftersale.testing.v1.EchoRequest{text: 98 ASCII characters}, 100 bytes encoded
/// (1 tag byte, 1 length byte, 98 characters). The response is EchoResponse{text: the same}, also 100 bytes.
public enum BenchMessage {
    public static let text: String = {
        let alphabet = Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
        return String((0..<98).map { alphabet[($0 * 7) % alphabet.count] })
    }()
}

/// A running server of any kind.
public protocol BenchServer: Sendable {
    /// The address bound (a TCP port 0 replaced by the real port).
    var address: BenchAddress { get }
    func shutdown() async
}

/// One client connection of any kind; `call()` makes one unary call and checks the answer's size.
public protocol BenchCaller: Sendable {
    func call() async throws
    func close() async
}

public func startServer(kind: BenchKind, address: BenchAddress) async throws -> any BenchServer {
    if case .unix(let path) = address { unlink(path) }
    switch kind {
    case .aftersale: return try await AfterSaleBenchServer.start(address)
    case .grpc: return try await GRPCBenchServer.start(address)
    case .raw: return try await RawBenchServer.start(address)
    }
}

public func makeCaller(kind: BenchKind, address: BenchAddress) async throws -> any BenchCaller {
    switch kind {
    case .aftersale: return try AfterSaleBenchCaller(address)
    case .grpc: return try GRPCBenchCaller(address)
    case .raw: return try await RawBenchCaller.connect(address)
    }
}

/// The encoded request, as each library encodes it (all three must be the same 100 bytes).
public func encodedRequests() throws -> [BenchKind: [UInt8]] {
    [.aftersale: try AfterSaleBenchCaller.encodedRequest(), .grpc: try GRPCBenchCaller.encodedRequest(),
     .raw: RawBenchCaller.payload]
}

/// Monotonic nanoseconds, cheap (vDSO clock_gettime).
@inline(__always)
public func monotonicNanos() -> UInt64 {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return UInt64(ts.tv_sec) &* 1_000_000_000 &+ UInt64(ts.tv_nsec)
}
