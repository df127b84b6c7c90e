import NIOCore

/// Writes of one connection handler, flushed once for everything written in the same stretch of event-loop work:
/// the first write queues a flush behind the work already on the loop (the tasks a read burst started, each ending
/// in a write, or other callers' starts), and `flush` sends at once what is pending (at the end of a read burst,
/// before a close). So the answers to the calls of one read leave in one `writev`, and a lone frame, or one written
/// later, leaves without waiting for anything else; a long run of writes is flushed every ``maxFramesPerFlush``
/// frames. Lives on the connection's event loop.
final class FlushCoalescer {
    private var pending = false
    private var scheduled = false
    private var pendingFrames = 0
    /// Flush at the latest after this many frames: the peer starts on the first calls of a large batch while the
    /// rest are still being produced, instead of the two sides taking turns (measured at concurrency 64: ~85k qps
    /// with no limit, ~110k with 8 or 16; a flush per frame costs a syscall per call).
    static let maxFramesPerFlush = 8

    /// Writes a frame (a handler without a context, i.e. removed, fails the promise).
    func write(_ frame: ByteBuffer, promise: EventLoopPromise<Void>?, context: ChannelHandlerContext?) {
        guard let context else {
            promise?.fail(ChannelError.ioOnClosedChannel)
            return
        }
        context.write(NIOAny(frame), promise: promise)
        pending = true
        pendingFrames += 1
        if pendingFrames >= Self.maxFramesPerFlush { return flush(context) }
        guard !scheduled else { return }
        scheduled = true
        context.eventLoop.assumeIsolatedUnsafeUnchecked().execute { [self] in
            scheduled = false
            flush(context)
        }
    }

    /// Sends what was written and not yet flushed, if anything.
    func flush(_ context: ChannelHandlerContext?) {
        guard pending, let context else { return }
        pending = false
        pendingFrames = 0
        context.flush()
    }

    /// Closes after sending what was written (a close fails writes that were not flushed).
    func close(_ context: ChannelHandlerContext?) {
        flush(context)
        context?.close(promise: nil)
    }
}
