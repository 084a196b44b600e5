import CGSL
import ClusterModel
import Network
import Workload

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Fits a fabric's free parameters (`FabricParameter`) to measured step times by nonlinear least squares.
///
/// Residuals are relative errors, predicted / measured − 1, of the uncontended single-job prediction
/// (`MeasurementPrediction`), so fast and slow models weigh alike. The minimiser is GSL's trust-region
/// `gsl_multifit_nlinear` (Levenberg–Marquardt steps, finite-difference Jacobian: the prediction is a min over links
/// and has no closed-form derivative) over each parameter's unbounded coordinate (`FabricParameter.coordinate`),
/// so every iterate is a valid fabric. Standard errors come from `gsl_multifit_nlinear_covar` (J^T J)^-1 scaled by
/// the residual variance s² = Σ r² / (n − p), mapped to the parameter's own units by the delta method; with n = p
/// there is no residual degree of freedom and no standard error.
///
/// Parameters no row depends on (a spine with one rack, a template no row uses) are held, not fitted: their
/// Jacobian column would be zero. More free parameters than rows is an error (`Failure.tooFewRows`).
public enum FabricFit {
    /// Most trust-region iterations of one fit; a fit that reaches it reports `convergence` 0 and keeps its best point.
    public static let maxIterations = 500

    /// One parameter's starting value, estimate and uncertainty.
    public struct Estimate: Sendable, Equatable {
        /// Which parameter.
        public var parameter: FabricParameter
        /// The value before the fit.
        public var initial: Double
        /// The fitted (or held) value.
        public var value: Double
        /// Standard error in the value's units (nil when held or without residual degrees of freedom).
        public var standardError: Double?
        /// Whether the fit estimated it.
        public var fitted: Bool
    }

    /// One row's measured and predicted step.
    public struct RowResult: Sendable, Equatable {
        /// The measurement.
        public var measurement: StepMeasurement
        /// The predicted seconds per iteration.
        public var predicted: Double
        /// predicted / measured − 1.
        public var error: Double { predicted / measurement.stepSeconds - 1 }
    }

    /// Leave-one-model-out validation of one model: its rows predicted by a fit to every other model's rows.
    public struct HeldOutModel: Sendable, Equatable {
        /// The zoo model left out.
        public var model: String
        /// Its rows' predictions from the fit without it (empty when that fit was impossible: see `note`).
        public var rows: [RowResult]
        /// Why the model could not be validated, if it could not.
        public var note: String?
        /// Trust-region iterations of the fit without it (0 when that fit was impossible).
        public var iterations = 0
        /// Why the fit without it stopped, as `Result.convergence` (0 when that fit was impossible).
        public var convergence = 0
    }

    /// What a fit found.
    public struct Result: Sendable {
        /// The starting fabric with the fitted values set.
        public var fabric: FabricSpec
        /// Every candidate parameter, fitted or held, in `FabricParameter` order.
        public var parameters: [Estimate]
        /// Every row at the fitted fabric, in input order.
        public var rows: [RowResult]
        /// Every row at the starting fabric, in input order.
        public var initialRows: [RowResult]
        /// Trust-region iterations taken.
        public var iterations: Int
        /// Why the iteration stopped (GSL's convergence test: 1 small step, 2 small gradient; 0 when nothing was fitted,
        /// at `maxIterations`, or when no step could reduce the residuals).
        public var convergence: Int
        /// Leave-one-model-out validation, by model name (empty with one model, or when not requested).
        public var heldOut: [HeldOutModel]

        /// Median |error| over the fitted rows.
        public var medianAbsoluteError: Double { FabricFit.median(rows.map { abs($0.error) }) }
        /// Largest |error| over the fitted rows.
        public var maxAbsoluteError: Double { rows.map { abs($0.error) }.max() ?? 0 }
        /// Every held-out prediction's |error|.
        public var crossValidatedErrors: [Double] { heldOut.flatMap { $0.rows.map { abs($0.error) } } }
        /// Median held-out |error| (nil without any held-out prediction).
        public var crossValidatedMedianAbsoluteError: Double? { crossValidatedErrors.isEmpty ? nil : FabricFit.median(crossValidatedErrors) }
        /// Largest held-out |error|.
        public var crossValidatedMaxAbsoluteError: Double? { crossValidatedErrors.max() }

        /// The fabric profile a scenario can reference (`network.fabric_profile`): the fitted parameters only, so a
        /// held one never replaces a scenario's own value with the fit's starting point. `overlap`: the overlap the fit
        /// used, recorded unless it is the default exponent (so profiles fitted under it stay as they were).
        public func profile(measurements: String, overlap: OverlapKind = .exponent) -> FabricProfile {
            FabricProfile(
                measurements: measurements, rows: rows.count,
                parameters: parameters.filter(\.fitted).map { .init(name: $0.parameter.name, value: $0.value, standardError: $0.standardError, fitted: $0.fitted) },
                medianAbsoluteError: medianAbsoluteError, maxAbsoluteError: maxAbsoluteError,
                crossValidatedMedianAbsoluteError: crossValidatedMedianAbsoluteError,
                crossValidatedMaxAbsoluteError: crossValidatedMaxAbsoluteError,
                overlap: overlap == .exponent ? nil : overlap.rawValue)
        }
    }

    /// Why a fit could not run.
    public enum Failure: Error, Equatable, Sendable, CustomStringConvertible {
        /// Fewer rows than free parameters: the least-squares problem has no unique solution.
        case tooFewRows(rows: Int, free: [FabricParameter])
        /// GSL reported an error.
        case solver(String)
        /// A row the predictor cannot build (unknown names or a placement its template cannot hold).
        case badRow(InputError)
        /// No rows at all.
        case noRows

        /// The problem in words, for error messages.
        public var description: String {
            switch self {
            case .tooFewRows(let n, let free):
                "\(n) row\(n == 1 ? "" : "s") cannot determine \(free.count) free parameters (\(free.map(\.name).joined(separator: ", "))); "
                    + "expected at least as many rows as parameters: add measurements or choose fewer with --parameters"
            case .solver(let m): "the least-squares solver failed: \(m)"
            case .badRow(let e): e.description
            case .noRows: "no measurement rows; expected at least one"
            }
        }
    }

    /// The parameters a fit to `rows` considers by default: the spec-wide efficiencies and spine latency, and the
    /// intra-node and NIC latency (and TCP stream cap and node-pair cap, where it has them) of each template the rows
    /// use (those no row depends on are then held).
    public static func defaultParameters(for rows: [StepMeasurement]) -> [FabricParameter] {
        var out: [FabricParameter] = [.intraNodeEfficiency, .nicEfficiency, .spineEfficiency, .spineLatency]
        for t in Set(rows.map(\.nodeTemplate)).sorted() {
            out += [.intraNodeLatency(template: t), .nicLatency(template: t)]
            // A stream cap is a parameter only where the template has one (an uncapped RDMA fabric has none to fit).
            if NodeTemplateCatalog.named(t)?.tcpStreamBytesPerSecond != nil { out.append(.tcpStreamCap(template: t)) }
            // Likewise a node-pair cap (only templates whose node pairs share one limit).
            if NodeTemplateCatalog.named(t)?.nodePairBytesPerSecond != nil { out.append(.nodePairCap(template: t)) }
        }
        return out
    }

    /// The default relative step tolerance of a fit (`fit(stepTolerance:)`): the GSL reference manual's examples use 1e-8.
    public static let defaultStepTolerance = 1e-8

    /// One of the solves a `fit` makes, announced to its `progress` callback before it starts.
    public struct Stage: Sendable, Equatable {
        /// 1 for the fit of every row, then one per model held out.
        public var number: Int
        /// Solves in all (1 without cross-validation).
        public var count: Int
        /// The model this solve leaves out (nil: every row).
        public var heldOut: String?
        /// Rows this solve fits.
        public var rows: Int

        /// A stage: solve `number` of `count`, leaving out `heldOut` (nil: none), over `rows` rows.
        public init(number: Int, count: Int, heldOut: String?, rows: Int) {
            (self.number, self.count, self.heldOut, self.rows) = (number, count, heldOut, rows)
        }
    }

    /// Fits `parameters` (default: `defaultParameters(for:)`) starting from `base`; with `crossValidate`, also refits
    /// without each model in turn and predicts its rows. Predictions combine compute and communication by `overlap`.
    /// A fit ends when a step moves every coordinate by less than `stepTolerance` (relative; in (0, 1e-2]), when the
    /// gradient vanishes, or after `maxIterations`. `progress` hears of each solve before it starts (a fit of the
    /// whole public corpus with cross-validation takes minutes).
    public static func fit(
        _ rows: [StepMeasurement], base: FabricSpec = FabricSpec(), parameters: [FabricParameter]? = nil, crossValidate: Bool = true,
        overlap: OverlapKind = .exponent, stepTolerance: Double = defaultStepTolerance, progress: ((Stage) -> Void)? = nil
    ) throws(Failure) -> Result {
        precondition(stepTolerance > 0 && stepTolerance <= 1e-2, "a fit's step tolerance must be in (0, 1e-2], got \(stepTolerance)")
        guard !rows.isEmpty else { throw .noRows }
        for row in rows {
            do throws(InputError) { _ = try MeasurementPrediction.predict(row, fabric: base, overlap: overlap) } catch { throw .badRow(error) }
        }
        let candidates = Array(Set(parameters ?? defaultParameters(for: rows))).sorted()
        let models = Set(rows.map(\.model)).sorted()
        let solves = crossValidate && models.count > 1 ? 1 + models.count : 1
        progress?(Stage(number: 1, count: solves, heldOut: nil, rows: rows.count))
        let core = try solve(rows, base: base, candidates: candidates, overlap: overlap, stepTolerance: stepTolerance)
        var heldOut: [HeldOutModel] = []
        if solves > 1 {
            for (k, m) in models.enumerated() {
                let training = rows.filter { $0.model != m }
                progress?(Stage(number: k + 2, count: solves, heldOut: m, rows: training.count))
                do throws(Failure) {
                    let fit = try solve(training, base: base, candidates: candidates, overlap: overlap, stepTolerance: stepTolerance)
                    heldOut.append(HeldOutModel(
                        model: m, rows: predictions(rows.filter { $0.model == m }, fit.fabric, overlap: overlap), note: nil,
                        iterations: fit.iterations, convergence: fit.convergence))
                } catch {
                    heldOut.append(HeldOutModel(model: m, rows: [], note: error.description))
                }
            }
        }
        return Result(
            fabric: core.fabric, parameters: core.estimates, rows: predictions(rows, core.fabric, overlap: overlap),
            initialRows: predictions(rows, base, overlap: overlap), iterations: core.iterations, convergence: core.convergence, heldOut: heldOut)
    }

    /// The predicted seconds per iteration of `row` under `fabric` (`MeasurementPrediction.predict`); NaN for a row
    /// the predictor rejects (`fit` checks every row first, so it never sees one).
    public static func predictedSeconds(
        of row: StepMeasurement, fabric: FabricSpec = FabricSpec(), overlap: OverlapKind = .exponent
    ) -> Double {
        (try? MeasurementPrediction.predict(row, fabric: fabric, overlap: overlap))?.stepSeconds ?? .nan
    }

    /// Every row's prediction under `fabric`.
    public static func predictions(_ rows: [StepMeasurement], _ fabric: FabricSpec, overlap: OverlapKind = .exponent) -> [RowResult] {
        rows.map { RowResult(measurement: $0, predicted: FabricFit.predictedSeconds(of: $0, fabric: fabric, overlap: overlap)) }
    }

    /// The median of `values` (mean of the middle two for an even count; 0 when empty).
    public static func median(_ values: [Double]) -> Double {
        let s = values.sorted()
        guard !s.isEmpty else { return 0 }
        return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
    }

    // MARK: - The least-squares core

    /// What the callbacks need: the rows, the starting fabric and the free parameters.
    private final class Problem {
        let rows: [StepMeasurement]
        let base: FabricSpec
        let free: [FabricParameter]
        let overlap: OverlapKind
        init(rows: [StepMeasurement], base: FabricSpec, free: [FabricParameter], overlap: OverlapKind) {
            self.rows = rows
            self.base = base
            self.free = free
            self.overlap = overlap
        }

        func fabric(at u: [Double]) -> FabricSpec {
            var s = base
            for (p, x) in zip(free, u) { p.set(p.value(atCoordinate: x), in: &s) }
            return s
        }

        func residuals(at u: [Double]) -> [Double] {
            let s = fabric(at: u)
            return rows.map { FabricFit.predictedSeconds(of: $0, fabric: s, overlap: overlap) / $0.stepSeconds - 1 }
        }
    }

    private static func solve(
        _ rows: [StepMeasurement], base: FabricSpec, candidates: [FabricParameter], overlap: OverlapKind, stepTolerance: Double
    ) throws(Failure) -> (fabric: FabricSpec, estimates: [Estimate], iterations: Int, convergence: Int) {
        // A parameter is free when moving its coordinate moves some row's prediction: a zero Jacobian column would
        // make J^T J singular and its estimate arbitrary.
        let everything = Problem(rows: rows, base: base, free: candidates, overlap: overlap)
        let u0 = candidates.map { $0.coordinate(of: $0.value(in: base)) }
        let r0 = everything.residuals(at: u0)
        var free: [FabricParameter] = []
        for (i, _) in candidates.enumerated() {
            var u = u0
            u[i] += u0[i] >= 0 ? -0.1 : 0.1  // a step that stays away from a clamped end of the range
            let r = everything.residuals(at: u)
            if zip(r, r0).contains(where: { abs($0 - $1) > 1e-9 }) { free.append(candidates[i]) }
        }
        func held(_ p: FabricParameter) -> Estimate {
            let v = p.value(in: base)
            return Estimate(parameter: p, initial: v, value: v, standardError: nil, fitted: false)
        }
        guard !free.isEmpty else { return (base, candidates.map(held), 0, 0) }
        guard free.count <= rows.count else { throw .tooFewRows(rows: rows.count, free: free) }

        let problem = Problem(rows: rows, base: base, free: free, overlap: overlap)
        let n = rows.count, p = free.count
        schedlab_gsl_disable_abort()
        var params = gsl_multifit_nlinear_default_parameters()
        guard let w = gsl_multifit_nlinear_alloc(schedlab_gsl_nlinear_trust(), &params, n, p) else {
            throw .solver("cannot allocate a workspace for \(n) rows and \(p) parameters")
        }
        defer { gsl_multifit_nlinear_free(w) }
        let x0 = gsl_vector_alloc(p)!
        defer { gsl_vector_free(x0) }
        for (i, q) in free.enumerated() { gsl_vector_set(x0, i, q.coordinate(of: q.value(in: base))) }
        let residual: @convention(c) (UnsafePointer<gsl_vector>?, UnsafeMutableRawPointer?, UnsafeMutablePointer<gsl_vector>?) -> Int32 = { x, context, f in
            let problem = Unmanaged<Problem>.fromOpaque(context!).takeUnretainedValue()
            let u = (0..<problem.free.count).map { gsl_vector_get(x, $0) }
            let r = problem.residuals(at: u)
            // A non-finite prediction (a coordinate far out) is a domain error: GSL shrinks the trust region.
            guard r.allSatisfy(\.isFinite) else { return Int32(GSL_EDOM) }
            for (i, v) in r.enumerated() { gsl_vector_set(f, i, v) }
            return Int32(GSL_SUCCESS)
        }
        var fdf = gsl_multifit_nlinear_fdf()
        fdf.f = residual
        fdf.df = nil  // finite differences
        fdf.fvv = nil
        fdf.n = n
        fdf.p = p
        let unmanaged = Unmanaged.passRetained(problem)
        defer { unmanaged.release() }
        fdf.params = unmanaged.toOpaque()
        var status = gsl_multifit_nlinear_init(x0, &fdf, w)
        guard status == GSL_SUCCESS else { throw .solver(String(cString: gsl_strerror(status))) }
        var info: Int32 = 0
        // Tolerances: relative step `stepTolerance` (default 1e-8, as in the GSL reference manual's nonlinear least-squares
        // examples), gradient 1e-10. The step test is what ends a fit to real measurements: the Jacobian is a finite difference of a
        // prediction with a min over links in it, so near the optimum the steps shrink without the gradient vanishing.
        // With 1e-10 for the step, the fit of the whole public corpus crept on by parts in 10⁹ until the 500-iteration
        // limit (147 s); with 1e-8 it stops at iteration 37 (14 s) with the same values to four digits. The gradient
        // test stays strict so that noise-free data still give their parameters back to a part in 10⁴ (FabricFitTests).
        status = gsl_multifit_nlinear_driver(maxIterations, stepTolerance, 1e-10, 0, nil, nil, &info, w)
        // GSL_EMAXITER or GSL_ENOPROG still leave the best point found; anything else is a failure.
        guard status == GSL_SUCCESS || status == GSL_EMAXITER || status == GSL_ENOPROG else {
            throw .solver(String(cString: gsl_strerror(status)))
        }
        let x = gsl_multifit_nlinear_position(w)!
        let u = (0..<p).map { gsl_vector_get(x, $0) }
        let f = gsl_multifit_nlinear_residual(w)!
        let chi2 = (0..<n).reduce(0.0) { $0 + pow(gsl_vector_get(f, $1), 2) }
        let covariance = gsl_matrix_alloc(p, p)!
        defer { gsl_matrix_free(covariance) }
        gsl_multifit_nlinear_covar(gsl_multifit_nlinear_jac(w), 0.0, covariance)
        let s2: Double? = n > p ? chi2 / Double(n - p) : nil
        var estimates: [Estimate] = []
        for q in candidates {
            guard let i = free.firstIndex(of: q) else {
                estimates.append(held(q))
                continue
            }
            let v = gsl_matrix_get(covariance, i, i)
            let se = s2.flatMap { s2 in v > 0 && v.isFinite ? (s2 * v).squareRoot() * q.derivative(atCoordinate: u[i]) : nil }
            estimates.append(Estimate(parameter: q, initial: q.value(in: base), value: q.value(atCoordinate: u[i]), standardError: se, fitted: true))
        }
        return (problem.fabric(at: u), estimates, Int(gsl_multifit_nlinear_niter(w)), Int(info))
    }
}
