"""Timeline performance (issue 13, point 9), each printed as a measured value against its target.

1. Payload: the player's ``_data`` with the timeline on and off (target: identical, not a byte
   more); custom traces travel apart (``_trace_data``).
2. Frame time while playing, timeline on vs off, at 100,000 neurons and 1,000,000 spikes, in one
   page of headless Chromium: one player (its standalone HTML), windows of a few seconds
   alternating between the timeline shown and hidden (``player.timeline``), medians compared
   (target: frame time with the timeline ≤ 1.1 × without). At the default speed (1/10×) and at
   1× (every drawn frame skips ~16 frames).
3. Drawing the raster: one full redraw of the timeline (every spike in view) and a zoomed one.

Run: ``.venv/bin/python benchmarks/timeline_perf.py`` (needs ``make setup`` and Chromium).
Numbers are for software WebGL (SwiftShader) on this machine.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))

from player_perf import CHROMIUM_ARGS, VIEWPORT, synthetic_recording  # noqa: E402

N_NEURONS, N_SPIKES = 100_000, 1_000_000

# one window: the timeline shown or hidden, the player playing at `speed`; started, measured
# from Python (wall clock and the renderer's main-thread task time), then stopped
_START = """async ([timeline, speed]) => {
    const v = [...window.__cleoPlayers][0];
    window.cleoPlayerModel.set('timeline', timeline);
    v.pb.setSpeed(speed);
    v.pb.play();
    await new Promise((r) => setTimeout(r, 300));
    return [v.renders, performance.now()];
}"""
_STOP = """() => {
    const v = [...window.__cleoPlayers][0];
    const out = [v.renders, performance.now()];
    v.pb.pause();
    return out;
}"""

# the playhead alone: animation frames in which only the playhead moves (the 3D view idle), or
# nothing happens; the difference in the renderer's main-thread time is the playhead's cost
_PLAYHEAD_LOOP = """async ([move, frames]) => {
    const v = [...window.__cleoPlayers][0], t = v.timeline;
    window.cleoPlayerModel.set('timeline', true);
    v.pb.pause();
    const start = v.pb.frame;
    const t0 = performance.now();
    for (let i = 0; i < frames; i++) {
      await new Promise((r) => requestAnimationFrame(r));
      if (move) { v.pb.frame = (start + i + 1) % v.pb.nFrames; t.placePlayhead(); }
    }
    const ms = performance.now() - t0;
    v.pb.seek(start);
    return ms / frames;
}"""

_REDRAW = """() => {
    const t = [...window.__cleoPlayers][0].timeline;
    window.cleoPlayerModel.set('timeline', true);
    const time = (f) => { const t0 = performance.now(); f(); return performance.now() - t0; };
    const full = [], zoomed = [];
    for (let i = 0; i < 5; i++) {
      full.push(time(() => t.redraw()));
      zoomed.push(time(() => t.zoomTo(400, 500)));
      t.resetZoom();
    }
    const med = (a) => a.sort((x, y) => x - y)[a.length >> 1];
    return [med(full), med(zoomed), t.raster.width, t.raster.height];
}"""


def payload() -> None:
    """Figure 1: ``_data`` with and without the timeline; what a custom trace adds."""
    import numpy as np

    from cleo_player import Player

    print("\n1. Payload with the timeline on and off (target: identical)")
    rec = synthetic_recording(N_NEURONS, N_SPIKES)
    on, off = Player(rec), Player(rec, timeline=False)
    size_on = sum(map(len, on._data.values()))  # noqa: SLF001
    size_off = sum(map(len, off._data.values()))  # noqa: SLF001
    same = on._data == off._data and on._meta == off._meta  # noqa: SLF001
    print(f"   _data: {size_on:,} B with the timeline, {size_off:,} B without; identical: {same}")
    on.add_trace("rate", rec.frame_t, np.ones(rec.n_frames))
    extra = sum(map(len, on._trace_data.values()))  # noqa: SLF001
    print(f"   a custom trace of {rec.n_frames} samples: {extra:,} B in _trace_data, _data unchanged")


def frame_time(rounds: int, seconds: float) -> None:
    """Figures 2 and 3: frame time with the timeline on and off, alternating; raster redraws."""
    from playwright.sync_api import sync_playwright

    from cleo_player import Player

    print(
        f"\n2. Frame time while playing, timeline on vs off, {N_NEURONS:,} neurons, {N_SPIKES:,} spikes "
        f"(target: on ≤ 1.1 × off; {rounds} alternating windows of {seconds:g} s per side and speed)"
    )
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as pw:
        html = Path(tmp) / "timeline.html"
        Player(synthetic_recording(N_NEURONS, N_SPIKES)).save_html(html)
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", headless=True, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": VIEWPORT["width"], "height": 1000})
        page.goto(html.as_uri())
        page.wait_for_function("() => [...(window.__cleoPlayers || [])][0]?.renders > 0", timeout=120_000)
        page.wait_for_function("() => [...window.__cleoPlayers][0].timeline.redraws > 0", timeout=60_000)
        cdp = page.context.new_cdp_session(page)
        cdp.send("Performance.enable")
        for speed in (0.1, 1.0):
            wall: dict[bool, list[float]] = {True: [], False: []}
            task: dict[bool, list[float]] = {True: [], False: []}
            for _ in range(rounds):
                for timeline in (True, False):
                    w, t = _window(page, cdp, timeline, speed, seconds)
                    wall[timeline].append(w)
                    task[timeline].append(t)
            for label, d in (("wall-clock frame time", wall), ("renderer main-thread time per frame", task)):
                m_on, m_off = statistics.median(d[True]), statistics.median(d[False])
                print(
                    f"   at {speed:g}x, {label}: {m_on:.1f} ms with the timeline, {m_off:.1f} ms without -> "
                    f"ratio {m_on / m_off:.3f}   [on: {_fmt(d[True])}; off: {_fmt(d[False])}]"
                )
        _playhead_cost(page, cdp, rounds)
        full, zoomed, w, h = page.evaluate(_REDRAW)
        print(
            f"\n3. Raster redraw ({w}x{h} px): every spike {full:.1f} ms; zoomed to 100 of 1000 frames {zoomed:.1f} ms"
        )
        browser.close()


def _task_seconds(cdp: Any) -> float:
    metrics = {m["name"]: m["value"] for m in cdp.send("Performance.getMetrics")["metrics"]}
    return float(metrics["TaskDuration"])


def _window(page: Any, cdp: Any, timeline: bool, speed: float, seconds: float) -> tuple[float, float]:
    """(wall-clock ms per drawn frame, renderer main-thread task ms per drawn frame)."""
    r0, t0 = page.evaluate(_START, [timeline, speed])
    task0 = _task_seconds(cdp)
    time.sleep(seconds)
    task1 = _task_seconds(cdp)
    r1, t1 = page.evaluate(_STOP)
    frames = max(r1 - r0, 1)
    return (t1 - t0) / frames, (task1 - task0) * 1000 / frames


def _playhead_cost(page: Any, cdp: Any, rounds: int, frames: int = 120) -> None:
    """Main-thread time per animation frame with only the playhead moving, minus idle frames."""
    cost = []
    for _ in range(rounds):
        per = {}
        for move in (True, False):
            task0 = _task_seconds(cdp)
            page.evaluate(_PLAYHEAD_LOOP, [move, frames])
            per[move] = (_task_seconds(cdp) - task0) * 1000 / frames
        cost.append(per[True] - per[False])
    print(
        f"   the playhead alone (3D view idle): {statistics.median(cost):.3f} ms of main-thread time per frame "
        f"[{', '.join(f'{x:.3f}' for x in cost)}]"
    )


def _fmt(values: list[float]) -> str:
    return ", ".join(f"{x:.1f}" for x in values)


def main() -> None:
    """Print every figure."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=6, help="alternating windows per side and speed")
    parser.add_argument("--seconds", type=float, default=3.0, help="length of one window")
    args = parser.parse_args()
    payload()
    frame_time(args.rounds, args.seconds)


if __name__ == "__main__":
    main()
