import ArgumentParser
import Foundation
import ServiceRuntime

/// `aftersale token --role agent --subject alice [--aud gateway] [--ttl 1h] [--jti ID] [--not-before TIME]
/// [--keys-file PATH]`: mints a bearer token (an HS256 JWT) for development and scripts from the configured keys and
/// prints it (only the token, on one line).
struct TokenCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "token",
        abstract: "Mint a bearer token (an HS256 JWT) from the configured token keys.",
        discussion: """
            Keys come from --keys-file, AFTERSALE_TOKEN_KEYS (kid=base64secret,…) or AFTERSALE_TOKEN_KEYS_FILE; the
            first key signs (its id is the JWT's kid). Claims: iss aftersale, aud aftersale:<service> per --aud, sub,
            role, iat, exp, jti, and nbf with --not-before. Send the token as metadata:
            -H 'authorization:Bearer <token>'.
            """
    )

    @Option(help: "customer, agent, warehouse or service.") var role: String
    @Option(help: "Who the token speaks for: a customer id, an agent login, a service name.") var subject: String
    @Option(help: "Lifetime, e.g. 15m, 1h, 7d (at most 30d).") var ttl: String = "1h"
    @Option(help: "Service the token is for, repeatable: gateway (default), order, … or a full aud value (aftersale:order).")
    var aud: [String] = []
    @Option(help: "Token id (jti), what a revocation list names (default: a fresh random id).") var jti: String?
    @Option(name: .customLong("not-before"), help: "Not valid before this ISO 8601 time (nbf), e.g. 2026-12-04T10:00:00Z.")
    var notBefore: String?
    @Option(name: .customLong("keys-file"), help: "Token keys file (mode 0600).") var keysFile: String?

    func run() throws {
        guard let role = Role(rawValue: role.lowercased()) else {
            throw CLIError("--role must be one of \(Role.allCases.map(\.rawValue).joined(separator: ", ")), got '\(role)'")
        }
        let lifetime = try Self.parseTTL(ttl)
        guard let (keys, _) = try TokenKeySource.load(file: keysFile, environment: ProcessInfo.processInfo.environment) else {
            throw CLIError("no token keys: pass --keys-file PATH or set AFTERSALE_TOKEN_KEYS or AFTERSALE_TOKEN_KEYS_FILE")
        }
        let audience = (aud.isEmpty ? ["gateway"] : aud).map { $0.contains(":") ? $0 : AccessToken.audience(for: $0) }
        var start: Date?
        if let notBefore {
            guard let date = try? Date(notBefore, strategy: .iso8601) else {
                throw CLIError("--not-before must be an ISO 8601 time like 2026-12-04T10:00:00Z, got '\(notBefore)'")
            }
            start = date
        }
        if let jti, !(1...AccessToken.maxSubjectLength).contains(jti.utf8.count) {
            throw CLIError("--jti must be 1-\(AccessToken.maxSubjectLength) bytes")
        }
        print(try TokenSigner(keys: keys).sign(subject: subject, role: role, audience: audience, lifetime: lifetime,
                                               tokenID: jti ?? UUID().uuidString.lowercased(), notBefore: start))
    }

    static let maximumTTL: Duration = .seconds(30 * 86_400)

    /// A lifetime as `aftersale call --timeout` takes it, plus days (`7d`).
    static func parseTTL(_ text: String) throws -> Duration {
        let lifetime: Duration
        if text.hasSuffix("d"), let days = Int(text.dropLast()), days > 0 {
            lifetime = .seconds(min(days, 1_000) * 86_400)
        } else {
            lifetime = try DurationParser.parse(text)
        }
        guard lifetime >= .seconds(1), lifetime <= maximumTTL else {
            throw CLIError("--ttl must be between 1s and 30d, got '\(text)'")
        }
        return lifetime
    }
}
