import CSpawn
import Foundation
import Synchronization

/// A child process for tests, with the part of Foundation's `Process` API the tests use, started by `posix_spawn`
/// (see Tests/CSpawn/spawn.c for why not `Process`).
public final class SpawnedProcess: @unchecked Sendable {
    // @unchecked: the configuration is set on one thread before `run()`; everything after `run()` is behind `state`.
    public var executableURL: URL?
    public var arguments: [String] = []
    public var environment: [String: String]?
    /// `Pipe`, `FileHandle`, or nil to inherit.
    public var standardInput: Any?
    public var standardOutput: Any?
    public var standardError: Any?

    private struct State {
        var pid: pid_t = 0
        /// The raw wait status once the child has been reaped.
        var status: Int32?
    }
    private let state = Mutex(State())

    public init() {}

    public var processIdentifier: Int32 { state.withLock { $0.pid } }

    public func run() throws {
        guard let path = executableURL?.path else { throw POSIXError(.ENOENT) }
        let argv = ([path] + arguments).map { strdup($0) } + [nil]
        let envp = (environment ?? ProcessInfo.processInfo.environment).map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { (argv + envp).forEach { free($0) } }
        func descriptor(_ stream: Any?, reading: Bool) -> Int32 {
            switch stream {
            case let pipe as Pipe: (reading ? pipe.fileHandleForReading : pipe.fileHandleForWriting).fileDescriptor
            case let handle as FileHandle: handle.fileDescriptor
            default: -1
            }
        }
        var pid: pid_t = 0
        let result = aftersale_spawn(&pid, path, argv, envp, descriptor(standardInput, reading: true),
                                     descriptor(standardOutput, reading: false), descriptor(standardError, reading: false))
        guard result == 0 else { throw POSIXError(POSIXErrorCode(rawValue: result) ?? .EIO) }
        state.withLock { $0.pid = pid }
        // The child holds its ends now; the parent's copies would keep the pipes open (no EOF) and leak.
        (standardInput as? Pipe).map { try? $0.fileHandleForReading.close() }
        (standardOutput as? Pipe).map { try? $0.fileHandleForWriting.close() }
        (standardError as? Pipe).map { try? $0.fileHandleForWriting.close() }
    }

    public var isRunning: Bool {
        state.withLock { state in
            guard state.pid > 0, state.status == nil else { return false }
            var status: Int32 = 0
            if waitpid(state.pid, &status, WNOHANG) == state.pid { state.status = status }
            return state.status == nil
        }
    }

    /// Blocks until the child exits (and reaps it).
    public func waitUntilExit() {
        while isRunning { usleep(10_000) }
    }

    /// The exit code, or the number of the signal that ended the child.
    public var terminationStatus: Int32 {
        guard let status = state.withLock({ $0.status }) else { return 0 }
        return status & 0x7f == 0 ? (status >> 8) & 0xff : status & 0x7f
    }

    public func terminate() {
        let pid = processIdentifier
        if pid > 0 && isRunning { kill(pid, SIGTERM) }
    }
}
