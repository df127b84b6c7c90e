internal import CProtobufC
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A bump allocator for the C structs of one encode or decode call.
///
/// Its first chunk is a per-thread buffer kept for the thread's lifetime (so a call allocates nothing in steady
/// state; encode and decode are synchronous, so a thread runs one at a time — a re-entrant use falls back to a
/// temporary buffer). Larger trees spill into heap chunks freed together when the arena ends. libprotobuf-c
/// allocates through it while unpacking (its `free` is a no-op), and the Swift side builds the trees it packs in
/// it, so a tree never needs `free_unpacked` and can never reach `protobuf_c_empty_string` with a `free`.
struct CArena: ~Copyable {
    /// Bytes of the per-thread first chunk: enough for the C tree of a typical ~2 KB message.
    static let stackBytes = 8192

    private var cursor: UnsafeMutableRawPointer
    private var remaining: Int
    private var heapChunks: UnsafeMutableRawPointer?  // singly linked: each chunk's first word is the next one
    private var nextChunkBytes = 16384

    private init(_ first: UnsafeMutableRawBufferPointer) {
        cursor = first.baseAddress!
        remaining = first.count
    }

    deinit {
        var chunk = heapChunks
        while let current = chunk {
            chunk = current.load(as: UnsafeMutableRawPointer?.self)
            free(current)
        }
    }

    /// Runs `body` with a fresh arena; everything allocated in it is gone when `body` returns.
    static func with<R>(_ body: (inout CArena) throws -> R) throws -> R {
        guard let scratch = ThreadScratch.acquire() else {
            return try withUnsafeTemporaryAllocation(byteCount: stackBytes, alignment: 16) { buffer in
                var arena = CArena(buffer)
                return try body(&arena)
            }
        }
        defer { ThreadScratch.release(scratch) }
        var arena = CArena(UnsafeMutableRawBufferPointer(start: scratch + 16, count: stackBytes))
        return try body(&arena)
    }

    /// `byteCount` bytes aligned to 8 (all libprotobuf-c needs on the platforms we build for).
    mutating func allocate(byteCount: Int) -> UnsafeMutableRawPointer {
        let rounded = (byteCount + 7) & ~7
        if rounded > remaining { grow(atLeast: rounded) }
        let pointer = cursor
        cursor += rounded
        remaining -= rounded
        return pointer
    }

    private mutating func grow(atLeast bytes: Int) {
        let header = 16
        let size = max(nextChunkBytes, bytes + header)
        nextChunkBytes = min(nextChunkBytes * 2, 1 << 24)
        guard let chunk = malloc(size) else { fatalError("out of memory allocating \(size) bytes") }
        chunk.storeBytes(of: heapChunks, as: UnsafeMutableRawPointer?.self)
        heapChunks = chunk
        cursor = chunk + header
        remaining = size - header
    }

    /// An uninitialised `T`; the caller initialises it (C structs through their `__init` function).
    mutating func allocate<T>(_: T.Type) -> UnsafeMutablePointer<T> {
        allocate(byteCount: MemoryLayout<T>.stride).bindMemory(to: T.self, capacity: 1)
    }

    /// A C allocator that draws from this arena, for `protobuf_c_message_unpack`.
    static func allocator(for arena: UnsafeMutablePointer<CArena>) -> ProtobufCAllocator {
        ProtobufCAllocator(
            alloc: { data, size in
                data!.assumingMemoryBound(to: CArena.self).pointee.allocate(byteCount: size)
            },
            free: { _, _ in },
            allocator_data: UnsafeMutableRawPointer(arena)
        )
    }
}

/// The per-thread first chunk of ``CArena``: 16 bytes of header (an in-use flag) and `CArena.stackBytes` of space,
/// freed by the thread-specific-data destructor when the thread exits.
private enum ThreadScratch {
    private static let key: pthread_key_t = {
        var key = pthread_key_t()
        pthread_key_create(&key) { free($0) }
        return key
    }()

    static func acquire() -> UnsafeMutableRawPointer? {
        if let chunk = pthread_getspecific(key) {
            guard chunk.load(as: Bool.self) == false else { return nil }  // re-entered: use a temporary chunk
            chunk.storeBytes(of: true, as: Bool.self)
            return chunk
        }
        guard let chunk = malloc(16 + CArena.stackBytes) else { return nil }
        chunk.storeBytes(of: true, as: Bool.self)
        pthread_setspecific(key, chunk)
        return chunk
    }

    static func release(_ chunk: UnsafeMutableRawPointer) {
        chunk.storeBytes(of: false, as: Bool.self)
    }
}
