import AfterSaleTestSupport
import Foundation
import Testing

/// AfterSale's tokens against PyJWT, the stock Python JWT library: tokens PyJWT mints (HS256 with the shared key,
/// RS256/ES256 with a JWKS) are accepted by a real `aftersale serve product` process, and a token minted by
/// `aftersale token` verifies in PyJWT.
@Suite(.serialized) struct PyJWTInteropTests {
    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("pyjwt_interop.py").path
    /// The secret of ``ServiceProcess/developmentKeys`` (`test=<32 bytes of 0x2a>`).
    static let secret = Data(repeating: 0x2a, count: 32).base64EncodedString()

    /// Runs the script; its output, or a recorded failure (with PyJWT's message) when it exits non-zero.
    static func python(_ arguments: [String]) async throws -> String {
        let result = try await run(arguments)
        try #require(result.status == 0, "python3 pyjwt_interop.py \(arguments.first ?? "") failed (is PyJWT installed?): \(result.errors)")
        return result.output
    }

    static func run(_ arguments: [String]) async throws -> (status: Int32, output: String, errors: String) {
        let result = try await offloaded { () throws -> (Int32, String, String) in
            let process = SpawnedProcess()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = ["python3", script] + arguments
            var environment = ProcessInfo.processInfo.environment
            environment["PYTHONDONTWRITEBYTECODE"] = "1"
            process.environment = environment
            let output = Pipe(), errors = Pipe()
            process.standardOutput = output
            process.standardError = errors
            try process.run()
            let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            let errorText = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            return (process.terminationStatus, text, errorText)
        }
        return (result.0, result.1.trimmingCharacters(in: .whitespacesAndNewlines), result.2)
    }

    @Test func aTokenMintedByAftersaleTokenVerifiesInPyJWT() async throws {
        let token = try await ServiceProcess.serviceToken(subject: "alice", role: "agent", ttl: "15m", audience: ["gateway"],
                                                          extra: ["--jti", "cli-1"])
        let verified = try await Self.python(["verify", Self.secret, "test", "aftersale:gateway", token])
        let json = try #require(try JSONSerialization.jsonObject(with: Data(verified.utf8)) as? [String: [String: Any]])
        #expect(json["header"]?["alg"] as? String == "HS256" && json["header"]?["kid"] as? String == "test")
        let claims = try #require(json["claims"])
        #expect(claims["sub"] as? String == "alice" && claims["role"] as? String == "agent" && claims["jti"] as? String == "cli-1")
        #expect(claims["iss"] as? String == "aftersale" && claims["aud"] as? String == "aftersale:gateway")
        #expect((claims["exp"] as? Int ?? 0) - (claims["iat"] as? Int ?? 0) == 900)
        // PyJWT checks the audience too: the same token is not one for the order service.
        let elsewhere = try await Self.run(["verify", Self.secret, "test", "aftersale:order", token])
        #expect(elsewhere.status != 0 && elsewhere.errors.contains("InvalidAudienceError"), "\(elsewhere.errors)")
    }

    /// PyJWT tokens at a real product process: HS256 with the shared key, RS256 and ES256 from JWKS files; refused
    /// ones (wrong audience, revoked) are UNAUTHENTICATED with the reason, and a refused write changes nothing.
    @Test(arguments: ["mint-rs256", "mint-es256"])
    func pyJWTTokensAreAcceptedByARealServiceAndRefusedOnesChangeNothing(_ publicKeyMint: String) async throws {
        let directory = try TemporaryDirectory("pyjwt")
        defer { directory.remove() }
        let jwks = directory.file("keys.jwks"), revocations = directory.file("revoked.json")
        try Data(#"{"jti": []}"#.utf8).write(to: URL(fileURLWithPath: revocations))
        let signed = try await Self.python([publicKeyMint, jwks, "aftersale:product", "idp-backend", "service", "pk-1"])
        let hs256 = try await Self.python(["mint-hs256", Self.secret, "test", "aftersale:product", "py-backend", "service", "hs-1"])
        let forOrder = try await Self.python(["mint-hs256", Self.secret, "test", "aftersale:order", "py-backend", "service", "hs-2"])

        let socket = "unix://" + NSTemporaryDirectory() + "pyjwt-\(UUID().uuidString.prefix(8)).sock"
        let server = try await ServiceProcess.start(["serve", "product", "--listen", socket, "--data", directory.path,
                                                     "--token-jwks", jwks, "--token-revocations", revocations])
        defer { Task { await server.stop() } }
        func call(_ token: String, _ method: String, _ json: String) async throws -> CLIResult {
            try await runAfterSale(["call", server.address, "aftersale.product.v1.ProductService/\(method)", json, "--token", token])
        }
        func get(_ token: String) async throws -> CLIResult { try await call(token, "GetProduct", #"{"productId":"prod_aster_x"}"#) }
        func stock(_ token: String) async throws -> CLIResult { try await call(token, "GetStock", #"{"sku":"ASTER-X-128-EU"}"#) }

        let seeded = try await runAfterSale(["seed", "--catalogue-only", "--product-addr", server.address, "--token", hs256])
        #expect(seeded.status == 0, "PyJWT HS256 token: \(seeded.stderr)")
        let got = try await get(signed)
        #expect(got.status == 0 && got.stdout.contains("prod_aster_x"), "PyJWT \(publicKeyMint) token: \(got.stderr)")
        let before = try await stock(hs256)
        #expect(before.status == 0, "\(before.stderr)")

        let refused = try await call(forOrder, "ReserveStock", #"{"sku":"ASTER-X-128-EU","quantity":2,"reference":"case_9"}"#)
        #expect(refused.status != 0 && refused.stderr.contains("UNAUTHENTICATED"), "\(refused.stderr)")
        #expect(refused.stderr.contains("token audience [aftersale:order] does not include aftersale:product"), "\(refused.stderr)")
        let after = try await stock(hs256)
        #expect(after.stdout == before.stdout, "the refused reservation changed nothing")

        // Revoking the public-key token's jti cuts it off within about a second (the file's change check).
        try Data(#"{"jti": ["pk-1"]}"#.utf8).write(to: URL(fileURLWithPath: revocations + ".new"))
        #expect(rename(revocations + ".new", revocations) == 0)
        var revoked = try await get(signed)
        for _ in 0..<30 where revoked.status == 0 {
            try await Task.sleep(for: .milliseconds(200))
            revoked = try await get(signed)
        }
        #expect(revoked.status != 0 && revoked.stderr.contains("token revoked: its jti 'pk-1' is on the revocation list"), "\(revoked.stderr)")
        #expect(try await get(hs256).status == 0, "other tokens still pass")
    }
}
