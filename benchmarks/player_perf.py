"""Player performance figures (issue 3), each printed as a measured value against its target.

1. Payload size per spike / neuron / device channel per frame (seed tutorial and synthetic).
2. Time to build the payload for 1,000,000 spikes (target ≤ 100 ms).
3. Playback fps in headless Chromium at 10,000 and 100,000 neurons vs a bare three.js
   ``Points`` draw of the same neurons, side by side in one browser run (target ≥ 0.9×).
4. Display → first drawn frame for 100,000 neurons and 1,000,000 spikes (target ≤ 2 s).

Run: ``.venv/bin/python benchmarks/player_perf.py`` (needs ``make setup`` and Chromium).
Numbers are for software WebGL (SwiftShader) on this machine; a real GPU is much faster.
"""

from __future__ import annotations

import argparse
import base64
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--use-angle=swiftshader",
    "--enable-unsafe-swiftshader",
]
VIEWPORT = {"width": 900, "height": 640}
POINT_PX = 4.0


def synthetic_recording(n_neurons: int, n_spikes: int, n_frames: int = 1000, seed: int = 0):
    """Neurons in a 2 x 2 x 0.5 mm slab, Poisson-like spikes spread over the frames."""
    from cleo_player.recording import GroupData, Recording

    rng = np.random.default_rng(seed)
    dt = 1e-3
    frame_t = np.arange(n_frames) * dt
    half = n_neurons // 2
    groups = []
    per_group = [(n_spikes * 4) // 5, n_spikes - (n_spikes * 4) // 5]
    for name, n, ns in (("exc", n_neurons - half, per_group[0]), ("inh", half, per_group[1])):
        pos = np.c_[rng.uniform(-1e-3, 1e-3, n), rng.uniform(-1e-3, 1e-3, n), rng.uniform(0, 0.5e-3, n)]
        t = np.sort(rng.uniform(0, n_frames * dt, ns))
        i = rng.integers(0, n, ns).astype(np.uint32)
        groups.append(GroupData.from_spikes(name, pos, i, t, frame_t, dt))
    return Recording(dt, frame_t, n_frames * dt, tuple(groups))


def payload_sizes() -> None:
    import brian2 as b2

    from cleo_player import Player, Recorder
    from cleo_player.examples import seed_tutorial

    print("\n1. Payload size (targets: ≤ 4.5 B/spike, ≤ 16 B/neuron, ≤ 4 B/channel/frame)")
    s = seed_tutorial()
    rec = Recorder(dt=1 * b2.ms)
    s.sim.inject(rec, s.exc, s.inh)
    s.sim.run(100 * b2.ms)
    for label, player in (
        ("seed tutorial (500 neurons)", Player(rec, **s.plotargs)),
        ("synthetic 100k neurons, 1M spikes", Player(synthetic_recording(100_000, 1_000_000))),
    ):
        meta, data = player._meta, player._data
        r = player.recording
        per_spike = len(data["spike_idx"]) / max(r.n_spikes, 1)
        per_neuron = (len(data["positions"]) + len(data["visible"])) / r.n_neurons
        per_ch = len(data["values"]) / max(meta["n_channels"] * r.n_frames, 1) if meta["n_channels"] else 0.0
        ptr = len(data["spike_ptr"]) / max(r.n_spikes, 1)
        print(
            f"   {label}: {per_spike:.2f} B/spike (+{ptr:.3f} B/spike for the frame index), "
            f"{per_neuron:.1f} B/neuron, {per_ch:.1f} B/channel/frame; total {sum(map(len, data.values())) / 1e6:.2f} MB"
        )


def build_time() -> None:
    from cleo_player.payload import scene_payload
    from cleo_player.scene import Scene

    print("\n2. Payload build for 1,000,000 spikes (target ≤ 100 ms)")
    rec = synthetic_recording(100_000, 1_000_000)
    times = []
    for _ in range(7):
        t0 = time.perf_counter()
        scene_payload(Scene.build(rec))
        times.append(time.perf_counter() - t0)
    print(
        f"   Scene.build + scene_payload: median {statistics.median(times) * 1e3:.1f} ms (min {min(times) * 1e3:.1f} ms)"
    )


def _bare_bundle(tmp: Path) -> str:
    out = tmp / "bare.js"
    subprocess.run(
        [
            str(ROOT / "node_modules/.bin/esbuild"),
            str(ROOT / "benchmarks/bare_points.ts"),
            "--bundle",
            "--format=esm",
            "--minify",
            f"--outfile={out}",
        ],
        check=True,
        capture_output=True,
    )
    return out.read_text()


def _add_bare(page, positions: np.ndarray, bundle: str, width: int, height: int) -> None:
    """Add the bare three.js draw of the same neurons below the player, in the same page."""
    page.evaluate(
        """async ([code, pos, w, h, size]) => {
            const b64 = (s) => Uint8Array.from(atob(s), (c) => c.charCodeAt(0));
            const url = URL.createObjectURL(new Blob([code], {type: "text/javascript"}));
            const mod = await import(url);
            const el = document.createElement("div");
            document.body.append(el);
            window.bare = mod.start(el, new Float32Array(b64(pos).buffer), w, h, size);
            window.bare.running = false;
        }""",
        [bundle, base64.b64encode(positions.astype(np.float32).tobytes()).decode(), width, height, POINT_PX],
    )


# one measurement window: the player plays (the bare draw idles) or the bare draw runs (the
# player is paused); windows alternate, so both sides see the same machine
_WINDOW = """async ([side, seconds, speed]) => {
    const v = [...window.__cleoPlayers][0];
    v.pb.setSpeed(speed);
    const count = () => side === "player" ? v.renders : window.bare.renders;
    if (side === "player") { window.bare.running = false; v.pb.play(); }
    else { v.pb.pause(); window.bare.running = true; }
    await new Promise((r) => setTimeout(r, 300));
    const r0 = count(); const t0 = performance.now();
    await new Promise((r) => setTimeout(r, seconds * 1000));
    const fps = (count() - r0) / ((performance.now() - t0) / 1000);
    v.pb.pause(); window.bare.running = false;
    return fps;
}"""


def fps_and_first_frame(rounds: int, seconds: float) -> None:
    from playwright.sync_api import sync_playwright

    from cleo_player import Player

    with tempfile.TemporaryDirectory() as tmpdir, sync_playwright() as pw:
        tmp = Path(tmpdir)
        bundle = _bare_bundle(tmp)
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", headless=True, args=CHROMIUM_ARGS)
        print(
            f"\n3. Playback fps vs bare three.js Points, same neurons, same page, headless Chromium (target ≥ 0.9×; {rounds} alternating windows of {seconds:g} s each)"
        )
        for n in (10_000, 100_000):
            rec = synthetic_recording(n, 10 * n)
            player = Player(rec, scatterargs={"s": (POINT_PX * 72 / 100) ** 2})
            player_html = tmp / f"player_{n}.html"
            player.save_html(player_html)
            page = browser.new_page(viewport={"width": VIEWPORT["width"], "height": 1200})
            page.goto(player_html.as_uri())
            page.wait_for_function("() => [...(window.__cleoPlayers || [])][0]?.renders > 0", timeout=60000)
            size = page.evaluate(
                "() => { const c = document.querySelector('.cleo-canvas'); return [c.width, c.height]; }"
            )
            positions = np.concatenate([g.positions for g in rec.groups]) / 1e-6
            _add_bare(page, positions, bundle, size[0], size[1])
            # speed 1/10x (the default) and 1x (every drawn frame skips ~16 frames, whose
            # spikes all flash: the heaviest case)
            ours: dict[float, list[float]] = {0.1: [], 1.0: []}
            bare: list[float] = []
            for _ in range(rounds):
                for speed in ours:
                    ours[speed].append(page.evaluate(_WINDOW, ["player", seconds, speed]))
                bare.append(page.evaluate(_WINDOW, ["bare", seconds, 0.1]))
            page.close()
            b = statistics.median(bare)
            print(
                f"   {n:>7,} neurons, {10 * n // 1000:,} spikes per 1 ms frame ({size[0]}x{size[1]} px): "
                f"bare Points {b:.1f} fps [{', '.join(f'{x:.1f}' for x in bare)}]"
            )
            for speed, fps in ours.items():
                o = statistics.median(fps)
                print(
                    f"      player playing at {speed:g}x: {o:.1f} fps -> ratio {o / b:.2f}   [{', '.join(f'{x:.1f}' for x in fps)}]"
                )

        print("\n4. Display -> first drawn frame, 100,000 neurons and 1,000,000 spikes (target ≤ 2 s)")
        rec = synthetic_recording(100_000, 1_000_000)
        html = tmp / "first_frame.html"
        Player(rec).save_html(html)
        firsts = []
        for _ in range(3):
            page = browser.new_page(viewport=VIEWPORT)
            page.goto(html.as_uri())
            page.wait_for_function("() => [...(window.__cleoPlayers || [])][0]?.firstRenderAt != null", timeout=60000)
            # from navigation start: includes parsing the 13 MB page and base64-decoding the data,
            # which a notebook (binary websocket buffers) does not pay
            firsts.append(page.evaluate("() => [...window.__cleoPlayers][0].firstRenderAt") / 1000)
            page.close()
        print(
            f"   standalone page, navigation start -> first frame: median {statistics.median(firsts):.2f} s "
            f"(runs: {', '.join(f'{x:.2f}' for x in firsts)})"
        )
        browser.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=8, help="alternating measurement windows per side")
    parser.add_argument("--seconds", type=float, default=2.0, help="length of one window")
    args = parser.parse_args()
    from cleo_player.examples import quiet_brian

    quiet_brian()
    payload_sizes()
    build_time()
    fps_and_first_frame(args.rounds, args.seconds)


if __name__ == "__main__":
    main()
