import AfterSaleTestSupport
import Foundation
import RPCShared
import Testing

/// A full disk is a clear refusal, never corruption: the real `aftersale serve customer` with its database on a
/// 4 MiB tmpfs mounted in a private mount namespace (so nothing outside the test sees the mount, and it vanishes
/// with the process). Needs root for the mount, as CI has.
@Suite(.timeLimit(.minutes(2)), .enabled(if: getuid() == 0, "mounting a tmpfs in a private namespace needs root"))
struct CustomerDiskFullTests {
    /// Runs `command` inside the service's mount namespace (where its tmpfs is).
    static func inNamespace(of pid: Int32, _ command: [String]) async throws -> (status: Int32, output: String) {
        try await offloaded {
            let process = SpawnedProcess()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/nsenter")
            process.arguments = ["--target", "\(pid)", "--mount", "--"] + command
            let output = Pipe()
            process.standardOutput = output
            process.standardError = output
            try process.run()
            let data = output.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            return (process.terminationStatus, String(decoding: data, as: UTF8.self))
        }
    }

    @Test func aFullDiskRefusesWritesWithResourceExhaustedKeepsWhatWasAcknowledgedAndRecovers() async throws {
        let directory = try TemporaryDirectory("disk-full")
        defer { directory.remove() }
        let data = directory.file("data")
        try FileManager.default.createDirectory(atPath: data, withIntermediateDirectories: true)
        let socket = directory.file("customer.sock")
        let script = #"mount -t tmpfs -o size=4m tmpfs "$1" && exec "$0" serve customer --listen "unix://$2" --data "$1""#
        let server = try await ServiceProcess.start(
            ["--mount", "--propagation", "private", "/bin/sh", "-c", script, ServiceProcess.binary.path, data, socket],
            executable: URL(fileURLWithPath: "/usr/bin/unshare"))
        defer { Task { await server.stop() } }
        let pid = server.process.processIdentifier
        let client = try RPCClient(server.address)
        defer { Task { await client.close() } }
        let customers = CustomerV1.CustomerService.Client(transport: client)
        let options = CallOptions(timeout: .seconds(10), metadata: try await ServiceProcess.authorization())
        func keyed(_ id: String) -> CallOptions {
            var keyed = options
            keyed.metadata.add("idempotency-key", "create:\(id)")
            return keyed
        }
        func create(_ id: String) async -> Result<Void, RPCError> {
            do {
                _ = try await customers.createCustomer(.init(customerID: id, name: String(repeating: "N", count: 200), email: "\(id)@example.com",
                                                             market: "DE"), options: keyed(id))
                return .success(())
            } catch let error as RPCError { return .failure(error) } catch { return .failure(RPCError(.unknown, "\(error)")) }
        }

        var acknowledged: [String] = []
        for index in 0..<5 where (try? await create("cus_before_\(index)").get()) != nil { acknowledged.append("cus_before_\(index)") }
        #expect(acknowledged.count == 5)

        // Fill the tmpfs to the last byte (dd stops at ENOSPC).
        _ = try await Self.inNamespace(of: pid, ["dd", "if=/dev/zero", "of=\(data)/filler", "bs=64k"])
        var refusals: [RPCError] = []
        for index in 0..<200 {
            switch await create("cus_full_\(index)") {
            case .success: acknowledged.append("cus_full_\(index)")
            case .failure(let error): refusals.append(error)
            }
            if refusals.count >= 5 { break }
        }
        #expect(refusals.count >= 5, "a full disk refuses writes")
        for refusal in refusals {
            #expect(refusal.code == .resourceExhausted, "a full disk is RESOURCE_EXHAUSTED, never INTERNAL: \(refusal)")
            #expect(refusal.errorDetails?.reason == "STORAGE_FULL")
        }
        // Reads and health still answer while the disk is full.
        #expect(try await customers.getCustomer(.init(customerID: "cus_before_0"), options: options).id == "cus_before_0")
        #expect(try await HealthV1.Health.Client(transport: client).check(.init(), options: .init(timeout: .seconds(5))).status == .serving)

        // Space returns: writes succeed again without a restart.
        _ = try await Self.inNamespace(of: pid, ["rm", "-f", "\(data)/filler"])
        let recovered = try await Eventually.succeeds { try await create("cus_after").get() }
        #expect(recovered, "writes succeed once space returns")
        acknowledged.append("cus_after")

        // Nothing acknowledged was lost and the file is sound.
        let check = try await Self.inNamespace(of: pid, ["sqlite3", "\(data)/customer.sqlite",
                                                         "PRAGMA integrity_check; SELECT count(*) FROM customer;"])
        #expect(check.output.split(separator: "\n").map(String.init) == ["ok", "\(acknowledged.count)"], "\(check.output)")
    }
}

/// Retries `body` for a few seconds while it throws (space freed may take a moment to be usable).
enum Eventually {
    static func succeeds(_ body: () async throws -> Void) async throws -> Bool {
        let deadline = ContinuousClock.now + .seconds(10)
        while ContinuousClock.now < deadline {
            do { try await body(); return true } catch { try await Task.sleep(for: .milliseconds(100)) }
        }
        return false
    }
}
