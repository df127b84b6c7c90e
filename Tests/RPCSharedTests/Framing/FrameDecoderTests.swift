import NIOCore
import NIOEmbedded
import Testing
@testable import RPCShared
import AfterSaleTestSupport

/// The frame decoder alone, in an EmbeddedChannel: no sockets, every byte boundary.
@Suite struct FrameDecoderTests {
    static func channel(expectPreface: Bool = false, maxFrameSize: Int = 1024) throws -> EmbeddedChannel {
        let channel = EmbeddedChannel()
        try channel.pipeline.syncOperations.addHandler(
            ByteToMessageHandler(FrameDecoder(expectPreface: expectPreface, maxFrameSize: maxFrameSize, maxMetaSize: 256)))
        return channel
    }

    static func events(_ channel: EmbeddedChannel) throws -> [FrameEvent] {
        var events: [FrameEvent] = []
        while let event = try channel.readInbound(as: FrameEvent.self) { events.append(event) }
        return events
    }

    static let sample = frameBytes(type: 1, flags: 1, stream: 7, meta: [0x0A, 0x01, 0x61], payload: [1, 2, 3, 4])

    @Test func aFrameSplitByteByByte() throws {
        let channel = try Self.channel(expectPreface: true)
        for byte in WireProtocol.preface + Self.sample {
            try channel.writeInbound(ByteBuffer(bytes: [byte]))
        }
        let events = try Self.events(channel)
        try #require(events.count == 1)
        guard case .frame(var frame) = events[0] else { Issue.record("expected a frame"); return }
        #expect(frame.type == .call && frame.flags == .endStream && frame.streamID == 7)
        #expect(frame.meta.readBytes(length: 3) == [0x0A, 0x01, 0x61])
        #expect(frame.payload.readBytes(length: 4) == [1, 2, 3, 4])
        #expect(try channel.finish().isClean)
    }

    @Test func manyFramesInOneRead() throws {
        let channel = try Self.channel()
        var bytes: [UInt8] = []
        for stream in 1...100 { bytes += frameBytes(type: 2, stream: UInt32(stream), payload: [UInt8(stream)]) }
        bytes += frameBytes(type: 0x11, stream: 0, payload: [0, 0, 0, 0, 0, 0, 0, 1])
        try channel.writeInbound(ByteBuffer(bytes: bytes))
        let events = try Self.events(channel)
        #expect(events.count == 101)
        if case .frame(let last) = events.last { #expect(last.type == .ping && last.payload.readableBytes == 8) }
    }

    @Test func unknownTypesAndEmptyFramesPassThrough() throws {
        let channel = try Self.channel()
        try channel.writeInbound(ByteBuffer(bytes: frameBytes(type: 0x7E, stream: 3) + frameBytes(type: 0x05, stream: 3)))
        let types = try Self.events(channel).compactMap { event -> UInt8? in
            if case .frame(let frame) = event { return frame.type.rawValue } else { return nil }
        }
        #expect(types == [0x7E, 0x05])   // the connection handler ignores the unknown one
    }

    @Test func oversizedFrameIsSkippedAndTheNextOneRead() throws {
        let channel = try Self.channel(maxFrameSize: 64)
        let big = frameBytes(type: 1, flags: 1, stream: 9, payload: [UInt8](repeating: 0xAB, count: 500))
        let next = frameBytes(type: 1, flags: 1, stream: 11, payload: [1])
        // in pieces, so the skipping spans reads
        let all = big + next
        for start in stride(from: 0, to: all.count, by: 37) {
            try channel.writeInbound(ByteBuffer(bytes: all[start..<min(start + 37, all.count)]))
        }
        let events = try Self.events(channel)
        try #require(events.count == 2)
        guard case .oversized(let type, let stream, let length) = events[0], case .frame(let frame) = events[1] else {
            Issue.record("expected oversized, then a frame: \(events)")
            return
        }
        #expect(type == .call && stream == 9 && length == 508)
        #expect(frame.streamID == 11)
    }

    @Test func oversizedMetaIsSkippedToo() throws {
        let channel = try Self.channel(maxFrameSize: 4096)
        try channel.writeInbound(ByteBuffer(bytes: frameBytes(type: 1, stream: 1, meta: [UInt8](repeating: 1, count: 300))))
        guard case .oversized? = try Self.events(channel).first else { Issue.record("expected oversized"); return }
    }

    @Test(arguments: [
        ([0, 0, 0, 0] + [UInt8](repeating: 0, count: 8), GoAwayCode.protocolError, "length 0 < 8"),
        ([0, 0, 0, 7] + [UInt8](repeating: 0, count: 8), .protocolError, "length 7 < 8"),
        ([0, 0, 0, 9, 1, 0, 0, 2, 0, 0, 0, 1, 0], .protocolError, "meta_len 2 exceeds the frame's 1 bytes"),
        ([0xFF, 0xFF, 0xFF, 0xFF], .frameSizeError, "exceeds the hard limit"),
        ([0x04, 0x00, 0x00, 0x01], .frameSizeError, "exceeds the hard limit"),
    ])
    func malformedHeaders(_ bytes: [UInt8], _ code: GoAwayCode, _ message: String) throws {
        let channel = try Self.channel()
        do {
            try channel.writeInbound(ByteBuffer(bytes: bytes))
            Issue.record("accepted \(bytes)")
        } catch let error as FrameError {
            #expect(error.code == code)
            #expect(error.message.contains(message), "\(error.message)")
        }
    }

    @Test func badPrefaceFailsAtTheFirstWrongByte() throws {
        let channel = try Self.channel(expectPreface: true)
        try channel.writeInbound(ByteBuffer(bytes: [0x41, 0x53]))        // "AS": so far so good
        #expect(try Self.events(channel).isEmpty)
        #expect(throws: FrameError.self) { try channel.writeInbound(ByteBuffer(bytes: [0x58])) }  // 'X'
        let wrongVersion = try Self.channel(expectPreface: true)
        #expect(throws: FrameError.self) { try wrongVersion.writeInbound(ByteBuffer(bytes: [0x41, 0x53, 0x52, 0x50, 0x02])) }
    }

    @Test func writerAndDecoderAgree() throws {
        var buffer = ByteBuffer()
        let header = RPCV1.CallHeader(method: "/a.B/C", timeoutMicros: 5, metadata: [.init(key: "k", value: [1])])
        try FrameWriter.write(.call, flags: .endStream, streamID: 42, meta: header,
                              payload: TestingV1.EchoRequest(text: "hi"), into: &buffer)
        let channel = try Self.channel()
        try channel.writeInbound(buffer)
        guard case .frame(let frame)? = try Self.events(channel).first else { Issue.record("no frame"); return }
        #expect(try RPCV1.CallHeader(serializedBytes: frame.meta) == header)
        #expect(try TestingV1.EchoRequest(serializedBytes: frame.payload).text == "hi")
        #expect(frame.streamID == 42 && frame.flags == .endStream)
    }
}
