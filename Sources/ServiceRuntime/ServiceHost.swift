import Foundation
import GRDB
import Logging
import Metrics
import RPCShared
import ServiceLifecycle

/// Runs one AfterSale service process: its RPC server, its outbox relay, housekeeping, and optionally a
/// Prometheus endpoint, under one ServiceGroup that drains gracefully on SIGTERM/SIGINT.
public struct ServiceHost: Sendable {
    public let settings: ServiceSettings
    public let logger: Logger
    /// Who may call this process's methods (domain services: other services only).
    public let authPolicy: AuthPolicy
    /// This service's own token for calls to peers; nil with `--insecure-no-auth`.
    public let serviceTokens: ServiceTokenSource?

    public init(settings: ServiceSettings, logger: Logger? = nil, authPolicy: AuthPolicy = .serviceOnly) {
        self.settings = settings
        var logger = logger ?? Logger(label: "aftersale.\(settings.name)")
        logger.logLevel = settings.logLevel
        self.logger = logger
        self.authPolicy = authPolicy
        serviceTokens = settings.auth.keys.map { ServiceTokenSource(signer: TokenSigner(keys: $0), subject: settings.name) }
    }

    /// Opens the service's database under `--data` with the shared tables and `migrations`.
    public func openDatabase(migrations: (inout DatabaseMigrator) -> Void) throws -> ServiceDatabase {
        try ServiceDatabase(path: settings.databasePath, synchronous: settings.synchronous, migrations: migrations)
    }

    /// A client for peer service `name` (one multiplexed connection, lazily connected) that presents this
    /// service's token on every call.
    public func peerClient(_ name: String) throws -> AuthenticatedTransport {
        guard let address = settings.peers[name] else {
            throw ServiceSettingsError("no address configured for the \(name) service")
        }
        return AuthenticatedTransport(client: try RPCClient(address), tokens: serviceTokens)
    }

    /// The relay delivering `database`'s outbox to the reporting service (if an address is configured).
    public func outboxRelay(for database: ServiceDatabase) throws -> OutboxRelay {
        let reporting = try settings.reportingAddress.map {
            ReportingV1.ReportingService.Client(transport: AuthenticatedTransport(client: try RPCClient($0), tokens: serviceTokens))
        }
        return OutboxRelay(database: database, reporting: reporting, logger: logger)
    }

    /// The interceptors every call passes: load shedding (``ServiceSettings/maxInFlight``), authentication (per
    /// ``authPolicy``), then the per-caller rate limit. Throws the one-line refusal when the settings hold no keys
    /// and no explicit `--insecure-no-auth`.
    public func interceptors() throws -> [any ServerInterceptor] {
        var interceptors: [any ServerInterceptor] = []
        if let limit = settings.maxInFlight { interceptors.append(InFlightLimitInterceptor(limit: limit)) }
        switch settings.auth {
        case .unconfigured:
            throw ServiceSettingsError("\(settings.name): \(ServiceAuth.missingKeysMessage)")
        case .insecureNoAuth:
            logger.warning("authentication is OFF (--insecure-no-auth): any local process may call this service")
        case .keys(let keys):
            interceptors.append(AuthInterceptor(verifier: TokenVerifier(keys: keys), policy: authPolicy))
        }
        if let limit = settings.rateLimit {
            interceptors.append(RateLimitInterceptor(limiter: RateLimiter(limit: limit)))
        }
        return interceptors
    }

    /// Serves `services` until SIGTERM/SIGINT, running `background` services (relays, simulators) alongside.
    /// Prints `aftersale <name> listening on <address>` once the socket is bound, so scripts and tests that use
    /// `tcp://127.0.0.1:0` learn the port.
    public func run(services: [ServiceDefinition], database: ServiceDatabase? = nil,
                    background: [any Service] = []) async throws {
        var configuration = ServerConfiguration(endpoint: settings.listen)
        configuration.logger = logger
        configuration.interceptors = try interceptors()
        var extra: [any Service] = background
        if let port = settings.metricsPort {
            let prometheus = PrometheusEndpoint(port: port)
            configuration.metricsFactory = prometheus.factory
            extra.append(prometheus)
        }
        if let database { extra.append(Housekeeping(database: database, logger: logger)) }
        let server = RPCServer(configuration: configuration, services: services)
        let bound = try await server.start()
        FileHandle.standardOutput.write(Data("aftersale \(settings.name) listening on \(bound)\n".utf8))
        let group = ServiceGroup(configuration: .init(
            services: [.init(service: server)] + extra.map { .init(service: $0) },
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger))
        try await group.run()
    }
}

/// Periodic upkeep of the shared tables: expired idempotency records.
struct Housekeeping: Service {
    let database: ServiceDatabase
    let logger: Logger
    var interval: Duration = .seconds(3600)

    func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    let purged = try await database.write { db in try IdempotencyStore.purge(db, now: Date()) }
                    if purged > 0 { logger.debug("purged idempotency records", metadata: ["count": "\(purged)"]) }
                } catch {
                    logger.warning("housekeeping failed", metadata: ["error": "\(error)"])
                }
                try? await Task.sleep(for: interval)
            }
        }
    }
}
