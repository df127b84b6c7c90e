// swift-tools-version: 6.1
// Benchmarks for AfterSale, kept out of the main package so that its build stays light.
// Run from the repository root:  swift package --package-path Benchmarks benchmark
import PackageDescription

let package = Package(
    name: "AfterSaleBenchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "AfterSale", path: ".."),
        .package(url: "https://github.com/apple/swift-protobuf.git", exact: "1.39.0"),
        .package(url: "https://github.com/ordo-one/benchmark.git", exact: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        // The same messages built with identical values in both libraries, the swift-protobuf 1.39 code generated
        // from ../proto (scripts/gen-swift-protobuf; committed), and one non-inlined function per measured operation.
        .target(
            name: "CodecFixtures",
            dependencies: [
                .product(name: "RPCShared", package: "AfterSale"),
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
            ]
        ),
        // A plain loop over one operation, for `valgrind --tool=callgrind` or `perf record`.
        .executableTarget(
            name: "codec-profile",
            dependencies: ["CodecFixtures"]
        ),
        .executableTarget(
            name: "CodecBenchmark",
            dependencies: [
                "CodecFixtures",
                .product(name: "Benchmark", package: "benchmark"),
            ],
            path: "Benchmarks/CodecBenchmark",
            plugins: [
                .plugin(name: "BenchmarkPlugin", package: "benchmark"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
