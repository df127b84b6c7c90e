// swift-tools-version:6.0
// The gateway workflow benchmark: OpenCase + ApproveCase through AfterSaleGateway with all six processes of
// `aftersale up` on this machine. A separate package so that the main package's build stays as it is; it uses
// only the main package's RPCShared library (the generated typed clients). Run from the repository root:
//   Benchmarks/Workflow/scripts/run
import PackageDescription

let package = Package(
    name: "AfterSaleWorkflowBenchmark",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "AfterSale", path: "../.."),
    ],
    targets: [
        .executableTarget(
            name: "workflow-bench",
            dependencies: [
                .product(name: "RPCShared", package: "AfterSale"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
