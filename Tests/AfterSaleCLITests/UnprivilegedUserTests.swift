import AfterSaleTestSupport
import Foundation
import Testing

/// A service and its clients as an ordinary user, over a Unix socket and over TCP. Every other test runs as root
/// (CI does), which once hid that the transport set SO_DEBUG — a privileged option — instead of TCP_NODELAY, so
/// no non-root process could connect at all.
@Suite struct UnprivilegedUserTests {
    static let runuser = "/usr/sbin/runuser"

    @Test(.enabled(if: getuid() == 0 && FileManager.default.isExecutableFile(atPath: runuser), "needs root to switch to 'nobody'"),
          arguments: ["unix", "tcp"])
    func servesAndAnswersAsNobody(_ transport: String) async throws {
        let directory = try TemporaryDirectory("nobody")
        defer { directory.remove() }
        chmod(directory.path, 0o777)
        let listen = transport == "unix" ? "unix://\(directory.file("reporting.sock"))" : "tcp://127.0.0.1:0"
        let server = SpawnedProcess()
        server.executableURL = URL(fileURLWithPath: Self.runuser)
        server.arguments = ["-u", "nobody", "--", ServiceProcess.binary.path, "serve", "reporting", "--listen", listen,
                            "--data", directory.path, "--insecure-no-auth"]
        let output = Pipe()
        server.standardOutput = output
        server.standardError = FileHandle.nullDevice
        try server.run()
        defer { server.terminate(); server.waitUntilExit() }
        let handle = output.fileHandleForReading
        // Until the `listening on` line, or EOF if the server could not start.
        let started = await Task.detached { () -> String in
            var text = ""
            while !text.contains("listening on") {
                let chunk = handle.availableData
                if chunk.isEmpty { break }
                text += String(decoding: chunk, as: UTF8.self)
            }
            return text
        }.value
        let line = started.split(separator: "\n").first { $0.contains("listening on") } ?? ""
        let address = String(line.split(separator: " ").last ?? "")
        #expect(!address.isEmpty, "the server did not start as nobody")
        let health = try await runAfterSale(["health", address])
        #expect(health.status == 0 && health.stdout.contains("SERVING"), "\(health.stderr)")
        let asNobody = SpawnedProcess()
        asNobody.executableURL = URL(fileURLWithPath: Self.runuser)
        asNobody.arguments = ["-u", "nobody", "--", ServiceProcess.binary.path, "health", address]
        asNobody.standardOutput = FileHandle.nullDevice
        asNobody.standardError = FileHandle.nullDevice
        try asNobody.run()
        asNobody.waitUntilExit()
        #expect(asNobody.terminationStatus == 0, "a client running as nobody could not call")
    }
}
