import RPCShared

/// Authenticates every call that ``AuthPolicy`` does not leave open: a missing, malformed, badly signed, expired,
/// revoked or otherwise refused token (``TokenVerifier``) is UNAUTHENTICATED (the message says which), a valid token
/// in a role the method does not allow is PERMISSION_DENIED. The verified token is ``Caller/current`` while the rest of the chain and the handler run.
public struct AuthInterceptor: ServerInterceptor {
    public let verifier: TokenVerifier
    public let policy: AuthPolicy

    public init(verifier: TokenVerifier, policy: AuthPolicy) {
        self.verifier = verifier
        self.policy = policy
    }

    public func intercept<Result: Sendable>(
        context: ServerContext, next: (ServerContext) async throws -> Result
    ) async throws -> Result {
        if policy.isOpen(context.method) { return try await next(context) }
        let token: AccessToken
        do {
            token = try await verifier.verify(authorization: context.metadata["authorization"])
        } catch {
            context.logger.notice("unauthenticated call", metadata: ["method": "\(context.method.path)", "reason": "\(error)"])
            throw RPCError(.unauthenticated, error.description)
        }
        let allowed = policy.roles(for: context.method)
        guard allowed.contains(token.role) else {
            context.logger.notice("call denied", metadata: ["method": "\(context.method.path)", "subject": "\(token.subject)",
                                                            "role": "\(token.role.rawValue)"])
            let roles = allowed.map(\.rawValue).sorted().joined(separator: ", ")
            throw RPCError(.permissionDenied, "role '\(token.role.rawValue)' may not call \(context.method.path) (allowed: \(roles))")
        }
        var context = context
        context.logger[metadataKey: "caller"] = "\(token.role.rawValue):\(token.subject)"
        return try await Caller.$current.withValue(token) { try await next(context) }
    }
}
