import Foundation

/// One process `aftersale up` runs: `aftersale serve <arguments…> --listen unix://DIR/run/<name>.sock --data DIR/data`.
struct UpServiceSpec: Sendable, Equatable {
    /// Short name: the socket, log file and peer-address variable (`AFTERSALE_<NAME>_ADDR`) are named after it.
    var name: String
    /// What follows `serve`: the subcommand and any extra arguments.
    var serveArguments: [String]

    var subcommand: String { serveArguments.first ?? name }

    /// Start order: reporting first (everyone relays events to it), the gateway last (it calls everyone).
    /// Adding a service is one line here once its `aftersale serve <name>` exists.
    static let defaults: [UpServiceSpec] = ["reporting", "product", "customer", "order", "logistics", "gateway"]
        .map { UpServiceSpec(name: $0, serveArguments: [$0]) }

    static let overrideVariable = "AFTERSALE_UP_SERVICES"

    /// The services to run: `AFTERSALE_UP_SERVICES` when set (comma-separated `name` or `name=subcommand args…`,
    /// e.g. `alpha=stub,beta=stub`, for tests and experiments), otherwise ``defaults``.
    static func resolve(environment: [String: String]) throws -> [UpServiceSpec] {
        guard let text = environment[overrideVariable]?.trimmingCharacters(in: .whitespaces), !text.isEmpty else {
            return defaults
        }
        var specs: [UpServiceSpec] = []
        for entry in text.split(separator: ",") {
            let parts = entry.split(separator: "=", maxSplits: 1)
            let name = parts[0].trimmingCharacters(in: .whitespaces)
            guard !name.isEmpty, name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }), name.count <= 32 else {
                throw CLIError("\(overrideVariable): '\(name)' is not a service name (letters, digits, - and _)")
            }
            guard !specs.contains(where: { $0.name == name }) else {
                throw CLIError("\(overrideVariable): '\(name)' appears twice")
            }
            let arguments = parts.count == 2 ? parts[1].split(separator: " ").map(String.init) : [name]
            specs.append(UpServiceSpec(name: name, serveArguments: arguments.isEmpty ? [name] : arguments))
        }
        return specs
    }
}
