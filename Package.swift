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
        .package(url: "https://github.com/swift-server/async-http-client.git", exact: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio.git", exact: "2.101.3"),
        .package(url: "https://github.com/apple/swift-crypto.git", exact: "4.5.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", exact: "2.13.0"),
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
        // Loket.nl: OAuth2 (state, PKCE), tokens, the /v2 API. Knows HTTP and Loket's JSON only.
        .target(
            name: "LoketClient",
            dependencies: [
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        // The built-in Loket simulator: OAuth pages and /v2 JSON from its own types (never LoketClient's).
        .target(
            name: "LoketSandbox",
            dependencies: [
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // Use cases: connect, company list, link, run import, booking with write-back.
        .target(
            name: "PayrollImport",
            dependencies: ["Ledger", "Storage", "LoketClient", .product(name: "Crypto", package: "swift-crypto")]
        ),
        // Development only: simulator set-up as a user would do it, benchmark data and yardsticks.
        .target(
            name: "DevSupport",
            dependencies: ["Ledger", "Storage", "LoketClient", "PayrollImport", .product(name: "GRDB", package: "GRDB.swift")]
        ),
        // Exports of the booked ledger: XAF 3.2 / 4.0 auditfiles and CSV, streamed.
        .target(name: "Reports", dependencies: ["Ledger", "Storage"]),
        // The local web application: security middleware, controllers, pages, embedded assets.
        .target(
            name: "WebApp",
            dependencies: [
                "Ledger",
                "Storage",
                "PayrollImport",
                "Reports",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            plugins: ["EmbedAssets"]
        ),
        // The command line: parses arguments and starts things.
        .executableTarget(
            name: "loonjournaal",
            dependencies: [
                "WebApp",
                "Storage",
                "Ledger",
                "LoketClient",
                "LoketSandbox",
                "PayrollImport",
                "Reports",
                "DevSupport",
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
            dependencies: ["Storage", "Ledger", "Reports", .product(name: "GRDB", package: "GRDB.swift")]
        ),
        .testTarget(
            name: "LoketTests",
            dependencies: [
                "LoketClient",
                "LoketSandbox",
                "PayrollImport",
                "Storage",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // The use cases over real SQLite files and the simulator over loopback.
        .testTarget(
            name: "PayrollImportTests",
            dependencies: [
                "PayrollImport",
                "DevSupport",
                "Ledger",
                "LoketClient",
                "LoketSandbox",
                "Storage",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(
            name: "WebAppTests",
            dependencies: [
                "WebApp",
                "Storage",
                "Ledger",
                "LoketClient",
                "LoketSandbox",
                "PayrollImport",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "GRDB", package: "GRDB.swift"),
            ]
        ),
    ]
)
