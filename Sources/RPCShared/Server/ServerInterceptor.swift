/// Runs around every call a server serves, in registration order (the first registered is the outermost):
/// authentication, logging, metrics, rate limits. Throw an ``RPCError`` to reject the call; `next` runs the rest of
/// the chain and the handler (for a server-streaming call it returns when the stream ends).
public protocol ServerInterceptor: Sendable {
    func intercept<Result: Sendable>(
        context: ServerContext,
        next: (ServerContext) async throws -> Result
    ) async throws -> Result
}
