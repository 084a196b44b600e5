import ClusterModel
import Performance
import Scheduling

/// GPU sharing in the engine: the speed factor co-tenants impose, re-rating when a GPU's holders change, and the
/// memory invariant of packed GPUs. Who holds what is `ClusterState`'s (`ClusterState+Sharing`); the factors are
/// `GPUSharingModel`'s; `share` decisions are validated with the round (`Simulation+Decisions`).
extension Simulation {
    /// The speed factor GPU sharing imposes on job i: on each GPU it shares, the time-sliced share or the product of
    /// its packed co-runners' factors (`GPUSharingModel`); a data-parallel job runs at its slowest GPU's pace.
    func sharingFactor(_ i: Int) -> Double {
        guard cluster.totalGuests > 0 else { return 1 }  // no GPU is shared: the common case, O(1)
        // NOTE: the cluster's arrays are read element by element: calling a ClusterState method on the class's
        // stored struct copies the struct (a retain and release per array) on every call.
        let stride = cluster.maxJobsPerGPU - 1
        let me = jobs[i].spec.model
        var factor = 1.0
        for g in jobs[i].gpus {
            let guests = Int(cluster.guestCount[g.index])
            guard guests > 0 else { continue }
            var f = 1.0
            if cluster.sharingMode[g.index] == SharingMode.timeSliced.rawValue {
                f = sharing.timeSlicedFactor(jobs: guests + 1)
            } else {
                let owner = Int(cluster.owner[g.index])
                if owner != i { f *= sharing.packedFactor(me, with: jobs[owner].spec.model) }
                for k in 0..<guests {
                    let h = Int(cluster.guests[g.index * stride + k])
                    if h != i { f *= sharing.packedFactor(me, with: jobs[h].spec.model) }
                }
            }
            factor = min(factor, f)
        }
        return factor
    }

    /// Re-rates the running jobs that hold any of `gpus` besides `id`, whose co-tenants just changed: now, or at the
    /// end-of-event flush under a deferred speed model (where the fabric's rates settle first).
    func rerateCoTenants(on gpus: [GPUID], except id: JobID) {
        var others: [JobID] = []
        let cluster = self.cluster  // once, not a copy of the class's stored struct per GPU
        for g in gpus {
            cluster.forEachHolder(of: g) { h in
                if h != id && !others.contains(h) { others.append(h) }
            }
        }
        others.sort()
        if deferredUpdates {
            coTenantsToRerate += others
        } else {
            for other in others { rerate(other, sharingOnly: true) }
        }
    }

    /// At the end of an event's flush: re-applies the sharing factor of the jobs whose co-tenants changed and whose
    /// flows did not (those in `flowChanged` were fully re-rated already), in ascending JobID order.
    func rerateSharingChanges(after flowChanged: [JobID]) {
        guard !coTenantsToRerate.isEmpty else { return }
        coTenantsToRerate.sort()
        var c = 0
        var previous: JobID?
        for id in coTenantsToRerate where id != previous {
            previous = id
            while c < flowChanged.count && flowChanged[c] < id { c += 1 }
            if c < flowChanged.count && flowChanged[c] == id { continue }
            rerate(id, sharingOnly: true)
        }
        coTenantsToRerate.removeAll(keepingCapacity: true)
    }

    /// The first packed GPU whose jobs' memory footprints exceed its memory (or include an unknown one), or nil.
    func packedMemoryViolation() -> String? {
        guard cluster.sharedGPUs > 0 else { return nil }
        for g in 0..<topology.gpuCount where cluster.sharing(of: GPUID(g)) == .packed {
            let capacity = topology.gpuTypes[Int(topology.gpuTypeIndex[g])].memoryGB
            var used = 0.0
            for h in cluster.holders(of: GPUID(g)) {
                guard let m = memoryGB[h.index] else { return "gpu\(g) packs \(h), whose memory footprint is unknown" }
                used += m
            }
            if used > capacity { return "gpu\(g) packs jobs needing \(used) GB into \(capacity) GB" }
        }
        return nil
    }
}
