import RPCShared

/// Which calls need which roles. Health and reflection stay open so container health checks and
/// `aftersale list/describe` work without a token; everything else needs a token whose role is allowed.
public struct AuthPolicy: Sendable {
    /// Services anyone may call (full names).
    public var openServices: Set<String>
    /// Roles allowed on every method that has no entry in ``methodRoles``.
    public var allowedRoles: Set<Role>
    /// Per-method exceptions by path (`/aftersale.order.v1.OrderService/GetOrder`).
    public var methodRoles: [String: Set<Role>]

    public static let defaultOpenServices: Set<String> = [
        HealthV1.Health.name, "aftersale.reflection.v1.Reflection",
        // The standard ones on the gRPC listener (Kubernetes gRPC probes and grpcurl carry no token).
        GRPCHealthV1.Health.name, GRPCReflectionV1.ServerReflection.name, GRPCReflectionV1alpha.ServerReflection.name,
    ]

    public init(allowedRoles: Set<Role>, methodRoles: [String: Set<Role>] = [:],
                openServices: Set<String> = AuthPolicy.defaultOpenServices) {
        self.allowedRoles = allowedRoles
        self.methodRoles = methodRoles
        self.openServices = openServices
    }

    /// The rule for the five domain services: only other services (and the gateway, which holds a service token)
    /// may call them; people come in through the gateway.
    public static let serviceOnly = AuthPolicy(allowedRoles: [.service])

    public func isOpen(_ method: MethodDescriptor) -> Bool { openServices.contains(method.service) }

    public func roles(for method: MethodDescriptor) -> Set<Role> { methodRoles[method.path] ?? allowedRoles }
}
