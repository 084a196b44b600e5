import ArgumentParser
import CUDABackend
import Foundation
import Models
import Network
import Performance
import Workload

/// `schedlab fidelity`: every measurement row against the default (unfitted) model's prediction, with error summaries.
struct FidelityCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fidelity",
        abstract: "Print every measurement row, the default model's predicted step time and its error, with median and max |error| per model, per file and overall.",
        discussion: """
            Reads Measurement CSV files (README, "Measurement CSV"); with no file, every Scenarios/measurements/*.csv \
            under the current directory, in name order. The prediction is 'schedlab steptime''s uncontended path with \
            the catalog's templates. --markdown prints the summary and the full table as Markdown; --write PATH \
            writes that Markdown to a file (the README's fidelity section is generated this way). --misses prints \
            only the rows worse than 35%, grouped by model, the part of the step each misses most (compute, i.e. step \
            minus sync, or the exposed communication, sync), node count and GPUs on the busiest node. --max-median FRACTION \
            exits 1 when the overall median |error| exceeds it. --overlap ddp-buckets combines compute and \
            communication by DDP's gradient-bucket queue instead of Pollux's exponent (README, "Network model \
            fidelity"); --fabric-profile PATH predicts under a profile written by 'schedlab fit -o' (with the overlap \
            it was fitted under). With no file, the --write report also has the rows of \
            Scenarios/measurements/compute/*.csv (single-GPU steps on GPUs other than the zoo's measured ones, which \
            check the cross-GPU compute rule and no network) and the `schedlab hw` records of --hardware-records \
            (default Results/validation); --hardware prints only those records' tables. Exit status: 0, 1 (over \
            --max-median), 2 (bad input).
            """
    )

    @Argument(help: "Measurement CSV file(s) (default: Scenarios/measurements/*.csv).")
    var files: [String] = []

    @Flag(help: "Print Markdown tables instead of text.")
    var markdown = false

    @Flag(help: "Print only the summaries.")
    var summaryOnly = false

    @Flag(help: "Print only the rows worse than 35%, grouped by model, the part of the step they miss most (compute or exposed communication), node count and GPUs on the busiest node (Markdown).")
    var misses = false

    @Flag(help: "Print only the median measured sync minus predicted exposed communication (ms), per model and replica count, over rows on three or more nodes (Markdown).")
    var syncShortfall = false

    @Flag(help: "Print only the tables of the `schedlab hw calibrate` / `hw validate` records in --hardware-records (Markdown).")
    var hardware = false

    @Option(help: "Directory of `schedlab hw` JSON records for the report's hardware section.")
    var hardwareRecords: String = "Results/validation"

    @Option(help: "Write the Markdown report (summary and every row) to this file.")
    var write: String?

    @Option(help: "Fail (exit 1) when the overall median |error| exceeds this fraction, e.g. 0.15.")
    var maxMedian: Double?

    @Option(help: "How compute and communication combine: exponent (Pollux's) or ddp-buckets (default: the fabric profile's, else exponent).")
    var overlap: OverlapKind?

    @Option(help: "Predict under this fabric profile (written by 'schedlab fit -o') instead of the catalog's templates.")
    var fabricProfile: String?

    /// The hardware section's tables; the records are read only for a report that shows them, so a bad record does
    /// not stop a run that prints rows alone.
    func hardwareMarkdown() throws -> String {
        let records: ValidationRecords
        do throws(ValidationRecords.Problem) { records = try ValidationRecords.read(directory: hardwareRecords) } catch {
            throw reportInputError(InputError(file: error.file, field: error.field, message: error.message))
        }
        return records.markdown(directory: hardwareRecords, packedFactor: Self.simulatorPackedFactor)
    }

    func run() throws {
        if hardware {
            print(try hardwareMarkdown())
            return
        }
        var paths = files
        if paths.isEmpty {
            paths = Self.csvFiles(in: Self.corpusDirectory)
            guard !paths.isEmpty else {
                throw reportInputError(InputError(file: Self.corpusDirectory, message: "expected Measurement CSV files (*.csv) there or as arguments, got none"))
            }
        }
        let rows = try Self.readRows(paths)
        var fabric = FabricSpec()
        var overlap = self.overlap ?? .exponent
        if let path = fabricProfile {
            (fabric, overlap) = try Self.profile(at: path, overlap: self.overlap)
        }
        let report: FidelityReport
        do throws(InputError) { report = try FidelityReport(rows: rows, fabric: fabric, overlap: overlap) } catch { throw reportInputError(error) }
        let title = fabricProfile.map { "Model under the fabric profile \($0)" } ?? "Default model (unfitted)"
        let needsReport = write != nil || (markdown && !summaryOnly && !misses && !syncShortfall)
        let md = !needsReport ? "" : "## \(title): |error| of the predicted step time\n\n" + report.summaryMarkdown
            + "\n\n## Rows worse than 35%: where they miss\n\n" + Self.missesPreamble + "\n\n" + report.missesMarkdown()
            + "\n\n## Exposed communication the model misses, by replicas\n\n" + Self.shortfallPreamble + "\n\n"
            + report.syncShortfallMarkdown()
            + "\n\n## Every row\n\n" + report.rowsMarkdown + "\n"
            + (files.isEmpty ? try Self.offAnchorSection(fabric: fabric, overlap: overlap) : "")
            + "\n## Hardware measurements (`schedlab hw`)\n\n" + (try hardwareMarkdown()) + "\n"
        if let write {
            let header = "<!-- Generated by `schedlab fidelity --write \(write)`; do not edit by hand. -->\n\n# Network model fidelity report\n\n"
            do { try Data((header + md).utf8).write(to: URL(fileURLWithPath: write), options: .atomic) } catch {
                throw reportInputError(InputError(file: write, message: "cannot write the file (\(error.localizedDescription))"))
            }
        }
        if misses {
            print(report.missesMarkdown())
        } else if syncShortfall {
            print(report.syncShortfallMarkdown())
        } else if markdown {
            print(summaryOnly ? report.summaryMarkdown : md)
        } else if summaryOnly {
            print(report.text.components(separatedBy: "\n\n").last ?? "")
        } else {
            print(report.text)
        }
        if let maxMedian, report.overall.medianAbsError > maxMedian {
            printError(String(format: "error: overall median |error| %.1f%% exceeds %.1f%%", report.overall.medianAbsError * 100, maxMedian * 100))
            throw ExitCode(1)
        }
    }
}

extension FidelityCommand {
    /// The factor a default `GPUSharingModel` gives `model` packed with `with` (its table's, else its default factor);
    /// nil when either is not a zoo model.
    static func simulatorPackedFactor(_ model: String, _ with: String) -> Double? {
        guard let a = ModelZoo.index(named: model), let b = ModelZoo.index(named: with) else { return nil }
        return GPUSharingModel().packedFactor(a, with: b)
    }

    /// The network corpus read when no file is given.
    static let corpusDirectory = "Scenarios/measurements"
    /// Single-GPU rows on GPUs the zoo has no measurement for: they check the cross-GPU compute rule, not the network.
    static let offAnchorDirectory = "Scenarios/measurements/compute"

    /// The *.csv files of `directory` in name order (none when it does not exist).
    static func csvFiles(in directory: String) -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return names.filter { $0.hasSuffix(".csv") }.sorted().map { directory + "/" + $0 }
    }

    /// Every row of the Measurement CSV files at `paths`; a file without rows is bad input.
    static func readRows(_ paths: [String]) throws -> [StepMeasurement] {
        var rows: [StepMeasurement] = []
        for path in paths {
            let text: String
            do throws(InputError) { text = try FitCommand.readText(path) } catch { throw reportInputError(error) }
            let parsed: [StepMeasurement]
            do throws(InputError) { parsed = try MeasurementFile.parse(text, file: path) } catch { throw reportInputError(error) }
            // A file without rows would report a 0% median and pass any gate: bad input, as for `schedlab fit`.
            guard !parsed.isEmpty else {
                throw reportInputError(InputError(file: path, message: "the file has no measurement rows; expected at least one"))
            }
            rows += parsed
        }
        return rows
    }

    /// The report's section on `offAnchorDirectory`'s rows ("" when it has none).
    static func offAnchorSection(fabric: FabricSpec, overlap: OverlapKind) throws -> String {
        let paths = csvFiles(in: offAnchorDirectory)
        guard !paths.isEmpty else { return "" }
        let rows = try readRows(paths)
        let report: FidelityReport
        do throws(InputError) { report = try FidelityReport(rows: rows, fabric: fabric, overlap: overlap) } catch {
            throw reportInputError(error)
        }
        return "\n## Off the zoo's measured GPUs: the cross-GPU compute rule (`\(offAnchorDirectory)`)\n\n" + offAnchorPreamble
            + "\n\n" + report.summaryMarkdown + "\n\n" + report.sourcedRowsMarkdown + "\n"
    }

    /// What the off-anchor rows are, printed above them in the Markdown report.
    static let offAnchorPreamble = """
        One GPU per row, so no network: each row checks how a zoo model's compute time, measured on another GPU type, \
        is carried to this one (`ZooModel.computeSeconds(on:)`: by the ratio of dense FP16 peaks). These rows are not in \
        the network corpus above, whose rows are all on the zoo's measured GPU. The precision of each row is in its \
        `source` (the CSV files); the simulator has no precision.
        """

    /// What the miss table's columns mean, printed above it in the Markdown report.
    static let missesPreamble = """
        Each row's step error split into the part outside synchronisation (predicted compute − (measured step − \
        sync_s)) and the exposed communication (predicted exposed − sync_s), both over the measured step; they add up \
        to the error. Rows are grouped by model, the part that contributes more, node count and GPUs on the busiest \
        node; medians per group.
        """

    /// What the shortfall table's cells are, printed above it in the Markdown report.
    static let shortfallPreamble = """
        Median of measured sync_s − predicted exposed communication, in milliseconds, over the rows on three or more \
        nodes, per model (rows) and replica count (columns; blank where the corpus has no such row).
        """

    /// The fabric of the profile at `path` and the overlap to predict with: `overlap` when given (it must be the one
    /// the profile was fitted under), else the profile's.
    static func profile(at path: String, overlap: OverlapKind?) throws -> (FabricSpec, OverlapKind) {
        let expected = "the JSON written by `schedlab fit -o`"
        let text: String
        do throws(InputError) { text = try FitCommand.readText(path, kind: "fabric profile", expected: expected) } catch {
            throw reportInputError(error)
        }
        let profile: FabricProfile
        do { profile = try FabricProfile.decode(Data(text.utf8)) } catch {
            throw reportInputError(InputError(file: path, message: "cannot read the fabric profile (\(error)); expected \(expected)"))
        }
        let fitted: OverlapKind
        do throws(FabricProfile.Problem) { fitted = try profile.fittedOverlap() } catch {
            throw reportInputError(InputError(file: path, field: error.field, message: error.message))
        }
        if let overlap, overlap != fitted {
            throw reportInputError(InputError(
                file: path, field: "overlap",
                message: "the profile was fitted with overlap '\(fitted.rawValue)', --overlap asks for '\(overlap.rawValue)'; expected the same"))
        }
        do throws(FabricProfile.Problem) {
            return (try profile.applied(to: FabricSpec()), fitted)
        } catch {
            throw reportInputError(InputError(file: path, field: error.field, message: error.message))
        }
    }
}

extension OverlapKind: ExpressibleByArgument {}
