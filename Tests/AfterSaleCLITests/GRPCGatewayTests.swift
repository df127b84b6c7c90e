import AfterSaleTestSupport
import Foundation
import Synchronization
import Testing

/// The gateway's standard gRPC listener, driven by the stock Python stack only (grpcio, grpcio-tools stubs from
/// proto/, grpcio-health-checking, grpcio-reflection): GRPC/grpc_gateway_client.py runs a whole return → refund
/// workflow and every other gateway RPC against a real `aftersale up`, plus health, reflection, a dynamic client,
/// deadlines, cancellation and error details. Fails (never skips) when the Python packages are missing:
/// scripts/install-deps installs them.
@Suite(.serialized) struct GRPCGatewayTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let client = root.appendingPathComponent("Tests/AfterSaleCLITests/GRPC/grpc_gateway_client.py").path

    @Test func aGrpcioProgramRunsTheWholeWorkflowThroughTheGateway() async throws {
        let directory = try TemporaryDirectory("grpc-up")
        defer { directory.remove() }
        let up = try UpProcess(directory: directory.path, environment: [:])
        defer { if up.process.isRunning { kill(up.process.processIdentifier, SIGKILL) } }
        try await up.waitFor("startup and seeding", timeout: .seconds(90)) { $0.contains("development token (role agent") }
        let marker = "gateway gRPC (standard HTTP/2, grpcurl/grpcio) on tcp://"
        let line = try #require(up.text.split(separator: "\n").first { $0.hasPrefix(marker) }, "\(up.text)")
        let target = String(line.dropFirst(marker.count))
        #expect(target.hasPrefix("127.0.0.1:"))

        let run = try await runPython([Self.client, "gateway", "--target", target, "--proto", Self.root.appendingPathComponent("proto").path,
                                         "--aftersale", ServiceProcess.binary.path, "--keys", directory.file("run/token.keys")])
        #expect(run.status == 0, "\(run.output)")
        #expect(run.output.contains("ALL PASSED"), "\(run.output)")
        for rpc in ["CheckEligibility", "OpenCase", "GetCase", "ListCases", "ApproveCase", "RejectCase", "CancelCase",
                    "RecordReceipt", "InspectCase", "QuoteSettlement", "ResolveCase", "SubmitFeedback", "WatchCase", "GetDashboard"] {
            #expect(run.output.contains(rpc), "no check mentions \(rpc)")
        }

        // The gRPC listener drains with the native one: `up` stops cleanly.
        kill(up.process.processIdentifier, SIGTERM)
        try await up.waitFor("the stop", timeout: .seconds(40)) { _ in !up.process.isRunning }
        #expect(up.process.terminationStatus == 0, "\(up.text)")
    }

    @Test(arguments: [false, true])
    func tlsWithAThrowawayCAServesGrpcioSecureChannels(_ mutual: Bool) async throws {
        let directory = try TemporaryDirectory("grpc-tls")
        defer { directory.remove() }
        try Self.makeCertificates(in: directory)
        var arguments = ["serve", "stub", "--listen", "unix://\(directory.file("stub.sock"))", "--data", directory.path, "--insecure-no-auth",
                         "--grpc-listen", "tcp://127.0.0.1:0",
                         "--tls-cert", directory.file("server.pem"), "--tls-key", directory.file("server.key")]
        if mutual { arguments += ["--tls-ca", directory.file("ca.pem")] }
        let server = try await GRPCServiceProcess.start(arguments)
        defer { server.stop() }
        var client = [Self.client, "tls", "--target", server.grpcAddress, "--ca", directory.file("ca.pem")]
        if mutual { client += ["--client-cert", directory.file("client.pem"), "--client-key", directory.file("client.key")] }
        let run = try await runPython(client)
        #expect(run.status == 0, "\(run.output)")
        #expect(run.output.contains("ALL PASSED"), "\(run.output)")
    }

    @Test func badGrpcAndTlsOptionsFailFastWithOneLine() async throws {
        let result = try await runAfterSale(["serve", "stub", "--listen", "unix:///tmp/aftersale-tls-bad.sock", "--data", "/tmp", "--insecure-no-auth",
                                             "--grpc-listen", "tcp://127.0.0.1:0", "--tls-cert", "/nonexistent/cert.pem"])
        #expect(result.status != 0)
        #expect(result.stderr.contains("--tls-cert and --tls-key"), "\(result.stderr)")
        let unreadable = try await runAfterSale(["serve", "stub", "--listen", "unix:///tmp/aftersale-tls-bad.sock", "--data", "/tmp", "--insecure-no-auth",
                                                 "--tls-cert", "/nonexistent/cert.pem", "--tls-key", "/nonexistent/key.pem"])
        #expect(unreadable.stderr.contains("--tls-cert: cannot read '/nonexistent/cert.pem'"), "\(unreadable.stderr)")
        let address = try await runAfterSale(["serve", "stub", "--listen", "unix:///tmp/aftersale-tls-bad.sock", "--data", "/tmp",
                                              "--insecure-no-auth", "--grpc-listen", "http://nowhere"])
        #expect(address.status != 0)
        #expect(address.stderr.hasPrefix("aftersale: serve aftersale-tls-bad: --grpc-listen / "), "\(address.stderr)")
        #expect(address.stderr.split(separator: "\n").count == 1, "\(address.stderr)")
    }

    /// A CA, a server certificate for localhost/127.0.0.1 and a client certificate, all by openssl.
    static func makeCertificates(in directory: TemporaryDirectory) throws {
        let script = """
            set -e
            cd '\(directory.path)'
            openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj '/CN=AfterSale test CA' -keyout ca.key -out ca.pem 2>/dev/null
            printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\\n' > server.ext
            openssl req -newkey rsa:2048 -nodes -subj '/CN=localhost' -keyout server.key -out server.csr 2>/dev/null
            openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 1 -extfile server.ext -out server.pem 2>/dev/null
            openssl req -newkey rsa:2048 -nodes -subj '/CN=grpcio client' -keyout client.key -out client.csr 2>/dev/null
            openssl x509 -req -in client.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 1 -out client.pem 2>/dev/null
            """
        let process = SpawnedProcess()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", script]
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw GRPCTestError("openssl could not make the test certificates") }
    }
}

/// An `aftersale serve …` process with a gRPC listener, waited for until it prints `grpc listening on ADDRESS`.
final class GRPCServiceProcess: Sendable {
    let process: SpawnedProcess
    let grpcAddress: String

    static func start(_ arguments: [String]) async throws -> GRPCServiceProcess {
        try await offloaded { try GRPCServiceProcess(arguments) }
    }

    private init(_ arguments: [String]) throws {
        process = SpawnedProcess()
        process.executableURL = ServiceProcess.binary
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(["AFTERSALE_SUPERVISOR_PID": "\(getpid())"]) { $1 }
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.standardError
        try process.run()
        let deadline = ContinuousClock.now + .seconds(20)
        var buffer = Data()
        while ContinuousClock.now < deadline {
            let chunk = output.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            buffer.append(chunk)
            let text = String(decoding: buffer, as: UTF8.self)
            if let range = text.range(of: "grpc listening on tcp://"), let end = text[range.upperBound...].firstIndex(of: "\n") {
                grpcAddress = String(text[range.upperBound..<end])
                return
            }
        }
        process.terminate()
        throw GRPCTestError("'aftersale \(arguments.joined(separator: " "))' did not start gRPC: \(String(decoding: buffer, as: UTF8.self))")
    }

    func stop() {
        guard process.isRunning else { return }
        process.terminate()
        process.waitUntilExit()
    }
}

struct GRPCTestError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
