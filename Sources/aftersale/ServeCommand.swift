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
            AFTERSALE_SQLITE_SYNC, AFTERSALE_LOG_LEVEL. Flags win over the environment.
            """,
        subcommands: [ServeOrderCommand.self, ServeProductCommand.self, ServeCustomerCommand.self,
                      ServeLogisticsCommand.self, ServeReportingCommand.self]
    )
}

/// The options every `aftersale serve <service>` takes.
struct ServeOptions: ParsableArguments {
    @Option(help: "Address to serve on: unix:///abs/path.sock or tcp://host:port (port 0 picks one).")
    var listen: String?
    @Option(help: "Directory for the service's SQLite database.") var data: String?
    @Option(name: .customLong("reporting-addr"), help: "ReportingService address for event delivery (optional).")
    var reportingAddress: String?
    @Option(name: .customLong("sqlite-sync"), help: "SQLite synchronous mode: normal (default) or full.")
    var sqliteSync: String?
    @Option(name: .customLong("metrics-port"), help: "Serve Prometheus metrics on 127.0.0.1:PORT.")
    var metricsPort: String?
    @Option(name: .customLong("log-level"), help: "trace, debug, info (default), notice, warning, error, critical.")
    var logLevel: String?

    /// The settings for service `name`, failing with one line naming the flag and variable when something is off.
    func settings(_ name: String, peers: [String: String?] = [:]) throws -> ServiceSettings {
        do {
            return try ServiceSettings.resolve(name: name, listen: listen, data: data, reporting: reportingAddress,
                                               peers: peers, sqliteSync: sqliteSync, metricsPort: metricsPort,
                                               logLevel: logLevel)
        } catch let error as ServiceSettingsError {
            throw CLIError("serve \(name): \(error)")
        }
    }
}
