"""The static layer (js/static_layer.ts): with the camera still, a frame copies the static part
rendered once and draws only the flashing neurons, light clouds and labels over it. It must
give exactly the pixels of the full redraw, whatever happens mid-playback (camera moves,
resizes, a lost WebGL context, a new scene), draw flashes as before, and gather exactly the
flashing neurons. Also: any number of neuron groups draws (no per-group uniform arrays).

Standalone pages (``Player.save_html``), opened offline; no Jupyter needed.
"""

from __future__ import annotations

from itertools import pairwise
from typing import Any

import numpy as np
import pytest
from browser_helpers import canvas_rgb, open_offline, poll, project_neurons, save_rgb, spot, view_eval

pytestmark = pytest.mark.browser

ROOT = "#cleo-player-root"
BACKGROUND = np.array([17, 19, 24]) / 255  # the canvas's clear colour, #111318


@pytest.fixture(scope="module")
def seed_page_file(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """The seed tutorial (500 neurons, a fibre's light, 100 frames) with a pythreejs extra."""
    import brian2 as b2
    import pythreejs as p3

    from cleo_player import Player, Recorder
    from cleo_player.examples import seed_tutorial

    s = seed_tutorial()
    rec = Recorder(dt=1 * b2.ms, devices="all")
    s.sim.inject(rec, s.exc, s.inh)
    s.sim.run(100 * b2.ms)
    s.fibers.max_value_viz = np.max(s.fibers.irradiance)
    player = Player(s.sim, **s.plotargs)
    # an opaque box flashes can hide behind and a translucent shell drawn over them
    player.add(p3.Mesh(p3.BoxGeometry(300, 300, 150), p3.MeshBasicMaterial(color="#00aa00"), position=(0, 0, 300)))
    player.add(
        p3.Mesh(
            p3.SphereGeometry(350, 24, 12),
            p3.MeshBasicMaterial(color="white", transparent=True, opacity=0.15, depthWrite=False),
            position=(-300, 200, 250),
        )
    )
    return player.save_html(tmp_path_factory.mktemp("static") / "seed.html")


# A second view of the same player (same playback), redrawing everything every frame and
# looking through the first view's camera: after each frame both have drawn, their pixels are
# compared. `steps` says what happens between frames: "still", "orbit" (the first view's
# camera turns a little), "resize" (both views change width), "lose" (the first view's WebGL
# context is lost and restored), "rebuild" (both views rebuild their scene).
_SIDE_BY_SIDE = """async (a, steps) => {
  const el = document.createElement('div');
  el.style.width = a.root.parentElement.clientWidth + 'px';
  document.body.append(el);
  const b = new a.constructor(el, a.model, a.pb);
  b.layer.mode = 'full';
  const render = b.render.bind(b);
  b.render = () => {
    b.camera.position.copy(a.camera.position);
    b.camera.quaternion.copy(a.camera.quaternion);
    b.camera.up.copy(a.camera.up);
    b.camera.aspect = a.camera.aspect;
    b.camera.near = a.camera.near;
    b.camera.far = a.camera.far;
    b.camera.updateProjectionMatrix();
    render();
  };
  const pixels = (v) => {
    const gl = v.renderer.getContext();
    const out = new Uint8Array(gl.drawingBufferWidth * gl.drawingBufferHeight * 4);
    gl.readPixels(0, 0, gl.drawingBufferWidth, gl.drawingBufferHeight, gl.RGBA, gl.UNSIGNED_BYTE, out);
    return out;
  };
  const records = [];
  let last = null;
  await new Promise((resolve) => {
    let i = 0;
    const obs = new MutationObserver(() => {
      // b has just drawn (after a, which subscribed first): compare, then take the next step
      if (Number(a.root.dataset.frame) !== Number(b.root.dataset.frame)) return;
      const pa = pixels(a), pb = pixels(b);
      let differ = 0, maxDiff = 0;
      if (pa.length !== pb.length) differ = -1;
      else for (let k = 0; k < pa.length; k += 4) {
        const d = Math.max(Math.abs(pa[k] - pb[k]), Math.abs(pa[k + 1] - pb[k + 1]), Math.abs(pa[k + 2] - pb[k + 2]));
        if (d > 0) { differ++; if (d > maxDiff) maxDiff = d; }
      }
      let changed = 0;
      if (last && last.length === pa.length) {
        for (let k = 0; k < pa.length; k += 4) if (pa[k] !== last[k] || pa[k + 1] !== last[k + 1]) changed++;
      }
      last = pa;
      records.push({ step: steps[i], frame: a.pb.frame, spikeStep: a.pb.spikes.step, flashes: a.objects.flashes.count,
                     builds: a.layer.builds, differ, maxDiff, changed, width: a.renderer.domElement.width });
      i++;
      if (i >= steps.length) { obs.disconnect(); resolve(); return; }
      const s = steps[i];
      if (s === 'orbit') {
        const o = a.gl.orbit;
        const off = a.camera.position.clone().sub(o.target).applyAxisAngle(a.camera.up, 0.05);
        a.camera.position.copy(o.target).add(off);
        o.update();
      } else if (s === 'resize') {
        const w = a.root.parentElement.clientWidth - 60;
        a.root.parentElement.style.width = w + 'px';
        el.style.width = w + 'px';
      } else if (s === 'lose') {
        const ext = a.renderer.getContext().getExtension('WEBGL_lose_context');
        ext.loseContext();
        setTimeout(() => ext.restoreContext(), 50);
      } else if (s === 'rebuild') {
        a.build();
        b.build();
      }
    });
    obs.observe(b.root, { attributes: true, attributeFilter: ['data-frame'] });
    a.pb.play();
  });
  a.pb.pause();
  b.dispose();
  el.remove();
  return records;
}"""


def _open(new_page: Any, path: Any) -> Any:
    lp = open_offline(new_page, path, ROOT)
    poll(lambda: view_eval(lp.page, ROOT, "(v) => v.renders") > 0, 30, what="the first render")
    return lp.page


def test_still_and_moving_camera_mid_playback_match_the_full_redraw(seed_page_file: Any, new_page: Any) -> None:
    page = _open(new_page, seed_page_file)
    # 1/100x: about one recording frame per drawn frame, so flashes come and go while playing
    view_eval(page, ROOT, "(v) => { v.pb.setSpeed(0.01); v.pb.seek(20); }")
    steps = (
        ["still"] * 8 + ["orbit"] * 6 + ["still"] * 8 + ["resize"] + ["still"] * 6
        + ["lose"] + ["still"] * 6 + ["rebuild"] + ["still"] * 6 + ["orbit"] * 3 + ["still"] * 6
    )  # fmt: skip
    recs = view_eval(page, ROOT, _SIDE_BY_SIDE, steps)
    assert len(recs) == len(steps)
    bad = [r for r in recs if r["differ"] != 0]
    assert not bad, f"the static layer's frames differ from the full redraw: {bad}"
    # not trivially equal: flashes were drawn and the picture changed from frame to frame
    assert sum(r["flashes"] for r in recs) >= 50, recs
    assert sum(r["changed"] > 20 for r in recs) >= len(recs) // 2, recs
    # the static part was re-rendered exactly when it had to be: on each camera step, resize,
    # new context and new scene (once; the step's frame), never on a still frame after a still one
    for prev, r in pairwise(recs):
        built = r["builds"] - prev["builds"]
        if r["step"] == "still" and prev["step"] == "still":
            assert built == 0, f"a still frame re-rendered the static part: {prev} -> {r}"
        elif r["step"] in ("orbit", "resize", "rebuild"):
            assert built == 1, f"{r['step']} did not re-render the static part once: {prev} -> {r}"
        elif r["step"] == "lose":
            assert built >= 1, f"a restored context did not re-render the static part: {prev} -> {r}"
    widths = {r["width"] for r in recs}
    assert len(widths) == 2, f"the resize did not change the canvas: {widths}"


def test_flashes_over_the_static_layer_read_as_before(tmp_path: Any, new_page: Any) -> None:
    """Isolated neurons, one spike each: a flash's centre is exactly what the flash alone gives
    over the background (colour 35 % whiter, opaque at the spike, fading over the decay), not
    flash over resting disc, at every step of its decay, and a neuron at rest is its group
    colour at the resting opacity."""
    import brian2 as b2

    from cleo_player import Player
    from cleo_player.recording import GroupData, Recording

    dt = 1e-3
    frame_t = np.arange(20) * dt
    n = 8
    pos = np.column_stack([np.linspace(-0.8e-3, 0.8e-3, n), np.zeros(n), np.zeros(n)])
    spike_i = np.arange(n, dtype=np.uint32)
    spike_t = 5 * dt + 0.5 * dt + np.zeros(n)  # all in frame 5
    groups = (
        GroupData.from_spikes("a", pos[: n // 2], spike_i[: n // 2], spike_t[: n // 2], frame_t, dt),
        GroupData.from_spikes(
            "b", np.add(pos[n // 2 :], (0, 0.3e-3, 0)), spike_i[: n // 2], spike_t[: n // 2], frame_t, dt
        ),
    )
    rec = Recording(dt, frame_t, 20 * dt, groups)
    decay_frames = 4
    # the box well beyond the neurons: no tick label lies over them
    lims = {"xlim": (-1500, 1500), "ylim": (-1000, 1000), "zlim": (-600, 600)}
    player = Player(rec, colors=["xkcd:tomato", "#3070f0"], decay=decay_frames * b2.ms, scatterargs={"s": 400}, **lims)
    page = _open(new_page, player.save_html(tmp_path / "flash.html"))
    meta = view_eval(page, ROOT, "(v) => v.pb.data.meta.groups.map((g) => [g.color, g.alpha])")
    colors = np.array([m[0] for m in meta for _ in range(n // 2)])
    alpha = meta[0][1]
    xy = project_neurons(page, ROOT)
    # what lies behind the neurons: the picture without them
    view_eval(page, ROOT, "(v) => { v.objects.root.visible = false; v.render(); }")
    behind = spot(canvas_rgb(page, ROOT), xy, r=1) / 255
    view_eval(page, ROOT, "(v) => { v.objects.root.visible = true; v.render(); }")
    for k in (0, 1, 2, 3, 4):  # frames after the spike
        view_eval(page, ROOT, "(v, f) => { v.pb.seek(f); v.render(); }", 5 + k)
        rgb = canvas_rgb(page, ROOT)
        save_rgb(rgb, tmp_path / f"flash-{k}.png")
        b = 1.0 if k == 0 else max(0.0, 1 - k / decay_frames)
        if b > 0:
            a = alpha + (1 - alpha) * b
            c = colors + 0.35 * b * (1 - colors)
            expected = a * c + (1 - a) * behind
        else:
            expected = alpha * colors + (1 - alpha) * behind
        got = spot(rgb, xy, r=1) / 255
        err = np.abs(got - expected).max()
        # two 8-bit roundings (the resting disc, then the flash over it) instead of one
        assert err <= 1.6 / 255, (
            f"{k} frames after the spike (b = {b}): {np.round(got * 255)} vs {np.round(expected * 255)}"
        )


# Every drawn frame: the neurons the flash pass draws (the spike state's active list, minus
# hidden ones) hold every neuron whose flash shows, computed from scratch over all neurons.
_GATHER = """async (v, plan) => {
  const problems = [];
  let checked = 0, flashing = 0;
  const check = () => {
    const s = v.pb.spikes, f = v.pb.frame, step = s.step, decay = v.pb.decayFrames();
    const listed = new Set(s.active.subarray(0, s.nActive));
    for (let n = 0; n < s.lastSpike.length; n++) {
      let age = f - s.lastSpike[n];
      if (age < 0) continue;
      age = Math.max(0, age - (step - 1));
      const b = age < 0.5 ? 1 : decay > 0 ? Math.max(0, 1 - age / decay) : 0;
      if (b > 0) { flashing++; if (!listed.has(n)) problems.push({ frame: f, step, neuron: n, b }); }
    }
    const sorted = [...listed].every((n, i, a) => i === 0 || a[i - 1] < n);
    if (!sorted || listed.size !== s.nActive) problems.push({ frame: f, unsorted: true });
    const drawn = v.objects.flashes.count;
    if (drawn !== s.nActive) problems.push({ frame: f, drawn, active: s.nActive });
    checked++;
  };
  const obs = new MutationObserver(check);
  obs.observe(v.root, { attributes: true, attributeFilter: ['data-frame'] });
  for (const [what, arg, ms] of plan) {
    if (what === 'speed') v.pb.setSpeed(arg);
    else if (what === 'loop') v.pb.setLoop(arg);
    else if (what === 'decay') v.model.set('decay', arg);
    else if (what === 'seek') v.pb.seek(arg);
    else if (what === 'play') v.pb.play();
    else if (what === 'pause') v.pb.pause();
    await new Promise((r) => setTimeout(r, ms));
  }
  obs.disconnect();
  v.pb.pause();
  return { problems: problems.slice(0, 20), checked, flashing };
}"""


def test_flash_pass_gathers_every_flashing_neuron(seed_page_file: Any, new_page: Any) -> None:
    page = _open(new_page, seed_page_file)
    plan = [
        ("decay", 4.0, 50), ("speed", 1.0, 0), ("loop", "loop", 0), ("play", None, 1500),   # wraps, skipped frames
        ("speed", 0.1, 0), ("loop", "pingpong", 0), ("seek", 90, 0), ("play", None, 1500),  # turns, backward
        ("pause", None, 100), ("seek", 40, 100), ("seek", 10, 100), ("decay", 0.0, 100),
        ("speed", 1.0, 0), ("loop", "once", 0), ("seek", 0, 0), ("play", None, 1000),
        ("decay", 12.0, 100), ("speed", 0.05, 0), ("loop", "loop", 0), ("play", None, 1000),
    ]  # fmt: skip
    out = view_eval(page, ROOT, _GATHER, plan)
    assert not out["problems"], out
    assert out["checked"] >= 15 and out["flashing"] >= 200, out  # not trivially true


def test_thousands_of_groups_draw_each_colour(tmp_path: Any, new_page: Any) -> None:
    """3,000 groups of one neuron each, distinct colours, all spiking in frame 0: at rest and at
    the flash each neuron shows its own group's colour (uniform arrays sized by the group count
    failed to compile from about 2,000 groups and drew nothing)."""
    from cleo_player import Player
    from cleo_player.recording import GroupData, Recording

    n_groups = 3000
    cols, rows = 60, 50
    dt = 1e-3
    frame_t = np.arange(3) * dt
    rng = np.random.default_rng(1)
    colors = rng.uniform(0.15, 1.0, (n_groups, 3))
    gx, gy = np.meshgrid(np.arange(cols), np.arange(rows))
    xy = np.column_stack([gx.ravel(), gy.ravel()])[:n_groups] * 1e-5  # metres: 10 um apart
    groups = tuple(
        GroupData.from_spikes(
            f"g{k}", np.array([[xy[k, 0], xy[k, 1], 0.0]]), np.array([0], np.uint32), np.array([0.5 * dt]), frame_t, dt
        )
        for k in range(n_groups)
    )
    rec = Recording(dt, frame_t, 3 * dt, groups)
    lims = {"xlim": (-20, 610), "ylim": (-20, 510), "zlim": (-10, 10)}  # um
    player = Player(rec, colors=[tuple(c) for c in colors], decay=0.0, height=700, scatterargs={"s": 16}, **lims)
    page = _open(new_page, player.save_html(tmp_path / "groups.html"))
    # looking straight down on the grid, which fills the view
    view_eval(
        page, ROOT,
        """(v) => { const c = v.center; v.camera.up.set(0, 1, 0);
             v.camera.clearViewOffset();  // (no framing shift: the grid centred)
             v.camera.position.set(c.x, c.y, c.z + 2.3 * v.radius);
             v.gl.orbit.target.copy(c); v.gl.orbit.update(); v.render(); }""",
    )  # fmt: skip
    alpha = view_eval(page, ROOT, "(v) => v.pb.data.meta.groups[0].alpha")
    for frame, expect in ((0, colors + 0.35 * (1 - colors)), (1, alpha * colors + (1 - alpha) * BACKGROUND)):
        view_eval(page, ROOT, "(v, f) => { v.pb.seek(f); v.render(); }", frame)
        centres = project_neurons(page, ROOT)
        d = np.hypot(*(centres[:, None, :] - centres[None, :, :]).transpose(2, 0, 1))
        d[np.arange(n_groups), np.arange(n_groups)] = np.inf
        assert d.min() >= 10, f"neurons too close on screen to tell apart ({d.min():.1f} px)"
        rgb = canvas_rgb(page, ROOT)
        save_rgb(rgb, tmp_path / f"groups-frame{frame}.png")
        got = rgb[np.round(centres[:, 1]).astype(int), np.round(centres[:, 0]).astype(int)] / 255
        wrong = np.flatnonzero(np.abs(got - expect).max(-1) > 3 / 255)
        assert not len(wrong), (
            f"frame {frame}: {len(wrong)} of {n_groups} neurons not in their group's colour, e.g. group "
            f"{wrong[0]}: {np.round(got[wrong[0]] * 255)} instead of {np.round(expect[wrong[0]] * 255)}"
        )
