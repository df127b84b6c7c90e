import Foundation
import ServiceRuntime

/// The directory `aftersale up` works in: `run/` (sockets and the key file, 0700), `data/` (SQLite files),
/// `log/` (one log per service).
struct UpDirectory: Sendable {
    let root: String
    var run: String { path("run") }
    var data: String { path("data") }
    var log: String { path("log") }
    var keysFile: String { (run as NSString).appendingPathComponent("token.keys") }

    init(_ directory: String) {
        let absolute = (directory as NSString).isAbsolutePath
            ? directory : (FileManager.default.currentDirectoryPath as NSString).appendingPathComponent(directory)
        root = (absolute as NSString).standardizingPath
    }

    func path(_ name: String) -> String { (root as NSString).appendingPathComponent(name) }
    func socket(_ service: String) -> String { (run as NSString).appendingPathComponent("\(service).sock") }
    func logFile(_ service: String) -> String { (log as NSString).appendingPathComponent("\(service).log") }

    /// Creates the directories; `run/` is made private (0700) even when it already existed.
    func create() throws {
        let files = FileManager.default
        do {
            for directory in [run, data, log] { try files.createDirectory(atPath: directory, withIntermediateDirectories: true) }
            try files.setAttributes([.posixPermissions: 0o700], ofItemAtPath: run)
        } catch {
            throw CLIError("cannot prepare \(root): \(error.localizedDescription)", status: .cannotCreate)
        }
    }

    /// Takes `run/up.lock` (an advisory lock held until this process exits) so that two `aftersale up` never
    /// supervise the same sockets; the file holds the owner's pid.
    func lock() throws -> FileHandle {
        let path = (run as NSString).appendingPathComponent("up.lock")
        let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw CLIError("cannot open \(path): \(String(cString: strerror(errno)))", status: .cannotCreate) }
        let handle = FileHandle(fileDescriptor: descriptor, closeOnDealloc: true)
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            let owner = String(decoding: handle.readDataToEndOfFile(), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            throw CLIError("another aftersale up is already running in \(root)\(owner.isEmpty ? "" : " (pid \(owner))")", status: .temporaryFailure)
        }
        _ = ftruncate(descriptor, 0)
        handle.write(Data("\(getpid())\n".utf8))
        return handle
    }

    /// The configured token keys (`--keys-file`, `AFTERSALE_TOKEN_KEYS`, `AFTERSALE_TOKEN_KEYS_FILE`), or else
    /// `run/token.keys`, generated with mode 0600 on first use.
    func tokenKeys(file: String?, environment: [String: String]) throws -> (keys: TokenKeySet, source: TokenKeySource, created: Bool) {
        do {
            if let (keys, source) = try TokenKeySource.load(file: file, environment: environment) { return (keys, source, false) }
            var created = false
            if !FileManager.default.fileExists(atPath: keysFile) {
                try TokenKeySet.createDevelopmentFile(at: keysFile)
                created = true
            }
            return (try TokenKeySet(file: keysFile), .file(keysFile), created)
        } catch let error as TokenKeyError {
            throw CLIError("\(error)", status: .configuration)
        }
    }
}
