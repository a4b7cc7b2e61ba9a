// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "loonjournaal",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "loonjournaal", targets: ["loonjournaal"])
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", exact: "2.28.1"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache.git", exact: "2.1.1"),
        .package(url: "https://github.com/groue/GRDB.swift.git", exact: "7.10.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", exact: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", exact: "1.16.2"),
        .package(url: "https://github.com/apple/swift-http-types.git", exact: "1.8.0"),
    ],
    targets: [
        // Pure accounting rules: money, accounts, charts, entries. No I/O, no dependencies.
        .target(name: "Ledger"),
        // SQLite storage: AppDatabase, migrations, records, triggers.
        .target(
            name: "Storage",
            dependencies: [
                "Ledger",
                .product(name: "GRDB", package: "GRDB.swift"),
            ]
        ),
        // The local web application: security middleware, controllers, pages, embedded assets.
        .target(
            name: "WebApp",
            dependencies: [
                "Ledger",
                "Storage",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ],
            plugins: ["EmbedAssets"]
        ),
        // The command line: parses arguments and starts things.
        .executableTarget(
            name: "loonjournaal",
            dependencies: [
                "WebApp",
                "Storage",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // Build tool: turns Templates/ and Public/ into Swift source so the binary is self-contained.
        .executableTarget(name: "AssetEmbedder"),
        .plugin(name: "EmbedAssets", capability: .buildTool(), dependencies: ["AssetEmbedder"]),
        .testTarget(name: "LedgerTests", dependencies: ["Ledger"]),
        .testTarget(
            name: "StorageTests",
            dependencies: ["Storage", "Ledger", .product(name: "GRDB", package: "GRDB.swift")]
        ),
        .testTarget(
            name: "WebAppTests",
            dependencies: [
                "WebApp",
                "Storage",
                "Ledger",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "GRDB", package: "GRDB.swift"),
            ]
        ),
    ]
)
