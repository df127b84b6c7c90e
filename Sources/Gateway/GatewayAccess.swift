import RPCShared
import ServiceRuntime

/// Who may call which gateway method, and what a customer may see.
///
/// The roles per method are enforced by ``AuthInterceptor`` before the handler runs (PERMISSION_DENIED);
/// ownership — a customer acts on its own cases only — needs the case, so handlers check it with
/// ``GatewayCaller/requireAccess(toCustomer:resource:)``.
public enum GatewayAccess {
    private static func path(_ method: String) -> String { "/\(GatewayV1.AfterSaleGateway.name)/\(method)" }

    /// Customers act on their own cases; agents review and resolve; warehouse staff receive and inspect;
    /// `service` (another backend holding a service token) may do everything.
    public static let policy = AuthPolicy(
        allowedRoles: [.service],
        methodRoles: [
            path("CheckEligibility"): [.customer, .agent, .service],
            path("OpenCase"): [.customer, .agent, .service],
            path("GetCase"): [.customer, .agent, .warehouse, .service],
            path("ListCases"): [.customer, .agent, .warehouse, .service],
            path("ApproveCase"): [.agent, .service],
            path("RejectCase"): [.agent, .service],
            path("CancelCase"): [.customer, .agent, .service],
            path("RecordReceipt"): [.warehouse, .service],
            path("InspectCase"): [.warehouse, .service],
            path("QuoteSettlement"): [.customer, .agent, .service],
            path("ResolveCase"): [.agent, .service],
            path("SubmitFeedback"): [.customer, .agent, .service],
            path("WatchCase"): [.customer, .agent, .warehouse, .service],
            path("GetDashboard"): [.agent, .service],
        ])
}

/// The authenticated caller of a gateway call (``Caller/current``), or — with `--insecure-no-auth` — an anonymous
/// service.
public struct GatewayCaller: Sendable, Hashable {
    public var subject: String
    public var role: Role

    public init(subject: String, role: Role) {
        self.subject = subject
        self.role = role
    }

    /// The caller of the current task's call.
    public static var current: GatewayCaller {
        Caller.current.map { GatewayCaller(subject: $0.subject, role: $0.role) } ?? GatewayCaller(subject: "anonymous", role: .service)
    }

    /// The actor written to the case timeline: who did it, from the token (never from the request, which a caller
    /// could forge).
    public var actor: CommonV1.Actor {
        let kind: CommonV1.ActorKind = switch role {
        case .customer: .customer
        case .agent: .agent
        case .warehouse: .warehouse
        case .service: .service
        }
        return CommonV1.Actor(kind: kind, id: subject)
    }

    /// A customer may only touch its own data. PERMISSION_DENIED names the resource but says nothing about its
    /// owner; other roles pass.
    public func requireAccess(toCustomer customerID: String, resource: String) throws {
        guard role == .customer, customerID != subject else { return }
        throw RPCError(.permissionDenied, "\(resource) does not belong to the calling customer",
                       details: .init(reason: "NOT_OWNER", resource: resource))
    }
}
