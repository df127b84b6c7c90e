import NIOCore
import NIOPosix
import Testing
@testable import RPCShared

/// How a failed connect is worded: the reason a person reads, for `aftersale: cannot connect to …` and for logs.
/// (A real connect timeout cannot be provoked here: this machine answers even unroutable addresses with a refusal,
/// so the timeout wording is checked on the error NIO raises for it.)
@Suite struct ClientConnectionTests {
    @Test func connectFailuresReadAsTheirCauseNotAsNIOTypes() {
        #expect(ClientConnection.reason(IOError(errnoCode: ENOENT, reason: "connect")) == "no such file or directory")
        #expect(ClientConnection.reason(IOError(errnoCode: ECONNREFUSED, reason: "connect")) == "connection refused")
        #expect(ClientConnection.reason(IOError(errnoCode: EACCES, reason: "connect")) == "permission denied")
        #expect(ClientConnection.reason(ChannelError.connectTimeout(.seconds(2))) == "timed out after 2.0 seconds")
    }

    @Test func anUnknownHostSaysSo() async throws {
        let client = try RPCClient("tcp://no-such-host.invalid:1")
        defer { Task { await client.close() } }
        let error = await #expect(throws: RPCError.self) {
            // Generous: under a loaded test run the resolver's thread can be slow to get to it.
            _ = try await TestingV1.Echo.Client(transport: client).say(.init(), options: .init(timeout: .seconds(60)))
        }
        #expect(error?.message.hasPrefix("cannot connect to tcp://no-such-host.invalid:1: cannot resolve no-such-host.invalid: ") == true,
                "\(error?.message ?? "")")
        #expect(error?.message.contains("SocketAddressError") == false)
    }
}
