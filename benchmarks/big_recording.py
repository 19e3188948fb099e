"""Python-side cost of a big recording (issue 14.6): 20 million spikes of 200,000 neurons.

In a fresh interpreter (so that its peak memory is this work's alone), a cleo simulation of
200,000 neurons in two groups with coordinates, firing at random, is recorded by a
``cleo_player.Recorder`` until the groups' monitors hold 20 M spikes; then, timed one by one:

* ``recorder.recording``: the Recording snapshot (spikes concatenated, frame pointers),
* ``Scene.build``: what to draw,
* ``scene_payload``: the wire format sent to the browser (all buffers as bytes),
* ``Player(...)``: all of the above plus the widget (the state the kernel holds).

Printed: each step's time (wall clock, and CPU time, which other work on a busy machine
disturbs less), the peak resident memory of the process (``ru_maxrss``: the
simulation and the Recorder's own copies of the spikes included) and the peak of Python-managed
allocations during the building steps (``tracemalloc``, in a second, untimed pass). Targets:
building (snapshot + scene + payload) under 2 s, peak RSS under 2 GB.

    .venv/bin/python benchmarks/big_recording.py [--spikes 20e6] [--neurons 200000]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import textwrap

TARGET_BUILD_S = 2.0
TARGET_RSS_MB = 2048

CHILD = """
import json, resource, sys, time, tracemalloc
import brian2 as b2
import numpy as np
import cleo
from cleo_player import Player, Recorder, Scene
from cleo_player.payload import scene_payload

n_spikes, n_neurons, ms_per_frame = float(sys.argv[1]), int(sys.argv[2]), 1.0
b2.prefs.codegen.target = "numpy"
b2.defaultclock.dt = 0.5 * b2.ms
duration_ms = 1000.0
rate_hz = n_spikes / n_neurons / (duration_ms / 1e3)
eqs = "x : meter\\ny : meter\\nz : meter"
sizes = (n_neurons * 4 // 5, n_neurons - n_neurons * 4 // 5)
groups = []
for name, n in zip(("exc", "inh"), sizes):
    ng = b2.NeuronGroup(n, eqs, threshold=f"rand() < {rate_hz} * Hz * dt", name=name)
    cleo.coords.assign_coords_rand_rect_prism(ng, xlim=(-1, 1), ylim=(-1, 1), zlim=(0.2, 0.8))
    groups.append(ng)
sim = cleo.CLSimulator(b2.Network(*groups))
rec = Recorder(dt=ms_per_frame * b2.ms, devices=[])
sim.inject(rec, *groups)
t0 = time.perf_counter()
sim.run(duration_ms * b2.ms)
t_sim = time.perf_counter() - t0
rss_sim = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

times = {}


def timed(label, fn):
    w, c = time.perf_counter(), time.process_time()
    result = fn()
    times[label] = (time.perf_counter() - w, time.process_time() - c)
    return result


recording = timed("recorder.recording", lambda: rec.recording)
scene = timed("Scene.build", lambda: Scene.build(recording))
meta, buffers = timed("scene_payload", lambda: scene_payload(scene))
spike_bytes = len(buffers["spike_idx"])
del meta, buffers, scene, recording
tracemalloc.start()  # once more, untimed (tracing slows allocations down): the allocations' peak
meta, buffers = scene_payload(Scene.build(rec.recording))
traced_peak = tracemalloc.get_traced_memory()[1] / 2**20
tracemalloc.stop()
del meta, buffers
player = timed("Player(rec) (all of it, widget included)", lambda: Player(rec))
print(json.dumps({
    "n_spikes": player.recording.n_spikes,
    "n_neurons": player.recording.n_neurons,
    "n_frames": player.recording.n_frames,
    "spike_bytes": spike_bytes,
    "embedded_spike_bytes": len(player._data["spike_idx"]),
    "window": player._meta["window"],
    "t_sim": t_sim,
    "rss_sim_mb": rss_sim,
    "times": times,
    "traced_peak_mb": traced_peak,
    "rss_peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
}))
"""


def main() -> None:
    """Run the measurement in a fresh interpreter and print it against the targets."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--spikes", type=float, default=20e6)
    parser.add_argument("--neurons", type=int, default=200_000)
    args = parser.parse_args()
    print(f"simulating {args.neurons:,} neurons until about {args.spikes:,.0f} spikes (a minute or more)...")
    out = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(CHILD), str(args.spikes), str(args.neurons)],
        capture_output=True,
        text=True,
        check=False,
    )
    if out.returncode:
        print(out.stderr[-3000:])
        sys.exit(1)
    r = json.loads(out.stdout.strip().splitlines()[-1])
    print(
        f"recorded {r['n_spikes']:,} spikes of {r['n_neurons']:,} neurons in {r['n_frames']} frames "
        f"(simulation {r['t_sim']:.1f} s; peak RSS after it {r['rss_sim_mb']:.0f} MB)"
    )
    print(f"  {'step':<45}   wall    cpu (s)")
    for label, (wall, cpu) in r["times"].items():
        print(f"  {label:<45} {wall:6.2f} {cpu:6.2f}")
    for k, what in ((0, "wall"), (1, "cpu")):
        build = sum(t[k] for label, t in r["times"].items() if not label.startswith("Player"))
        verdict = "ok" if build < TARGET_BUILD_S else "OVER TARGET"
        print(f"building (snapshot + scene + payload), {what}: {build:.2f} s (target < {TARGET_BUILD_S} s): {verdict}")
    print(
        f"peak RSS of the whole process: {r['rss_peak_mb']:.0f} MB (target < {TARGET_RSS_MB} MB): "
        + ("ok" if r["rss_peak_mb"] < TARGET_RSS_MB else "OVER TARGET")
    )
    print(f"peak of Python-managed allocations while building: {r['traced_peak_mb']:.0f} MB")
    w = r["window"]
    held = f"{r['embedded_spike_bytes'] / 2**20:.0f} MB"
    if w:
        held += (
            f" (windowed: {len(w['chunk_frames']) - 1} chunks fetched on demand, "
            f"the browser holding at most {w['budget_bytes'] / 2**20:.0f} MB)"
        )
    print(f"spike data: {r['spike_bytes'] / 2**20:.0f} MB; in the widget's state: {held}")


if __name__ == "__main__":
    main()
