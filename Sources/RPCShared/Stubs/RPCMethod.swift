/// How many messages flow each way in a call.
public enum RPCKind: String, Sendable, Hashable {
    case unary
    case serverStreaming
    case clientStreaming
    case bidirectionalStreaming
}

/// A method's identity: its service, name and kind. `path` is what travels in `CallHeader.method`.
public struct MethodDescriptor: Sendable, Hashable, CustomStringConvertible {
    /// Full service name, e.g. `aftersale.order.v1.OrderService`.
    public let service: String
    /// Method name, e.g. `GetOrder`.
    public let method: String
    public let kind: RPCKind
    /// Full protobuf names of the input and output messages.
    public let inputType: String
    public let outputType: String
    /// Marked `idempotency_level = NO_SIDE_EFFECTS` or `IDEMPOTENT` in the .proto: safe to retry after UNAVAILABLE.
    public let idempotent: Bool

    /// `/aftersale.order.v1.OrderService/GetOrder`
    public var path: String { "/\(service)/\(method)" }
    public var description: String { path }
}

/// A method with its message types, as the generated stubs declare them.
public struct RPCMethod<Input: ProtoMessage, Output: ProtoMessage>: Sendable {
    public let descriptor: MethodDescriptor

    public init(service: String, method: String, kind: RPCKind, idempotent: Bool = false) {
        descriptor = MethodDescriptor(service: service, method: method, kind: kind, inputType: Input.protoMessageName,
                                      outputType: Output.protoMessageName, idempotent: idempotent)
    }
}

/// Per-call settings a client passes.
public struct CallOptions: Sendable {
    /// How long the call may take; it travels to the server, which stops the handler when it passes.
    public var timeout: Duration?
    public var metadata: Metadata
    /// W3C trace context to send (`CallHeader.traceparent`).
    public var traceparent: String?
    /// How long a unary call may wait for a server it cannot connect to (one restarting, say) before it fails
    /// with UNAVAILABLE; never past `timeout`. nil fails at once (gRPC's default, "fail fast"). Nothing is sent
    /// while waiting, so this is safe for every method.
    public var waitForReady: Duration?

    public init(timeout: Duration? = nil, metadata: Metadata = [:], traceparent: String? = nil,
                waitForReady: Duration? = nil) {
        self.timeout = timeout
        self.metadata = metadata
        self.traceparent = traceparent
        self.waitForReady = waitForReady
    }
}
