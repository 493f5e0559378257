// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "RouteRisk",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "routerisk", targets: ["routerisk"]),
        .library(name: "Geo", targets: ["Geo"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
    ],
    targets: [
        .systemLibrary(
            name: "CGEOS",
            pkgConfig: "geos",
            providers: [.apt(["libgeos-dev"]), .brew(["geos"])]
        ),
        .systemLibrary(
            name: "CPROJ",
            pkgConfig: "proj",
            providers: [.apt(["libproj-dev"]), .brew(["proj"])]
        ),
        .systemLibrary(
            name: "CSQLite",
            pkgConfig: "sqlite3",
            providers: [.apt(["libsqlite3-dev"]), .brew(["sqlite"])]
        ),
        .target(name: "Geo", dependencies: ["CGEOS", "CPROJ"]),
        .target(name: "RiskCore", dependencies: ["Geo"]),
        .target(name: "RiskIO", dependencies: ["CSQLite", "RiskCore", "Geo"]),
        .target(name: "RiskReport", dependencies: ["RiskCore", "RiskBatch", "RiskEngine", "RiskIO", "Geo"]),
        .target(name: "RiskSynth", dependencies: ["RiskCore", "Geo"]),
        // The use cases every front end calls: loading inputs, scoring a request.
        .target(name: "RiskEngine", dependencies: ["RiskCore", "RiskIO", "Geo"]),
        // The batch and the store it needs, with no database in it; the SQLite adapter apart.
        .target(name: "RiskBatch", dependencies: ["RiskCore", "RiskIO", "RiskEngine", "Geo"]),
        .target(name: "RiskSQLite", dependencies: ["CSQLite", "RiskBatch", "RiskCore", "RiskIO", "Geo"]),
        .target(
            name: "RiskServer",
            dependencies: [
                "Geo", "RiskCore", "RiskIO", "RiskEngine", "RiskBatch", "RiskReport",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // Backtests and calibration of the model against later incidents (no I/O).
        .target(name: "RiskValidation", dependencies: ["RiskCore", "RiskIO", "RiskSynth", "Geo"]),
        // The PostgreSQL + PostGIS adapter, for teams and distributed workers.
        .target(
            name: "RiskPostgres",
            dependencies: ["RiskBatch", "RiskCore", "RiskIO", "Geo", .product(name: "PostgresNIO", package: "postgres-nio")]
        ),
        .executableTarget(
            name: "routerisk-bench",
            dependencies: ["Geo", "RiskCore", "RiskIO", "RiskSynth", "RiskBatch", "RiskSQLite"],
            path: "Benchmarks/RouteRiskBenchmarks"
        ),
        // Fuzz targets (docs/fuzzing.md): built by `make fuzz` with libFuzzer; a corpus replayer otherwise.
        .executableTarget(
            name: "routerisk-fuzz",
            dependencies: ["Geo", "RiskCore", "RiskIO", "RiskSQLite"],
            path: "Fuzz/RouteRiskFuzz"
        ),
        .executableTarget(
            name: "routerisk",
            dependencies: [
                "Geo",
                "RiskCore",
                "RiskIO",
                "RiskEngine",
                "RiskReport",
                "RiskSynth",
                "RiskBatch",
                "RiskSQLite",
                "RiskServer",
                .product(name: "Logging", package: "swift-log"),
                "RiskValidation",
                "RiskPostgres",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // Helpers the tests share: child processes with a time limit, GeoPackages written as GDAL does.
        .target(name: "TestSupport", dependencies: ["CSQLite"], path: "Tests/TestSupport"),
        .testTarget(name: "GeoTests", dependencies: ["TestSupport", "Geo"]),
        .testTarget(name: "RiskCoreTests", dependencies: ["RiskCore", "RiskSynth", "Geo"]),
        .testTarget(name: "RiskIOTests", dependencies: ["TestSupport", "RiskIO", "RiskCore", "Geo"]),
        .testTarget(name: "RiskReportTests", dependencies: ["TestSupport", "RiskReport", "RiskCore", "RiskIO", "RiskSynth", "Geo"]),
        .testTarget(name: "RiskBatchTests", dependencies: ["RiskBatch", "RiskEngine", "RiskCore", "RiskSynth", "Geo"]),
        .testTarget(name: "StoreContractTests", dependencies: ["RiskBatch", "RiskEngine", "RiskSQLite", "RiskPostgres", "RiskCore", "Geo"]),
        .testTarget(name: "RiskSQLiteTests", dependencies: ["RiskSQLite", "RiskBatch", "RiskCore", "Geo"]),
        // Tests that run the built routerisk: the command line, and kill -9 during a batch.
        .testTarget(name: "RiskStoreTests", dependencies: ["TestSupport", "RiskSQLite", "RiskBatch", "RiskCore", "RiskSynth", "Geo", "routerisk"]),
        .testTarget(name: "RiskServerTests", dependencies: ["TestSupport", 
            "RiskServer", "RiskEngine", "RiskBatch", "RiskSQLite", "RiskIO", "RiskCore", "RiskReport", "Geo", "routerisk",
            .product(name: "Logging", package: "swift-log"),
        ]),
        // Against a real PostgreSQL server (`make test` starts one); also runs the built routerisk.
        .testTarget(
            name: "RiskPostgresTests",
            dependencies: ["TestSupport", "RiskPostgres", "RiskSQLite", "RiskBatch", "RiskCore", "RiskSynth", "Geo", "routerisk"]
        ),
        .testTarget(name: "DataTests", dependencies: ["RiskIO", "RiskCore", "Geo"]),
        .testTarget(name: "RiskEngineTests", dependencies: ["TestSupport", "RiskEngine", "RiskIO", "RiskCore", "Geo"]),
        .testTarget(name: "RiskValidationTests", dependencies: ["RiskValidation", "RiskIO", "RiskCore", "RiskSynth", "Geo"]),
        // Runs the built `routerisk` end to end; the dependency makes SwiftPM build it first.
        .testTarget(name: "CommandLineTests", dependencies: ["TestSupport", "RiskSQLite", "Geo", "routerisk"]),
    ]
)
