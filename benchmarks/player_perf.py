"""Player performance figures (issue 3), each printed as a measured value against its target.

1. Payload size per spike / neuron / device channel per frame (seed tutorial and synthetic).
2. Time to build the payload for 1,000,000 spikes (target ≤ 100 ms).
3. Playback fps in headless Chromium at 10,000 and 100,000 neurons vs a bare three.js
   ``Points`` draw of the same neurons, side by side in one browser run (target ≥ 0.9×).
4. Display → first drawn frame for 100,000 neurons and 1,000,000 spikes (target ≤ 2 s).
5. Frames shown per second with the camera still and while orbiting, at 10,000, 100,000 and
   1,000,000 neurons (Poisson 10 Hz, 1 ms frames, 640 x 480, the default look, 60 recording
   frames per second asked), the static layer against the full redraw of every frame, side by
   side in one page (targets, still camera: ≥ 58 / ≥ 50 / ≥ 20 fps; orbiting: no slower than the
   full redraw); and the page's memory at 1,000,000 neurons (JS heap, array buffers and GPU
   buffers; target < 200 MB).

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
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from cleo_player.recording import Recording

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


def synthetic_recording(n_neurons: int, n_spikes: int, n_frames: int = 1000, seed: int = 0) -> Recording:
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
    """1. Bytes per spike, neuron and channel of the payload, for the tutorial and a big recording."""
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
        meta, data = player._meta, player._data  # noqa: SLF001 the payload is what is measured
        r = player.recording
        per_spike = len(data["spike_idx"]) / max(r.n_spikes, 1)
        per_neuron = (len(data["positions"]) + len(data["visible"])) / r.n_neurons
        per_ch = len(data["values"]) / max(meta["n_channels"] * r.n_frames, 1) if meta["n_channels"] else 0.0
        ptr = len(data["spike_ptr"]) / max(r.n_spikes, 1)
        print(
            f"   {label}: {per_spike:.2f} B/spike (+{ptr:.3f} B/spike for the frame index), "
            f"{per_neuron:.1f} B/neuron, {per_ch:.1f} B/channel/frame; "
            f"total {sum(map(len, data.values())) / 1e6:.2f} MB"
        )


def build_time() -> None:
    """2. Time to build the scene and its payload for a million spikes."""
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
        f"   Scene.build + scene_payload: median {statistics.median(times) * 1e3:.1f} ms "
        f"(min {min(times) * 1e3:.1f} ms)"
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


def _add_bare(page: Any, positions: np.ndarray, bundle: str, width: int, height: int) -> None:
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
    """3. Playback frame rate against bare three.js points; 4. time to the first drawn frame."""
    from playwright.sync_api import sync_playwright

    from cleo_player import Player

    with tempfile.TemporaryDirectory() as tmpdir, sync_playwright() as pw:
        tmp = Path(tmpdir)
        bundle = _bare_bundle(tmp)
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", headless=True, args=CHROMIUM_ARGS)
        print(
            "\n3. Playback fps vs bare three.js Points, same neurons, same page, headless Chromium "
            f"(target ≥ 0.9×; {rounds} alternating windows of {seconds:g} s each)"
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
                for speed, fps in ours.items():
                    fps.append(page.evaluate(_WINDOW, ["player", seconds, speed]))
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
                    f"      player playing at {speed:g}x: {o:.1f} fps -> ratio {o / b:.2f}   "
                    f"[{', '.join(f'{x:.1f}' for x in fps)}]"
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


def poisson_recording(n_neurons: int, n_frames: int = 1000, rate_hz: float = 10.0, seed: int = 0) -> Recording:
    """The peer harness's network (/work/shared/bench): neurons uniform in a 2 x 2 x 0.5 mm slab,
    80 % excitatory, each spiking with probability rate * dt in each 1 ms frame.
    """
    from cleo_player.recording import GroupData, Recording

    rng = np.random.default_rng(seed)
    dt = 1e-3
    pos = np.column_stack(
        [rng.uniform(-1, 1, n_neurons), rng.uniform(-1, 1, n_neurons), rng.uniform(-0.25, 0.25, n_neurons)]
    )
    n_exc = round(0.8 * n_neurons)
    counts = rng.binomial(n_neurons, rate_hz * dt, n_frames)
    # no neuron twice in a frame, as the harness draws them
    per_frame = [np.unique(rng.integers(0, n_neurons, c)) for c in counts]
    idx = np.concatenate(per_frame)
    frame = np.repeat(np.arange(n_frames), [len(x) for x in per_frame])
    frame_t = np.arange(n_frames) * dt
    groups = []
    for name, lo, hi in (("exc", 0, n_exc), ("inh", n_exc, n_neurons)):
        m = (idx >= lo) & (idx < hi)
        t = frame_t[frame[m]] + 0.5 * dt
        groups.append(GroupData.from_spikes(name, pos[lo:hi] * 1e-3, idx[m] - lo, t, frame_t, dt))
    return Recording(dt, frame_t, n_frames * dt, tuple(groups))


# one window of section 5: the view plays with the static layer ("auto") or redrawing all of
# every frame ("full"), the camera still or orbiting (a small turn every animation frame); a
# baseline page (another build of the front end, without the static layer) just plays. The
# count starts at a drawn frame after two frames in the new setting (the first may rebuild the
# static picture: seconds at 1,000,000 neurons) and ends at the last frame drawn once the window
# has lasted `seconds` and held at least 3 frames, so that slow frames are counted whole.
_LAYER_WINDOW = """async ([mode, orbit, seconds]) => {
    const v = [...window.__cleoPlayers][0];
    if (v.layer) v.layer.mode = mode;
    const builds = () => (v.layer ? v.layer.builds : 0);
    let turning = orbit;
    const turn = () => {
      if (!turning) return;
      const o = v.gl.orbit;
      const off = v.camera.position.clone().sub(o.target).applyAxisAngle(v.camera.up, 0.01);
      v.camera.position.copy(o.target).add(off);
      o.update();
      requestAnimationFrame(turn);
    };
    requestAnimationFrame(turn);
    v.pb.play();
    const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
    const deadline = performance.now() + 120000;
    const nextRender = async () => {
      const r = v.renders;
      while (v.renders === r && performance.now() < deadline) await sleep(5);
      return performance.now();
    };
    await nextRender(); await nextRender();
    const t0 = await nextRender();
    const r0 = v.renders, b0 = builds();
    let t1 = t0, r1 = r0;
    while ((t1 - t0 < seconds * 1000 || r1 - r0 < 3) && performance.now() < deadline) {
      t1 = await nextRender();
      r1 = v.renders;
    }
    const dt = (t1 - t0) / 1000;
    const fps = (r1 - r0) / dt, built = (builds() - b0) / dt;
    turning = false;
    v.pb.pause();
    return [fps, built];
}"""

# bytes the GPU holds for the view: its geometries' buffers, its data textures and the static
# layer's target (multisampled colour and depth, resolved colour and depth)
_GPU_BYTES = """() => {
    const v = [...window.__cleoPlayers][0];
    const seen = new Set();
    let bytes = 0;
    const add = (a) => { if (a && a.array && !seen.has(a.array)) { seen.add(a.array); bytes += a.array.byteLength; } };
    v.scene.traverse((o) => {
      const g = o.geometry;
      if (g) {
        for (const a of Object.values(g.attributes)) add(a.isInterleavedBufferAttribute ? a.data : a);
        add(g.index);
      }
      const m = o.material;
      for (const u of Object.values((m && m.uniforms) || {})) {
        const t = u.value;
        if (t && t.isDataTexture && !seen.has(t)) { seen.add(t); bytes += t.image.data.byteLength; }
      }
    });
    const t = v.layer && v.layer.target;
    if (t) bytes += t.width * t.height * 4 * (2 * Math.max(t.samples, 1) + 2);
    return bytes;
}"""


def baseline_bundle(rev: str, tmp: Path) -> str:
    """The front end as it was at git revision ``rev`` (e.g. the branch point), built."""
    import io
    import shutil
    import tarfile

    src = tmp / "baseline"
    git = shutil.which("git") or "git"
    # the revision is the caller's own argument
    archive = subprocess.run([git, "-C", str(ROOT), "archive", rev, "js"], check=True, capture_output=True)
    with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
        tar.extractall(src, filter="data")
    (src / "node_modules").symlink_to(ROOT / "node_modules")
    out = tmp / "baseline.js"
    esbuild = [str(ROOT / "node_modules/.bin/esbuild"), str(src / "js/index.ts"), "--bundle", "--format=esm"]
    subprocess.run([*esbuild, "--minify", f"--outfile={out}"], check=True, capture_output=True)
    return out.read_text()


_CANVAS_SIZE = "() => { const c = document.querySelector('.cleo-canvas'); return [c.width, c.height]; }"


def _canvas_480(page: Any) -> None:
    """Make the canvas 640 x 480 px: the standalone page's view fills the window's height."""
    height = page.evaluate(_CANVAS_SIZE)[1]
    page.set_viewport_size({"width": 672, "height": 700 + 480 - height})
    page.wait_for_function(f"() => ({_CANVAS_SIZE})()[1] === 480", timeout=60_000)


def _memory(page: Any) -> str:
    cdp = page.context.new_cdp_session(page)
    cdp.send("HeapProfiler.collectGarbage")
    heap = cdp.send("Runtime.getHeapUsage")
    gpu = page.evaluate(_GPU_BYTES)
    buffers = heap.get("backingStorageSize", 0)
    total = heap["usedSize"] + buffers + gpu
    return (
        f"JS heap {heap['usedSize'] / 1e6:.1f} MB + array buffers {buffers / 1e6:.1f} MB + GPU buffers "
        f"{gpu / 1e6:.1f} MB = {total / 1e6:.1f} MB"
    )


def _report(n: int, size: list[int], fps: dict, built: dict, baseline: str | None) -> None:
    """Section 5's lines for one network size: medians, ratios, every window."""
    med = {k: statistics.median(v) for k, v in fps.items()}
    print(f"   {n:>9,} neurons ({size[0]}x{size[1]} px), {n // 100:,} spikes per frame:")
    for orbit in (False, True):
        a, f = med["new", "auto", orbit], med["new", "full", orbit]
        what = "orbiting    " if orbit else "camera still"
        line = f"      {what}: static layer {a:5.1f} fps, full redraw {f:5.1f} fps -> ratio {a / f:4.2f}"
        if baseline:
            b = med["baseline", "full", orbit]
            line += f"; baseline {b:5.1f} fps -> static layer / baseline {a / b:4.2f}"
        print(line)
        lists = "; ".join(f"{k[0]} {k[1]}: {', '.join(f'{x:.1f}' for x in v)}" for k, v in fps.items() if k[2] == orbit)
        rebuilt = statistics.median(built["new", "auto", orbit])
        print(f"         windows: {lists}; static renders/s (auto): {rebuilt:.1f}")


def static_layer_fps(rounds: int, seconds: float, sizes: list[int], baseline: str | None) -> None:
    """Section 5: alternating windows per network size, then the page's memory."""
    from brian2 import ms
    from playwright.sync_api import sync_playwright

    from cleo_player import Player
    from cleo_player.widget.bundle import bundle_source
    from cleo_player.widget.html import standalone_html

    print(
        "\n5. Frames shown per second, static layer ('auto') vs full redraw of every frame ('full'), same page, "
        f"headless Chromium, 640 x 480, Poisson 10 Hz, 1 ms frames, 60 frames/s asked, default look, decay 0 "
        f"({rounds} rounds of alternating {seconds:g} s windows; medians)"
    )
    print("   targets, camera still: >= 58 fps at 10,000 neurons, >= 50 at 100,000, >= 20 at 1,000,000")
    with tempfile.TemporaryDirectory() as tmpdir, sync_playwright() as pw:
        tmp = Path(tmpdir)
        bundles = {"new": bundle_source()}
        if baseline:
            bundles["baseline"] = baseline_bundle(baseline, tmp)
            print(f"   baseline: the front end at {baseline}, in a second page of the same browser, alternating too")
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", headless=True, args=CHROMIUM_ARGS)
        for n in sizes:
            # the 3D view alone (its timeline has its own benchmark, timeline_perf.py)
            player = Player(poisson_recording(n), speed=0.06, decay=0 * ms, height=480, timeline=False)
            state = player.page_state()
            del player
            pages = {}
            for name, bundle in bundles.items():
                html = tmp / f"poisson_{n}_{name}.html"
                html.write_text(standalone_html(state, bundle, f"{n} neurons ({name})"), encoding="utf-8")
                # the page pads its body by 16 px: a 672 px wide window gives a 640 px wide canvas
                page = browser.new_page(viewport={"width": 672, "height": 700})
                page.goto(html.as_uri())
                page.wait_for_function("() => [...(window.__cleoPlayers || [])][0]?.renders > 0", timeout=300_000)
                _canvas_480(page)
                pages[name] = page
            del state
            size = pages["new"].evaluate(_CANVAS_SIZE)
            kinds = [("new", m, o) for o in (False, True) for m in ("auto", "full")]
            kinds += [("baseline", "full", o) for o in (False, True) if baseline]
            fps: dict[tuple, list[float]] = {k: [] for k in kinds}
            built: dict[tuple, list[float]] = {k: [] for k in kinds}
            for r in range(rounds):
                # every other round in reverse order, so that no kind always follows the same one
                for k in kinds if r % 2 == 0 else kinds[::-1]:
                    f, b = pages[k[0]].evaluate(_LAYER_WINDOW, [k[1], k[2], seconds])
                    fps[k].append(f)
                    built[k].append(b)
            _report(n, size, fps, built, baseline)
            if n == max(sizes):
                for name, page in pages.items():
                    print(f"      memory ({name}, target < 200 MB): {_memory(page)}")
            for page in pages.values():
                page.close()
        browser.close()


def main() -> None:
    """Run the measurements (see the module docstring)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=8, help="alternating measurement windows per side")
    parser.add_argument("--seconds", type=float, default=2.0, help="length of one window")
    parser.add_argument(
        "--only-layer", action="store_true", help="only section 5 (static layer vs full redraw, memory)"
    )
    parser.add_argument("--sizes", default="10000,100000,1000000", help="neuron counts of section 5, comma-separated")
    parser.add_argument("--layer-rounds", type=int, default=4, help="rounds of section 5's windows")
    parser.add_argument(
        "--baseline", metavar="REV", help="also play the front end of git revision REV (e.g. the branch point)"
    )
    args = parser.parse_args()
    from cleo_player.examples import quiet_brian

    quiet_brian()
    if not args.only_layer:
        payload_sizes()
        build_time()
        fps_and_first_frame(args.rounds, args.seconds)
    sizes = [int(x) for x in args.sizes.split(",")]
    static_layer_fps(args.layer_rounds, max(args.seconds, 3.0), sizes, args.baseline)


if __name__ == "__main__":
    main()
