import ArgumentParser
import Foundation
import RPCShared

/// `aftersale call ADDR METHOD JSON`: one call with JSON in and out, like grpcurl — the CLI's one way to call any
/// method of any service (the workflow commands cover what takes more than one call; docs/CLI.md says why there
/// are no per-method subcommands).
struct CallCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "call",
        abstract: "Call a method with a JSON request; print the JSON response (or each streamed one).",
        discussion: """
            The exit status is the call's status code (0 OK, 5 NOT_FOUND, …, 16 UNAUTHENTICATED); 69 when the \
            server cannot be reached, 64 for a usage error, 65 for a request that is not valid JSON for the method.
            A bearer token is sent from --token or $AFTERSALE_TOKEN, else a 5-minute service token is minted from \
            $AFTERSALE_TOKEN_KEYS / $AFTERSALE_TOKEN_KEYS_FILE. A method with side effects gets a fresh \
            idempotency-key unless one is given.
            """
    )

    @Argument(help: "Server address: unix:///path.sock or tcp://host:port.") var address: String
    @Argument(help: "Method: /pkg.Service/Method or pkg.Service.Method.") var method: String
    @Argument(help: "The request as proto3 JSON, @FILE to read a file, or - to read standard input.") var json: String = "{}"
    @Option(name: .customShort("H"), help: "Metadata key:value (repeatable), e.g. -H 'x-request-id: r1'.")
    var headers: [String] = []
    @Option(help: "Deadline, e.g. 500ms, 5s, 1m.") var timeout: String = "30s"
    @Option(help: "Bearer token (default: $AFTERSALE_TOKEN, else a service token minted from the configured keys).")
    var token: String?
    @Option(name: .customLong("idempotency-key"), help: "Idempotency key (default for methods with side effects: a fresh one).")
    var idempotencyKey: String?
    @Flag(name: .customLong("emit-defaults"), help: "Print every field, zero values included (proto3 JSON EmitDefaults).")
    var emitDefaults = false
    @Flag(name: .shortAndLong, help: "On stderr: the request metadata, response headers and trailers, and the call's duration.")
    var verbose = false

    func run() async throws {
        let descriptor = try MethodLookup.descriptor(method)
        guard let input = ProtoRegistry.messageTypes[descriptor.inputType],
              let output = ProtoRegistry.messageTypes[descriptor.outputType] else {
            throw CLIError("the types of \(descriptor.path) are not compiled into this client", status: .software)
        }
        var options = CallOptions(timeout: try DurationParser.parse(timeout))
        try options.metadata.add(headers: headers)
        if options.metadata["authorization"] == nil, let token = try ServiceClientOptions.bearerToken(token) {
            options.metadata.add("authorization", "Bearer \(token)")
        }
        if !descriptor.idempotent && descriptor.kind == .unary && options.metadata["idempotency-key"] == nil {
            options.metadata.add("idempotency-key", idempotencyKey ?? "cli-\(UUID().uuidString.lowercased())")
        }
        let request: any ProtoMessage
        do {
            request = try input.init(jsonString: try readInput(json))
        } catch let error as CLIError {
            throw error
        } catch {
            throw CLIError("the request is not a valid \(descriptor.inputType): \(error)", status: .dataError)
        }
        let client = try ServiceClientOptions.open(address)
        defer { Task { await client.close() } }
        let recorder = ResponseMetadataRecorder()
        if verbose {
            options.responseMetadata = recorder
            CallTrace.request(descriptor, address: address, options: options)
        }
        let started = ContinuousClock.now
        do {
            try await input.call(descriptor, request: request, output: output, transport: client, options: options) { response in
                print(response.jsonString(pretty: true, emitDefaults: emitDefaults))
            }
            if verbose { CallTrace.response(recorder, status: "OK", duration: .now - started) }
        } catch let error as RPCError {
            if verbose { CallTrace.response(recorder, status: "\(error.code)", duration: .now - started, trailers: error.trailers) }
            throw CLIFailure(error)
        }
    }
}

extension ProtoMessage {
    /// Calls with this type as the request and `output` as the response type (opens both existentials).
    static func call(_ method: MethodDescriptor, request: any ProtoMessage, output: any ProtoMessage.Type,
                     transport: any ClientTransport, options: CallOptions,
                     onResponse: (any ProtoMessage) -> Void) async throws {
        try await output.respond(to: method, request: request as! Self, transport: transport, options: options, onResponse: onResponse)
    }

    fileprivate static func respond<Input: ProtoMessage>(to method: MethodDescriptor, request: Input, transport: any ClientTransport,
                                                          options: CallOptions, onResponse: (any ProtoMessage) -> Void) async throws {
        let typed = RPCMethod<Input, Self>(service: method.service, method: method.method, kind: method.kind,
                                           idempotent: method.idempotent)
        switch method.kind {
        case .unary:
            onResponse(try await transport.unary(typed, request: request, options: options))
        case .serverStreaming:
            for try await response in transport.serverStreaming(typed, request: request, options: options) { onResponse(response) }
        case .clientStreaming, .bidirectionalStreaming:
            throw CLIError("\(method.path) streams requests; the CLI sends one request only")
        }
    }
}

extension Metadata {
    /// Adds `-H key:value` arguments.
    mutating func add(headers: [String]) throws {
        for header in headers {
            guard let colon = header.firstIndex(of: ":") else { throw CLIError("-H '\(header)': expected key:value") }
            add(String(header[..<colon]).trimmingWhitespace(), String(header[header.index(after: colon)...]).trimmingWhitespace())
        }
    }
}

/// Finds a method in the services compiled into this binary.
enum MethodLookup {
    static func descriptor(_ name: String) throws -> MethodDescriptor {
        var path = name
        if !path.hasPrefix("/") {
            if let slash = path.firstIndex(of: "/") {
                path = "/" + path
                _ = slash
            } else if let dot = path.lastIndex(of: ".") {
                path = "/\(path[..<dot])/\(path[path.index(after: dot)...])"
            }
        }
        for methods in ProtoRegistry.services.values {
            if let found = methods.first(where: { $0.path == path }) { return found }
        }
        throw CLIError("unknown method '\(name)' (see 'aftersale list ADDR')")
    }
}

enum DurationParser {
    static func parse(_ text: String) throws -> Duration {
        let units: [(String, Double)] = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600)]
        for (suffix, seconds) in units where text.hasSuffix(suffix) {
            if let value = Double(text.dropLast(suffix.count)), value > 0, value.isFinite {
                return .milliseconds(Int64(value * seconds * 1000))
            }
        }
        throw CLIError("'\(text)' is not a duration such as 500ms, 5s or 1m")
    }
}

extension String {
    func trimmingWhitespace() -> String {
        String(drop { $0.isWhitespace }.reversed().drop { $0.isWhitespace }.reversed())
    }
}
