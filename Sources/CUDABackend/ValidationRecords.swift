import ClusterModel
import Foundation

/// The measurement records of `schedlab hw calibrate` and `hw validate` kept in one directory (Results/validation/),
/// read back for the fidelity report.
///
/// Files are taken in name order (their names end in the UTC time of the run, so that is also run order within a
/// GPU): `profile-*.json` are `HardwareProfile`s, `validate-*.json` are `ValidationReport`s, `packing-*.json` are
/// `PackingRecord`s (from `.ci/hw-packing.py`); other files are ignored.
/// Every record is checked before it is reported: a timing that is not a positive finite number, a relative error
/// that does not follow from its own measured and predicted times, or an unknown schema is an error naming the file
/// and the field, because a report built on a hand-edited or truncated record would mislead.
public struct ValidationRecords: Sendable, Equatable {
    /// One calibration, with the file it came from (relative to the directory).
    public struct Profile: Sendable, Equatable {
        /// File name inside the directory.
        public var file: String
        /// The calibration.
        public var profile: HardwareProfile
    }

    /// One validation, with the file it came from.
    public struct Validation: Sendable, Equatable {
        /// File name inside the directory.
        public var file: String
        /// The validation.
        public var report: ValidationReport
    }

    /// One packing measurement, with the file it came from.
    public struct Packing: Sendable, Equatable {
        /// File name inside the directory.
        public var file: String
        /// The measurement.
        public var record: PackingRecord
    }

    /// A record that cannot be used, with the file and field at fault.
    public struct Problem: Error, Sendable, Equatable, CustomStringConvertible {
        /// The file, as given (directory and name).
        public var file: String
        /// The JSON field path at fault, when one is.
        public var field: String?
        /// What is wrong and what was expected.
        public var message: String

        /// "file: field: message".
        public var description: String { [file, field, message].compactMap { $0 }.joined(separator: ": ") }
    }

    /// Calibrations in file-name order.
    public var profiles: [Profile]
    /// Validations in file-name order.
    public var validations: [Validation]
    /// Packing measurements in file-name order.
    public var packings: [Packing]

    /// Records built in code.
    public init(profiles: [Profile], validations: [Validation], packings: [Packing] = []) {
        self.profiles = profiles
        self.validations = validations
        self.packings = packings
    }

    /// True when the directory held no record.
    public var isEmpty: Bool { profiles.isEmpty && validations.isEmpty && packings.isEmpty }

    /// Reads every record in `directory`; a directory that does not exist holds none.
    public static func read(directory: String) throws(Problem) -> ValidationRecords {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory) else {
            return ValidationRecords(profiles: [], validations: [])
        }
        guard isDirectory.boolValue else {
            throw Problem(file: directory, message: "expected a directory of `schedlab hw` JSON records, got a file")
        }
        let names: [String]
        do { names = try FileManager.default.contentsOfDirectory(atPath: directory).sorted() } catch {
            throw Problem(file: directory, message: "cannot list the directory (\(error.localizedDescription))")
        }
        var records = ValidationRecords(profiles: [], validations: [])
        for name in names where name.hasSuffix(".json") {
            let path = (directory as NSString).appendingPathComponent(name)
            if name.hasPrefix("profile-") {
                records.profiles.append(Profile(file: name, profile: try decode(HardwareProfile.self, at: path)))
                try check(records.profiles[records.profiles.count - 1].profile, file: path)
            } else if name.hasPrefix("validate-") {
                records.validations.append(Validation(file: name, report: try decode(ValidationReport.self, at: path)))
                try check(records.validations[records.validations.count - 1].report, file: path)
            } else if name.hasPrefix("packing-") {
                records.packings.append(Packing(file: name, record: try decode(PackingRecord.self, at: path)))
                try check(records.packings[records.packings.count - 1].record, file: path)
            }
        }
        return records
    }

    /// Largest record read; the records `schedlab hw` writes are a few kilobytes.
    static let maxRecordBytes = 16 << 20

    static func decode<T: Decodable>(_ type: T.Type, at path: String) throws(Problem) -> T {
        // A FIFO or device named like a record would block the read or never end: refuse it from its type first.
        let attributes = try? FileManager.default.attributesOfItem(atPath: path)
        guard let attributes, attributes[.type] as? FileAttributeType == .typeRegular else {
            throw Problem(file: path, message: "not a regular file; expected the JSON `schedlab hw` writes")
        }
        if let size = attributes[.size] as? Int, size > maxRecordBytes {
            throw Problem(file: path, message: "\(size) bytes; expected a record of at most \(maxRecordBytes) bytes")
        }
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw Problem(file: path, message: "cannot read the file (\(error.localizedDescription))")
        }
        do { return try JSONDecoder().decode(T.self, from: data) } catch let DecodingError.keyNotFound(key, context) {
            throw Problem(file: path, field: fieldPath(context.codingPath + [key]), message: "missing; expected the JSON `schedlab hw` writes")
        } catch let DecodingError.typeMismatch(_, context), let DecodingError.valueNotFound(_, context) {
            throw Problem(file: path, field: fieldPath(context.codingPath), message: "wrong type (\(context.debugDescription))")
        } catch let DecodingError.dataCorrupted(context) {
            throw Problem(file: path, field: context.codingPath.isEmpty ? nil : fieldPath(context.codingPath),
                          message: "not valid JSON (\(context.debugDescription))")
        } catch {
            throw Problem(file: path, message: "cannot decode (\(error))")
        }
    }

    static func fieldPath(_ keys: [any CodingKey]) -> String {
        keys.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined().trimmingCharacters(in: CharacterSet(charactersIn: "."))
    }

    static func positive(_ value: Double, _ field: String, _ file: String) throws(Problem) {
        guard value.isFinite, value > 0 else {
            throw Problem(file: file, field: field, message: "expected a positive finite number, got \(value)")
        }
    }

    static func check(_ p: HardwareProfile, file: String) throws(Problem) {
        guard p.schema == HardwareProfile.currentSchema else {
            throw Problem(file: file, field: "schema", message: "expected \(HardwareProfile.currentSchema), got \(p.schema)")
        }
        for (i, g) in p.gemm.enumerated() {
            guard g.size > 0 else { throw Problem(file: file, field: "gemm[\(i)].size", message: "expected a positive size, got \(g.size)") }
            try positive(g.seconds, "gemm[\(i)].seconds", file)
            try positive(g.tflops, "gemm[\(i)].tflops", file)
        }
        for (name, list) in [("deviceMemory", p.deviceMemory), ("hostToDevice", p.hostToDevice), ("deviceToHost", p.deviceToHost), ("peerToPeer", p.peerToPeer)] {
            for (i, b) in list.enumerated() {
                guard b.bytes > 0 else { throw Problem(file: file, field: "\(name)[\(i)].bytes", message: "expected a positive byte count, got \(b.bytes)") }
                try positive(b.seconds, "\(name)[\(i)].seconds", file)
                try positive(b.gbps, "\(name)[\(i)].gbps", file)
            }
        }
    }

    static func check(_ r: PackingRecord, file: String) throws(Problem) {
        guard r.schema == PackingRecord.currentSchema else {
            throw Problem(file: file, field: "schema", message: "expected \(PackingRecord.currentSchema), got \(r.schema)")
        }
        try positive(r.secondsPerRun, "secondsPerRun", file)
        var alone: [String: Double] = [:]
        for (i, s) in r.solo.enumerated() {
            guard !s.model.isEmpty, alone[s.model] == nil else {
                throw Problem(file: file, field: "solo[\(i)].model", message: "expected a model named once, got '\(s.model)'")
            }
            guard s.batch > 0 else { throw Problem(file: file, field: "solo[\(i)].batch", message: "expected a positive batch, got \(s.batch)") }
            try positive(s.stepsPerSecond, "solo[\(i)].stepsPerSecond", file)
            alone[s.model] = s.stepsPerSecond
        }
        for (i, p) in r.pairs.enumerated() {
            for (field, model) in [("model", p.model), ("with", p.with)] where alone[model] == nil {
                throw Problem(file: file, field: "pairs[\(i)].\(field)", message: "expected a model measured alone (in solo), got '\(model)'")
            }
            try positive(p.stepsPerSecond, "pairs[\(i)].stepsPerSecond", file)
            // The factor must be the one the stored rates give, so the report can quote either.
            let factor = p.stepsPerSecond / alone[p.model]!
            guard abs(factor - p.factor) <= 1e-9 * factor else {
                throw Problem(file: file, field: "pairs[\(i)].factor", message: "expected stepsPerSecond / the model's solo rate = \(factor), got \(p.factor)")
            }
        }
    }

    static func check(_ r: ValidationReport, file: String) throws(Problem) {
        guard r.schema == ValidationReport.currentSchema else {
            throw Problem(file: file, field: "schema", message: "expected \(ValidationReport.currentSchema), got \(r.schema)")
        }
        try positive(r.iteration.measuredSeconds, "iteration.measuredSeconds", file)
        try positive(r.iteration.predictedSeconds, "iteration.predictedSeconds", file)
        try positive(r.timeSharing.soloSeconds, "timeSharing.soloSeconds", file)
        try positive(r.timeSharing.sharedSeconds, "timeSharing.sharedSeconds", file)
        try positive(r.timeSharing.modelSlowdown, "timeSharing.modelSlowdown", file)
        guard r.step.gemmCount > 0, r.step.gemmSize > 0, r.step.gpus > 0 else {
            throw Problem(file: file, field: "step", message: "expected positive gemmCount, gemmSize and gpus")
        }
        // The stored errors must be the ones the stored times give, so the report can quote either.
        let iterationError = (r.iteration.predictedSeconds - r.iteration.measuredSeconds) / r.iteration.measuredSeconds
        guard abs(iterationError - r.iteration.relativeError) <= 1e-9 * max(1, abs(iterationError)) else {
            throw Problem(file: file, field: "iteration.relativeError",
                          message: "expected (predicted − measured) / measured = \(iterationError), got \(r.iteration.relativeError)")
        }
        let slowdown = r.timeSharing.sharedSeconds / r.timeSharing.soloSeconds
        guard abs(slowdown - r.timeSharing.measuredSlowdown) <= 1e-9 * slowdown else {
            throw Problem(file: file, field: "timeSharing.measuredSlowdown",
                          message: "expected sharedSeconds / soloSeconds = \(slowdown), got \(r.timeSharing.measuredSlowdown)")
        }
    }
}
