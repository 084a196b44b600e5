// swift-tools-version:6.0
//
// SchedLab: a deterministic discrete-event GPU-cluster simulator and scheduler testbed.
//
// Modules, each depending only on modules listed above it (add a new one as a line where its dependencies allow):
//   SimKernel     simulated time (integer ns), the event queue
//   CSpawn        C shim: posix_spawnp with a working directory (a GNU extension Swift's Glibc module does not import)
//   ExternalProcess  a child process spoken to in lines over pipes: deadlines, stderr tail, always reaped
//   CGSL          GSL (libgsl-dev) through pkg-config, with a shim for its C globals
//   SimRandom     seeded GSL random streams and distributions, one named stream per purpose
//   ClusterModel  GPU types, node templates, topology, allocation state, measured hardware profiles (plain data)
//   Models        the model zoo and the closed-form α–β step formulas
//   Workload      jobs, synthetic arrivals, trace reading and import, strictly decoded mappings
//   Network       the interconnect: link graph, max-min fair flows, collectives as flows
//   Performance   one throughput model (α–β or flow-level) and the oracle policies ask
//   CGLPK         GLPK (libglpk-dev), linked by name: Debian ships no pkg-config file for it
//   Optimization  linear programs solved with GLPK's simplex: validated inputs, typed errors
//   Scheduling    the policy protocol, snapshot, decisions, policies and placement strategies; external policies
//                 (a child process answering the line protocol of Sources/Scheduling/External, docs/external-policies.md)
//   Engine        the simulation loop, job lifecycle and transitions, run results and summary metrics
//   Recording     the SQLite results database and its schema migrations
//   Scenario      scenario YAML: decoding, validation, overrides, building cluster and jobs
//   Regression    committed baselines and comparing fresh runs with them
//   Analysis      comparisons over seeds: means, standard deviations, Student-t intervals (GSL), paired differences
//   Sweep         grids over scenario fields: points, local worker processes, Slurm job arrays
//   CCUDA         C shim that loads the CUDA runtime, cuBLAS and NCCL with dlopen
//   CUDABackend   hardware calibration and validation on real GPUs (produces HardwareProfile)
//   schedlab      the command-line tool
//   BuildInfoPlugin  build-tool plugin: writes the git commit the schedlab binary is built from (`schedlab --version`)
//   InputProbe    what fuzzing does with one scenario or trace (load, then simulate or summarize), shared by the
//                 libFuzzer targets and the seeded mutation tests
//   FuzzScenarioLoader, FuzzTraceReader  libFuzzer targets, declared only when SCHEDLAB_FUZZ is set (.ci/fuzz)
import PackageDescription
import Foundation

// Invariant checks after every event (no GPU held twice, GPU-time conserved, every job accounted for)
// are compiled into debug builds, which is what `swift test` uses, and compiled out of release builds,
// where the benchmark and long runs live.
let internalChecks: [SwiftSetting] = [
    .define("SIM_INTERNAL_CHECKS", .when(configuration: .debug)),
    // Release builds drop Swift's run-time exclusivity checks: the engine is single-threaded and its state is
    // arrays inside one class, where every access paid a check (about 10% of simulation time, measured with
    // `schedlab bench` under perf). Debug builds, hence all tests, keep them.
    .unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release)),
]

let package = Package(
    name: "SchedLab",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "schedlab", targets: ["schedlab"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.0.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
        .package(url: "https://github.com/apple/swift-collections", from: "1.1.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.0.0"),
        // Documentation only: `swift package generate-documentation` (see CONTRIBUTING.md); nothing links it.
        .package(url: "https://github.com/swiftlang/swift-docc-plugin", from: "1.5.0"),
    ],
    targets: [
        // Core
        .target(name: "SimKernel", swiftSettings: internalChecks),
        // Child processes for external policies: spawned with posix_spawn (C, for the working directory), then spoken
        // to in lines with poll-based deadlines.
        .target(name: "CSpawn"),
        .target(name: "ExternalProcess", dependencies: ["CSpawn"], swiftSettings: internalChecks),
        // GSL through pkg-config (Debian: libgsl-dev). The shim re-exports the headers we use and wraps the
        // C globals (generator types) in inline functions so Swift 6 sees no shared mutable state.
        .systemLibrary(name: "CGSL", pkgConfig: "gsl", providers: [.apt(["libgsl-dev"])]),
        .target(name: "SimRandom", dependencies: ["CGSL", "SimKernel"], swiftSettings: internalChecks),
        .target(name: "ClusterModel", dependencies: ["SimKernel"], swiftSettings: internalChecks),
        // The model zoo and the closed-form speed formulas (α–β all-reduce), below the workloads that name models.
        .target(name: "Models", dependencies: ["ClusterModel"], swiftSettings: internalChecks),
        .target(name: "Workload", dependencies: ["SimKernel", "SimRandom", "ClusterModel", "Models"], swiftSettings: internalChecks),
        // YAML text from outside made into nodes, with the checks that keep the YAML library in bounded time.
        .target(name: "YAMLInput", dependencies: ["Workload", "Yams"], swiftSettings: internalChecks),
        // Interconnect: link graph, max-min fair sharing of links between flows, collectives as flows.
        .target(name: "Network", dependencies: ["SimKernel", "ClusterModel"], swiftSettings: internalChecks),
        // One throughput model (α–β or flow-level) that the engine and, through the oracle, policies ask.
        .target(
            name: "Performance",
            dependencies: ["CGSL", "SimKernel", "ClusterModel", "Models", "Workload", "Network"],
            swiftSettings: internalChecks
        ),
        // GLPK through its module map (Debian's libglpk-dev has no pkg-config file); Optimization wraps its simplex.
        .systemLibrary(name: "CGLPK", providers: [.apt(["libglpk-dev"])]),
        .target(name: "Optimization", dependencies: ["CGLPK"], swiftSettings: internalChecks),
        .target(
            name: "Scheduling",
            dependencies: [
                "SimKernel", "ClusterModel", "Workload", "Performance", "Optimization", "ExternalProcess",
                .product(name: "DequeModule", package: "swift-collections"),
                .product(name: "HeapModule", package: "swift-collections"),
            ],
            swiftSettings: internalChecks
        ),
        .target(
            name: "Engine",
            dependencies: [
                "SimKernel", "SimRandom", "ClusterModel", "Models", "Workload", "Performance", "Scheduling", "Network",
                .product(name: "DequeModule", package: "swift-collections"),
            ],
            swiftSettings: internalChecks
        ),
        .target(
            name: "Recording",
            // GRDBSQLite is GRDB's own sqlite3 module: the bulk inserts bind through the C API (about 1.7x faster
            // than GRDB's argument arrays) without declaring a second module for the same C types.
            dependencies: [
                "ClusterModel", "Engine", .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
            ],
            swiftSettings: internalChecks
        ),
        .target(
            name: "Scenario",
            dependencies: [
                "SimKernel", "SimRandom", "ClusterModel", "Models", "Workload", "Network", "Performance", "Scheduling", "Engine", "Yams",
                "YAMLInput",
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: internalChecks
        ),
        .target(
            name: "Regression",
            dependencies: ["Engine", "Scenario", .product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: internalChecks
        ),
        // Results for papers: statistics over recorded runs, and sweeps that record grids of runs.
        .target(
            name: "Analysis",
            dependencies: ["CGSL", "Engine", "Recording", "Yams", "YAMLInput"],
            swiftSettings: internalChecks
        ),
        .target(
            name: "Sweep",
            dependencies: ["Engine", "Workload", "Recording", "Scenario", "Yams", "YAMLInput", .product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: internalChecks
        ),
        // Hardware backend: CUDA is loaded with dlopen at run time from our own minimal prototypes, so the package
        // builds and tests on machines without CUDA headers, toolkit or GPU.
        .target(name: "CCUDA", linkerSettings: [.linkedLibrary("dl")]),
        .target(
            name: "CUDABackend",
            dependencies: ["CCUDA", "ClusterModel", "Models"],
            swiftSettings: internalChecks
        ),
        // Tools
        .executableTarget(
            name: "schedlab",
            dependencies: [
                "SimKernel", "SimRandom", "ClusterModel", "Models", "Workload", "Network", "Performance", "Scheduling", "Engine", "Recording", "Scenario", "Regression", "CUDABackend",
                "Analysis", "Sweep",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: internalChecks,
            plugins: ["BuildInfoPlugin"]
        ),
        // Writes BuildInfo.swift (the git commit and whether the tree was modified) into schedlab before each build.
        .plugin(name: "BuildInfoPlugin", capability: .buildTool()),
        // What fuzzing does with one input; the fuzz targets below and HostileInputTests share it.
        .target(name: "InputProbe", dependencies: ["Engine", "Scenario", "Scheduling", "Workload"], swiftSettings: internalChecks),
        // Tests
        .target(
            name: "SimTestSupport",
            dependencies: ["SimKernel", "SimRandom", "ClusterModel", "Models", "Workload", "Performance", "Scheduling", "Engine"],
            path: "Tests/SimTestSupport"
        ),
        // Seeded mutation fuzzing and the replay of every input fuzzing found (Tests/HostileInputTests/Corpus).
        .testTarget(name: "HostileInputTests", dependencies: ["InputProbe", "Scenario", "Workload", "SimTestSupport", "schedlab"],
                    exclude: ["Corpus"]),
        .testTarget(name: "SimKernelTests", dependencies: ["SimKernel"]),
        .testTarget(name: "SimRandomTests", dependencies: ["SimRandom"]),
        .testTarget(name: "ClusterModelTests", dependencies: ["ClusterModel", "SimTestSupport"]),
        .testTarget(name: "ModelsTests", dependencies: ["Models", "SimTestSupport"], exclude: ["Fixtures"]),
        .testTarget(name: "PerformanceTests", dependencies: ["Performance", "Network", "SimTestSupport"]),
        .testTarget(name: "WorkloadTests", dependencies: ["Workload", "SimRandom", "SimTestSupport"], exclude: ["Fixtures"]),
        .testTarget(name: "YAMLInputTests", dependencies: ["YAMLInput", "Workload", "Yams"]),
        .testTarget(name: "OptimizationTests", dependencies: ["Optimization"]),
        .testTarget(name: "SchedulingTests", dependencies: ["Scheduling", "SimTestSupport"]),
        .testTarget(name: "EngineTests", dependencies: ["Engine", "Network", "Performance", "Models", "SimTestSupport"]),
        // GRDB directly: the migration tests build a database at an older schema version.
        .testTarget(name: "RecordingTests", dependencies: ["Recording", "Engine", "ClusterModel", "SimTestSupport", .product(name: "GRDB", package: "GRDB.swift")]),
        // Snapshots are read through #filePath, not bundled as resources.
        .testTarget(name: "ScenarioTests", dependencies: ["Scenario", "Engine", "Scheduling", "SimKernel", "SimRandom", "Models", "Workload", "ClusterModel", "Network", "Performance", "SimTestSupport",
                                                   .product(name: "Crypto", package: "swift-crypto")],
            exclude: ["Snapshots", "Fixtures"]),
        .testTarget(name: "CUDABackendTests", dependencies: ["CUDABackend", "ClusterModel", "Models", "SimTestSupport"]),
        .testTarget(name: "NetworkTests", dependencies: ["Network", "SimTestSupport"]),
        .testTarget(name: "RegressionTests", dependencies: ["Regression", "SimTestSupport"]),
        .testTarget(name: "AnalysisTests", dependencies: ["Analysis"]),
        .testTarget(name: "SweepTests", dependencies: ["Sweep", "Recording", "Scheduling"]),
        .testTarget(name: "CLITests", dependencies: ["schedlab", "SimTestSupport"], exclude: ["Snapshots"]),
        // External policies end to end: Python children (python3 must be on PATH), the identity runs against the Swift
        // policies, failure handling, and the Python helper package's own unit tests.
        .testTarget(name: "ExternalPolicyTests", dependencies: [
            "Scheduling", "Engine", "Scenario", "Recording", "ExternalProcess", "ClusterModel", "SimKernel", "Workload",
            "SimTestSupport", "schedlab",
        ], exclude: ["Fixtures"]),
        // The DocC articles' code and YAML listings, compiled and loaded so the documentation cannot drift.
        .testTarget(name: "DocumentationTests", dependencies: [
            "Scheduling", "Engine", "ClusterModel", "Models", "Workload", "SimKernel", "Scenario", "SimTestSupport",
        ]),
    ]
)

// libFuzzer targets, only when asked (`SCHEDLAB_FUZZ=1`, set by .ci/fuzz), so ordinary builds and CI never compile them:
// each is built with `-sanitize=fuzzer` and its `LLVMFuzzerTestOneInput` replaces `main`.
if ProcessInfo.processInfo.environment["SCHEDLAB_FUZZ"] != nil {
    package.targets += [
        .executableTarget(name: "FuzzScenarioLoader", dependencies: ["InputProbe"], path: "Fuzz/FuzzScenarioLoader"),
        .executableTarget(name: "FuzzTraceReader", dependencies: ["InputProbe"], path: "Fuzz/FuzzTraceReader"),
    ]
}
