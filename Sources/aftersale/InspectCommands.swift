import ArgumentParser
import RPCShared

/// `aftersale list ADDR`: the services and methods a server exposes (through reflection).
struct ListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List a server's services and methods.")
    @Argument(help: "Server address: unix:///path.sock or tcp://host:port.") var address: String

    func run() async throws {
        let client = try ServiceClientOptions.open(address)
        defer { Task { await client.close() } }
        do {
            let services = try await ReflectionV1.Reflection.Client(transport: client)
                .listServices(.init(), options: .init(timeout: .seconds(10))).services
            for service in services {
                print(service.name)
                for method in service.methods {
                    let streaming = method.serverStreaming ? "stream " : ""
                    print("  \(method.name)(\(method.inputType)) returns (\(streaming)\(method.outputType))")
                }
            }
        } catch let error as RPCError {
            throw CLIFailure(error)
        }
    }
}

/// `aftersale describe [ADDR] NAME`: a service, method, message or enum by its full name, from the descriptors
/// compiled into this binary; with ADDR a method is looked up on that server through reflection instead.
struct DescribeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "describe",
        abstract: "Describe a service, method, message (fields: number, name, type, label) or enum (values).",
        discussion: """
            Names are full protobuf names: aftersale.order.v1.OrderService, aftersale.order.v1.OrderService.GetOrder \
            (or /aftersale.order.v1.OrderService/GetOrder), aftersale.order.v1.Case, aftersale.order.v1.CaseStatus. \
            With a server address first, a method is described as that server's reflection reports it.
            """)
    @Argument(help: "A full name, or a server address followed by a method.") var first: String
    @Argument(help: "The method, when the first argument is a server address.") var second: String?

    func run() async throws {
        guard let method = second else { return print(try SchemaDescription.describe(first)) }
        let client = try ServiceClientOptions.open(first)
        defer { Task { await client.close() } }
        let info: ReflectionV1.MethodInfo
        do {
            info = try await ReflectionV1.Reflection.Client(transport: client)
                .describeMethod(.init(method: method), options: .init(timeout: .seconds(10)))
        } catch let error as RPCError {
            throw CLIFailure(error)
        }
        print(SchemaDescription.method(path: info.fullPath, streaming: info.serverStreaming,
                                       input: info.inputType, output: info.outputType))
    }
}

/// `aftersale health ADDR [SERVICE]`: SERVING exits 0, any other answer 69, a failed check its status (69 when it
/// cannot connect) — fit for container health checks, which only ask for non-zero.
struct HealthCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "health", abstract: "Check a server's (or one service's) health.")
    @Argument(help: "Server address.") var address: String
    @Argument(help: "A service's full name; empty for the whole server.") var service: String = ""
    @Option(help: "Deadline, e.g. 2s.") var timeout: String = "5s"

    func run() async throws {
        let client = try ServiceClientOptions.open(address)
        defer { Task { await client.close() } }
        do {
            let response = try await HealthV1.Health.Client(transport: client)
                .check(.init(service: service), options: .init(timeout: try DurationParser.parse(timeout)))
            print(response.status.protoName ?? "\(response.status.rawValue)")
            if response.status != .serving { throw ExitCode(ExitStatus.unavailable.rawValue) }
        } catch let error as RPCError {
            throw CLIFailure(error)
        }
    }
}
