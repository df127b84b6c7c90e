/// What the generated clients call: one implementation per way of reaching a server (a socket connection, an
/// in-process dispatcher). Errors surface as ``RPCError``.
public protocol ClientTransport: Sendable {
    func unary<Input, Output>(_ method: RPCMethod<Input, Output>, request: Input, options: CallOptions) async throws -> Output
    func serverStreaming<Input, Output>(_ method: RPCMethod<Input, Output>, request: Input,
                                        options: CallOptions) -> ResponseStream<Output>
    /// `requests` writes the request stream; the call half-closes when it returns.
    func clientStreaming<Input, Output>(_ method: RPCMethod<Input, Output>, options: CallOptions,
                                        requests: @escaping @Sendable (RequestWriter<Input>) async throws -> Void) async throws -> Output
    func bidirectionalStreaming<Input, Output>(_ method: RPCMethod<Input, Output>, options: CallOptions,
                                               requests: @escaping @Sendable (RequestWriter<Input>) async throws -> Void) -> ResponseStream<Output>
}

/// The responses of a server-streaming call, in order; ends when the server finishes, throws ``RPCError`` when
/// the call fails. Stop iterating (or cancel the task) to cancel the call.
public struct ResponseStream<Element: Sendable>: AsyncSequence, Sendable {
    private let base: AsyncThrowingStream<Element, any Error>

    public init(_ base: AsyncThrowingStream<Element, any Error>) { self.base = base }

    public func makeAsyncIterator() -> AsyncThrowingStream<Element, any Error>.Iterator { base.makeAsyncIterator() }
}
