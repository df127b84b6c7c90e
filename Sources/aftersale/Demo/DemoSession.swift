import ArgumentParser
import Foundation
import RPCShared
import ServiceRuntime

/// Who does a demo step. Each role calls with its own token, so the gateway checks it exactly as it would check
/// a storefront (customer), an agent console or a warehouse scanner.
enum DemoRole: CustomStringConvertible {
    /// The customer who owns the order: the gateway lets customers act on their own cases only.
    case customer(String)
    case agent
    case warehouse
    /// Stands in for the payment backend, which records the exchange balance with OrderService directly.
    case paymentBackend

    /// Token subjects for the staff roles: what the timeline shows as the actor.
    static let agentID = "demo-agent"
    static let warehouseID = "demo-warehouse"
    static let paymentBackendID = "demo-payments"

    var description: String {
        switch self {
        case .customer(let id): "customer \(id)"
        case .agent: "agent \(Self.agentID)"
        case .warehouse: "warehouse \(Self.warehouseID)"
        case .paymentBackend: "payment backend"
        }
    }

    var subject: String {
        switch self {
        case .customer(let id): id
        case .agent: Self.agentID
        case .warehouse: Self.warehouseID
        case .paymentBackend: Self.paymentBackendID
        }
    }

    var role: Role {
        switch self {
        case .customer: .customer
        case .agent: .agent
        case .warehouse: .warehouse
        case .paymentBackend: .service
        }
    }
}

/// A step that failed: which one, and the call's status. It is the demo's one line on stderr, and the status code
/// is its exit status.
struct DemoFailure: Error, CustomStringConvertible {
    let step: String
    let error: RPCError

    var exitCode: Int32 { ExitStatus.code(for: error) }

    var description: String {
        let reason = error.errorDetails?.reason ?? ""
        return "step '\(step)' failed: \(error.code)\(reason.isEmpty ? "" : " (\(reason))"): \(error.message)"
    }
}

/// The clients and credentials of one demo run, and how each step is announced, called and reported.
struct DemoSession: Sendable {
    let gateway: GatewayV1.AfterSaleGateway.Client
    let orders: OrderV1.OrderService.Client
    let signer: TokenSigner
    let timeout: Duration
    /// In every idempotency key of this run: a rerun is a new set of operations, never a replay of the last one.
    let run = String(UUID().uuidString.lowercased().prefix(8))

    /// Options for one call as `role`: a short-lived token and, for a mutation, a fresh idempotency key.
    func options(as role: DemoRole, idempotencyKey: String?) throws -> CallOptions {
        var options = CallOptions(timeout: timeout)
        let token: String
        do {
            // People's tokens are for the gateway; the payment backend (role service) records payments at OrderService.
            let audience = role.role == .service ? ["gateway", "order"] : ["gateway"]
            token = try signer.sign(subject: role.subject, role: role.role, audience: audience.map(AccessToken.audience(for:)),
                                    lifetime: .seconds(300))
        } catch {
            throw CLIError("demo: cannot mint a token for \(role): \(error)", status: .configuration)
        }
        options.metadata.set("authorization", "Bearer \(token)")
        if let idempotencyKey { options.metadata.set("idempotency-key", idempotencyKey) }
        return options
    }

    /// Announces a step (who does what), runs it as `role` and turns a failure into a ``DemoFailure`` naming it.
    /// `key` names the operation in its idempotency key; nil for a read.
    func step<Response: Sendable>(_ role: DemoRole, _ what: String, key: String?,
                                  _ call: (CallOptions) async throws -> Response) async throws -> Response {
        say("→ \(role): \(what)")
        let options = try options(as: role, idempotencyKey: key.map { "demo-\(run)-\($0)-\(UUID().uuidString.lowercased().prefix(8))" })
        do {
            return try await call(options)
        } catch let error as RPCError {
            throw DemoFailure(step: "\(role): \(what)", error: error)
        }
    }

    /// A read that only adds detail (the refunds once executed): its failure is reported, not fatal.
    func optionalRead<Response: Sendable>(_ role: DemoRole, _ call: (CallOptions) async throws -> Response) async -> Result<Response, RPCError> {
        do {
            return .success(try await call(try options(as: role, idempotencyKey: nil)))
        } catch let error as RPCError {
            return .failure(error)
        } catch {
            return .failure(RPCError(.unknown, "\(error)"))
        }
    }
}
