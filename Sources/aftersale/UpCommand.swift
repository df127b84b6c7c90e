import ArgumentParser
import Foundation
import Logging
import RPCShared
import ServiceLifecycle
import ServiceRuntime

/// `aftersale up [--dir ./var]`: the whole system on one machine, each service its own process on a Unix socket
/// under `DIR/run`, supervised until Ctrl-C or SIGTERM (docs/OPERATIONS.md).
struct UpCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "up",
        abstract: "Start every AfterSale service as its own process, supervise them, stop them on Ctrl-C.",
        discussion: """
            Sockets and token keys in DIR/run (0700; DIR/run/token.keys is generated on first run), databases in
            DIR/data, one log per service in DIR/log. A crashed service is restarted with backoff; SIGINT/SIGTERM
            stops all (SIGTERM, then SIGKILL after --grace). AFTERSALE_UP_SERVICES=name[=subcommand args],… replaces
            the service list (tests). See docs/OPERATIONS.md.
            """
    )

    @Option(help: "Working directory for sockets, databases and logs.") var dir: String = "./var"
    @Option(name: .customLong("keys-file"), help: "Token keys file (default: $AFTERSALE_TOKEN_KEYS, or DIR/run/token.keys).")
    var keysFile: String?
    @Option(help: "How long services may drain after SIGTERM before SIGKILL, e.g. 10s.") var grace: String = "10s"
    @Flag(name: .customLong("no-seed"), help: "Do not load demo data.") var noSeed = false
    @Option(name: .customLong("grpc-listen"), help: "The gateway's standard gRPC listener, tcp://127.0.0.1:PORT (0 picks one), or off.")
    var grpcListen: String = "tcp://127.0.0.1:0"

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        // Started by something that supervises `up` itself (a test, a process manager setting the variable): stop,
        // children and all, when it is gone.
        SupervisorWatch.startIfSupervised(environment: environment)
        let directory = UpDirectory(dir)
        try directory.create()
        let lock = try directory.lock()
        defer { withExtendedLifetime(lock) {} }
        let (keys, source, created) = try directory.tokenKeys(file: keysFile, environment: environment)
        let known = Set(ServeCommand.configuration.subcommands.compactMap { $0.configuration.commandName })
        let requested = try UpServiceSpec.resolve(environment: environment)
        for spec in requested where !known.contains(spec.subcommand) {
            say("\(spec.name): skipped ('aftersale serve \(spec.subcommand)' is not in this build)")
        }
        let specs = requested.filter { known.contains($0.subcommand) }
        guard !specs.isEmpty else { throw CLIError("up: no service to run") }
        say("aftersale up: \(directory.root) (sockets in run/, databases in data/, logs in log/)")
        if created { say("generated development token keys in \(directory.keysFile) (mode 0600)") }

        var policy = RestartPolicy()
        policy.stopGrace = try DurationParser.parse(grace)
        let childEnvironment = Self.childEnvironment(environment, specs: specs, directory: directory, keySource: source)
        let supervisor = ProcessSupervisor(binary: Self.binary, environment: childEnvironment, policy: policy, report: say)
        let grpc = grpcListen == "off" ? nil : grpcListen
        let children = specs.map { spec in
            SupervisedChild(name: spec.name,
                            arguments: ["serve"] + spec.serveArguments + ["--listen", "unix://\(directory.socket(spec.name))",
                                                                          "--data", directory.data]
                                + (spec.name == "gateway" ? grpc.map { ["--grpc-listen", $0] } ?? [] : []),
                            socket: directory.socket(spec.name), logFile: directory.logFile(spec.name))
        }
        let seed = noSeed ? nil : SeedHook(binary: Self.binary, environment: childEnvironment, logFile: directory.logFile("seed"),
                                           services: Set(specs.map(\.name)))
        let service = SupervisorService(supervisor: supervisor, children: children) {
            guard await !supervisor.serving.isEmpty else { return }
            await seed?.run(report: say) ?? say("demo data: skipped (--no-seed)")
            let grpcAddress = grpc == nil || !specs.contains(where: { $0.name == "gateway" })
                ? nil : await Self.grpcAddress(log: directory.logFile("gateway"))
            Self.printWelcome(keys: keys, directory: directory, specs: specs, grpcAddress: grpcAddress)
        }
        // The supervisor returns on its own only when every child was given up: that ends `up`, it is no crash.
        let group = ServiceGroup(configuration: .init(services: [.init(service: service, successTerminationBehavior: .gracefullyShutdownGroup)],
                                                      gracefulShutdownSignals: [.sigterm, .sigint],
                                                      logger: Logger(label: "aftersale.up")))
        try await group.run()
        if await supervisor.states.values.allSatisfy({ $0 == .gaveUp }) {
            throw CLIError("up: no service could start; see \(directory.log)", status: .software)
        }
        say("aftersale up: all services stopped")
    }

    /// The `aftersale` binary running now: children are the same build.
    static var binary: URL {
        Bundle.main.executableURL ?? URL(fileURLWithPath: CommandLine.arguments[0])
    }

    /// Every child learns every peer's socket (`AFTERSALE_<NAME>_ADDR`, `AFTERSALE_REPORTING_ADDR`) and the keys.
    static func childEnvironment(_ base: [String: String], specs: [UpServiceSpec], directory: UpDirectory,
                                 keySource: TokenKeySource) -> [String: String] {
        var environment = base
        for spec in specs { environment["AFTERSALE_\(spec.name.uppercased())_ADDR"] = "unix://\(directory.socket(spec.name))" }
        if specs.contains(where: { $0.name == "reporting" }) {
            environment["AFTERSALE_REPORTING_ADDR"] = "unix://\(directory.socket("reporting"))"
        }
        environment["AFTERSALE_TOKEN"] = nil
        // One port cannot serve six processes: only the gateway gets a gRPC listener, by flag.
        environment["AFTERSALE_GRPC_LISTEN"] = nil
        environment[SupervisorWatch.variable] = "\(getpid())"
        if case .file(let path) = keySource {
            environment[TokenKeySource.inlineVariable] = nil
            environment[TokenKeySource.fileVariable] = path
        }
        return environment
    }

    /// The gateway's bound gRPC address, from the line it prints when bound — after its latest native `listening
    /// on` line, since the log outlives restarts; it may come a moment after the native socket answers.
    static func grpcAddress(log: String) async -> String? {
        let marker = "aftersale gateway grpc listening on "
        for _ in 0..<50 {
            if let text = try? String(contentsOfFile: log, encoding: .utf8) {
                let lines = text.split(separator: "\n")
                let start = lines.lastIndex { $0.hasPrefix("aftersale gateway listening on ") } ?? lines.startIndex
                if let line = lines[start...].first(where: { $0.hasPrefix(marker) }) { return String(line.dropFirst(marker.count)) }
            }
            try? await Task.sleep(for: .milliseconds(100))
        }
        return nil
    }

    static func printWelcome(keys: TokenKeySet, directory: UpDirectory, specs: [UpServiceSpec], grpcAddress: String?) {
        let token = (try? TokenSigner(keys: keys).sign(subject: "dev-agent", role: .agent, audience: [AccessToken.audience(for: "gateway")],
                                                           lifetime: .seconds(12 * 3600))) ?? "?"
        let entry = specs.first { $0.name == "gateway" } ?? specs.first { $0.name == "order" } ?? specs[0]
        if let grpcAddress { say("gateway gRPC (standard HTTP/2, grpcurl/grpcio) on \(grpcAddress)") }
        say("""

            development token (role agent, subject dev-agent, 12 h):
            \(token)

            try:
              aftersale health unix://\(directory.socket(entry.name))
              aftersale list unix://\(directory.socket(entry.name))
              aftersale demo --dir \(directory.root)      # a return, an exchange and a repair through the gateway
              export AFTERSALE_TOKEN_KEYS_FILE=\(directory.keysFile)   # aftersale call then mints service tokens
              aftersale token --role customer --subject c-1 --keys-file \(directory.keysFile)
            logs: \(directory.log)/<service>.log    stop: Ctrl-C

            """)
    }
}

/// Lines on standard output, unbuffered, so a terminal (or a test reading the pipe) sees each as it happens.
@Sendable func say(_ text: String) {
    FileHandle.standardOutput.write(Data((text + "\n").utf8))
}

/// The supervisor as a ServiceLifecycle service: graceful shutdown (SIGINT/SIGTERM) stops the children.
struct SupervisorService: Service {
    let supervisor: ProcessSupervisor
    let children: [SupervisedChild]
    let afterStart: @Sendable () async -> Void

    func run() async throws {
        await withGracefulShutdownHandler {
            await withTaskGroup(of: Void.self) { group in
                group.addTask { await supervisor.run(children) }
                group.addTask { if await supervisor.waitUntilSettled() { await afterStart() } }
            }
        } onGracefulShutdown: {
            Task { await supervisor.stop() }
        }
    }
}

/// Loads demo data with `aftersale seed` once the services are up — when this build has that command and the
/// services it fills (product, customer, order) are among those started.
struct SeedHook: Sendable {
    let binary: URL
    let environment: [String: String]
    let logFile: String
    let services: Set<String>
    static let needs: Set<String> = ["product", "customer", "order"]

    static var isAvailable: Bool {
        AfterSaleCommand.configuration.subcommands.contains { $0.configuration.commandName == "seed" }
    }

    func run(report: @Sendable (String) -> Void) async {
        guard Self.isAvailable else {
            report("demo data: skipped ('aftersale seed' is not in this build yet)")
            return
        }
        guard Self.needs.isSubset(of: services) else {
            report("demo data: skipped (it needs the \(Self.needs.sorted().joined(separator: ", ")) services)")
            return
        }
        let result: String
        do {
            result = try await runSeed()
        } catch {
            result = "failed to run: \(error)"
        }
        report("demo data: \(result)")
    }

    private func runSeed() async throws -> String {
        let log = try ChildProcess.appendingLog(logFile)
        defer { try? log.close() }
        let (process, exited) = try ChildProcess.start(binary, ["seed"], environment: environment, log: log)
        for await _ in exited {}
        return process.terminationStatus == 0 ? "loaded (log: \(logFile))" : "'aftersale seed' failed with status \(process.terminationStatus); see \(logFile)"
    }
}
