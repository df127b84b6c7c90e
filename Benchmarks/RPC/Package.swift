// swift-tools-version:6.0
// The RPC transport benchmark: AfterSale's RPC protocol vs grpc-swift-2 (HTTP/2) vs a raw SwiftNIO
// length-prefixed echo (the floor), unary calls over UDS and TCP, server and load generator in separate processes.
// A separate package so that the main package never builds gRPC.  Run from the repository root:
//   Benchmarks/RPC/scripts/run
import PackageDescription

let package = Package(
    name: "AfterSaleRPCBenchmark",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "AfterSale", path: "../.."),
        .package(url: "https://github.com/grpc/grpc-swift-2.git", exact: "2.4.3"),
        .package(url: "https://github.com/grpc/grpc-swift-nio-transport.git", exact: "2.9.2"),
        .package(url: "https://github.com/grpc/grpc-swift-protobuf.git", exact: "2.4.1"),
        .package(url: "https://github.com/apple/swift-protobuf.git", exact: "1.39.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.100.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.5.0"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift.git", exact: "0.2.0"),
    ],
    targets: [
        // What both executables share: the message, addresses, the three kinds' servers and clients.
        .target(
            name: "RPCBenchCommon",
            dependencies: [
                .product(name: "RPCShared", package: "AfterSale"),
                .product(name: "GRPCCore", package: "grpc-swift-2"),
                .product(name: "GRPCNIOTransportHTTP2", package: "grpc-swift-nio-transport"),
                .product(name: "GRPCProtobuf", package: "grpc-swift-protobuf"),
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
        .executableTarget(
            name: "rpc-bench-server",
            dependencies: [
                "RPCBenchCommon",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(
            name: "rpc-bench-load",
            dependencies: [
                "RPCBenchCommon",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Histogram", package: "hdrhistogram-swift"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
