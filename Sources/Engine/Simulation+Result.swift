import Models
import Scheduling

extension Simulation {
    /// The run's outputs: one outcome per job, the recorder's rows, and the summary metrics.
    func result() -> RunResult {
        let outcomes = jobs.indices.map(outcome)
        let unfinished = jobs.filter { $0.state != .finished }.map(\.id)
        return RunResult(
            jobs: outcomes, allocations: recorder.allocations, samples: recorder.samples,
            summary: RunMetrics.summary(
                jobs: outcomes, busyGPUSeconds: busyGPUSeconds, clusterGPUs: topology.gpuCount,
                failureEvents: failureEvents, downGPUSeconds: downGPUSeconds, sharedGPUSeconds: sharedGPUSeconds,
                trainingGPUSeconds: trainingGPUSeconds, goodputGPUSeconds: goodputGPUSeconds),
            eventsProcessed: eventsProcessed, simulatedEnd: clock.now, unfinishedJobs: unfinished, links: recorder.links)
    }

    /// Job `i`'s outcome as of now (final once the job has finished).
    func outcome(_ i: Int) -> JobOutcome {
        let j = jobs[i]
        // Iteration statistics average over the time the job made progress (holding time minus transitions).
        let progressSeconds = j.runSeconds - j.overheadSeconds
        let hasStats = j.spec.model != nil && progressSeconds > 0
        var o = JobOutcome(
            id: j.id, name: j.spec.name, submit: j.spec.submitTime, firstStart: j.firstStart, finish: j.finish,
            gpus: j.gpuCount, gpuType: firstGPUType[i], model: j.spec.model.map { ModelZoo.all[$0].name },
            runSeconds: j.runSeconds, preemptions: j.preemptions,
            meanIterationSeconds: hasStats ? stepIntegral[i] / progressSeconds : nil,
            communicationFraction: hasStats ? commIntegral[i] / progressSeconds : nil)
        o.migrations = j.migrations
        o.resizes = j.resizes
        o.restarts = j.restarts
        o.overheadSeconds = j.overheadSeconds
        o.overheadGPUSeconds = j.overheadGPUSeconds
        o.reallocationGPUSeconds = j.reallocationGPUSeconds
        o.gpuSeconds = j.gpuSeconds
        o.failures = j.failures
        o.lostSeconds = j.lostSeconds
        o.lostGPUSeconds = j.lostGPUSeconds
        o.isolatedSeconds = j.estimatedDuration.seconds
        o.user = j.spec.user
        return o
    }

    /// The output rows that became final since the last call (`RunOutputChunk`), marked as handed out.
    func finalOutput() -> RunOutputChunk {
        var next = handedOut.jobs
        while next < jobs.count && jobs[next].state == .finished { next += 1 }
        let outcomes = (handedOut.jobs..<next).map(outcome)
        // Every sample but the latest is final: `RunRecorder.sample` only replaces or drops the last one.
        let samplesFinal = max(handedOut.samples, recorder.samples.count - 1)
        let chunk = RunOutputChunk(
            jobs: outcomes, allocations: Array(recorder.allocations[handedOut.allocations...]),
            samples: Array(recorder.samples[handedOut.samples..<samplesFinal]))
        handedOut = (next, recorder.allocations.count, samplesFinal)
        return chunk
    }
}
