import AfterSaleTestSupport
import Foundation
import RPCShared
import Synchronization
import Testing

/// `aftersale token` through the binary.
@Suite struct TokenCommandTests {
    static let keys = ServiceProcess.developmentKeys

    static func run(_ arguments: [String], environment: [String: String]) async throws -> CLIResult {
        try await runAfterSale(arguments, environment: environment, unsetting: ["AFTERSALE_TOKEN_KEYS", "AFTERSALE_TOKEN_KEYS_FILE"])
    }

    /// The payload of a JWT (the part between header and signature), decoded without verifying.
    static func claims(_ token: String) throws -> [String: Any] {
        let parts = token.split(separator: ".")
        var base64 = parts[1].replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        let data = try #require(Data(base64Encoded: base64))
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    @Test func mintsATokenWithTheRequestedClaims() async throws {
        let result = try await Self.run(["token", "--role", "agent", "--subject", "alice", "--ttl", "2h"],
                                        environment: ["AFTERSALE_TOKEN_KEYS": Self.keys])
        #expect(result.status == 0, "\(result.stderr)")
        let token = result.stdout.trimmingCharacters(in: .newlines)
        #expect(token.hasPrefix("eyJ") && token.split(separator: ".").count == 3 && !token.contains("\n"))
        let claims = try Self.claims(token)
        #expect(claims["sub"] as? String == "alice")
        #expect(claims["iss"] as? String == "aftersale")
        #expect(claims["aud"] as? String == "aftersale:gateway", "the default audience")
        #expect((claims["jti"] as? String)?.isEmpty == false)
        #expect(claims["role"] as? String == "agent")
        let iat = try #require(claims["iat"] as? Int), exp = try #require(claims["exp"] as? Int)
        #expect(exp - iat == 7200)
        #expect(abs(Double(iat) - Date().timeIntervalSince1970) < 60)
    }

    @Test func audienceTokenIDAndNotBeforeAreFlags() async throws {
        let result = try await Self.run(["token", "--role", "service", "--subject", "shop", "--aud", "order", "--aud", "aftersale:customer",
                                         "--jti", "shop-1", "--not-before", "2030-01-01T00:00:00Z"],
                                        environment: ["AFTERSALE_TOKEN_KEYS": Self.keys])
        #expect(result.status == 0, "\(result.stderr)")
        let claims = try Self.claims(result.stdout.trimmingCharacters(in: .newlines))
        #expect(claims["aud"] as? [String] == ["aftersale:order", "aftersale:customer"])
        #expect(claims["jti"] as? String == "shop-1")
        #expect(claims["nbf"] as? Int == 1_893_456_000)
    }

    @Test func readsAPrivateKeysFileAndRefusesAnOpenOne() async throws {
        let directory = try TemporaryDirectory("token-cli")
        defer { directory.remove() }
        let path = directory.file("keys")
        _ = FileManager.default.createFile(atPath: path, contents: Data("# comment\n\(Self.keys)\n".utf8),
                                       attributes: [.posixPermissions: 0o600])
        let ok = try await Self.run(["token", "--role", "service", "--subject", "order", "--keys-file", path], environment: [:])
        #expect(ok.status == 0 && ok.stdout.hasPrefix("eyJ"), "\(ok.stderr)")
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: path)
        let open = try await Self.run(["token", "--role", "service", "--subject", "order", "--keys-file", path], environment: [:])
        #expect(open.status != 0 && open.stdout.isEmpty)
        #expect(open.stderr.contains("has mode 644, readable by group or others; run chmod 600"), "\(open.stderr)")
    }

    @Test(arguments: [
        (["token", "--role", "agent", "--subject", "alice"], [String: String](), "no token keys"),
        (["token", "--role", "admin", "--subject", "alice"], ["AFTERSALE_TOKEN_KEYS": keys],
         "--role must be one of customer, agent, warehouse, service"),
        (["token", "--role", "agent", "--subject", "alice", "--ttl", "90d"], ["AFTERSALE_TOKEN_KEYS": keys], "--ttl must be between 1s and 30d, got '90d'"),
        (["token", "--role", "agent", "--subject", "alice", "--ttl", "soon"], ["AFTERSALE_TOKEN_KEYS": keys], "'soon' is not a duration"),
        (["token", "--role", "agent", "--subject", "a b"], ["AFTERSALE_TOKEN_KEYS": keys], "subject must be"),
        (["token", "--role", "agent", "--subject", "alice"], ["AFTERSALE_TOKEN_KEYS": "k=c2hvcnQ="], "at least 32 needed"),
        (["token", "--role", "agent", "--subject", "alice", "--not-before", "tomorrow"], ["AFTERSALE_TOKEN_KEYS": keys],
         "--not-before must be an ISO 8601 time like 2026-12-04T10:00:00Z, got 'tomorrow'"),
        (["token", "--role", "agent", "--subject", "alice", "--jti", ""], ["AFTERSALE_TOKEN_KEYS": keys], "--jti must be 1-128 bytes"),
    ])
    func badInputIsOneClearLine(_ arguments: [String], _ environment: [String: String], _ message: String) async throws {
        let result = try await Self.run(arguments, environment: environment)
        #expect(result.status != 0)
        #expect(result.stderr.contains(message), "\(result.stderr)")
        #expect(result.stderr.split(separator: "\n").count == 1, "\(result.stderr)")
    }
}

/// A running `aftersale up`, its output collected line by line as it comes.
final class UpProcess: Sendable {
    static let supervisorVariable = "AFTERSALE_SUPERVISOR_PID"
    let process: SpawnedProcess
    private let output = Output()

    final class Output: Sendable {
        let text = Mutex("")
    }

    init(directory: String, environment: [String: String]) throws {
        process = SpawnedProcess()
        process.executableURL = ServiceProcess.binary
        process.arguments = ["up", "--dir", directory, "--grace", "5s"]
        var base = ProcessInfo.processInfo.environment
        for key in ["AFTERSALE_TOKEN_KEYS", "AFTERSALE_TOKEN_KEYS_FILE", "AFTERSALE_INSECURE_NO_AUTH"] { base[key] = nil }
        // If this test process dies, `up` (and so every service it started) stops too.
        base[UpProcess.supervisorVariable] = "\(getpid())"
        process.environment = base.merging(environment) { $1 }
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let handle = pipe.fileHandleForReading
        let output = self.output
        DispatchQueue.global().async {
            while true {
                let chunk = handle.availableData
                if chunk.isEmpty { return }
                output.text.withLock { $0 += String(decoding: chunk, as: UTF8.self) }
            }
        }
    }

    var text: String { output.text.withLock { $0 } }

    /// Waits until the output matches `predicate`; fails the test with the output so far after `timeout`.
    func waitFor(_ what: String, timeout: Duration = .seconds(30), _ predicate: (String) -> Bool) async throws {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if predicate(text) { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        Issue.record("timed out waiting for \(what); output:\n\(text)")
        throw CancellationError()
    }

    /// The pids of `name`'s children, in the order they were started.
    func pids(_ name: String) -> [Int32] {
        text.split(separator: "\n").compactMap { line -> Int32? in
            guard line.hasPrefix(name + " "), let range = line.range(of: "starting (pid ") else { return nil }
            return Int32(line[range.upperBound...].prefix { $0.isNumber })
        }
    }

    func count(_ needle: String) -> Int { text.components(separatedBy: needle).count - 1 }
}

/// `aftersale up` with stand-in services (`aftersale serve stub`, chosen through AFTERSALE_UP_SERVICES): start,
/// health, restart after `kill -9`, giving up on a child that cannot start, and a clean stop on SIGTERM.
@Suite struct UpCommandTests {
    /// Whether `pid` is a running process (a zombie waiting for a reaper that is not there does not count).
    static func isAlive(_ pid: Int32) -> Bool {
        guard kill(pid, 0) == 0 || errno != ESRCH else { return false }
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return true }
        return stat[stat.index(after: close)...].trimmingCharacters(in: .whitespaces).first != "Z"
    }

    @Test func supervisesStartsRestartsAndStopsCleanly() async throws {
        let directory = try TemporaryDirectory("up")
        defer { directory.remove() }
        let up = try UpProcess(directory: directory.path, environment: [
            "AFTERSALE_UP_SERVICES": "alpha=stub,beta=stub,ghost=nosuchservice,broken=stub --rate-limit nonsense",
        ])
        defer { if up.process.isRunning { kill(up.process.processIdentifier, SIGKILL) } }

        // Start: both stand-ins SERVING, the unknown one skipped, the broken one given up, then the welcome.
        try await up.waitFor("startup") { $0.contains("development token (role agent") }
        #expect(up.text.contains("ghost: skipped ('aftersale serve nosuchservice' is not in this build)"))
        #expect(up.text.contains("alpha      SERVING on unix://"))
        #expect(up.text.contains("beta       SERVING on unix://"))
        #expect(up.text.contains("broken     gave up after 5 failed starts"))
        #expect(up.text.contains("must be RATE[:BURST]"), "the give-up line says why")
        #expect(up.text.contains("generated development token keys"))
        #expect(up.text.contains("demo data: skipped"))

        // Files: private run directory and key file, sockets 0660, one log per service.
        let attributes = { (path: String) in (try? FileManager.default.attributesOfItem(atPath: path))?[.posixPermissions] as? Int }
        #expect(attributes(directory.file("run")) == 0o700)
        #expect(attributes(directory.file("run/token.keys")) == 0o600)
        #expect(attributes(directory.file("run/alpha.sock")) == 0o660)
        #expect(FileManager.default.fileExists(atPath: directory.file("log/alpha.log")))
        #expect(FileManager.default.fileExists(atPath: directory.file("data")))

        // A second supervisor on the same directory is refused instead of fighting over the sockets.
        let rival = try await TokenCommandTests.run(["up", "--dir", directory.path], environment: [:])
        #expect(rival.status == 75, "EX_TEMPFAIL: try again once the other one stopped")
        #expect(rival.stderr.contains("another aftersale up is already running in"), "\(rival.stderr)")
        #expect(rival.stderr.contains("(pid \(up.process.processIdentifier))"), "\(rival.stderr)")

        // Health over the socket, as the supervisor itself checks it.
        let client = try RPCClient("unix://\(directory.file("run/beta.sock"))")
        let health = try await HealthV1.Health.Client(transport: client).check(.init(), options: .init(timeout: .seconds(5)))
        await client.close()
        #expect(health.status == .serving)

        // A crash: kill -9 one child; the supervisor says so, restarts it, and it serves again.
        let first = try #require(up.pids("alpha").first)
        kill(first, SIGKILL)
        try await up.waitFor("the restart") { _ in up.pids("alpha").count == 2 && up.count("alpha      SERVING") == 2 }
        #expect(up.text.contains("alpha      exited (signal 9); restarting in 0.5 s"))
        let second = up.pids("alpha")[1]
        #expect(second != first && Self.isAlive(second))

        // SIGTERM: every child stopped, the supervisor exits 0, nothing left behind.
        let children = up.pids("alpha") + up.pids("beta")
        kill(up.process.processIdentifier, SIGTERM)
        try await up.waitFor("the stop", timeout: .seconds(15)) { _ in !up.process.isRunning }
        #expect(up.process.terminationStatus == 0, "\(up.text)")
        #expect(up.text.contains("alpha      stopped (status 0)"))
        #expect(up.text.contains("beta       stopped (status 0)"))
        #expect(up.text.contains("all services stopped"))
        for pid in children { #expect(!Self.isAlive(pid), "child \(pid) is still running") }
    }

    /// If `up` itself dies without stopping its children (SIGKILL), they notice and stop on their own.
    @Test func childrenStopWhenTheSupervisorIsKilled() async throws {
        let directory = try TemporaryDirectory("up-killed")
        defer { directory.remove() }
        let up = try UpProcess(directory: directory.path, environment: ["AFTERSALE_UP_SERVICES": "solo=stub"])
        defer { if up.process.isRunning { kill(up.process.processIdentifier, SIGKILL) } }
        try await up.waitFor("startup") { $0.contains("development token (role agent") }
        let child = try #require(up.pids("solo").first)
        kill(up.process.processIdentifier, SIGKILL)
        let deadline = ContinuousClock.now + .seconds(10)
        while Self.isAlive(child) && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(100)) }
        #expect(!Self.isAlive(child), "the orphaned child \(child) is still running")
    }

    /// `up` started under a supervisor (a test, a process manager) stops with its children when that supervisor dies.
    @Test func upStopsWhenItsOwnSupervisorDies() async throws {
        let directory = try TemporaryDirectory("up-orphaned")
        defer { directory.remove() }
        // A shell stands in for the supervisor: it starts `up` in the background, says its pid, then waits.
        let shell = SpawnedProcess()
        shell.executableURL = URL(fileURLWithPath: "/bin/sh")
        shell.arguments = ["-c", "AFTERSALE_SUPERVISOR_PID=$$ \"$0\" up --dir \"$1\" --no-seed --grace 2s >/dev/null 2>&1 & echo $!; wait",
                           ServiceProcess.binary.path, directory.path]
        var environment = ProcessInfo.processInfo.environment
        for key in ["AFTERSALE_TOKEN_KEYS", "AFTERSALE_TOKEN_KEYS_FILE", "AFTERSALE_INSECURE_NO_AUTH"] { environment[key] = nil }
        environment["AFTERSALE_UP_SERVICES"] = "solo=stub"
        shell.environment = environment
        let output = Pipe()
        shell.standardOutput = output
        try shell.run()
        let handle = output.fileHandleForReading
        let line = await Task.detached { String(decoding: handle.availableData, as: UTF8.self) }.value
        let up = try #require(Int32(line.trimmingCharacters(in: .whitespacesAndNewlines)), "no pid from the shell: '\(line)'")
        defer { if Self.isAlive(up) { kill(up, SIGKILL) } }
        let socket = directory.file("run/solo.sock")
        var deadline = ContinuousClock.now + .seconds(20)
        while !FileManager.default.fileExists(atPath: socket) && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(FileManager.default.fileExists(atPath: socket), "up never started its service")
        kill(shell.processIdentifier, SIGKILL)
        shell.waitUntilExit()
        deadline = ContinuousClock.now + .seconds(15)
        while Self.isAlive(up) && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(100)) }
        #expect(!Self.isAlive(up), "up \(up) outlived its supervisor")
        #expect(!FileManager.default.fileExists(atPath: socket), "its service did not stop")
    }
}
