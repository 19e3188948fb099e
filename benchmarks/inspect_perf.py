"""Inspection performance (issue 13, point 9, picking), each printed as a measured value against
its target.

1. Payload: the player's ``_meta`` / ``_data`` with neurons selected and groups hidden, against
   none (target: identical; ``selected`` and ``hidden`` are small traits of their own), and the
   size of those two traits.
2. Hover answer time at 100,000 neurons in a standalone page in headless Chromium: simulated
   pointer moves over the 3D view (``pointermove`` events on its canvas, each handled
   synchronously: picking, tooltip, raster row and ring), timed in the page; median / 95th
   percentile / max with the camera still, and for the first move after each camera change
   (the screen-space grid is built again then). Target: under 16 ms. On a busy machine the
   maxima are scheduling noise; the median and 95th percentile are the picking's.

Run: ``.venv/bin/python benchmarks/inspect_perf.py`` (needs ``make setup`` and Chromium).
Numbers are for software WebGL (SwiftShader) on this machine; the picking runs on the CPU.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from player_perf import CHROMIUM_ARGS, VIEWPORT, synthetic_recording

N_NEURONS, N_SPIKES = 100_000, 1_000_000
TARGET_MS = 16.0

# `moves` pointer moves at pseudo-random points of the canvas; every `turn` moves the camera
# turns a little (and renders), so the next move finds the grid out of date and builds it again
_HOVER = """async ([moves, turn]) => {
    const v = [...window.__cleoPlayers][0];
    const canvas = v.renderer.domElement, r = canvas.getBoundingClientRect();
    let seed = 12345;
    const rand = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    const still = [], rebuilt = [];
    let hits = 0;
    const frame = () => new Promise((done) => requestAnimationFrame(() => done()));
    for (let i = 0; i < moves; i++) {
      const fresh = i % turn === 0;
      if (fresh) {
        const o = v.gl.orbit, p = v.camera.position.clone().sub(o.target).applyAxisAngle(v.camera.up, 0.02);
        v.camera.position.copy(o.target).add(p);
        o.update();
        v.render();
        await frame();
      }
      const e = new PointerEvent('pointermove', { bubbles: true, clientX: r.left + (0.2 + 0.6 * rand()) * r.width,
                                                 clientY: r.top + (0.2 + 0.6 * rand()) * r.height });
      const builds = v.inspector.gridBuilds;
      const t0 = performance.now();
      canvas.dispatchEvent(e);
      const ms = performance.now() - t0;
      (v.inspector.gridBuilds > builds ? rebuilt : still).push([ms, i]);
      if (v.inspector.hovered >= 0) hits++;
      if (i % 50 === 49) await frame();
    }
    return { still, rebuilt, hits, n: v.pb.data.meta.n_neurons };
}"""


def payload() -> None:
    """Figure 1: ``_meta`` / ``_data`` unchanged by a selection and hidden groups."""
    from cleo_player import Player

    print("\n1. Payload with a selection and a hidden group vs none (target: identical)")
    rec = synthetic_recording(N_NEURONS, N_SPIKES)
    plain, inspected = Player(rec), Player(rec)
    inspected.selected = [("exc", i) for i in range(10)]
    inspected.hidden = ["inh"]
    same = plain._data == inspected._data and plain._meta == inspected._meta  # noqa: SLF001
    size = sum(map(len, plain._data.values()))  # noqa: SLF001
    state = inspected.get_state(["selected", "hidden"])
    print(f"   _data: {size:,} B either way; _meta and _data identical: {same}")
    print(f"   selected (10 neurons) + hidden (1 group) as sent: {len(json.dumps(state)):,} B of JSON")


def hover(moves: int, turn: int) -> None:
    """Figure 2: hover answer time at 100k neurons."""
    from playwright.sync_api import sync_playwright

    from cleo_player import Player

    print(f"\n2. Hover answer time, {N_NEURONS:,} neurons ({moves} pointer moves; the camera turns every {turn})")
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as pw:
        html = Path(tmp) / "inspect.html"
        Player(synthetic_recording(N_NEURONS, N_SPIKES)).save_html(html)
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", headless=True, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": VIEWPORT["width"], "height": 1000})
        page.goto(html.as_uri())
        page.wait_for_function("() => [...(window.__cleoPlayers || [])][0]?.renders > 0", timeout=120_000)
        out = page.evaluate(_HOVER, [moves, turn])
        browser.close()
    for label, times in (("camera still", out["still"]), ("first move after a camera change", out["rebuilt"])):
        if not times:
            continue
        ms = sorted(t for t, _ in times)  # (ms, move index)
        p95 = ms[min(len(ms) - 1, int(0.95 * len(ms)))]
        print(
            f"   {label}: median {statistics.median(ms):.3f} ms, 95th percentile {p95:.3f} ms, "
            f"max {ms[-1]:.3f} ms over {len(ms)} moves (target < {TARGET_MS:g} ms: {ms[-1] < TARGET_MS})"
        )
    print(f"   moves that found a neuron: {out['hits']} of {moves} ({out['n']:,} neurons in the page)")
    if hasattr(os, "getloadavg"):
        print(f"   (load average while measuring: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)")


def main() -> None:
    """Print every figure."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--moves", type=int, default=2000, help="simulated pointer moves")
    parser.add_argument("--turn", type=int, default=100, help="moves between two camera changes")
    args = parser.parse_args()
    payload()
    hover(args.moves, args.turn)


if __name__ == "__main__":
    main()
