import Foundation

/// Starting `aftersale` children with their output appended to a log file, and learning when they exit without
/// blocking a thread.
enum ChildProcess {
    /// `path` opened for appending (created with mode 0600: logs may hold request details).
    static func appendingLog(_ path: String) throws -> FileHandle {
        if !FileManager.default.fileExists(atPath: path) {
            _ = FileManager.default.createFile(atPath: path, contents: nil, attributes: [.posixPermissions: 0o600])
        }
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        log.seekToEndOfFile()
        return log
    }

    /// Starts `binary arguments…` with stdin from /dev/null and stdout and stderr to `log`; the stream finishes
    /// when the process exits.
    static func start(_ binary: URL, _ arguments: [String], environment: [String: String],
                      log: FileHandle) throws -> (Process, AsyncStream<Void>) {
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        process.environment = environment
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = log
        process.standardError = log
        let (exited, continuation) = AsyncStream.makeStream(of: Void.self)
        process.terminationHandler = { _ in continuation.finish() }
        try process.run()
        return (process, exited)
    }
}
