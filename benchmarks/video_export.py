"""Video export speed: cleo's VideoVisualizer vs cleo-player's matplotlib fallback (issue 4).

For the seed tutorial network (500 neurons, 100 frames) and a 20,000-neuron version of it, one
simulation is recorded by BOTH cleo's ``VideoVisualizer(dt=1 ms, devices="all")`` and our
``Recorder(dt=1 ms, devices="all")``. Then, in the same process, with the same frames and the
same figure size (matplotlib's default, 640 x 480 px), it times ``to_html5_video()`` of:

* cleo:    ``vv.generate_Animation(plotargs, slowdown_factor=10).to_html5_video()``
* ours:    ``Player(rec, **plotargs).to_html5_video()`` (direct Agg -> ffmpeg pipe)
* ours:    ``rec.generate_Animation(plotargs, slowdown_factor=10).to_html5_video()``
           (the drop-in FuncAnimation, through matplotlib's own writer)

and prints each time and the speed-up. Target: >= 20x at both sizes (issue 12.4; it was 10x in
issue 4). This is a report, not a test: it always exits 0.

Run: ``.venv/bin/python benchmarks/video_export.py`` (``--quick`` for a short smoke run).
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from typing import Any

TARGET = 20.0


def _timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    t0 = time.perf_counter()
    out = fn()
    return time.perf_counter() - t0, out


def record(n_e: int, duration_ms: float) -> tuple[Any, Any, Any, float]:
    """Build the seed network, inject VideoVisualizer and Recorder, run once."""
    import brian2 as b2
    import numpy as np
    from cleo.viz import VideoVisualizer

    from cleo_player import Recorder
    from cleo_player.examples import seed_tutorial

    t0 = time.perf_counter()
    s = seed_tutorial(n_e=n_e)
    vv = VideoVisualizer(dt=1 * b2.ms, devices="all")
    s.sim.inject(vv, s.exc, s.inh)
    rec = Recorder(dt=1 * b2.ms, devices="all")
    s.sim.inject(rec, s.exc, s.inh)
    s.sim.run(duration_ms * b2.ms)
    s.fibers.max_value_viz = np.max(s.fibers.irradiance)
    return s, vv, rec, time.perf_counter() - t0


def compare(n_e: int, duration_ms: float) -> dict[str, float]:
    """Time the three exports for one network size; print and return the figures."""
    import matplotlib.pyplot as plt

    from cleo_player import Player

    s, vv, rec, t_sim = record(n_e, duration_ms)
    n_neurons = len(s.exc) + len(s.inh)
    n_frames_vv = len(vv._value_per_device_per_frame)  # noqa: SLF001 cleo keeps its frame count private
    n_frames = rec.recording.n_frames
    print(
        f"\n== {n_neurons:,} neurons, {duration_ms:g} ms simulated: {n_frames_vv} frames (cleo), "
        f"{n_frames} frames (ours); network built and run in {t_sim:.1f} s"
    )
    if n_frames_vv != n_frames:
        print("   WARNING: different frame counts")

    t_cleo, html_cleo = _timed(lambda: vv.generate_Animation(s.plotargs, slowdown_factor=10).to_html5_video())
    plt.close("all")
    t_player, html_player = _timed(lambda: Player(rec, **s.plotargs).to_html5_video(progress=False))
    t_ani, html_ani = _timed(lambda: rec.generate_Animation(s.plotargs, slowdown_factor=10).to_html5_video())
    plt.close("all")

    rows = [
        ("cleo  VideoVisualizer.generate_Animation().to_html5_video()", t_cleo, html_cleo),
        ("ours  Player(rec).to_html5_video()", t_player, html_player),
        ("ours  Recorder.generate_Animation().to_html5_video()", t_ani, html_ani),
    ]
    for name, t, html in rows:
        ok = "<video" in html
        ratio = t_cleo / t if t > 0 else float("inf")
        speed = f"{ratio:6.1f}x" if t is not t_cleo else "   1.0x"
        print(
            f"   {name:<62} {t:8.2f} s  {1e3 * t / max(n_frames, 1):7.1f} ms/frame  {speed}"
            f"  ({len(html) / 1024:.0f} kB html{'' if ok else ', NO <video> TAG'})"
        )
    r_player, r_ani = t_cleo / t_player, t_cleo / t_ani
    for label, r in (("Player.to_html5_video", r_player), ("generate_Animation().to_html5_video", r_ani)):
        verdict = "meets" if r >= TARGET else "MISSES"
        print(f"   speed-up {label}: {r:.1f}x ({verdict} the >= {TARGET:g}x target)")
    return {"neurons": n_neurons, "frames": n_frames, "cleo": t_cleo, "player": t_player, "animation": t_ani}


def main() -> None:
    """Compare the exports at the sizes the command line asks for."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--small-ms", type=float, default=100.0, help="simulated ms at 500 neurons (default 100)")
    parser.add_argument(
        "--big-ms", type=float, default=100.0, help="simulated ms (frames) at 20,000 neurons (default 100)"
    )
    parser.add_argument("--skip-big", action="store_true", help="only the 500-neuron comparison")
    parser.add_argument("--quick", action="store_true", help="smoke run: 10 ms, 500 neurons only")
    args = parser.parse_args()

    import imageio_ffmpeg
    import matplotlib as mpl

    mpl.use("Agg")
    # cleo's to_html5_video goes through matplotlib's ffmpeg writer: give it imageio-ffmpeg's
    # binary (there is no system ffmpeg here); ours finds that binary by itself.
    mpl.rcParams["animation.ffmpeg_path"] = imageio_ffmpeg.get_ffmpeg_exe()

    print("Video export: cleo VideoVisualizer vs cleo-player (same frames, 640x480 px, slowdown 10)")
    results = [compare(400, 10.0 if args.quick else args.small_ms)]
    if not (args.quick or args.skip_big):
        results.append(compare(16000, args.big_ms))

    print(f"\nSummary (speed-up over cleo; target >= {TARGET:g}x)")
    for r in results:
        print(
            f"   {r['neurons']:>6,} neurons, {r['frames']:>3} frames: cleo {r['cleo']:7.2f} s | "
            f"Player {r['player']:6.2f} s ({r['cleo'] / r['player']:5.1f}x) | "
            f"generate_Animation {r['animation']:6.2f} s ({r['cleo'] / r['animation']:5.1f}x)"
        )


if __name__ == "__main__":
    main()
