import ArgumentParser
import Foundation
import RPCShared
import ServiceRuntime

/// The client options of the commands that call one service (`aftersale gateway …`, `aftersale report …`).
struct ServiceClientOptions: ParsableArguments {
    @Option(name: .customLong("addr"), help: "Service address (default: $AFTERSALE_<SERVICE>_ADDR).")
    var address: String?
    @Option(name: .customShort("H"), help: "Metadata key:value (repeatable).") var headers: [String] = []
    @Option(name: .customLong("idempotency-key"), help: "Idempotency key for a mutating call (default: a fresh one).")
    var idempotencyKey: String?
    @Option(help: "Deadline, e.g. 500ms, 5s.") var timeout: String = "30s"
    @Option(help: "Bearer token (default: $AFTERSALE_TOKEN, else a 5-minute service token minted from the keys in $AFTERSALE_TOKEN_KEYS or $AFTERSALE_TOKEN_KEYS_FILE).")
    var token: String?

    /// Opens a client for `service` (`order`, `product`, …).
    func client(_ service: String) throws -> RPCClient {
        try Self.client(service, address: address, flag: "--addr")
    }

    /// A client for `service` at `address`, or at `$AFTERSALE_<SERVICE>_ADDR` when no address is given.
    static func client(_ service: String, address: String?, flag: String? = nil) throws -> RPCClient {
        let variable = "AFTERSALE_\(service.uppercased())_ADDR"
        guard let address = address ?? ProcessInfo.processInfo.environment[variable], !address.isEmpty else {
            throw CLIError("no \(service) address: pass \(flag ?? "--\(service)-addr") or set \(variable)")
        }
        return try open(address)
    }

    /// A client for `address`; an address that does not parse is a usage error (64), not a call's INVALID_ARGUMENT.
    static func open(_ address: String) throws -> RPCClient {
        do {
            return try RPCClient(address)
        } catch let error as RPCError {
            throw CLIError(error.message)
        }
    }

    /// Call options with the metadata, deadline and (for mutating calls) an idempotency key.
    func callOptions(mutating: Bool = false) throws -> CallOptions {
        var options = CallOptions(timeout: try DurationParser.parse(timeout))
        try options.metadata.add(headers: headers)
        if options.metadata["authorization"] == nil, let token = try bearerToken() {
            options.metadata.add("authorization", "Bearer \(token)")
        }
        if mutating && options.metadata["idempotency-key"] == nil {
            options.metadata.add("idempotency-key", idempotencyKey ?? "cli-\(UUID().uuidString.lowercased())")
        }
        return options
    }

    /// `--token`, `AFTERSALE_TOKEN`, or a short-lived service token (subject `cli`) minted from configured keys.
    func bearerToken() throws -> String? { try Self.bearerToken(token) }

    /// `token`, `AFTERSALE_TOKEN`, or a short-lived service token (subject `cli`) minted from configured keys.
    /// Its audience is every AfterSale service: these commands are debugging tools pointed at any one of them, and
    /// the token lives five minutes.
    static func bearerToken(_ token: String?) throws -> String? {
        let environment = ProcessInfo.processInfo.environment
        if let token = token ?? environment["AFTERSALE_TOKEN"], !token.isEmpty { return token }
        guard let (keys, _) = try TokenKeySource.load(file: nil, environment: environment) else { return nil }
        return try TokenSigner(keys: keys).sign(subject: "cli", role: .service, audience: Self.everyService, lifetime: .seconds(300))
    }

    static let everyService = ["order", "product", "customer", "logistics", "reporting", "gateway"].map(AccessToken.audience(for:))

    /// Runs `body` with a client, printing the response as JSON; RPC failures become the exit status.
    func run<Response: ProtoMessage>(_ service: String,
                                     _ body: (RPCClient) async throws -> Response) async throws {
        let client = try client(service)
        defer { Task { await client.close() } }
        do {
            print(try await body(client).jsonString(pretty: true))
        } catch let error as RPCError {
            throw CLIFailure(error)
        }
    }
}

/// Parses a JSON request argument (or `-` for standard input) as `Message`.
func parseJSON<Message: ProtoMessage>(_ argument: String, as: Message.Type) throws -> Message {
    do {
        return try Message(jsonString: readInput(argument))
    } catch let error as CLIError {
        throw error
    } catch {
        throw CLIError("not a valid \(Message.protoMessageName): \(error)", status: .dataError)
    }
}
