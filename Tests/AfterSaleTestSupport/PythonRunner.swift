import Foundation

/// Runs `python3 ARGUMENTS` to completion (no bytecode left behind) and returns its status and its standard output
/// and error, interleaved: what a test prints when the script fails.
public func runPython(_ arguments: [String]) async throws -> (status: Int32, output: String) {
    try await offloaded {
        let process = SpawnedProcess()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3"] + arguments
        var environment = ProcessInfo.processInfo.environment
        environment["PYTHONDONTWRITEBYTECODE"] = "1"
        process.environment = environment
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus, output)
    }
}
