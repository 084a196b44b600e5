"""Unit tests of the schedlab_policy helper: placement ports, the type ledger, decisions, the mirror, the runner."""

import io
import json
import sys
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from schedlab_policy import (ARRIVAL_FIELDS, JOB_FIELDS, Migrate, Policy, Preempt, Resize, Share, Snapshot, Start, TypeLedger,  # noqa: E402
                             WakeUp, decode, encode, run)
from schedlab_policy.placement import first_fit, most_free, packed, spread, topology_aware  # noqa: E402


def hello(nodes_per_rack=(2, 2), gpus_per_node=4, types=None):
    """A hello message: racks of nodes of `gpus_per_node` GPUs; node n has type `types[n]` (default all 0)."""
    nodes, first = [], 0
    for rack, count in enumerate(nodes_per_rack):
        for _ in range(count):
            nodes.append({"rack": rack, "type": 0, "first_gpu": first, "gpus": gpus_per_node})
            first += gpus_per_node
    if types:
        for n, t in enumerate(types):
            nodes[n]["type"] = t
    k = max(n["type"] for n in nodes) + 1
    gpu_types = [{"name": f"t{t}", "memory_gb": 80.0, "gpus": sum(n["gpus"] for n in nodes if n["type"] == t)}
                 for t in range(k)]
    return {"type": "hello", "protocol": 1, "policy": "external", "params": {"x": 1}, "placement": "packed",
            "max_jobs_per_gpu": 1, "transitions": "free", "gpu_types": gpu_types,
            "racks": [f"rack{r}" for r in range(len(nodes_per_rack))], "nodes": nodes, "job_count": 10,
            "arrival_fields": list(ARRIVAL_FIELDS), "job_fields": list(JOB_FIELDS)}


def arrival(i, gpus=1, types=(0,)):
    return [i, f"job-{i}", i * 10**9, gpus, None, list(types), 60 * 10**9, None, None, 60.0, "duration", 1.0, None, None,
            0, None, None, None]


def status(i, state, gpus=(), held_since=None, expected_end=None, run_s=0.0, gpu_s=0.0):
    return [i, state, list(gpus), held_since, expected_end, None, held_since, None, run_s, gpu_s, 60.0,
            1.0 if state == "running" else 0.0, held_since or 0, 0, 0, 0, 0, 0, 0.0]


def occupy(s, gpus):
    """Marks GPUs held (by a pretend job 99) in the mirror, fixing the free counts."""
    c = s.cluster
    for g in gpus:
        c.free[g] = 0
        c.holders[g] = (99,)
        c.free_on_node[c.gpu_node[g]] -= 1
        c.free_of_type[c.gpu_type[g]] -= 1


class PlacementTests(unittest.TestCase):
    def test_first_fit_takes_lowest_free(self):
        s = Snapshot(hello())
        occupy(s, [0, 1])
        self.assertEqual(first_fit(3, 1, s.planner()), [2, 3, 4])
        self.assertIsNone(first_fit(15, 1, s.planner()))

    def test_packed_best_fit_node_then_fewest_nodes_in_a_rack(self):
        s = Snapshot(hello())
        occupy(s, [0, 1, 2, 8])  # node0: 1 free, node2: 3 free
        self.assertEqual(packed(1, 1, s.planner()), [3])        # the fullest node that holds it
        self.assertEqual(packed(3, 1, s.planner()), [9, 10, 11])  # node2 (3 free) before node1 (4 free)
        # rack0 has 5 free, rack1 7: rack1's fullest nodes first (node3, then node2).
        self.assertEqual(packed(6, 1, s.planner()), [12, 13, 14, 15, 9, 10])
        # No rack holds 8: the fullest nodes of the cluster, ties to the lower index (node1, node3).
        self.assertEqual(packed(8, 1, s.planner()), [4, 5, 6, 7, 12, 13, 14, 15])

    def test_spread_one_per_node_round_robin(self):
        s = Snapshot(hello())
        occupy(s, [0])
        self.assertEqual(spread(4, 1, s.planner()), [1, 4, 8, 12])
        # Round robin over node1, node2, node3, node0 (most free first), then grouped by node.
        self.assertEqual(spread(5, 1, s.planner()), [1, 4, 5, 8, 12])

    def test_most_free_takes_the_emptiest_nodes_whole(self):
        s = Snapshot(hello())
        occupy(s, [0, 1, 4, 12, 13])  # free: node0 2, node1 3, node2 4, node3 2
        self.assertEqual(most_free(1, 1, s.planner()), [8])  # the emptiest node, not the best fit
        self.assertEqual(most_free(6, 1, s.planner()), [8, 9, 10, 11, 5, 6])  # node2, then node1, across racks
        self.assertEqual(most_free(9, 1, s.planner()), [8, 9, 10, 11, 5, 6, 7, 2, 3])  # node0 before node3 (tie)
        self.assertIsNone(most_free(12, 1, s.planner()))

    def test_topology_aware_equal_chunks_in_one_rack(self):
        s = Snapshot(hello())
        occupy(s, [0, 1, 2])
        self.assertEqual(topology_aware(2, 1, s.planner()), [4, 5])  # best-fit node holding 2: node1
        self.assertEqual(topology_aware(6, 1, s.planner()), [8, 9, 10, 12, 13, 14])  # 2 nodes x 3 in rack1
        self.assertEqual(topology_aware(1, 1, s.planner()), [3])  # best fit: node0's last GPU

    def test_type_mask_restricts_nodes(self):
        s = Snapshot(hello(types=[0, 1, 0, 1]))
        self.assertEqual(first_fit(2, 0b10, s.planner()), [4, 5])
        self.assertEqual(packed(5, 0b10, s.planner()), [4, 5, 6, 7, 12])

    def test_planner_reserves_and_releases(self):
        s = Snapshot(hello())
        job = s.jobs  # no jobs: use counts directly
        self.assertEqual(job, [])
        p = s.planner()
        first = p.place(None, count=4, type_mask=1)
        second = p.place(None, count=4, type_mask=1)
        self.assertEqual(len(set(first) | set(second)), 8)
        self.assertEqual(p.free_gpus(1), 8)
        self.assertEqual(sum(s.cluster.free), 16, "the snapshot itself must not change")
        p.release(first, -1)
        self.assertEqual(p.free_gpus(1), 12)
        self.assertFalse(p.claim(second))
        self.assertIsNone(p.place(None, count=13, type_mask=1))

    def test_release_keeps_a_gpu_another_job_shares(self):
        s = Snapshot(hello())
        c = s.cluster
        c.free[0] = 0
        c.holders[0] = (3, 7)  # time-sliced by jobs 3 and 7
        c.free_on_node[0] -= 1
        c.free_of_type[0] -= 1
        p = s.planner()
        p.release([0], 3)
        self.assertEqual(p.free[0], 0, "job 7 still holds it")
        self.assertEqual(p.holders(0), (7,))
        p.release([0], 7)
        self.assertEqual(p.free[0], 1)
        self.assertEqual(p.free_gpus(1), 16)


class LedgerTests(unittest.TestCase):
    def test_halls_condition_over_types(self):
        ledger = TypeLedger([2, 2])
        self.assertTrue(ledger.admit(0b11, 2))   # either type
        self.assertTrue(ledger.admit(0b01, 2))   # type 0 only: still fits (the first job can use type 1)
        self.assertFalse(ledger.admit(0b10, 1))  # nothing left anywhere
        self.assertTrue(ledger.is_full)

    def test_held_jobs_count_per_type(self):
        ledger = TypeLedger([4, 1])
        self.assertTrue(ledger.admit_held([2, 1]))
        self.assertFalse(ledger.admit(0b10, 1))
        self.assertTrue(ledger.admit(0b11, 2))
        self.assertFalse(ledger.admit(0b01, 1))

    def test_greedy_beyond_eight_types(self):
        ledger = TypeLedger([1] * 9)
        self.assertFalse(ledger.exact)
        self.assertTrue(ledger.admit(0b11, 2))
        self.assertFalse(ledger.admit(0b01, 1))
        self.assertTrue(ledger.admit(1 << 8, 1))


class DecisionTests(unittest.TestCase):
    def test_wire_form_round_trips(self):
        ds = [Start(3, [0, 1]), Start(4), Share(5, [2], "packed"), Preempt(6), Resize(7, [8, 9]), Migrate(8, [11]),
              WakeUp(5 * 10**9)]
        line = encode(ds)
        self.assertEqual(line[-1:], b"\n")
        self.assertEqual(json.loads(line)[0], {"start": 3, "gpus": [0, 1]})
        self.assertEqual(json.loads(line)[1], {"start": 4})
        self.assertEqual(decode(json.loads(line)), ds)
        self.assertEqual(encode([]), b"[]\n")
        with self.assertRaises(ValueError):
            Share(1, [0], "stacked")


class MirrorTests(unittest.TestCase):
    def test_round_deltas(self):
        s = Snapshot(hello())
        s.apply({"type": "round", "round": 1, "now": 0, "arrived": [arrival(0, 2), arrival(1, 4)], "free_type": [16]})
        self.assertEqual(s.jobs[1].remaining, 60.0, "an arrival implies its first status")
        self.assertEqual(s.queue, [0, 1])
        s.apply({"type": "round", "round": 2, "now": 10**9,
                 "jobs": [status(0, "running", [0, 1], 10**9, 61 * 10**9), status(1, "running", [4, 5, 6, 7], 10**9, 31 * 10**9)],
                 "free_type": [10], "free_node": [[0, 2], [1, 0]]})
        self.assertEqual(s.queue, [])
        self.assertEqual(s.running, [1, 0], "by expected end")
        self.assertEqual(s.cluster.holders[0], (0,))
        self.assertEqual(bytes(s.cluster.free[:8]), bytes([0, 0, 1, 1, 0, 0, 0, 0]))
        s.now = 11 * 10**9
        self.assertEqual(s.attained_service(1), (10.0, 40.0))
        s.apply({"type": "round", "round": 3, "now": 31 * 10**9,
                 "jobs": [status(1, "finished", [], None, None, 30.0, 120.0)], "free_type": [13],
                 "free_node": [[1, 4], [3, 3]], "down": [[15, True]]})
        self.assertEqual(s.running, [0])
        self.assertEqual(s.jobs[1].state, "finished")
        self.assertEqual(s.cluster.free[4], 1)
        self.assertEqual(s.cluster.free[15], 0)
        full = {"type": "full_state", "round": 3, "now": 31 * 10**9, "arrived": [arrival(0, 2), arrival(1, 4)],
                "jobs": [status(0, "running", [0, 1], 10**9, 61 * 10**9), status(1, "finished", [], None, None, 30.0, 120.0)],
                "free_type": [13], "free_node": [[0, 2], [1, 4], [2, 4], [3, 3]], "down": [[15, True]], "modes": []}
        self.assertEqual(s.check_against(full), [])
        full["jobs"][0][9] = 1.0  # a different gpu_s
        self.assertEqual(s.check_against(full), ["job 0.gpu_s: 0.0 != 1.0"])

    def test_refuses_another_protocol(self):
        h = hello()
        h["protocol"] = 2
        with self.assertRaisesRegex(Exception, "protocol 2"):
            Snapshot(h)


class RunnerTests(unittest.TestCase):
    def test_serves_a_fifo_over_streams(self):
        class FIFO(Policy):
            def setup(self, s):
                self.params = s.params

            def schedule(self, s):
                print("this goes to stderr, not into the protocol")
                p = s.planner()
                out = []
                for i in s.queue:
                    gpus = p.place(s.jobs[i])
                    if gpus is None:
                        break
                    out.append(Start(i, gpus))
                return out

            def end(self, s):
                self.ended = s.round

        messages = [hello(),
                    {"type": "round", "round": 1, "now": 0, "arrived": [arrival(0, 4), arrival(1, 16)], "free_type": [16]},
                    {"type": "end", "round": 1, "now": 0}]
        stdin = io.BytesIO(b"".join(json.dumps(m).encode() + b"\n" for m in messages))
        stdout = io.BytesIO()
        policy = FIFO()
        saved = sys.stderr
        sys.stderr = io.StringIO()
        try:
            run(policy, stdin, stdout)
            printed = sys.stderr.getvalue()
        finally:
            sys.stderr = saved
        lines = stdout.getvalue().splitlines()
        self.assertEqual(json.loads(lines[0]), {"protocol": 1})
        self.assertEqual(json.loads(lines[1]), [{"start": 0, "gpus": [0, 1, 2, 3]}])
        self.assertEqual(len(lines), 2)
        self.assertEqual(policy.params, {"x": 1})
        self.assertEqual(policy.ended, 1)
        self.assertIn("this goes to stderr", printed)


class DocumentationTests(unittest.TestCase):
    def test_the_documented_exchange_replays(self):
        """docs/external-policies.md's complete exchange: every message applies to the mirror, and the FIFO example
        answers each round as listed (the listing cannot drift from the protocol)."""
        sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "examples"))
        from fifo import FIFO
        doc = Path(__file__).resolve().parents[2] / "docs" / "external-policies.md"
        text = doc.read_text(encoding="utf-8")
        listing = text.split("## A complete exchange", 1)[1].split("```", 2)[1]
        lines = [line for line in listing.splitlines() if line.startswith(("> ", "< "))]
        self.assertEqual(lines[0][:2], "> ")
        s = Snapshot(json.loads(lines[0][2:]))
        policy = FIFO()
        rounds = 0
        expect_reply = False
        for line in lines[1:]:
            if line.startswith("> ") and "…" not in line:
                msg = json.loads(line[2:])
                if msg["type"] == "round":
                    s.apply(msg)
                    rounds += 1
                    expect_reply = True
            elif line.startswith("< ") and expect_reply and line[2] == "[":
                self.assertEqual(encode(policy.schedule(s)).decode().strip(), line[2:], f"round {s.round}")
                expect_reply = False
        self.assertEqual(rounds, 5)


if __name__ == "__main__":
    unittest.main()
