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
    /// Leeway, JWKS keys, revocation list, legacy tokens (used when ``auth`` has keys).
    public var tokenOptions: TokenVerifierOptions
    /// Where to serve standard gRPC (HTTP/2) beside the native listener; nil = not at all.
    public var grpcListen: Endpoint?
    /// TLS for the listeners that take it (today the gRPC one; the native TCP one in a later change).
    public var tls: TLSFiles?

    public var databasePath: String { (dataDirectory as NSString).appendingPathComponent("\(name).sqlite") }

    public init(name: String, listen: Endpoint, dataDirectory: String, reportingAddress: String? = nil,
                peers: [String: String] = [:], synchronous: ServiceDatabase.Synchronous = .normal,
                metricsPort: Int? = nil, logLevel: Logger.Level = .info, auth: ServiceAuth = .unconfigured,
                rateLimit: RateLimit? = .serviceDefault, tokenOptions: TokenVerifierOptions = .init(),
                grpcListen: Endpoint? = nil, tls: TLSFiles? = nil) {
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
        self.tokenOptions = tokenOptions
        self.grpcListen = grpcListen
        self.tls = tls
    }

    /// Resolves settings from flag values (nil = not given) and `environment`.
    /// - Parameter peers: the peer services this one needs (`["product": flagValue]`); each is required.
    public static func resolve(
        name: String, listen: String?, data: String?, reporting: String?, peers: [String: String?] = [:],
        sqliteSync: String? = nil, metricsPort: String? = nil, logLevel: String? = nil,
        tokenKeysFile: String? = nil, insecureNoAuth: Bool = false, rateLimit: String? = nil,
        maxInFlight: String? = nil,
        tokenLeeway: String? = nil, tokenJWKS: String? = nil, tokenRevocations: String? = nil,
        acceptLegacyTokens: Bool = false,
        grpcListen: String? = nil, tlsCert: String? = nil, tlsKey: String? = nil, tlsCA: String? = nil,
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
        var grpcEndpoint: Endpoint?
        if let text = lookup.optional(grpcListen, variable: "GRPC_LISTEN", shared: true) {
            do { grpcEndpoint = try Endpoint(parsing: text) } catch {
                throw ServiceSettingsError("--grpc-listen / \(lookup.variable("GRPC_LISTEN")) or AFTERSALE_GRPC_LISTEN: \(error)")
            }
        }
        let tls = try resolveTLS(lookup, cert: tlsCert, key: tlsKey, ca: tlsCA)
        var tokenLogger = Logger(label: "aftersale.\(name)")
        tokenLogger.logLevel = level
        let tokenOptions = try resolveTokenOptions(lookup: lookup, leeway: tokenLeeway, jwks: tokenJWKS,
                                                   revocations: tokenRevocations, acceptLegacy: acceptLegacyTokens,
                                                   keys: auth.keys, logger: tokenLogger)
        var settings = ServiceSettings(name: name, listen: endpoint, dataDirectory: dataDirectory,
                                       reportingAddress: reportingAddress, peers: resolvedPeers, synchronous: synchronous,
                                       metricsPort: port, logLevel: level, auth: auth, rateLimit: limit, tokenOptions: tokenOptions,
                                       grpcListen: grpcEndpoint, tls: tls)
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

    /// `--token-leeway`, `--token-jwks`, `--token-revocations`, `--accept-legacy-tokens` and their variables
    /// (`AFTERSALE_TOKEN_LEEWAY`, … shared by every service, or `AFTERSALE_<SERVICE>_TOKEN_LEEWAY`, …).
    private static func resolveTokenOptions(lookup: SettingLookup, leeway: String?, jwks: String?, revocations: String?,
                                            acceptLegacy: Bool, keys: TokenKeySet?, logger: Logger) throws -> TokenVerifierOptions {
        var options = TokenVerifierOptions()
        if let text = lookup.optional(leeway, variable: "TOKEN_LEEWAY", shared: true) {
            let digits = text.hasSuffix("s") ? String(text.dropLast()) : text
            guard let seconds = Int(digits), seconds >= 0, .seconds(seconds) <= TokenVerifierOptions.maximumLeeway else {
                throw ServiceSettingsError("--token-leeway / AFTERSALE_TOKEN_LEEWAY must be seconds from 0 to "
                    + "\(TokenVerifierOptions.maximumLeeway.components.seconds) (e.g. 30s), got '\(text)'")
            }
            options.leeway = .seconds(seconds)
        }
        if let path = lookup.optional(jwks, variable: "TOKEN_JWKS", shared: true) {
            do { options.publicKeys = try TokenPublicKeys(file: path) } catch {
                throw ServiceSettingsError("--token-jwks / AFTERSALE_TOKEN_JWKS: \(error)")
            }
            if let clash = options.publicKeys?.keys.first(where: { keys?.key(id: $0.id) != nil }) {
                throw ServiceSettingsError("--token-jwks / AFTERSALE_TOKEN_JWKS: kid '\(clash.id)' is also a token key id; key ids must be unique")
            }
        }
        if let path = lookup.optional(revocations, variable: "TOKEN_REVOCATIONS", shared: true) {
            do { options.revocations = try TokenRevocations(file: path, logger: logger) } catch {
                throw ServiceSettingsError("--token-revocations / AFTERSALE_TOKEN_REVOCATIONS: \(error)")
            }
        }
        let legacyText = lookup.optional(nil, variable: "ACCEPT_LEGACY_TOKENS", shared: true)?.lowercased()
        options.acceptLegacyTokens = acceptLegacy || ["1", "true", "yes"].contains(legacyText ?? "")
        return options
    }

    /// `--tls-cert` and `--tls-key` come together; `--tls-ca` (clients must present a certificate it signed) needs
    /// both. Every file must be readable now, not at the first handshake.
    private static func resolveTLS(_ lookup: SettingLookup, cert: String?, key: String?, ca: String?) throws -> TLSFiles? {
        let cert = lookup.optional(cert, variable: "TLS_CERT", shared: true)
        let key = lookup.optional(key, variable: "TLS_KEY", shared: true)
        let ca = lookup.optional(ca, variable: "TLS_CA", shared: true)
        guard cert != nil || key != nil || ca != nil else { return nil }
        guard let cert, let key else {
            throw ServiceSettingsError("--tls-cert and --tls-key (or \(lookup.variable("TLS_CERT")) and \(lookup.variable("TLS_KEY"))) must be given together\(ca != nil ? ", and --tls-ca needs both" : "")")
        }
        for (flag, path) in [("--tls-cert", cert), ("--tls-key", key)] + (ca.map { [("--tls-ca", $0)] } ?? []) {
            guard FileManager.default.isReadableFile(atPath: path) else {
                throw ServiceSettingsError("\(flag): cannot read '\(path)'")
            }
        }
        return TLSFiles(certificateChain: cert, privateKey: key, clientCA: ca)
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
