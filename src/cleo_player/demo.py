"""The demo: cleo's video-visualization tutorial, played back with cleo-player.

``python -m cleo_player.demo [--out PATH] [--duration MS]`` runs the tutorial's simulation with
a Recorder, builds the Player and writes it as one standalone, offline HTML file.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path


def main(argv: list[str] | None = None) -> Path:
    """Run the demo (``argv`` as on the command line); returns the page written."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="demo.html", help="where to write the standalone player (default demo.html)")
    parser.add_argument("--duration", type=float, default=100.0, help="simulated time in ms (default 100)")
    args = parser.parse_args(argv)

    import brian2 as b2
    import numpy as np

    from cleo_player import Player, Recorder
    from cleo_player.examples import seed_tutorial

    t0 = time.perf_counter()
    print("Building the tutorial network (400 exc + 100 inh EIF neurons, two 473 nm fibres)…", flush=True)
    s = seed_tutorial()
    rec = Recorder(dt=1 * b2.ms, devices="all")
    s.sim.inject(rec, s.exc, s.inh)
    print(f"Running {args.duration:g} ms of simulated time…", flush=True)
    s.sim.run(args.duration * b2.ms)
    s.fibers.max_value_viz = np.max(s.fibers.irradiance)
    player = Player(s.sim, **s.plotargs)
    rec_data = player.recording
    print(f"Recorded {rec_data.n_frames} frames, {rec_data.n_spikes} spikes.", flush=True)
    out = player.save_html(Path(args.out))  # prints the file's size
    print(f"Done in {time.perf_counter() - t0:.1f} s. Open it in a browser: {out.resolve().as_uri()}")
    return out


if __name__ == "__main__":
    main()
