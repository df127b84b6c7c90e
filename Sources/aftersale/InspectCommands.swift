import ArgumentParser
import RPCShared

/// `aftersale list ADDR`: the services and methods a server exposes (through reflection).
struct ListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List a server's services and methods.")
    @Argument(help: "Server address: unix:///path.sock or tcp://host:port.") var address: String

    func run() async throws {
        let client = try RPCClient(address)
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

/// `aftersale describe ADDR METHOD`: a method's signature and the fields of its messages.
struct DescribeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "describe", abstract: "Describe a method and its message types.")
    @Argument(help: "Server address.") var address: String
    @Argument(help: "Method: /pkg.Service/Method or pkg.Service.Method.") var method: String

    func run() async throws {
        let client = try RPCClient(address)
        defer { Task { await client.close() } }
        let info: ReflectionV1.MethodInfo
        do {
            info = try await ReflectionV1.Reflection.Client(transport: client)
                .describeMethod(.init(method: method), options: .init(timeout: .seconds(10)))
        } catch let error as RPCError {
            throw CLIFailure(error)
        }
        print("\(info.fullPath)  \(info.serverStreaming ? "server-streaming" : "unary")")
        for (role, name) in [("request", info.inputType), ("response", info.outputType)] {
            print("\(role): \(name)")
            for field in ProtoRegistry.messageTypes[name]?.protoFields ?? [] {
                print("  \(field.number)  \(field.name): \(field.type)")
            }
        }
    }
}

/// `aftersale health ADDR [SERVICE]`: SERVING exits 0, anything else exits 1 (fit for container health checks).
struct HealthCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "health", abstract: "Check a server's (or one service's) health.")
    @Argument(help: "Server address.") var address: String
    @Argument(help: "A service's full name; empty for the whole server.") var service: String = ""
    @Option(help: "Deadline, e.g. 2s.") var timeout: String = "5s"

    func run() async throws {
        let client = try RPCClient(address)
        defer { Task { await client.close() } }
        do {
            let response = try await HealthV1.Health.Client(transport: client)
                .check(.init(service: service), options: .init(timeout: try DurationParser.parse(timeout)))
            print(response.status.protoName ?? "\(response.status.rawValue)")
            if response.status != .serving { throw ExitCode(1) }
        } catch let error as RPCError {
            throw CLIFailure(error)
        }
    }
}
