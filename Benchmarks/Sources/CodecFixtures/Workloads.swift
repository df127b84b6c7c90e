import RPCShared
import SwiftProtobuf

/// Which library does the binary encoding.
public enum Codec: String, CaseIterable, Sendable {
    /// AfterSale's RPCShared value types, packed and unpacked by libprotobuf-c.
    case afterSale = "AfterSale"
    /// The apple/swift-protobuf 1.39 code generated from the same .proto files.
    case swiftProtobuf = "swift-protobuf"
}

/// The measured messages.
public enum MessageCase: String, CaseIterable, Sendable {
    /// aftersale.order.v1.OrderLine, ~100 B.
    case small
    /// aftersale.order.v1.Case with lines, inspections and settlement, ~2 KB.
    case caseDetail = "case-detail"

    public var protoName: String {
        switch self {
        case .small: "aftersale.order.v1.OrderLine"
        case .caseDetail: "aftersale.order.v1.Case"
        }
    }
}

public enum Operation: String, CaseIterable, Sendable {
    /// Message value → new `[UInt8]`.
    case encode
    /// `[UInt8]` → message value.
    case decode
    /// Both, one after the other (the round trip an RPC pays on each side).
    case roundTrip = "encode+decode"
}

/// One measured operation: a closure that runs it once. The message (or its bytes) is built beforehand, outside
/// the measurement; results go to an opaque sink so that nothing can be optimised away.
public struct Workload: Sendable {
    public let codec: Codec
    public let message: MessageCase
    public let operation: Operation
    public let run: @Sendable () throws -> Void

    public static func make(_ codec: Codec, _ message: MessageCase, _ operation: Operation) -> Workload {
        Workload(codec: codec, message: message, operation: operation, run: body(codec, message, operation))
    }

    private static func body(_ codec: Codec, _ message: MessageCase, _ operation: Operation) -> @Sendable () throws -> Void {
        switch (codec, message) {
        case (.afterSale, .small): afterSale(AfterSaleFixtures.orderLine(), operation)
        case (.afterSale, .caseDetail): afterSale(AfterSaleFixtures.caseDetail(), operation)
        case (.swiftProtobuf, .small): swiftProtobuf(SwiftProtobufFixtures.orderLine(), operation)
        case (.swiftProtobuf, .caseDetail): swiftProtobuf(SwiftProtobufFixtures.caseDetail(), operation)
        }
    }

    // The public API an AfterSale service uses: `serializedBytes()` and `init(serializedBytes: [UInt8])`.
    private static func afterSale<M: ProtoMessage>(_ value: M, _ operation: Operation) -> @Sendable () throws -> Void {
        let bytes = try! value.serializedBytes()
        switch operation {
        case .encode:
            return { sink(try value.serializedBytes()) }
        case .decode:
            return { sink(try M(serializedBytes: bytes)) }
        case .roundTrip:
            return { sink(try M(serializedBytes: try value.serializedBytes())) }
        }
    }

    // swift-protobuf's usual API: `serializedBytes() as [UInt8]` and `init(serializedBytes:)`.
    private static func swiftProtobuf<M: SwiftProtobuf.Message>(_ value: M, _ operation: Operation) -> @Sendable () throws -> Void {
        let bytes: [UInt8] = try! value.serializedBytes()
        switch operation {
        case .encode:
            return { sink(try value.serializedBytes() as [UInt8]) }
        case .decode:
            return { sink(try M(serializedBytes: bytes)) }
        case .roundTrip:
            return { sink(try M(serializedBytes: try value.serializedBytes() as [UInt8])) }
        }
    }
}

/// Takes a value without letting the optimiser see what happens to it.
@inline(never) @_optimize(none)
func sink<T>(_ value: T) {}
