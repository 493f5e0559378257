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
        .target(name: "Geo", dependencies: ["CGEOS", "CPROJ"]),
        .executableTarget(
            name: "routerisk",
            dependencies: [
                "Geo",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(name: "GeoTests", dependencies: ["Geo"]),
    ]
)
