import Testing
@testable import RPCShared
import AfterSaleTestSupport

/// What a caller sends wrong is never INTERNAL (that status says the bug is ours): each mistake gets the status
/// that names it.
@Suite struct HostileInputStatusTests {
    @Test func aCompressedCallIsUnimplementedNotInternal() throws {
        let server = try ServerUnderTest(services: [TestServices.echoOnly])
        let header = try RPCV1.CallHeader(method: TestingV1.Echo.Method.say.descriptor.path).serializedBytes()
        let request = try TestingV1.EchoRequest(text: "zip").serializedBytes()
        // END_STREAM | COMPRESSED
        try server.read(WireProtocol.preface + frameBytes(type: 1, flags: 0x01 | 0x02, stream: 1, meta: header, payload: request))
        server.channel.embeddedEventLoop.run()
        let frames = server.recorder.flushes.flatMap { $0 }
        let status = try RPCV1.Status(serializedBytes: try #require(frames.first { $0.type == FrameType.status.rawValue }).meta)
        #expect(status.code == StatusCode.unimplemented.rawValue)
        #expect(status.message.contains("compression"))
    }
}
