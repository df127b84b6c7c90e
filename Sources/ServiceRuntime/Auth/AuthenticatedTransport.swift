import Foundation
import RPCShared
import Synchronization

/// A service's own tokens, minted from the shared keys with subject = the service's name and role `service`, one per
/// peer (`aud` = that peer alone, so a token taken from one peer is useless at another), and minted again once two
/// thirds of its lifetime have passed, so a call never carries a token about to expire.
public final class ServiceTokenSource: Sendable {
    public let signer: TokenSigner
    public let subject: String
    public let lifetime: Duration
    private let cached = Mutex<[String: (token: String, refreshAt: Date)]>([:])

    public init(signer: TokenSigner, subject: String, lifetime: Duration = .seconds(900)) {
        self.signer = signer
        self.subject = subject
        self.lifetime = lifetime
    }

    /// A token for calls to `peer` (its short name: `order`, `reporting`, …).
    public func token(for peer: String) throws -> String {
        let now = signer.clock.now()
        if let cached = cached.withLock({ $0[peer] }), now < cached.refreshAt { return cached.token }
        let token = try signer.sign(subject: subject, role: .service, audience: [AccessToken.audience(for: peer)], lifetime: lifetime)
        let refreshAt = now.addingTimeInterval(Double(lifetime.components.seconds) * 2 / 3)
        cached.withLock { $0[peer] = (token, refreshAt) }
        return token
    }
}

/// A ``ClientTransport`` that adds `authorization: Bearer <service token for peer>` to every call it passes to
/// `client` (without a token source, for `--insecure-no-auth`, it passes calls through unchanged).
public final class AuthenticatedTransport: ClientTransport {
    public let client: RPCClient
    public let tokens: ServiceTokenSource?
    /// The short name of the service at the other end: the audience of the tokens.
    public let peer: String

    public init(client: RPCClient, tokens: ServiceTokenSource?, peer: String) {
        self.client = client
        self.tokens = tokens
        self.peer = peer
    }

    public func close() async { await client.close() }

    private func authorized(_ options: CallOptions) throws -> CallOptions {
        guard let tokens else { return options }
        var options = options
        do {
            options.metadata.set("authorization", "Bearer \(try tokens.token(for: peer))")
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
