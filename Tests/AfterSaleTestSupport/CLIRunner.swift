import Foundation

/// What one run of the `aftersale` binary printed and returned.
public struct CLIResult: Sendable {
    public var status: Int32
    public var stdout: String
    public var stderr: String
}

/// Runs the real `aftersale` binary to completion, as a user would, feeding `stdin` if given, with `environment`
/// added to this process's environment and the variables in `unsetting` removed from it. Like
/// ``ServiceProcess``, it gets the development keys in `AFTERSALE_TOKEN_KEYS`, so `aftersale call` mints the
/// service token that served test processes require.
public func runAfterSale(_ arguments: [String], stdin: String? = nil, environment: [String: String] = [:],
                         unsetting: [String] = []) async throws -> CLIResult {
    try await offloaded {
        let process = SpawnedProcess()
        process.executableURL = ServiceProcess.binary
        process.arguments = arguments
        var base = ProcessInfo.processInfo.environment
        base["AFTERSALE_TOKEN_KEYS"] = ServiceProcess.developmentKeys
        for name in unsetting { base[name] = nil }
        process.environment = base.merging(environment) { $1 }
        // stderr goes to a file, so a child that fills one pipe while we drain the other cannot deadlock.
        let errorPath = NSTemporaryDirectory() + "aftersale-stderr-\(UUID().uuidString)"
        _ = FileManager.default.createFile(atPath: errorPath, contents: nil)
        defer { try? FileManager.default.removeItem(atPath: errorPath) }
        let errors = try FileHandle(forWritingTo: URL(fileURLWithPath: errorPath))
        let output = Pipe(), input = Pipe()
        process.standardOutput = output
        process.standardError = errors
        process.standardInput = input
        try process.run()
        try errors.close()
        if let stdin { input.fileHandleForWriting.write(Data(stdin.utf8)) }
        try input.fileHandleForWriting.close()
        let out = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        let err = (try? String(contentsOfFile: errorPath, encoding: .utf8)) ?? ""
        return CLIResult(status: process.terminationStatus, stdout: out, stderr: err)
    }
}

/// `aftersale call ADDRESS METHOD JSON EXTRA…`: one call through the real binary, as a user makes it.
public func runCall(_ address: String, _ method: String, _ json: String = "{}", _ extra: [String] = [],
                    stdin: String? = nil, environment: [String: String] = [:], unsetting: [String] = []) async throws -> CLIResult {
    try await runAfterSale(["call", address, method, json] + extra, stdin: stdin, environment: environment, unsetting: unsetting)
}
