import ArgumentParser
import Foundation
import ServiceRuntime

/// `aftersale token --role agent --subject alice [--ttl 1h] [--keys-file PATH]`: mints a bearer token for
/// development and scripts from the configured keys and prints it (only the token, on one line).
struct TokenCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "token",
        abstract: "Mint a bearer token (for development) from the configured token keys.",
        discussion: """
            Keys come from --keys-file, AFTERSALE_TOKEN_KEYS (kid=base64secret,…) or AFTERSALE_TOKEN_KEYS_FILE; the
            first key signs. Send the token as metadata: -H 'authorization:Bearer <token>'.
            """
    )

    @Option(help: "customer, agent, warehouse or service.") var role: String
    @Option(help: "Who the token speaks for: a customer id, an agent login, a service name.") var subject: String
    @Option(help: "Lifetime, e.g. 15m, 1h, 7d (at most 30d).") var ttl: String = "1h"
    @Option(name: .customLong("keys-file"), help: "Token keys file (mode 0600).") var keysFile: String?

    func run() throws {
        guard let role = Role(rawValue: role.lowercased()) else {
            throw CLIError("--role must be one of \(Role.allCases.map(\.rawValue).joined(separator: ", ")), got '\(role)'")
        }
        let lifetime = try Self.parseTTL(ttl)
        guard let (keys, _) = try TokenKeySource.load(file: keysFile, environment: ProcessInfo.processInfo.environment) else {
            throw CLIError("no token keys: pass --keys-file PATH or set AFTERSALE_TOKEN_KEYS or AFTERSALE_TOKEN_KEYS_FILE")
        }
        print(try TokenSigner(keys: keys).sign(subject: subject, role: role, lifetime: lifetime))
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
