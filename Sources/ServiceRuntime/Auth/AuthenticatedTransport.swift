import Foundation
import RPCShared
import Synchronization

/// A service's own token, minted from the shared keys with subject = the service's name and role `service`, and
/// minted again once two thirds of its lifetime have passed, so a call never carries a token about to expire.
public final class ServiceTokenSource: Sendable {
    public let signer: TokenSigner
    public let subject: String
    public let lifetime: Duration
    private let cached = Mutex<(token: String, refreshAt: Date)?>(nil)

    public init(signer: TokenSigner, subject: String, lifetime: Duration = .seconds(900)) {
        self.signer = signer
        self.subject = subject
        self.lifetime = lifetime
    }

    public func token() throws -> String {
        let now = signer.clock.now()
        if let cached = cached.withLock({ $0 }), now < cached.refreshAt { return cached.token }
        let token = try signer.sign(subject: subject, role: .service, lifetime: lifetime)
        let refreshAt = now.addingTimeInterval(Double(lifetime.components.seconds) * 2 / 3)
        cached.withLock { $0 = (token, refreshAt) }
        return token
    }
}

/// A ``ClientTransport`` that adds `authorization: Bearer <service token>` to every call it passes to `client`
/// (without a token source, for `--insecure-no-auth`, it passes calls through unchanged).
public final class AuthenticatedTransport: ClientTransport {
    public let client: RPCClient
    public let tokens: ServiceTokenSource?

    public init(client: RPCClient, tokens: ServiceTokenSource?) {
        self.client = client
        self.tokens = tokens
    }

    public func close() async { await client.close() }

    private func authorized(_ options: CallOptions) throws -> CallOptions {
        guard let tokens else { return options }
        var options = options
        do {
            options.metadata.set("authorization", "Bearer \(try tokens.token())")
        } catch {
            throw RPCError(.internal, "cannot mint a service token: \(error)")
        }
        return options
    }

    public func unary<Input, Output>(_ method: RPCMethod<Input, Output>, request: Input,
                                     options: CallOptions) async throws -> Output {
        try await client.unary(method, request: request, options: authorized(options))
    }

    public func serverStreaming<Input, Output>(_ method: RPCMethod<Input, Output>, request: Input,
                                               options: CallOptions) -> ResponseStream<Output> {
        do {
            return client.serverStreaming(method, request: request, options: try authorized(options))
        } catch {
            return ResponseStream(AsyncThrowingStream { $0.finish(throwing: error) })
        }
    }

    public func clientStreaming<Input, Output>(_ method: RPCMethod<Input, Output>, options: CallOptions,
                                               requests: @escaping @Sendable (RequestWriter<Input>) async throws -> Void) async throws -> Output {
        try await client.clientStreaming(method, options: authorized(options), requests: requests)
    }

    public func bidirectionalStreaming<Input, Output>(_ method: RPCMethod<Input, Output>, options: CallOptions,
                                                      requests: @escaping @Sendable (RequestWriter<Input>) async throws -> Void)
        -> ResponseStream<Output> {
        do {
            return client.bidirectionalStreaming(method, options: try authorized(options), requests: requests)
        } catch {
            return ResponseStream(AsyncThrowingStream { $0.finish(throwing: error) })
        }
    }
}
