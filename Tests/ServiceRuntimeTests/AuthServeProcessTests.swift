import AfterSaleTestSupport
import Foundation
import RPCShared
@testable import ServiceRuntime
import Testing

/// The rules as a real `aftersale serve` process applies them (the stand-in service `serve stub`).
@Suite struct AuthServeProcessTests {
    @Test func aTokenMintedByTheBinaryVerifiesWithTheSameKeys() async throws {
        let token = try await ServiceProcess.serviceToken(subject: "order")
        let claims = try await TokenVerifier(keys: TokenKeySet(parsing: ServiceProcess.developmentKeys), service: "order").verify(token)
        #expect(claims.subject == "order" && claims.role == .service && claims.keyID == "test")
        #expect(abs(claims.expiresAt.timeIntervalSinceNow - 3600) < 60)
    }

    @Test func withoutKeysAServiceRefusesToStartWithOneLine() async throws {
        let directory = try TemporaryDirectory("serve-auth")
        defer { directory.remove() }
        let result = try await offloaded {
            let process = SpawnedProcess()
            process.executableURL = ServiceProcess.binary
            process.arguments = ["serve", "stub", "--listen", "unix://\(directory.file("s.sock"))", "--data", directory.path]
            var environment = ProcessInfo.processInfo.environment
            for key in ["AFTERSALE_TOKEN_KEYS", "AFTERSALE_TOKEN_KEYS_FILE", "AFTERSALE_INSECURE_NO_AUTH"] { environment[key] = nil }
            process.environment = environment
            let errors = Pipe()
            process.standardError = errors
            process.standardOutput = FileHandle.nullDevice
            try process.run()
            let text = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            return (process.terminationStatus, text)
        }
        #expect(result.0 != 0)
        #expect(result.1.hasPrefix("aftersale: serve s: no token keys: set AFTERSALE_TOKEN_KEYS="), "\(result.1)")
        #expect(result.1.split(separator: "\n").count == 1)
    }

    /// Each token setting that cannot be used stops a real process at start with one line naming flag and variable.
    @Test(arguments: [
        (["--token-revocations", "FILE"], #"{"jti": "t-1"}"#,
         "aftersale: serve s: --token-revocations / AFTERSALE_TOKEN_REVOCATIONS: token revocations file FILE: 'jti' must be a list of token ids"),
        (["--token-jwks", "FILE"], #"{"keys": [{"kty": "oct", "kid": "x", "k": "AA"}]}"#,
         "aftersale: serve s: --token-jwks / AFTERSALE_TOKEN_JWKS: token JWKS file FILE: not a JWKS document"),
        (["--token-leeway", "1h"], "", "aftersale: serve s: --token-leeway / AFTERSALE_TOKEN_LEEWAY must be seconds from 0 to 600 (e.g. 30s), got '1h'"),
    ])
    func anUnusableTokenSettingStopsTheProcessWithOneLine(_ flags: [String], _ content: String, _ message: String) async throws {
        let directory = try TemporaryDirectory("serve-auth")
        defer { directory.remove() }
        let file = directory.file("token-setting.json")
        try Data(content.utf8).write(to: URL(fileURLWithPath: file))
        let result = try await runAfterSale(["serve", "stub", "--listen", "unix://\(directory.file("s.sock"))", "--data", directory.path]
                                            + flags.map { $0 == "FILE" ? file : $0 })
        #expect(result.status != 0)
        #expect(result.stderr.hasPrefix(message.replacingOccurrences(of: "FILE", with: file)), "\(result.stderr)")
        #expect(result.stderr.split(separator: "\n").count == 1, "\(result.stderr)")
    }

    @Test func explicitlyInsecureStartsAndHealthIsOpenEitherWay() async throws {
        let directory = try TemporaryDirectory("serve-auth")
        defer { directory.remove() }
        for (name, environment) in [("keyed", [String: String]()),
                                    ("open", ["AFTERSALE_TOKEN_KEYS": "", "AFTERSALE_INSECURE_NO_AUTH": "1"])] {
            let process = try await ServiceProcess.start(
                ["serve", "stub", "--listen", "unix://\(directory.file("\(name).sock"))", "--data", directory.path],
                environment: environment)
            let client = try RPCClient(process.address)
            let health = try await HealthV1.Health.Client(transport: client).check(.init(), options: .init(timeout: .seconds(5)))
            #expect(health.status == .serving, "\(name)")
            let mode = try FileManager.default.attributesOfItem(atPath: directory.file("\(name).sock"))[.posixPermissions] as? Int
            #expect(mode == 0o660)
            await client.close()
            await process.stop()
        }
    }
}
