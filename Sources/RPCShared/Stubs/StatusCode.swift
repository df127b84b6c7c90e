/// gRPC's status codes, with gRPC's meanings (https://grpc.github.io/grpc/core/md_doc_statuscodes.html).
public enum StatusCode: Int32, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    case ok = 0
    case cancelled = 1
    case unknown = 2
    case invalidArgument = 3
    case deadlineExceeded = 4
    case notFound = 5
    case alreadyExists = 6
    case permissionDenied = 7
    case resourceExhausted = 8
    case failedPrecondition = 9
    case aborted = 10
    case outOfRange = 11
    case unimplemented = 12
    case `internal` = 13
    case unavailable = 14
    case dataLoss = 15
    case unauthenticated = 16

    /// A code from the wire; numbers gRPC does not define read as `unknown`.
    public init(wireValue: Int32) { self = StatusCode(rawValue: wireValue) ?? .unknown }

    /// The gRPC name, e.g. `INVALID_ARGUMENT`.
    public var description: String {
        switch self {
        case .ok: "OK"
        case .cancelled: "CANCELLED"
        case .unknown: "UNKNOWN"
        case .invalidArgument: "INVALID_ARGUMENT"
        case .deadlineExceeded: "DEADLINE_EXCEEDED"
        case .notFound: "NOT_FOUND"
        case .alreadyExists: "ALREADY_EXISTS"
        case .permissionDenied: "PERMISSION_DENIED"
        case .resourceExhausted: "RESOURCE_EXHAUSTED"
        case .failedPrecondition: "FAILED_PRECONDITION"
        case .aborted: "ABORTED"
        case .outOfRange: "OUT_OF_RANGE"
        case .unimplemented: "UNIMPLEMENTED"
        case .internal: "INTERNAL"
        case .unavailable: "UNAVAILABLE"
        case .dataLoss: "DATA_LOSS"
        case .unauthenticated: "UNAUTHENTICATED"
        }
    }
}

/// A failed call: a status code, a message for people, and optional structured details
/// (a serialized `aftersale.common.v1.ErrorDetails`) and trailing metadata.
public struct RPCError: Error, Sendable, Hashable, CustomStringConvertible {
    public var code: StatusCode
    public var message: String
    public var details: [UInt8]
    public var trailers: Metadata

    public init(_ code: StatusCode, _ message: String, details: [UInt8] = [], trailers: Metadata = [:]) {
        self.code = code
        self.message = message
        self.details = details
        self.trailers = trailers
    }

    /// Structured details attached as `ErrorDetails`.
    public init(_ code: StatusCode, _ message: String, details: CommonV1.ErrorDetails) {
        self.init(code, message, details: (try? details.serializedBytes()) ?? [])
    }

    /// The decoded `ErrorDetails`, when the details hold one.
    public var errorDetails: CommonV1.ErrorDetails? {
        details.isEmpty ? nil : try? CommonV1.ErrorDetails(serializedBytes: details)
    }

    public var description: String { "\(code): \(message)" }

    /// Errors are equal when code, message and details are: trailers are transport metadata (a request id).
    public static func == (lhs: RPCError, rhs: RPCError) -> Bool {
        lhs.code == rhs.code && lhs.message == rhs.message && lhs.details == rhs.details
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(code)
        hasher.combine(message)
        hasher.combine(details)
    }
}
