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

        // The commit is one of this checkout's: HEAD, or an ancestor when commits were made after the build — never
        // typed in, never "unknown" in a git checkout.
        let recorded = try #require(lines.dropFirst().first?.split(separator: " ").last.map(String.init))
        let commit = recorded.hasSuffix("-dirty") ? String(recorded.dropLast("-dirty".count)) : recorded
        #expect(commit.count == 12 && commit.allSatisfy(\.isHexDigit), "\(recorded)")
        let full = try Self.git(["rev-parse", "--verify", "--quiet", "\(commit)^{commit}"])
        #expect(full.output.hasPrefix(commit) && full.status == 0, "\(recorded) is not a commit of this checkout")
        #expect(try Self.git(["merge-base", "--is-ancestor", commit, "HEAD"]).status == 0, "\(recorded) is not HEAD or before it")
    }

    static func git(_ arguments: [String]) throws -> (output: String, status: Int32) {
        let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let process = SpawnedProcess()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/git")
        process.arguments = ["-c", "safe.directory=*", "-C", repository.path] + arguments
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (text.trimmingCharacters(in: .whitespacesAndNewlines), process.terminationStatus)
    }
}
