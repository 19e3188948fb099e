"""The matplotlib fallback (issue 4): cleo-compatible animation and fast video export.

Frame content is checked by pixels: neurons are located with mplot3d's own projection of the
3D axes the frames are drawn from, and which neurons spiked in a frame comes from the
tutorial's own SpikeMonitors, not from the Recorder.
"""

from __future__ import annotations

import base64
import io
import re
from dataclasses import replace

import brian2 as b2
import matplotlib as mpl
import matplotlib.animation
import matplotlib.pyplot as plt
import numpy as np
import pytest
from mpl_toolkits.mplot3d import proj3d

from cleo_player import Player, Recorder, video
from cleo_player.examples import seed_tutorial
from cleo_player.recording import DeviceTrack
from cleo_player.scene import Scene

mpl.use("Agg")
# an animation made only to inspect its frames is never "rendered" in matplotlib's sense
pytestmark = pytest.mark.filterwarnings("ignore:Animation was deleted without rendering")

N_FRAMES = 20
LIMITS = {"xlim": (-1100, 1100), "ylim": (-1100, 1100)}  # explicit, so cleo's axes match ours


@pytest.fixture(scope="module")
def seed20():
    """The tutorial network recorded for 20 ms by our Recorder and by cleo's VideoVisualizer."""
    from cleo.viz import VideoVisualizer

    s = seed_tutorial()
    vv = VideoVisualizer(dt=1 * b2.ms, devices=[])  # no devices: its frames compare with ours
    s.sim.inject(vv, s.exc, s.inh)
    rec = Recorder(dt=1 * b2.ms, devices="all")
    s.sim.inject(rec, s.exc, s.inh)
    s.sim.run(N_FRAMES * b2.ms)
    s.fibers.max_value_viz = np.max(s.fibers.irradiance)
    yield s, vv, rec
    plt.close("all")


@pytest.fixture(scope="module")
def device_sim():
    """A small network with a Light, a Probe and a Scope, recorded with devices="all"."""
    import cleo
    from cleo.coords import assign_coords_rand_rect_prism
    from cleo.ephys import Probe, linear_shank_coords
    from cleo.imaging import Scope, gcamp6f
    from cleo.light import Light, fiber473nm

    b2.prefs.codegen.target = "numpy"
    ng = b2.NeuronGroup(
        80, "dv/dt = (1.5 - v) / (5*ms) : 1", threshold="v > 1", reset="v = 0", method="exact", name="cells"
    )
    ng.v = "rand()"
    assign_coords_rand_rect_prism(ng, xlim=(-0.3, 0.3), ylim=(-0.3, 0.3), zlim=(0.1, 0.4))
    sim = cleo.CLSimulator(b2.Network(ng))
    light = Light(coords=(0, 0, 0) * b2.mm, light_model=fiber473nm(), max_value=10 * b2.mwatt / b2.mm2, name="fiber")
    sim.inject(light, ng)
    contacts = linear_shank_coords(0.4 * b2.mm, 4, start_location=(-0.25, -0.25, 0.05) * b2.mm)
    probe = Probe(coords=contacts, name="probe")
    sim.inject(probe, ng)
    scope = Scope(sensor=gcamp6f(), img_width=0.4 * b2.mm, focus_depth=0.25 * b2.mm, name="scope")
    sim.inject(scope, ng)
    light.update(5 * b2.mwatt / b2.mm2)
    rec = Recorder(dt=1 * b2.ms, devices="all")
    sim.inject(rec, ng)
    tuples = Recorder(dt=1 * b2.ms, devices=[(probe, {"color": "red"}), light], name="tuples")
    sim.inject(tuples, ng)
    sim.run(5 * b2.ms)
    yield sim, ng, light, probe, scope, rec, tuples
    plt.close("all")


# --- helpers --------------------------------------------------------------------------------
def pixels(ax, points: np.ndarray, height: int) -> tuple[np.ndarray, np.ndarray]:
    """(row, column) of the pixel under each 3D point (axis units), by mplot3d's projection."""
    vx, vy, _ = proj3d.proj_transform(points[:, 0], points[:, 1], points[:, 2], ax.get_proj())
    xy = ax.transData.transform(np.column_stack([vx, vy]))
    return height - 1 - np.floor(xy[:, 1]).astype(int), np.floor(xy[:, 0]).astype(int)


def spikers(mon, k: int, dt: float = 1e-3) -> np.ndarray:
    """Neurons with a spike in frame k, i.e. in [k dt, (k+1) dt), from a brian2 SpikeMonitor."""
    t, i = np.asarray(mon.t_), np.asarray(mon.i)
    return np.unique(i[(t >= k * dt - 1e-9) & (t < (k + 1) * dt - 1e-9)])


def highlight(img: np.ndarray, ref: np.ndarray, rc: tuple, color: tuple) -> float:
    """How far a pixel moved from ``ref`` towards ``color`` (0: not at all, 1: all the way)."""
    p, q, c = (np.asarray(a, dtype=float)[:3] for a in (img[rc], ref[rc], np.asarray(color) * 255))
    span = c - q
    return float((p - q) @ span / max(span @ span, 1e-9))


def rgba_of(fig) -> np.ndarray:
    fig.canvas.draw()
    return np.asarray(fig.canvas.buffer_rgba()).copy()


def frame_of_animation(ani, k: int) -> np.ndarray:
    ani._func(k)
    return rgba_of(ani._fig)


# --- drop-in for VideoVisualizer.generate_Animation -------------------------------------------
def test_frames_and_interval_match_video_visualizer(seed20):
    s, vv, rec = seed20
    for slowdown in (10, 2.5):
        ours = rec.generate_Animation(s.plotargs, slowdown_factor=slowdown)
        cleos = vv.generate_Animation(s.plotargs, slowdown_factor=slowdown)
        n_ours = sum(1 for _ in ours.new_frame_seq())
        n_cleo = sum(1 for _ in cleos.new_frame_seq())
        assert n_ours == n_cleo == N_FRAMES
        assert ours._interval == pytest.approx(cleos._interval)
        assert ours._interval == pytest.approx(1.0 * slowdown)  # dt = 1 ms times the slowdown
        assert isinstance(ours, matplotlib.animation.FuncAnimation)
    assert rec.fig is ours._fig and rec.ax.name == "3d"
    labels = [t.get_text() for t in rec.ax.get_legend().get_texts()]
    assert labels == ["exc", "inh", "Light"]
    assert rec.ax.get_xlabel() == "x (µm)" and rec.ax.get_zlabel() == "z (µm)"  # brian2 writes um
    assert rec.ax.get_box_aspect()[2] < 0  # z (depth) drawn downward, as cleo's invert_z
    plt.close("all")


def test_frames_look_like_cleos(seed20):
    """Same spikes, same axes: our frame k against cleo's frame k + 1 (cleo's frame k holds
    the spikes of [(k-1) dt, k dt)), pixel by pixel."""
    s, vv, rec = seed20
    plotargs = {**s.plotargs, **LIMITS}
    k = int(np.argmax([len(spikers(s.mon_e, f)) for f in range(N_FRAMES - 1)]))
    assert len(spikers(s.mon_e, k)) > 0
    cleo_ani = vv.generate_Animation(plotargs, slowdown_factor=10)
    for i in range(k + 2):
        cleo_ani._func(i)
    buf = io.BytesIO()
    vv.fig.savefig(buf, format="rgba")  # savefig draws the blitted (animated) artists too
    theirs = np.frombuffer(buf.getvalue(), np.uint8).reshape(480, 640, 4).astype(int)
    scene = Scene.build(rec.recording, [], **plotargs)  # no devices, as the VideoVisualizer
    ours = video.render_frame(scene, k).astype(int)
    diff = np.abs(ours - theirs)[..., :3].max(axis=-1)
    # (one frame off, this is 0.2 and 100)
    assert diff.mean() < 0.05 and np.percentile(diff, 99.9) <= 6, (diff.mean(), diff.max())
    plt.close("all")


def test_spiking_neurons_are_highlighted_where_they_project(seed20):
    s, _, rec = seed20
    scene = Scene.build(rec.recording, [], **s.plotargs)  # neurons only: pixels change only by spikes
    renderer = video.FrameRenderer(scene)
    frames = [renderer.frame(k) for k in range(N_FRAMES)]
    ax, height = renderer.frames.ax, frames[0].shape[0]
    n_checked_spiking = n_checked_quiet = 0
    for group, mon in zip(scene.groups, (s.mon_e, s.mon_i), strict=True):
        rows, cols = pixels(ax, group.positions, height)
        xy = np.column_stack([rows, cols]).astype(float)
        spiking_per_frame = [spikers(mon, k) for k in range(N_FRAMES)]
        busy = sorted(range(N_FRAMES), key=lambda f: -len(spiking_per_frame[f]))[:4]
        for k in busy:
            for i in range(len(group.positions)):
                # a reference frame where neither i nor anything near it spikes
                near = np.flatnonzero(np.hypot(*(xy - xy[i]).T) < 12)
                quiet = [r for r in range(N_FRAMES) if not np.intersect1d(near, spiking_per_frame[r]).size]
                if not quiet:
                    continue
                r = quiet[0]
                rc = (rows[i], cols[i])
                others_here = np.setdiff1d(np.intersect1d(near, spiking_per_frame[k]), [i])
                if i in spiking_per_frame[k] and not others_here.size:
                    assert highlight(frames[k], frames[r], rc, group.color) > 0.4, (group.name, k, i)
                    n_checked_spiking += 1
                elif not np.intersect1d(near, spiking_per_frame[k]).size:
                    np.testing.assert_array_equal(frames[k][rc], frames[r][rc])
                    n_checked_quiet += 1
    assert n_checked_spiking >= 5 and n_checked_quiet >= 100


def test_animation_and_direct_export_draw_the_same_pictures(seed20):
    s, _, rec = seed20
    ani = rec.generate_Animation(s.plotargs, slowdown_factor=10)
    direct = video.FrameRenderer(Scene.from_recorder(rec, **s.plotargs))
    for k in (7, 3, 0, N_FRAMES - 1, 0):  # out of order: nothing depends on the previous frame
        picture = direct.frame(k)
        np.testing.assert_array_equal(frame_of_animation(ani, k), picture)
        # drawn again, as Animation.save does (draw_idle, then savefig): the frame it kept
        ani._func(k)  # (the animation's first draw event started it, which drew frame 0)
        np.testing.assert_array_equal(rgba_of(ani._fig), picture)
    plt.close("all")


# --- lights ----------------------------------------------------------------------------------
def light_scene(rec, fibers, plotargs, values: list[list[float]]) -> Scene:
    """The seed scene with the Light's track replaced by ``values`` (one row per frame)."""
    base = Scene.from_recorder(rec, **plotargs).recording
    n = len(values)
    groups = tuple(
        replace(g, spike_i=g.spike_i[:0], spike_t=g.spike_t[:0], frame_ptr=np.zeros(n + 1, np.int64))
        for g in base.groups
    )
    track = DeviceTrack("Light", "Light", np.asarray(values, dtype=float), "mW/mm2")
    recording = replace(base, frame_t=base.frame_t[:n], t_end=n * base.dt, groups=groups, tracks=(track,))
    return Scene.build(recording, [(fibers, {})], **plotargs)


def light_strength(frame: np.ndarray, dark: np.ndarray, region: np.ndarray) -> float:
    return float(np.abs(frame[..., :3].astype(int) - dark[..., :3])[region].mean())


def test_light_brightness_follows_value_and_clips(seed20):
    s, _, rec = seed20
    m = float(s.fibers.max_value_viz / (b2.mwatt / b2.mm2))
    fractions = [0.0, 0.2, 0.5, 1.0, 3.0, 0.7]  # 3.0: above max_value_viz
    scene = light_scene(rec, s.fibers, s.plotargs, [[f * m, 0.0] for f in fractions])
    frames = [f.astype(int) for f in video.iter_frames(scene)]
    region = np.abs(frames[3] - frames[0])[..., :3].max(axis=-1) > 3  # where fibre 1 shines
    assert 200 < region.sum() < 0.3 * region.size
    strength = [light_strength(f, frames[0], region) for f in frames]
    assert strength[0] == 0
    assert strength[1] < strength[2] < strength[5] < strength[3]  # rises with the value
    np.testing.assert_array_equal(frames[4], frames[3])  # above the max: clipped to the max
    # not opaque: mostly the light's colour is mixed with what is behind it (above the max,
    # cleo's points get alpha T instead of 0.6 T, and the cloud turns almost solid)
    light_rgb = np.asarray(scene.lights[0].color) * 255
    distance = np.abs(frames[3][region][:, :3] - light_rgb).max(axis=-1)
    assert np.median(distance) > 100, np.percentile(distance, [10, 50, 90])


def test_frame_zero_shows_its_own_light_value(seed20):
    """cleo compares frame 0 with the last frame and, if equal, keeps the static brightness."""
    s, _, rec = seed20
    m = float(s.fibers.max_value_viz / (b2.mwatt / b2.mm2))
    scene = light_scene(rec, s.fibers, s.plotargs, [[0.3 * m, 0], [1.0 * m, 0], [0.0, 0], [0.3 * m, 0]])
    ani = video.to_animation(scene)
    first, last, bright, dark = [frame_of_animation(ani, k).astype(int) for k in (0, 3, 1, 2)]
    np.testing.assert_array_equal(first, last)
    region = np.abs(bright - dark)[..., :3].max(axis=-1) > 3
    assert 0 < light_strength(first, dark, region) < light_strength(bright, dark, region)
    # a light that never changes is drawn into the static layers, at its recorded value
    const = [
        video.render_frame(light_scene(rec, s.fibers, s.plotargs, [[f * m, 0]] * 2), 1).astype(int)
        for f in (0, 0.3, 1.0)
    ]
    for c, same in zip(const, (dark, first, bright), strict=True):  # equal up to the order of 8-bit blending
        assert np.abs(c - same).max() <= 8
    for c, same in zip(const[1:], (first, bright), strict=True):
        assert light_strength(c, const[0], region) == pytest.approx(light_strength(same, dark, region), rel=0.03)
    plt.close("all")


def test_overlapping_lights_that_change(seed20):
    """Two changing sources whose clouds overlap on screen are both drawn where they overlap."""
    from cleo.light import Light, fiber473nm

    s, _, rec = seed20
    close = Light(coords=[[0, 0, 0], [200, 0, 0]] * b2.um, light_model=fiber473nm(), name="Light")
    close.max_value_viz = 5 * b2.mwatt / b2.mm2
    changing = light_scene(rec, close, s.plotargs, [[5, 5], [1, 4.5], [5, 5]])
    constant = light_scene(rec, close, s.plotargs, [[5, 5], [5, 5]])  # drawn by mplot3d itself
    diff = np.abs(video.render_frame(changing, 2).astype(int) - video.render_frame(constant, 0))[..., :3]
    assert diff.max() <= 32 and diff.mean() < 0.2, (diff.max(), diff.mean())  # rounding; not 240


# --- devices and plotargs cleo's VideoVisualizer crashes on ------------------------------------
def test_probe_and_scope_with_devices_all(device_sim):
    _sim, _ng, _light, probe, _scope, rec, _ = device_sim
    ani = rec.generate_Animation({"colors": ["xkcd:purple"]}, slowdown_factor=10)
    assert sum(1 for _ in ani.new_frame_seq()) == 5
    img = frame_of_animation(ani, 4)
    labels = [t.get_text() for t in rec.ax.get_legend().get_texts()]
    assert {"cells", "fiber", "probe", "scope"} <= set(labels)
    contacts = np.asarray(probe.coords / b2.um)
    rows, cols = pixels(rec.ax, contacts, img.shape[0])
    dark_gray = np.array([0x36, 0x37, 0x37])
    for r, c in zip(rows, cols, strict=True):  # an "x" crosses at the contact: dark gray near its centre
        patch = img[r - 1 : r + 2, c - 1 : c + 2, :3].reshape(-1, 3).astype(int)
        assert np.abs(patch - dark_gray).max(axis=1).min() < 40
    green = np.all(np.abs(img[..., :3].astype(int) - [0x08, 0xFF, 0x08]) < 60, axis=-1)
    assert green.sum() > 50  # the scope's arrow (and its translucent focal disk)
    plt.close("all")


def test_device_kwargs_tuples(device_sim):
    _sim, _ng, _light, probe, _scope, _, tuples = device_sim
    ani = tuples.generate_Animation({}, slowdown_factor=10)  # cleo: TypeError on its first frame
    img = frame_of_animation(ani, 2)
    assert sorted(t.get_text() for t in tuples.ax.get_legend().get_texts()) == ["cells", "fiber", "probe"]
    rows, cols = pixels(tuples.ax, np.asarray(probe.coords / b2.um), img.shape[0])
    for r, c in zip(rows, cols, strict=True):  # the probe in the colour its kwargs ask for
        patch = img[r - 1 : r + 2, c - 1 : c + 2, :3].reshape(-1, 3).astype(int)
        assert np.abs(patch - [255, 0, 0]).max(axis=1).min() < 40
    plt.close("all")


def test_limits_that_hide_neurons(seed20):
    s, _, rec = seed20
    plotargs = {**s.plotargs, "xlim": (-400, 400), "ylim": (-1100, 1100)}
    ani = rec.generate_Animation(plotargs, slowdown_factor=10)  # cleo: broadcast error here
    scene = Scene.from_recorder(rec, **plotargs)
    exc = scene.groups[0]
    assert 0 < exc.visible.sum() < len(exc.positions)
    k = int(np.argmax([len(spikers(s.mon_e, f)) for f in range(N_FRAMES)]))
    hidden_spiking = [i for i in spikers(s.mon_e, k) if not exc.visible[i]]
    visible_spiking = [i for i in spikers(s.mon_e, k) if exc.visible[i]]
    assert hidden_spiking, "pick limits that hide some spiking neurons"
    img = frame_of_animation(ani, k)
    quiet = int(np.argmin([len(spikers(s.mon_e, f)) + len(spikers(s.mon_i, f)) for f in range(N_FRAMES)]))
    ref = frame_of_animation(ani, quiet)
    rows, cols = pixels(rec.ax, exc.positions, img.shape[0])
    moved = [highlight(img, ref, (rows[i], cols[i]), exc.color) for i in hidden_spiking]
    inside = (rows >= 0) & (rows < img.shape[0]) & (cols >= 0) & (cols < img.shape[1])
    assert all(m < 0.05 for m, i in zip(moved, hidden_spiking, strict=True) if inside[i])  # not drawn
    if visible_spiking:
        assert max(highlight(img, ref, (rows[i], cols[i]), exc.color) for i in visible_spiking) > 0.2
    plt.close("all")


def test_view_change_is_drawn(seed20):
    s, _, rec = seed20
    ani = rec.generate_Animation(s.plotargs, slowdown_factor=10)
    before = frame_of_animation(ani, 5)
    rec.ax.view_init(elev=70, azim=-30)
    after = frame_of_animation(ani, 5)
    assert np.abs(after.astype(int) - before).mean() > 1
    plt.close("all")


# --- export ------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def scene20(seed20):
    s, _, rec = seed20
    return Scene.from_recorder(rec, **s.plotargs)


@pytest.mark.parametrize("ext", [".mp4", ".webm", ".gif"])
def test_save_writes_every_frame(scene20, tmp_path, ext):
    import imageio_ffmpeg

    path = tmp_path / f"run{ext}"
    if ext == ".gif":
        with pytest.warns(UserWarning, match="50"):  # 100 fps is too fast for GIF
            out = video.save(scene20, path, slowdown_factor=10, progress=False)
    else:
        out = video.save(scene20, path, slowdown_factor=10, progress=False)
    assert out == path and path.stat().st_size > 1000
    n_frames, _ = imageio_ffmpeg.count_frames_and_secs(str(path))
    assert n_frames == N_FRAMES
    if ext == ".mp4":  # the same picture, right way up, through the pipe (h264 is lossy)
        reader = imageio_ffmpeg.read_frames(str(path))
        meta = reader.__next__()
        assert tuple(meta["size"]) == (640, 480)
        first = np.frombuffer(next(reader), np.uint8).reshape(480, 640, 3).astype(int)
        reader.close()
        expected = video.render_frame(scene20, 0)[..., :3].astype(int)
        assert np.abs(first - expected).mean() < 3
        assert np.abs(first - expected[::-1]).mean() > 3 * np.abs(first - expected).mean()


def test_progress_bar_on_long_exports(scene20, tmp_path, capsys, monkeypatch):
    video.save(scene20, tmp_path / "short.mp4")  # 20 frames: no bar by default
    assert "short.mp4" not in capsys.readouterr().err
    monkeypatch.setattr(video.animation, "PROGRESS_MIN_FRAMES", 10)
    video.save(scene20, tmp_path / "long.mp4")
    assert re.search(r"long\.mp4: .*\d+/20 ", capsys.readouterr().err)  # tqdm's bar


def test_save_errors(scene20, tmp_path, monkeypatch):
    with pytest.raises(ValueError, match=r"\.xyz.*\.mp4, \.webm, \.gif"):
        video.save(scene20, tmp_path / "run.xyz")
    import imageio_ffmpeg

    def no_ffmpeg() -> str:
        raise RuntimeError("No ffmpeg exe could be found.")

    monkeypatch.setattr(imageio_ffmpeg, "get_ffmpeg_exe", no_ffmpeg)
    with pytest.raises(RuntimeError, match="imageio-ffmpeg"):
        video.save(scene20, tmp_path / "run.mp4")
    monkeypatch.undo()
    monkeypatch.setitem(video.ffmpeg.FORMATS, ".mp4", ("libnot-there", []))  # an ffmpeg build without it
    with pytest.raises(RuntimeError, match="no 'libnot-there' encoder"):
        video.save(scene20, tmp_path / "run.mp4")
    assert not (tmp_path / "run.mp4").exists()


def test_empty_recording_says_run_the_simulation(tmp_path):
    s = seed_tutorial(n_e=40)
    rec = Recorder(dt=1 * b2.ms)
    s.sim.inject(rec, s.exc, s.inh)
    scene = Scene.from_recorder(rec, **s.plotargs)
    for export in (lambda: video.save(scene, tmp_path / "never.mp4"), lambda: rec.generate_Animation(s.plotargs)):
        with pytest.raises(ValueError, match="run the simulation"):
            export()


def test_html5_video_and_jshtml(seed20, tmp_path):
    import imageio_ffmpeg

    s, _, rec = seed20
    tag = Player(rec, **s.plotargs).to_html5_video(progress=False)
    assert tag.startswith("<video") and 'width="640" height="480"' in tag
    data = base64.b64decode(re.search(r'base64,([^"]+)"', tag).group(1))
    (tmp_path / "tag.mp4").write_bytes(data)
    assert imageio_ffmpeg.count_frames_and_secs(str(tmp_path / "tag.mp4"))[0] == N_FRAMES

    ani = rec.generate_Animation(s.plotargs, slowdown_factor=10)
    assert ani.to_html5_video().startswith("<video")  # matplotlib's writer, imageio's ffmpeg
    html = ani.to_jshtml()
    assert html.count("data:image/png;base64") == N_FRAMES
    ani.save(tmp_path / "small.mp4", dpi=50)  # another dpi: layers are re-rendered to fit
    reader = imageio_ffmpeg.read_frames(str(tmp_path / "small.mp4"))
    assert tuple(next(reader)["size"]) == (320, 240)
    reader.close()
    plt.close("all")
