import ArgumentParser
import Foundation
import Network
import Performance
import Workload

/// `schedlab fit`: fit the fabric's free parameters to measured step times and write a fabric profile.
struct FitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fit",
        abstract: "Fit link efficiencies and latencies to a measurement CSV (GSL nonlinear least squares); write a fabric profile.",
        discussion: """
            Each row of the measurement CSV (README, "Measurement CSV") is predicted as `schedlab steptime` does: the job \
            alone on its placement, flow-level interconnect, the model's overlap γ. The fit minimises the sum of squared \
            relative errors over the parameters (default: intra-node, NIC and spine efficiency, spine latency, and the \
            intra-node and NIC latency of each template the rows use; those no row depends on are held). It prints every \
            row's measured, predicted and error before and after, each parameter with its standard error, and the \
            leave-one-model-out cross-validated error (each model's rows predicted by a fit to the other models' rows). \
            With -o it writes the fabric profile (JSON) that `network: {fabric_profile: FILE}` applies. Exit status: 0 on \
            success, 2 on a bad file or a fit that cannot run (fewer rows than free parameters).
            """
    )

    @Argument(help: "Measurement CSV file(s); their rows are fitted together.")
    var files: [String]

    @Option(help: ArgumentHelp(
        "Comma-separated parameters to fit (\(FabricParameter.nameForms.joined(separator: ", "))); default: all that the rows depend on.",
        valueName: "names"))
    var parameters: String?

    @Option(name: [.short, .customLong("output")], help: "Fabric profile JSON to write.")
    var output: String?

    @Flag(help: "Skip the leave-one-model-out cross-validation.")
    var noCrossValidation = false

    @Option(help: "How compute and communication combine: exponent (Pollux's, the default) or ddp-buckets.")
    var overlap: OverlapKind = .exponent

    @Flag(help: "Print JSON (the profile with every row) instead of text.")
    var json = false

    @Flag(help: "Do not print each solve's start on stderr.")
    var quiet = false

    @Option(help: "Stop when a step moves every parameter by less than this fraction, in (0, 0.01] (default 1e-8; the Pollux scenarios' fabric profile was written with 1e-10).")
    var stepTolerance: Double = FabricFit.defaultStepTolerance

    func validate() throws {
        guard !files.isEmpty else { throw ValidationError("give at least one measurement CSV") }

    }

    func run() throws {
        guard stepTolerance > 0 && stepTolerance <= 1e-2 else {
            printError("error: --step-tolerance: expected a number in (0, 0.01], got \(stepTolerance)")
            throw CLIExit.badInput
        }
        var rows: [StepMeasurement] = []
        for file in files {
            let parsed: [StepMeasurement]
            do { parsed = try MeasurementFile.parse(Self.readText(file), file: file) } catch {
                printError("error: \(error)")
                throw CLIExit.badInput
            }
            guard !parsed.isEmpty else {
                printError("error: \(file): the file has a header but no rows; expected at least one measurement")
                throw CLIExit.badInput
            }
            rows += parsed
        }
        let file = files.joined(separator: ", ")
        var chosen: [FabricParameter]?
        if let parameters {
            chosen = []
            for name in parameters.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) {
                guard let p = FabricParameter(name: name) else {
                    printError("error: --parameters: expected names among \(FabricParameter.nameForms.joined(separator: ", ")) "
                        + "(TEMPLATE from `schedlab info templates`), got '\(name)'")
                    throw CLIExit.badInput
                }
                chosen!.append(p)
            }
            guard !chosen!.isEmpty else {
                printError("error: --parameters: expected at least one parameter name, got '\(parameters)'")
                throw CLIExit.badInput
            }
        }
        let result: FabricFit.Result
        do {
            let started = Date()
            let progress: ((FabricFit.Stage) -> Void)? = quiet ? nil : { stage in
                let what = stage.heldOut.map { "without \($0)" } ?? "every row"
                let elapsed = String(format: "%.1f", Date().timeIntervalSince(started))
                printError("[schedlab] fit \(stage.number)/\(stage.count): \(what) (\(stage.rows) rows), \(elapsed) s so far")
            }
            result = try FabricFit.fit(rows, parameters: chosen, crossValidate: !noCrossValidation, overlap: overlap,
                                       stepTolerance: stepTolerance, progress: progress)
        } catch {
            printError("error: \(file): \(error)")
            throw CLIExit.badInput
        }
        let profile = result.profile(measurements: file, overlap: overlap)
        if let output {
            do { try profile.jsonData().write(to: URL(fileURLWithPath: output)) } catch {
                printError("error: -o: cannot write \(output): \(error.localizedDescription)")
                throw CLIExit.badInput
            }
        }
        if json {
            let report = Report(profile: profile, rows: result.rows.enumerated().map { i, r in
                Report.Row(line: r.measurement.line, model: r.measurement.model, nodeTemplate: r.measurement.nodeTemplate,
                           placement: r.measurement.placementText, measured: r.measurement.stepSeconds,
                           initialPredicted: result.initialRows[i].predicted, predicted: r.predicted, error: r.error,
                           heldOutPredicted: result.heldOut.first { $0.model == r.measurement.model }?.rows
                               .first { $0.measurement.line == r.measurement.line && $0.measurement == r.measurement }?.predicted)
            })
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            print(String(decoding: try encoder.encode(report), as: UTF8.self))
        } else {
            print(Self.text(result))
        }
    }

    /// The text of the `kind` file at `path` (a measurement file unless said otherwise); a device, FIFO or unreadable
    /// file is a bad-input error that says what was `expected` there.
    static func readText(
        _ path: String, kind: String = "measurement file", expected: String = "a UTF-8 CSV"
    ) throws(InputError) -> String {
        // A device or pipe would be read forever: only regular files are read.
        if let type = (try? FileManager.default.attributesOfItem(atPath: path))?[.type] as? FileAttributeType, type != .typeRegular {
            throw InputError(file: path, message: "cannot read the \(kind) (not a regular file); expected \(expected)")
        }
        do { return try String(contentsOfFile: path, encoding: .utf8) } catch {
            throw InputError(file: path, message: "cannot read the \(kind) (\(error.localizedDescription)); expected \(expected)")
        }
    }

    /// The JSON report: the profile and every row.
    struct Report: Codable {
        struct Row: Codable {
            var line: Int
            var model: String
            var nodeTemplate: String
            var placement: String
            var measured: Double
            var initialPredicted: Double
            var predicted: Double
            var error: Double
            var heldOutPredicted: Double?
        }
        var profile: FabricProfile
        var rows: [Row]
    }

    /// Why a fit of `iterations` iterations stopped, in words: GSL's convergence test (`convergence`), or the limit.
    static func stopReason(iterations: Int, convergence: Int) -> String {
        switch convergence {
        case 1: return "converged: small step"
        case 2: return "converged: small gradient"
        default:
            if iterations == 0 { return "nothing to fit" }
            return iterations >= FabricFit.maxIterations ? "stopped at the \(FabricFit.maxIterations)-iteration limit" : "stopped: no further progress"
        }
    }

    /// Whether a fitted value sits at an end of its range (for latencies, the fit's smallest, 1 ns), where its
    /// coordinate's gradient vanishes and no standard error is meaningful.
    static func atBound(_ e: FabricFit.Estimate) -> Bool {
        let r = e.parameter.range
        let low = e.parameter.isLatency ? FabricParameter.smallestFittedLatency : r.lowerBound
        return e.value <= low * (1 + 1e-3) || e.value >= r.upperBound * (1 - 1e-3)
    }

    /// The text report.
    static func text(_ r: FabricFit.Result) -> String {
        func pct(_ x: Double) -> String { String(format: "%+.1f%%", x * 100) }
        func apct(_ x: Double) -> String { String(format: "%.1f%%", x * 100) }
        func ms(_ s: Double) -> String { String(format: "%.1f", s * 1000) }
        var rows = TextTable(header: ["line", "model", "template", "placement", "measured ms", "default ms", "error",
                                      "fitted ms", "error", "held-out ms", "error"],
                             rightAligned: [0, 4, 5, 6, 7, 8, 9, 10])
        for (i, row) in r.rows.enumerated() {
            let m = row.measurement
            let held = r.heldOut.first { $0.model == m.model }?.rows.first { $0.measurement == m }
            rows.rows.append([
                "\(m.line)", m.model, m.nodeTemplate + (m.gpuType.map { "/\($0)" } ?? ""), m.placementText, ms(m.stepSeconds),
                ms(r.initialRows[i].predicted), pct(r.initialRows[i].error), ms(row.predicted), pct(row.error),
                held.map { ms($0.predicted) } ?? "-", held.map { pct($0.error) } ?? "-",
            ])
        }
        var params = TextTable(header: ["parameter", "initial", "fitted", "std. error", ""], rightAligned: [1, 2, 3])
        for e in r.parameters {
            func v(_ x: Double) -> String {
                e.parameter.isRate ? String(format: "%.4f GB/s", x / 1e9)
                    : e.parameter.isLatency ? String(format: "%.2f µs", x * 1e6) : String(format: "%.4f", x)
            }
            params.rows.append([
                e.parameter.name, v(e.initial), v(e.value), e.standardError.map(v) ?? "-",
                !e.fitted ? "held (no row depends on it)" : Self.atBound(e) ? "at the end of its range: the rows push it further" : "",
            ])
        }
        let initialErrors = r.initialRows.map { abs($0.error) }
        var lines = [rows.render(), "", params.render(), ""]
        lines.append("default model: median |error| \(apct(FabricFit.median(initialErrors))), max \(apct(initialErrors.max() ?? 0))")
        lines.append("fitted:        median |error| \(apct(r.medianAbsoluteError)), max \(apct(r.maxAbsoluteError))"
            + " (\(r.rows.count) rows, \(r.parameters.filter(\.fitted).count) parameters, \(r.iterations) iterations, \(Self.stopReason(iterations: r.iterations, convergence: r.convergence)))")
        if let med = r.crossValidatedMedianAbsoluteError, let max = r.crossValidatedMaxAbsoluteError {
            lines.append("leave-one-model-out: median |error| \(apct(med)), max \(apct(max))")
        } else {
            let why = r.heldOut.isEmpty ? (Set(r.rows.map(\.measurement.model)).count < 2 ? "fewer than two models" : "not requested")
                : "no model could be held out"
            lines.append("leave-one-model-out: not available (\(why))")
        }
        for h in r.heldOut {
            if let note = h.note {
                lines.append("  \(h.model) not validated: \(note)")
            } else {
                lines.append("  without \(h.model): \(h.iterations) iterations, \(Self.stopReason(iterations: h.iterations, convergence: h.convergence))")
            }
        }
        return lines.joined(separator: "\n")
    }
}
