import Foundation
import Logging
import RPCShared

/// How one service process is configured: flags first, then `AFTERSALE_<SERVICE>_<SETTING>` environment
/// variables, then defaults. Anything required and missing or malformed fails at start with one line that names
/// both the flag and the variable.
public struct ServiceSettings: Sendable {
    /// Short name: `order`, `product`, `customer`, `logistics`, `reporting`.
    public var name: String
    public var listen: Endpoint
    /// Directory holding the service's SQLite file `<name>.sqlite`.
    public var dataDirectory: String
    /// ReportingService address for the outbox relay; nil keeps events in the outbox.
    public var reportingAddress: String?
    /// Addresses of the other services this one calls, by short name.
    public var peers: [String: String]
    public var synchronous: ServiceDatabase.Synchronous
    /// `127.0.0.1:<port>` for Prometheus scraping, if wanted.
    public var metricsPort: Int?
    public var logLevel: Logger.Level
    /// Token keys (or the explicit choice to run without authentication).
    public var auth: ServiceAuth
    /// Per-caller limit on calls; nil = unlimited.
    public var rateLimit: RateLimit?
    /// Calls served at once before new ones are shed with RESOURCE_EXHAUSTED; nil = unbounded.
    public var maxInFlight: Int? = InFlightLimitInterceptor.defaultLimit

    public var databasePath: String { (dataDirectory as NSString).appendingPathComponent("\(name).sqlite") }

    public init(name: String, listen: Endpoint, dataDirectory: String, reportingAddress: String? = nil,
                peers: [String: String] = [:], synchronous: ServiceDatabase.Synchronous = .normal,
                metricsPort: Int? = nil, logLevel: Logger.Level = .info, auth: ServiceAuth = .unconfigured,
                rateLimit: RateLimit? = .serviceDefault) {
        self.name = name
        self.listen = listen
        self.dataDirectory = dataDirectory
        self.reportingAddress = reportingAddress
        self.peers = peers
        self.synchronous = synchronous
        self.metricsPort = metricsPort
        self.logLevel = logLevel
        self.auth = auth
        self.rateLimit = rateLimit
    }

    /// Resolves settings from flag values (nil = not given) and `environment`.
    /// - Parameter peers: the peer services this one needs (`["product": flagValue]`); each is required.
    public static func resolve(
        name: String, listen: String?, data: String?, reporting: String?, peers: [String: String?] = [:],
        sqliteSync: String? = nil, metricsPort: String? = nil, logLevel: String? = nil,
        tokenKeysFile: String? = nil, insecureNoAuth: Bool = false, rateLimit: String? = nil,
        maxInFlight: String? = nil,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws -> ServiceSettings {
        let lookup = SettingLookup(service: name, environment: environment)
        let listenText = try lookup.required(listen, flag: "--listen", variable: "LISTEN",
                                             example: "unix:///run/aftersale/\(name).sock or tcp://127.0.0.1:7001")
        let endpoint: Endpoint
        do { endpoint = try Endpoint(parsing: listenText) } catch {
            throw ServiceSettingsError("--listen / \(lookup.variable("LISTEN")): \(error)")
        }
        let dataDirectory = try lookup.required(data, flag: "--data", variable: "DATA", example: "./var/data")
        var resolvedPeers: [String: String] = [:]
        for (peer, flagValue) in peers.sorted(by: { $0.key < $1.key }) {
            let address = try lookup.required(flagValue, flag: "--\(peer)-addr", variable: "\(peer.uppercased())_ADDR",
                                              example: "unix:///run/aftersale/\(peer).sock", shared: true)
            do { _ = try Endpoint(parsing: address) } catch {
                throw ServiceSettingsError("--\(peer)-addr / AFTERSALE_\(peer.uppercased())_ADDR: \(error)")
            }
            resolvedPeers[peer] = address
        }
        let reportingAddress = lookup.optional(reporting, variable: "REPORTING_ADDR", shared: true)
        if let reportingAddress {
            do { _ = try Endpoint(parsing: reportingAddress) } catch {
                throw ServiceSettingsError("--reporting-addr / AFTERSALE_REPORTING_ADDR: \(error)")
            }
        }
        let syncText = lookup.optional(sqliteSync, variable: "SQLITE_SYNC", shared: true)
            ?? ServiceDatabase.Synchronous.default(forService: name).rawValue
        guard let synchronous = ServiceDatabase.Synchronous(rawValue: syncText.lowercased()) else {
            throw ServiceSettingsError("--sqlite-sync / AFTERSALE_SQLITE_SYNC must be normal or full, got '\(syncText)'")
        }
        var port: Int?
        if let text = lookup.optional(metricsPort, variable: "METRICS_PORT") {
            guard let value = Int(text), (0...65535).contains(value) else {
                throw ServiceSettingsError("--metrics-port / \(lookup.variable("METRICS_PORT")) must be a port number, got '\(text)'")
            }
            port = value
        }
        let levelText = lookup.optional(logLevel, variable: "LOG_LEVEL", shared: true) ?? "info"
        guard let level = Logger.Level(rawValue: levelText.lowercased()) else {
            throw ServiceSettingsError("--log-level / AFTERSALE_LOG_LEVEL must be one of \(Logger.Level.allCases.map(\.rawValue).joined(separator: ", ")), got '\(levelText)'")
        }
        let auth: ServiceAuth
        do {
            auth = try ServiceAuth.resolve(tokenKeysFile: tokenKeysFile, insecureNoAuth: insecureNoAuth, environment: environment)
        } catch {
            throw ServiceSettingsError("\(error)")
        }
        var limit: RateLimit? = .serviceDefault
        if let text = lookup.optional(rateLimit, variable: "RATE_LIMIT", shared: true) {
            do { limit = try RateLimit.parse(text) } catch {
                throw ServiceSettingsError("--rate-limit / \(lookup.variable("RATE_LIMIT")) or AFTERSALE_RATE_LIMIT: \(error)")
            }
        }
        var settings = ServiceSettings(name: name, listen: endpoint, dataDirectory: dataDirectory,
                                       reportingAddress: reportingAddress, peers: resolvedPeers, synchronous: synchronous,
                                       metricsPort: port, logLevel: level, auth: auth, rateLimit: limit)
        if let text = lookup.optional(maxInFlight, variable: "MAX_IN_FLIGHT", shared: true) {
            if text.lowercased() == "off" {
                settings.maxInFlight = nil
            } else {
                guard let value = Int(text), (1...1_000_000).contains(value) else {
                    throw ServiceSettingsError("--max-in-flight / \(lookup.variable("MAX_IN_FLIGHT")) or AFTERSALE_MAX_IN_FLIGHT must be a number of calls from 1 to 1000000, or off, got '\(text)'")
                }
                settings.maxInFlight = value
            }
        }
        return settings
    }
}

/// A setting that is missing or malformed; the message names the flag and the environment variable.
public struct ServiceSettingsError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// Flag → `AFTERSALE_<SERVICE>_<NAME>` → (for settings every service shares, like peer addresses)
/// `AFTERSALE_<NAME>`.
private struct SettingLookup {
    let service: String
    let environment: [String: String]

    func variable(_ name: String) -> String { "AFTERSALE_\(service.uppercased())_\(name)" }

    func optional(_ flagValue: String?, variable name: String, shared: Bool = false) -> String? {
        if let flagValue, !flagValue.isEmpty { return flagValue }
        if let value = environment[variable(name)], !value.isEmpty { return value }
        if shared, let value = environment["AFTERSALE_\(name)"], !value.isEmpty { return value }
        return nil
    }

    func required(_ flagValue: String?, flag: String, variable name: String, example: String,
                  shared: Bool = false) throws -> String {
        if let value = optional(flagValue, variable: name, shared: shared) { return value }
        let variables = shared ? "\(variable(name)) or AFTERSALE_\(name)" : variable(name)
        throw ServiceSettingsError("missing \(flag) (or \(variables)), e.g. \(example)")
    }
}
