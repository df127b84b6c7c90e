import Foundation
import ArgumentParser
import RPCShared
import ServiceRuntime

/// `aftersale serve <service>`: runs one AfterSale service in this process until SIGTERM/SIGINT.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run one AfterSale service in the foreground.",
        discussion: """
            Every setting can also come from the environment: AFTERSALE_<SERVICE>_LISTEN, AFTERSALE_<SERVICE>_DATA,
            and for settings all services share AFTERSALE_<PEER>_ADDR, AFTERSALE_REPORTING_ADDR,
            AFTERSALE_SQLITE_SYNC, AFTERSALE_LOG_LEVEL, AFTERSALE_RATE_LIMIT, AFTERSALE_MAX_IN_FLIGHT. Token keys come from
            --token-keys-file, AFTERSALE_TOKEN_KEYS (kid=base64secret,…) or AFTERSALE_TOKEN_KEYS_FILE; without them a
            service refuses to start unless --insecure-no-auth or AFTERSALE_INSECURE_NO_AUTH=1 (docs/SECURITY.md).
            Flags win over the environment.
            """,
        subcommands: [ServeOrderCommand.self, ServeProductCommand.self, ServeCustomerCommand.self,
                      ServeLogisticsCommand.self, ServeReportingCommand.self, ServeGatewayCommand.self,
                      ServeStubCommand.self]
    )
}

/// The options every `aftersale serve <service>` takes.
struct ServeOptions: ParsableArguments {
    @Option(help: "Address to serve on: unix:///abs/path.sock or tcp://host:port (port 0 picks one).")
    var listen: String?
    @Option(help: "Directory for the service's SQLite database.") var data: String?
    @Option(name: .customLong("reporting-addr"), help: "ReportingService address for event delivery (optional).")
    var reportingAddress: String?
    @Option(name: .customLong("sqlite-sync"), help: "SQLite synchronous mode: normal or full (default full for order, customer and gateway, normal elsewhere).")
    var sqliteSync: String?
    @Option(name: .customLong("metrics-port"), help: "Serve Prometheus metrics on 127.0.0.1:PORT.")
    var metricsPort: String?
    @Option(name: .customLong("log-level"), help: "trace, debug, info (default), notice, warning, error, critical.")
    var logLevel: String?
    @Option(name: .customLong("token-keys-file"), help: "File of token keys (kid=base64secret per line; mode 0600).")
    var tokenKeysFile: String?
    @Flag(name: .customLong("insecure-no-auth"), help: "Accept calls without tokens (local experiments only).")
    var insecureNoAuth = false
    @Option(name: .customLong("rate-limit"), help: "Per-caller limit RATE[:BURST] calls/s (default 500:1000), or off.")
    var rateLimit: String?
    @Option(name: .customLong("max-in-flight"), help: "Calls served at once before more are shed with RESOURCE_EXHAUSTED (default 1000), or off.")
    var maxInFlight: String?

    /// The settings for service `name`, failing with one line naming the flag and variable when something is off
    /// (including: no token keys and no explicit `--insecure-no-auth`).
    func settings(_ name: String, peers: [String: String?] = [:]) throws -> ServiceSettings {
        let settings: ServiceSettings
        do {
            settings = try ServiceSettings.resolve(name: name, listen: listen, data: data, reporting: reportingAddress,
                                                   peers: peers, sqliteSync: sqliteSync, metricsPort: metricsPort,
                                                   logLevel: logLevel, tokenKeysFile: tokenKeysFile,
                                                   insecureNoAuth: insecureNoAuth, rateLimit: rateLimit,
                                                   maxInFlight: maxInFlight)
        } catch let error as ServiceSettingsError {
            throw CLIError("serve \(name): \(error)")
        }
        if case .unconfigured = settings.auth { throw CLIError("serve \(name): \(ServiceAuth.missingKeysMessage)") }
        SupervisorWatch.startIfSupervised()
        return settings
    }
}

/// `aftersale serve stub --listen …`: a process with only health and reflection behind the same host, auth and
/// rate limit as a real service. Hidden: it stands in for services under test (`AFTERSALE_UP_SERVICES`).
struct ServeStubCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "stub", abstract: "A service with no methods (tests).",
                                                    shouldDisplay: false)
    @OptionGroup var options: ServeOptions
    @Option(help: "Service name (default: the socket's file name without .sock).") var name: String?

    func run() async throws {
        let fallback = options.listen.map { (($0 as NSString).lastPathComponent as NSString).deletingPathExtension }
        let settings = try options.settings(name ?? fallback ?? "stub")
        try await ServiceHost(settings: settings).run(services: [])
    }
}
