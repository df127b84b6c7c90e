import ArgumentParser
import Dispatch
import RPCBenchCommon
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Serves the benchmark's echo with one kind of server until SIGTERM or SIGINT.
@main
struct ServerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rpc-bench-server",
        abstract: "Serve the RPC benchmark's echo; prints 'READY <address>' once listening, stops on SIGTERM/SIGINT."
    )

    @Option(help: "aftersale | grpc | raw")
    var kind: String

    @Option(help: "unix:///path.sock or tcp://127.0.0.1:PORT (port 0: any free port, printed on READY)")
    var address: String

    func run() async throws {
        guard let kind = BenchKind(rawValue: kind) else { throw ValidationError("unknown kind \(kind)") }
        let address = try BenchAddress(parsing: address)

        signal(SIGTERM, SIG_IGN)
        signal(SIGINT, SIG_IGN)
        let (stops, stop) = AsyncStream<Int32>.makeStream()
        let sources = [SIGTERM, SIGINT].map { number in
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { stop.yield(number) }
            source.resume()
            return source
        }

        let server = try await startServer(kind: kind, address: address)
        print("READY \(server.address)")
        fflush(nil)

        for await _ in stops { break }
        await server.shutdown()
        for source in sources { source.cancel() }
        if case .unix(let path) = server.address { unlink(path) }
    }
}
