import Foundation
import RPCShared

/// A temporary directory, removed by ``remove()``; service tests keep their SQLite files here.
public struct TemporaryDirectory: Sendable {
    public let path: String

    public init(_ label: String = "aftersale-test") throws {
        path = NSTemporaryDirectory() + "\(label)-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    public func file(_ name: String) -> String { (path as NSString).appendingPathComponent(name) }
    public func remove() { try? FileManager.default.removeItem(atPath: path) }
}

/// Real servers for service handlers: each test serves its handler on a temporary Unix socket and talks to it
/// through a real `RPCClient`.
public struct ServedServices: Sendable {
    public let server: RPCServer
    public let client: RPCClient
    public var endpoint: Endpoint { client.endpoints[0] }

    public static func start(_ services: [ServiceDefinition]) async throws -> ServedServices {
        var configuration = ServerConfiguration(endpoint: .unix(path: temporarySocketPath()))
        configuration.gracePeriod = .seconds(2)
        let server = RPCServer(configuration: configuration, services: services)
        let bound = try await server.start()
        var clientConfiguration = ClientConfiguration()
        clientConfiguration.backoff.initial = .milliseconds(10)
        return ServedServices(server: server, client: RPCClient(endpoints: [bound], configuration: clientConfiguration))
    }

    public func stop() async {
        await client.close()
        await server.shutdown(gracePeriod: .seconds(2))
    }
}

extension CallOptions {
    /// Options for a mutating call: a fresh idempotency key unless one is given.
    public static func mutating(key: String = "test-\(UUID().uuidString)", timeout: Duration = .seconds(10)) -> CallOptions {
        CallOptions(timeout: timeout, metadata: ["idempotency-key": key])
    }
}

/// A real `aftersale` process (e.g. `serve order --listen … --data …`), waited for until it prints its
/// `listening on ADDRESS` line, and killed (SIGTERM, then SIGKILL) by ``stop()`` / ``kill()``.
/// Processes get the development keys ``developmentKeys`` in `AFTERSALE_TOKEN_KEYS` unless the test's
/// environment says otherwise; ``serviceToken(subject:)`` mints a token they accept.
public final class ServiceProcess: @unchecked Sendable {
    public let process: SpawnedProcess
    /// The address from the `listening on` line.
    public let address: String
    private let output: Pipe

    /// The `aftersale` binary next to the test bundle.
    public static var binary: URL {
        var url = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("aftersale")
        if !FileManager.default.fileExists(atPath: url.path) {
            url = url.deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("aftersale")
        }
        return url
    }

    /// Fixed token keys for tests (never for a deployment): `test=<32 bytes of 0x2a>`.
    public static let developmentKeys = "test=" + Data(repeating: 0x2a, count: 32).base64EncodedString()

    /// - Parameter executable: what to run instead of the `aftersale` binary (a launcher such as `unshare` that
    ///   ends by exec-ing it), with `arguments` as its arguments.
    public static func start(_ arguments: [String], environment: [String: String] = [:],
                             timeout: Duration = .seconds(20), executable: URL? = nil) async throws -> ServiceProcess {
        // The child also watches this test process (as under `aftersale up`): if a test dies before stopping it, the
        // service exits by itself instead of outliving the test run.
        let environment = ["AFTERSALE_TOKEN_KEYS": developmentKeys, "AFTERSALE_SUPERVISOR_PID": "\(getpid())"]
            .merging(environment) { $1 }
        return try await offloaded {
            try ServiceProcess(arguments, environment: environment, timeout: timeout, executable: executable ?? binary)
        }
    }

    /// A token from ``developmentKeys`` (minted by `aftersale token`), as metadata for a test client's calls:
    /// `CallOptions(metadata: ServiceProcess.authorization())`.
    public static func serviceToken(subject: String = "test", role: String = "service", ttl: String = "1h") async throws -> String {
        let result = try await runAfterSale(["token", "--role", role, "--subject", subject, "--ttl", ttl])
        let token = result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        guard result.status == 0, !token.isEmpty else {
            throw ServiceProcessError("'aftersale token' failed with status \(result.status): \(result.stderr)")
        }
        return token
    }

    /// `authorization: Bearer <service token>` metadata for calls to a ``ServiceProcess``.
    public static func authorization(subject: String = "test") async throws -> Metadata {
        ["authorization": "Bearer \(try await serviceToken(subject: subject))"]
    }

    private init(_ arguments: [String], environment: [String: String], timeout: Duration, executable: URL) throws {
        process = SpawnedProcess()
        process.executableURL = executable
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.standardError
        try process.run()
        let deadline = ContinuousClock.now + timeout
        var buffer = Data()
        let handle = output.fileHandleForReading
        while ContinuousClock.now < deadline {
            let chunk = handle.availableData
            if chunk.isEmpty { break }
            buffer.append(chunk)
            if let text = String(data: buffer, encoding: .utf8), let range = text.range(of: "listening on ") {
                let rest = text[range.upperBound...]
                if let newline = rest.firstIndex(of: "\n") {
                    address = String(rest[..<newline])
                    return
                }
            }
        }
        process.terminate()
        throw ServiceProcessError("'aftersale \(arguments.joined(separator: " "))' did not start: \(String(decoding: buffer, as: UTF8.self))")
    }

    /// SIGTERM and wait (graceful drain).
    public func stop() async {
        guard process.isRunning else { return }
        process.terminate()
        _ = try? await offloaded { [process] in process.waitUntilExit() }
    }

    /// A process a failed test forgot to stop dies with its handle rather than outliving the test.
    deinit {
        if process.isRunning { Foundation.kill(process.processIdentifier, SIGKILL) }
    }

    /// SIGKILL: no drain, no cleanup — a crash.
    public func kill() async {
        guard process.isRunning else { return }
        Foundation.kill(process.processIdentifier, SIGKILL)
        _ = try? await offloaded { [process] in process.waitUntilExit() }
    }
}

public struct ServiceProcessError: Error, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}
