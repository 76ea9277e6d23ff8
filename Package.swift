// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "ScanGate",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "scangate", targets: ["scangate"]),
        .library(name: "Findings", targets: ["Findings"]),
        .library(name: "Adapters", targets: ["Adapters"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/x-sheep/swift-property-based", from: "2.0.1"),
    ],
    targets: [
        // System libraries, used directly (no Foundation wrappers).
        .systemLibrary(
            name: "CCurl", path: "Sources/CCurl", pkgConfig: "libcurl",
            providers: [.apt(["libcurl4-openssl-dev"])]),
        .systemLibrary(
            name: "CLibXML2", path: "Sources/CLibXML2", pkgConfig: "libxml-2.0",
            providers: [.apt(["libxml2-dev"])]),
        .systemLibrary(
            name: "COpenSSL", path: "Sources/COpenSSL", pkgConfig: "openssl",
            providers: [.apt(["libssl-dev"])]),
        .systemLibrary(
            name: "CZlib", path: "Sources/CZlib",
            providers: [.apt(["zlib1g-dev"])]),

        // A strict, byte-level JSON reader and a deterministic JSON writer.
        .target(name: "ScanGateJSON"),
        // The one findings model: Finding, Severity, identity, fingerprint, merge.
        .target(name: "Findings", dependencies: ["COpenSSL"]),
        // One adapter per report format, and format detection.
        .target(name: "Adapters", dependencies: ["Findings", "ScanGateJSON", "CLibXML2"]),
        // Output files written whole or not at all (temporary file, rename), and appends.
        .target(name: "OutputFiles"),
        // Output of findings: deterministic JSON and the summary table.
        .target(name: "Reports", dependencies: ["Findings", "Policy", "ScanGateJSON"]),
        // YAML configuration files with typed access and errors that name file and line.
        .target(name: "ConfigYAML", dependencies: [.product(name: "Yams", package: "Yams")]),
        // Policies, waivers, VEX and the gate's decision.
        .target(
            name: "Policy",
            dependencies: ["Findings", "ScanGateJSON", "ConfigYAML", .product(name: "Yams", package: "Yams")]),
        // SARIF 2.1.0 writer within GitHub's rules and limits.
        .target(name: "SARIF", dependencies: ["Findings", "ScanGateJSON", "CZlib", "COpenSSL"]),
        // One small libcurl client: TLS verified, timeouts, retries, proxy from the environment.
        .target(name: "HTTP", dependencies: ["CCurl", "COpenSSL"]),
        // GitHub's REST API: SARIF upload and status polling.
        .target(name: "GitHub", dependencies: ["HTTP", "SARIF", "ScanGateJSON", "CZlib"]),
        // Cosign signatures verified with OpenSSL; the OCI registry client.
        .target(name: "Signatures", dependencies: ["COpenSSL", "HTTP", "ScanGateJSON", "OutputFiles"]),
        // The release gate's hash-chained, optionally signed audit log.
        .target(name: "Audit", dependencies: ["COpenSSL", "ScanGateJSON", "OutputFiles"]),
        // The release gate: signature results and findings composed into one decision, its
        // output and its audit entry.
        .target(name: "Release", dependencies: ["Policy", "Signatures", "Audit", "Findings", "ScanGateJSON"]),
        // `scangate ci`: the project config, GitHub Actions integration and the CI step's plan.
        .target(
            name: "CI",
            dependencies: [
                "Adapters", "Findings", "Policy", "Reports", "SARIF", "GitHub", "HTTP", "Signatures", "ScanGateJSON",
                "OutputFiles", "ConfigYAML", .product(name: "Yams", package: "Yams"),
            ]),
        // The command line: wires the modules together, nothing else does.
        .executableTarget(
            name: "scangate",
            dependencies: [
                "Findings", "Adapters", "Reports", "Policy", "SARIF", "HTTP", "GitHub", "Signatures", "Audit",
                "Release", "CI", "OutputFiles",
                "CCurl", "CLibXML2", "COpenSSL",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]),

        // What the command tests share: the `scangate` executable and a child-process runner.
        .target(name: "TestSupport", path: "Tests/TestSupport"),
        .testTarget(name: "ScanGateJSONTests", dependencies: ["ScanGateJSON", "TestSupport"]),
        .testTarget(name: "FindingsTests", dependencies: ["Findings", "TestSupport"]),
        .testTarget(name: "AdaptersTests", dependencies: ["Adapters", "Findings"]),
        .testTarget(name: "CLITests", dependencies: ["Findings", "TestSupport"]),
        .testTarget(
            name: "PolicyTests",
            dependencies: [
                "Policy", "Findings", "Adapters", "Reports", "TestSupport",
                .product(name: "PropertyBased", package: "swift-property-based"),
            ]),
        .testTarget(
            name: "SARIFTests", dependencies: ["SARIF", "Findings", "Adapters", "ScanGateJSON", "TestSupport"]),
        .testTarget(
            name: "GitHubTests", dependencies: ["GitHub", "HTTP", "SARIF", "ScanGateJSON", "TestSupport"],
            // The local GitHub API server the tests start (Python, standard library only).
            exclude: ["Server"]),
        .testTarget(
            name: "SignaturesTests", dependencies: ["Signatures", "HTTP", "ScanGateJSON", "TestSupport"],
            // A registry that redirects, which the tests start (Python, standard library only).
            exclude: ["Server"]),
        .testTarget(name: "AuditTests", dependencies: ["Audit", "ScanGateJSON", "TestSupport"]),
        .testTarget(
            name: "ReleaseTests",
            dependencies: ["Release", "Policy", "Signatures", "Audit", "Findings", "ScanGateJSON"]),
        .testTarget(
            name: "CITests",
            dependencies: [
                "CI", "Adapters", "Findings", "GitHub", "Policy", "Reports", "SARIF", "ScanGateJSON", "OutputFiles",
                "TestSupport", .product(name: "Yams", package: "Yams"),
            ],
            // The router in front of the GitHub tests' local servers (Python, standard library only).
            exclude: ["Server"]),
        .testTarget(
            name: "ReportsTests",
            dependencies: ["Reports", "Findings", "Adapters", "Policy", "ScanGateJSON", "TestSupport"]),
    ],
    swiftLanguageModes: [.v6]
)
