import Foundation
import RPCShared

/// One child of `aftersale up`: what to run and where its socket and log are.
struct SupervisedChild: Sendable {
    var name: String
    var arguments: [String]
    var socket: String
    var logFile: String
}

/// Runs children as separate `aftersale` processes, reports each one's health as it comes up (Health/Check over
/// its socket), restarts a crashed child with backoff, and on ``stop()`` sends SIGTERM to all, then SIGKILL to
/// whichever has not exited after the grace period.
actor ProcessSupervisor {
    enum State: Sendable, Equatable { case starting, serving, restarting, gaveUp, stopped }

    let binary: URL
    let environment: [String: String]
    let policy: RestartPolicy
    private let report: @Sendable (String) -> Void
    private var processes: [String: Process] = [:]
    private(set) var states: [String: State] = [:]
    private var stopping = false
    private var settledWaiters: [CheckedContinuation<Bool, Never>] = []
    private var expected = 0

    init(binary: URL, environment: [String: String], policy: RestartPolicy, report: @escaping @Sendable (String) -> Void) {
        self.binary = binary
        self.environment = environment
        self.policy = policy
        self.report = report
    }

    /// Supervises `children` until ``stop()`` (or until every child has been given up).
    func run(_ children: [SupervisedChild]) async {
        expected = children.count
        for child in children { states[child.name] = .starting }
        await withTaskGroup(of: Void.self) { group in
            for child in children { group.addTask { await self.supervise(child) } }
        }
        resumeSettledWaiters(false)
    }

    /// Waits until every child has answered SERVING or been given up once; false when stopped before that.
    func waitUntilSettled() async -> Bool {
        if isSettled { return true }
        if stopping { return false }
        return await withCheckedContinuation { settledWaiters.append($0) }
    }

    var serving: [String] { states.filter { $0.value == .serving }.map(\.key).sorted() }

    /// SIGTERM to every child; SIGKILL after the grace period to those still running.
    func stop() {
        guard !stopping else { return }
        stopping = true
        resumeSettledWaiters(false)
        for process in processes.values where process.isRunning { kill(process.processIdentifier, SIGTERM) }
        let grace = policy.stopGrace
        Task { [weak self] in
            try? await Task.sleep(for: grace)
            await self?.killRemaining()
        }
    }

    private func killRemaining() {
        for (name, process) in processes where process.isRunning {
            line(name, "did not stop within \(Self.seconds(policy.stopGrace)); sending SIGKILL")
            kill(process.processIdentifier, SIGKILL)
        }
    }

    private var isSettled: Bool {
        expected > 0 && states.count == expected && states.values.allSatisfy { $0 == .serving || $0 == .gaveUp || $0 == .stopped }
    }

    private func setState(_ name: String, _ state: State) {
        states[name] = state
        if isSettled { resumeSettledWaiters(true) }
    }

    private func resumeSettledWaiters(_ settled: Bool) {
        let waiters = settledWaiters
        settledWaiters = []
        for waiter in waiters { waiter.resume(returning: settled) }
    }

    private func supervise(_ child: SupervisedChild) async {
        var failedStarts = 0, crashes = 0
        while !stopping {
            let process: Process, exited: AsyncStream<Void>, log: FileHandle
            do {
                (process, exited, log) = try launch(child)
            } catch {
                line(child.name, "cannot start: \(error.localizedDescription)")
                setState(child.name, .gaveUp)
                return
            }
            defer { try? log.close() }
            let started = ContinuousClock.now
            line(child.name, "starting (pid \(process.processIdentifier))")
            let served = await waitForServing(child, process)
            if served {
                failedStarts = 0
                line(child.name, "SERVING on unix://\(child.socket) (pid \(process.processIdentifier), \(Self.seconds(ContinuousClock.now - started)))")
                setState(child.name, .serving)
            } else if process.isRunning && !stopping {
                line(child.name, "not SERVING after \(Self.seconds(policy.startTimeout)); restarting it")
                kill(process.processIdentifier, SIGKILL)
            }
            for await _ in exited {}
            processes[child.name] = nil
            let status = Self.describe(process)
            if stopping {
                line(child.name, "stopped (\(status))")
                setState(child.name, .stopped)
                return
            }
            if served && ContinuousClock.now - started >= policy.stableAfter { crashes = 0 }
            crashes += 1
            let delay = policy.backoff(afterCrashes: crashes)
            if served {
                line(child.name, "exited (\(status)); restarting in \(Self.seconds(delay))")
            } else {
                failedStarts += 1
                let reason = Self.lastLine(of: child.logFile).map { ": \($0)" } ?? ""
                if failedStarts >= policy.maxFailedStarts {
                    line(child.name, "gave up after \(failedStarts) failed starts (\(status))\(reason); see \(child.logFile)")
                    setState(child.name, .gaveUp)
                    return
                }
                line(child.name, "exited before SERVING (\(status))\(reason); restarting in \(Self.seconds(delay))")
            }
            setState(child.name, .restarting)
            await sleepUnlessStopping(delay)
        }
        setState(child.name, .stopped)
    }

    private func launch(_ child: SupervisedChild) throws -> (Process, AsyncStream<Void>, FileHandle) {
        let log = try ChildProcess.appendingLog(child.logFile)
        log.write(Data("--- \(Date().ISO8601Format()) aftersale \(child.arguments.joined(separator: " "))\n".utf8))
        let process: Process, exited: AsyncStream<Void>
        do {
            (process, exited) = try ChildProcess.start(binary, child.arguments, environment: environment, log: log)
        } catch {
            try? log.close()
            throw error
        }
        processes[child.name] = process
        return (process, exited, log)
    }

    /// Polls Health/Check on the child's socket until SERVING, the child exits, the start timeout or a stop.
    private func waitForServing(_ child: SupervisedChild, _ process: Process) async -> Bool {
        let deadline = ContinuousClock.now + policy.startTimeout
        while !stopping && process.isRunning && ContinuousClock.now < deadline {
            if await HealthProbe.status("unix://\(child.socket)") == .serving { return true }
            try? await Task.sleep(for: .milliseconds(200))
        }
        return false
    }

    private func sleepUnlessStopping(_ delay: Duration) async {
        let end = ContinuousClock.now + delay
        while !stopping && ContinuousClock.now < end {
            try? await Task.sleep(for: min(.milliseconds(100), end - ContinuousClock.now))
        }
    }

    private func line(_ name: String, _ text: String) {
        report("\(name.padding(toLength: max(10, name.count), withPad: " ", startingAt: 0)) \(text)")
    }

    static func describe(_ process: Process) -> String {
        switch process.terminationReason {
        case .uncaughtSignal: "signal \(process.terminationStatus)"
        case .exit: "status \(process.terminationStatus)"
        @unknown default: "status \(process.terminationStatus)"
        }
    }

    static func seconds(_ duration: Duration) -> String {
        let (seconds, attoseconds) = duration.components
        let value = Double(seconds) + Double(attoseconds) / 1e18
        return value < 10 ? String(format: "%.1f s", value) : "\(Int(value.rounded())) s"
    }

    /// The last non-empty line of a child's log (why it failed, e.g. "aftersale: serve order: …"), kept short.
    static func lastLine(of path: String) -> String? {
        guard let handle = FileHandle(forReadingAtPath: path) else { return nil }
        defer { try? handle.close() }
        let size = handle.seekToEndOfFile()
        handle.seek(toFileOffset: size > 2048 ? size - 2048 : 0)
        let text = String(decoding: handle.readDataToEndOfFile(), as: UTF8.self)
        guard let last = text.split(separator: "\n").last(where: { !$0.hasPrefix("---") && !$0.trimmingCharacters(in: .whitespaces).isEmpty }) else {
            return nil
        }
        return String(last.prefix(200))
    }
}

/// One Health/Check over a fresh connection; nil when the server does not answer.
enum HealthProbe {
    static func status(_ address: String, timeout: Duration = .seconds(1)) async -> HealthV1.HealthCheckResponse.ServingStatus? {
        var configuration = ClientConfiguration()
        configuration.maxAttempts = 1
        guard let client = try? RPCClient(address, configuration: configuration) else { return nil }
        defer { Task { await client.close() } }
        return try? await HealthV1.Health.Client(transport: client).check(.init(), options: .init(timeout: timeout)).status
    }
}
