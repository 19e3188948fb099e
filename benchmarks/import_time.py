"""How long ``import cleo_player`` takes, beside ``import brian2`` (issue 14.2).

Each statement runs in a fresh interpreter, several rounds, the statements interleaved so that a
busy machine weighs on all alike; an empty interpreter's start-up (``pass``) is subtracted.
Measured: wall-clock time, and CPU time (user + system, ``resource.getrusage`` of the child),
which a machine busy with other work disturbs less. Prints medians side by side, the target
(``import cleo_player`` at most ``import brian2`` + 0.2 s) and which heavy packages each
statement loads.

    .venv/bin/python benchmarks/import_time.py [--rounds 7]
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import time

STATEMENTS = {
    "(start-up: pass)": "pass",
    "import brian2": "import brian2",
    "import cleo_player": "import cleo_player",
    "from cleo_player import Player": "from cleo_player import Player",
    "Player('run.npz') needs: + Recording, Scene": "import cleo_player; from cleo_player import Recording, Scene",
    "in a kernel (ipykernel loaded): import brian2": "import ipykernel.ipkernel; import brian2",
    "in a kernel (ipykernel loaded): import cleo_player": "import ipykernel.ipkernel; import cleo_player",
    "import cleo (reference)": "import cleo",
    "cleo_player.Recorder (imports cleo)": "import cleo_player; cleo_player.Recorder",
}
HEAVY = ("cleo", "neo", "xarray", "pandas", "matplotlib", "IPython", "nbconvert", "pythreejs", "anywidget")
TARGET_S = 0.2


def measure(statement: str) -> tuple[float, float, list[str]]:
    """Wall and CPU seconds of a fresh interpreter running the statement, and the heavy
    packages it loaded.
    """
    code = f"{statement}\nimport sys, json\nprint(json.dumps(sorted(m for m in {HEAVY!r} if m in sys.modules)))"
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    """Measure every statement, print the medians and the verdicts."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    wall: dict[str, list[float]] = {label: [] for label in STATEMENTS}
    cpu: dict[str, list[float]] = {label: [] for label in STATEMENTS}
    loaded: dict[str, list[str]] = {}
    for r in range(args.rounds):
        labels = list(STATEMENTS) if r % 2 == 0 else list(reversed(STATEMENTS))
        for label in labels:
            w, c, heavy = measure(STATEMENTS[label])
            wall[label].append(w)
            cpu[label].append(c)
            loaded[label] = heavy
        print(f"round {r + 1}/{args.rounds} done", file=sys.stderr)
    base_wall, base_cpu = statistics.median(wall["(start-up: pass)"]), statistics.median(cpu["(start-up: pass)"])
    med_wall = {label: statistics.median(v) - base_wall for label, v in wall.items()}
    med_cpu = {label: statistics.median(v) - base_cpu for label, v in cpu.items()}
    width = max(map(len, STATEMENTS))
    print(f"medians of {args.rounds} fresh interpreters each, start-up subtracted (s)")
    print(f"{'statement':<{width}}    wall     cpu   loads")
    for label in STATEMENTS:
        if label != "(start-up: pass)":
            print(f"{label:<{width}}  {med_wall[label]:6.2f}  {med_cpu[label]:6.2f}   {', '.join(loaded[label])}")
    kernel = "in a kernel (ipykernel loaded): "
    for what, med in (("wall", med_wall), ("cpu", med_cpu)):
        for where in ("", kernel):
            extra = med[f"{where}import cleo_player"] - med[f"{where}import brian2"]
            verdict = "ok" if extra <= TARGET_S else "OVER TARGET"
            print(
                f"{what:>4}{', ' + where.rstrip(': ') if where else ''}: import cleo_player - import brian2 = "
                f"{extra:+.2f} s (target <= +{TARGET_S} s): {verdict}"
            )
    print("(brian2 itself imports matplotlib, through pylab; cleo is imported when Recorder is first used)")


if __name__ == "__main__":
    main()
