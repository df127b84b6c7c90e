import AfterSaleTestSupport
import Foundation
import Testing

/// `aftersale --version`: release, the commit the build recorded, and the wire protocol.
@Suite struct VersionInfoTests {
    @Test func versionPrintsTheReleaseTheBuiltCommitAndTheProtocol() async throws {
        let result = try await runAfterSale(["--version"])
        #expect(result.status == 0, "\(result.stderr)")
        let lines = result.stdout.split(separator: "\n").map(String.init)
        #expect(lines.count == 3, "\(lines)")
        #expect(lines.first?.hasPrefix("aftersale ") == true)
        #expect(lines.last == "protocol: ASRP/1")

        // The commit is the checkout's HEAD, as git reports it now (the test runs on the tree it was built from).
        let commit = try #require(lines.dropFirst().first?.split(separator: " ").last.map(String.init))
        let head = try Self.git(["rev-parse", "--short=12", "HEAD"])
        #expect(commit == head || commit == head + "-dirty", "built \(commit), HEAD \(head)")
    }

    static func git(_ arguments: [String]) throws -> String {
        let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let process = SpawnedProcess()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/git")
        process.arguments = ["-c", "safe.directory=*", "-C", repository.path] + arguments
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return text.trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
