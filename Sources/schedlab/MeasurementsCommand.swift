import ArgumentParser
import ClusterModel
import Foundation
import Performance
import Workload

/// `schedlab measurements`: build Measurement CSV files (README, "Measurement CSV") from published profiles.
struct MeasurementsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "measurements",
        abstract: "Convert published step-time profiles to the Measurement CSV that 'schedlab fidelity' and 'schedlab fit' read.",
        subcommands: [Import.self]
    )

    /// The input formats `measurements import` reads.
    enum Format: String, ExpressibleByArgument, CaseIterable {
        /// petuum/adaptdl simulator/traces/<app>/placements.csv.
        case polluxPlacements = "pollux-placements"
        /// petuum/adaptdl simulator/traces/<app>/scalability.csv (6-16 nodes; even splits only).
        case polluxScalability = "pollux-scalability"
    }

    /// `schedlab measurements import`: convert profile files to one Measurement CSV.
    struct Import: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "import",
            abstract: "Convert profile files to one Measurement CSV.",
            discussion: """
                pollux-placements: the Pollux artifact's simulator/traces/<app>/placements.csv (petuum/adaptdl, branch \
                osdi21-artifact); the zoo model is taken from the <app> directory name (bert, cifar10, deepspeech2, \
                imagenet, ncf, yolov3) unless --model is given. Every row is kept. pollux-scalability: the same directory's \
                scalability.csv (6-16 nodes, 6-64 GPUs; columns num_nodes,num_replicas,local_bsz,step_time,sync_time); \
                the file gives only the counts, so a row whose replicas divide evenly over its nodes is read as that \
                many GPUs on every node, and the other rows are skipped (counted on standard error). Exit status: 0 on \
                success, 2 on bad input.
                """
        )

        @Option(help: "Input format (pollux-placements, pollux-scalability).")
        var format: Format

        @Argument(help: "Input file(s), all in the given format.")
        var inputs: [String]

        @Option(help: "Node template the profiles were measured on (see 'schedlab info templates').")
        var nodeTemplate: String = "pollux-g4dn"

        @Option(help: "Zoo model of every input (default: from each input's directory name).")
        var model: String?

        @Option(name: [.short, .customLong("output")], help: "Measurement CSV to write (default: standard output).")
        var output: String?

        func validate() throws {
            guard !inputs.isEmpty else { throw ValidationError("give at least one input file") }
        }

        func run() throws {
            guard NodeTemplateCatalog.named(nodeTemplate) != nil else {
                throw reportInputError(InputError(file: "--node-template", message: "expected one of \(NodeTemplateCatalog.names.joined(separator: ", ")), got '\(nodeTemplate)'"))
            }
            var rows: [StepMeasurement] = []
            var skipped = 0
            for path in inputs {
                let url = URL(fileURLWithPath: path)
                let app = url.deletingLastPathComponent().lastPathComponent
                guard let zoo = model ?? PolluxPlacementsImport.model(forApp: app) else {
                    throw reportInputError(InputError(file: path, message:
                        "expected the file under a Pollux application directory (\(PolluxPlacementsImport.zooModel.map(\.app).joined(separator: ", "))) or --model, got directory '\(app)'"))
                }
                let text: String
                do { text = try String(contentsOf: url, encoding: .utf8) } catch {
                    throw reportInputError(InputError(file: path, message: "cannot read the file (\(error.localizedDescription))"))
                }
                let source = "petuum/adaptdl osdi21-artifact simulator/traces/\(app)/\(url.lastPathComponent)"
                do throws(InputError) {
                    switch format {
                    case .polluxPlacements:
                        rows += try PolluxPlacementsImport.convert(text, file: path, model: zoo, nodeTemplate: nodeTemplate, source: source)
                    case .polluxScalability:
                        let (kept, uneven) = try PolluxPlacementsImport.convertScalability(
                            text, file: path, model: zoo, nodeTemplate: nodeTemplate, source: source)
                        rows += kept
                        skipped += uneven
                    }
                } catch {
                    throw reportInputError(error)
                }
            }
            var text = "# Converted by: schedlab measurements import --format \(format.rawValue) (README, \"Measurement CSV\")\n"
            text += StepMeasurement.header + "\n"
            for r in rows { text += r.csvLine + "\n" }
            if let output {
                do { try Data(text.utf8).write(to: URL(fileURLWithPath: output), options: .atomic) } catch {
                    throw reportInputError(InputError(file: output, message: "cannot write the file (\(error.localizedDescription))"))
                }
            } else {
                FileHandle.standardOutput.write(Data(text.utf8))
            }
            printError("imported \(rows.count) rows from \(inputs.count) file(s)"
                + (skipped > 0 ? "; skipped \(skipped) whose replicas do not divide evenly over their nodes" : ""))
        }
    }
}
