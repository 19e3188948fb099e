"""The timeline (issue 13, timeline part), without a browser: the Player's traits and custom
traces (``add_trace``), their wire format, the payload that must not grow, the raster's pixel
layout (shared with ``js/timeline_layout.ts``) and the video fallback with ``timeline=True``.

The browser side is tested in ``tests/browser/test_timeline*.py``.
"""

from __future__ import annotations

import json
import math

import brian2 as b2
import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
import pytest
import traitlets

from cleo_player import Player, video
from cleo_player.payload import trace_payload
from cleo_player.recording import DeviceTrack, GroupData, Recording
from cleo_player.scene import Scene
from cleo_player.traces import make_trace
from cleo_player.video.timeline import (
    MIN_BAND_SHARE,
    PLAYHEAD_PX,
    PLAYHEAD_RGBA,
    TimelineRenderer,
    color_u8,
    full_range_ms,
    raster_bands,
    raster_rgba,
)
from cleo_player.widget.html import read_state

mpl.use("Agg")
pytestmark = pytest.mark.filterwarnings("ignore:Animation was deleted without rendering")

DT = 1e-3
N_FRAMES = 50


def synthetic(seed: int = 0, sizes: tuple[int, ...] = (300, 60, 4), n_spikes: int = 900) -> Recording:
    """Groups of the given sizes with random spikes over 50 frames of 1 ms, and a 2-channel
    device track (on/off)."""
    rng = np.random.default_rng(seed)
    frame_t = np.arange(N_FRAMES) * DT
    groups = []
    for k, n in enumerate(sizes):
        pos = rng.uniform(-1e-4, 1e-4, (n, 3))
        ns = n_spikes // (k + 1)
        t = rng.uniform(0, N_FRAMES * DT, ns)
        i = rng.integers(0, n, ns).astype(np.uint32)
        groups.append(GroupData.from_spikes(f"g{k}", pos, i, t, frame_t, DT))
    values = np.zeros((N_FRAMES, 2))
    values[10:20, 0] = 1.0
    values[30:35, 1] = 3.0
    track = DeviceTrack("switch", "SomeStimulator", values, "")
    return Recording(DT, frame_t, N_FRAMES * DT, tuple(groups), (track,))


@pytest.fixture(scope="module")
def rec() -> Recording:
    return synthetic()


# --- traits -------------------------------------------------------------------------------------
def test_timeline_traits_defaults_and_validation(rec):
    p = Player(rec)
    assert p.timeline is True and p.timeline_height is None
    p.timeline = False
    p.timeline_height = 120
    assert (p.timeline, p.timeline_height) == (False, 120)
    p.timeline_height = None
    assert p.timeline_height is None
    q = Player(rec, timeline=False, timeline_height=200)
    assert (q.timeline, q.timeline_height) == (False, 200)
    for bad in (10, 0, -5, True):
        with pytest.raises(traitlets.TraitError, match="timeline_height must be a number of pixels >= 40"):
            p.timeline_height = bad
    for bad in (1.5, "100"):
        with pytest.raises(traitlets.TraitError, match=r"'timeline_height' trait .* expected an int"):
            p.timeline_height = bad
    with pytest.raises(traitlets.TraitError):
        p.timeline = "no"


def test_page_state_carries_the_timeline_traits_and_traces(rec):
    p = Player(rec, timeline_height=150)
    p.add_trace("rate", np.arange(5) * b2.ms, [1, 2, 3, 2, 1], unit="Hz")
    state = p.page_state()
    assert state["timeline"] is True and state["timeline_height"] == 150
    assert [t["name"] for t in state["_traces"]] == ["rate"]
    assert set(state["_trace_data"]) == {"t_ms", "values"}


# --- the payload does not grow --------------------------------------------------------------------
def test_payload_is_the_same_with_and_without_the_timeline(rec):
    on, off = Player(rec), Player(rec, timeline=False)
    assert on._meta == off._meta
    assert {k: len(v) for k, v in on._data.items()} == {k: len(v) for k, v in off._data.items()}
    assert all(on._data[k] == off._data[k] for k in on._data)
    data_before, meta_before = dict(on._data), dict(on._meta)
    on.add_trace("rate", np.arange(N_FRAMES) * b2.ms, np.ones(N_FRAMES))
    assert on._data == data_before and on._meta == meta_before  # traces travel on their own
    assert len(on._trace_data["t_ms"]) == len(on._trace_data["values"]) == 8 * N_FRAMES


# --- custom traces ------------------------------------------------------------------------------
def test_add_trace_encodes_samples_and_meta(rec):
    p = Player(rec)
    t = np.linspace(0, 49, 7) * b2.ms
    p.add_trace("estimate", t, [0.0, 1, 4, 9, 16, 25, 36], unit="mV", color="tab:purple")
    p.add_trace("rate", np.array([0.0, 0.01, 0.02]), np.array([3.0, 5.0, 4.0]) * b2.Hz)  # seconds; units
    meta, data = p._traces, p._trace_data
    assert [m["name"] for m in meta] == ["estimate", "rate"]
    assert [(m["offset"], m["count"]) for m in meta] == [(0, 7), (7, 3)]
    assert meta[0]["unit"] == "mV" and meta[1]["unit"] == "Hz"
    assert meta[0]["color"] == pytest.approx(list(mpl.colors.to_rgb("tab:purple")))
    assert (meta[0]["min"], meta[0]["max"], meta[1]["min"], meta[1]["max"]) == (0.0, 36.0, 3.0, 5.0)
    t_ms = np.frombuffer(data["t_ms"], np.float64)
    values = np.frombuffer(data["values"], np.float64)
    np.testing.assert_allclose(t_ms, [*np.linspace(0, 49, 7), 0, 10, 20])
    np.testing.assert_array_equal(values, [0, 1, 4, 9, 16, 25, 36, 3, 5, 4])
    assert list(p.traces) == ["estimate", "rate"]
    np.testing.assert_allclose(p.traces["rate"].t, [0, 0.01, 0.02])


def test_values_with_units_shown_in_their_best_or_given_unit(rec):
    p = Player(rec)
    p.add_trace("v", np.arange(3) * b2.ms, np.array([-0.07, -0.065, -0.05]) * b2.volt)
    assert p.traces["v"].unit == "mV"
    np.testing.assert_allclose(p.traces["v"].values, [-70, -65, -50])
    p.add_trace("v", np.arange(3) * b2.ms, np.array([-0.07, -0.065, -0.05]) * b2.volt, unit=b2.volt)
    assert p.traces["v"].unit == "V"
    with pytest.raises(ValueError, match="does not match"):
        p.add_trace("v", np.arange(3) * b2.ms, np.ones(3) * b2.volt, unit=b2.Hz)
    with pytest.raises(TypeError, match="brian2 unit"):
        p.add_trace("v", np.arange(3) * b2.ms, np.ones(3) * b2.volt, unit="mV")


def test_replacing_and_removing_traces(rec):
    p = Player(rec)
    p.add_trace("a", [0, 0.01], [1, 2])
    p.add_trace("b", [0, 0.01], [1, 2])
    color_b = p.traces["b"].color
    assert p.traces["a"].color != color_b  # the default colours cycle
    p.add_trace("a", [0, 0.02], [5, 6])  # replaced in place, keeps its place and colour
    assert list(p.traces) == ["a", "b"] and p.traces["a"].values.tolist() == [5, 6]
    p.remove_trace("a")
    assert [m["name"] for m in p._traces] == ["b"] and p._traces[0]["offset"] == 0
    with pytest.raises(ValueError, match=r"No trace named 'a'; traces: \['b'\]"):
        p.remove_trace("a")
    p.remove_trace("b")
    assert p._traces == [] and len(p._trace_data["t_ms"]) == 0


@pytest.mark.parametrize(
    ("args", "error", "match"),
    [
        (("", [0], [1]), TypeError, "name must be a non-empty string"),
        ((3, [0], [1]), TypeError, "name must be a non-empty string"),
        (("x", [0, 1], [1]), ValueError, "same length, got 2 times and 1 values"),
        (("x", [], []), ValueError, "at least one sample"),
        (("x", [0, 1, 2], [1, np.nan, np.inf]), ValueError, r"values must be finite: 2 of its 3 .* index 1"),
        (("x", [0, np.nan], [1, 2]), ValueError, "t must be finite"),
        (("x", [0, 2, 1], [1, 2, 3]), ValueError, "t must be sorted"),
        (("x", [[0, 1]], [[1, 2]]), ValueError, "t must be 1-D"),
        (("x", np.arange(2) * b2.volt, [1, 2]), ValueError, "t must be times"),
        (("x", [0, 1], ["a", "b"]), TypeError, "values must be a 1-D array of numbers"),
        (("x", [0, 1], [1, 2], 5), TypeError, "unit must be a string"),
        (("x", [0, 1], [1, 2], None, "no-such-colour"), ValueError, "not a matplotlib colour"),
        (("x", [0, 1], [1, 1e308]), ValueError, "too large"),
    ],
)
def test_add_trace_rejects_bad_input_clearly(rec, args, error, match):
    p = Player(rec)
    with pytest.raises(error, match=match):
        p.add_trace(*args)
    assert p._traces == []  # nothing half-added


def test_trace_payload_round_trip():
    traces = [
        make_trace("a", [0.0, 0.5], [1.0, -2.0], "u", None, default_color=(1.0, 0.0, 0.0)),
        make_trace("b", [0.1], [7.0], None, "k", default_color=(0.0, 1.0, 0.0)),
    ]
    meta, data = trace_payload(traces)
    json.dumps(meta, allow_nan=False)  # JSON-able, finite
    t_ms = np.frombuffer(data["t_ms"], np.float64)
    values = np.frombuffer(data["values"], np.float64)
    for m, tr in zip(meta, traces, strict=True):
        sl = slice(m["offset"], m["offset"] + m["count"])
        np.testing.assert_allclose(t_ms[sl], tr.t * 1e3)
        np.testing.assert_array_equal(values[sl], tr.values)
    assert meta[1]["color"] == [0.0, 0.0, 0.0] and meta[0]["color"] == [1.0, 0.0, 0.0]


def test_save_html_carries_the_traces(rec, tmp_path):
    p = Player(rec, timeline_height=100)
    p.add_trace("my rate", np.arange(N_FRAMES) * b2.ms, np.arange(N_FRAMES) % 7, unit="Hz")
    state = read_state(p.save_html(tmp_path / "p.html").read_text())
    assert state["timeline"] is True and state["timeline_height"] == 100
    assert state["_traces"][0]["name"] == "my rate" and state["_traces"][0]["unit"] == "Hz"
    values = np.frombuffer(state["_trace_data"]["values"], np.float64)
    np.testing.assert_array_equal(values, np.arange(N_FRAMES) % 7)


# --- the raster's layout (shared with js/timeline_layout.ts) -------------------------------------
def test_raster_bands_share_the_rows_in_proportion():
    bands = raster_bands([400, 100], [False, False], 101)
    assert bands == [(0, 0, 80), (1, 81, 101)]  # 100 rows shared 4:1, a row between them
    # a small group still gets MIN_BAND_SHARE of the rows
    (_, a0, a1), (_, b0, b1) = raster_bands([10_000, 3], [False, False], 200)
    assert b1 - b0 >= math.floor(MIN_BAND_SHARE * 199 / (1 + MIN_BAND_SHARE)) and a0 == 0 and b1 == 200
    assert b0 == a1 + 1
    # hidden groups and empty groups get no rows; the others share them all
    assert raster_bands([50, 0, 50], [False, False, True], 40) == [(0, 0, 40)]
    assert raster_bands([5, 5], [True, True], 40) == []
    # too few rows for gaps: none
    assert raster_bands([5, 5, 5], [False] * 3, 3) == [(0, 0, 1), (1, 1, 2), (2, 2, 3)]


def expected_raster(rec: Recording, colors, width: int, height: int, hidden=()) -> np.ndarray:
    """The raster spelt out spike by spike, from the layout's rules (a plain loop)."""
    img = np.zeros((height, width, 4), np.uint8)
    v0, v1 = full_range_ms(rec)
    starts = [float(t) * 1e3 for t in rec.frame_t]
    ends = [*starts[1:], round(rec.t_end * 1e3, 9)]
    bands = {
        g: (y0, y1)
        for g, y0, y1 in raster_bands([g.size for g in rec.groups], [g.name in hidden for g in rec.groups], height)
    }
    for gi, g in enumerate(rec.groups):
        if gi not in bands:
            continue
        y0, y1 = bands[gi]
        h = y1 - y0
        color = color_u8(colors[gi])
        for i, k in zip(g.spike_i, g.spike_frames(), strict=True):
            r0 = y0 + (int(i) * h) // g.size
            r1 = max(r0 + 1, y0 + ((int(i) + 1) * h) // g.size)
            c0 = math.floor((starts[k] - v0) / (v1 - v0) * width)
            c1 = math.floor((ends[k] - v0) / (v1 - v0) * width)
            if c1 - c0 >= 3:
                c1 -= 1
            c1 = min(max(c1, c0 + 1), width)
            img[r0:r1, max(c0, 0) : c1] = color
    return img


@pytest.mark.parametrize(("width", "height"), [(640, 120), (37, 300), (1000, 7)])
def test_raster_colours_every_spike_and_nothing_else(rec, width, height):
    colors = [(1.0, 0.39, 0.28), (0.02, 0.3, 0.85), (0.2, 0.8, 0.1)]
    img = raster_rgba(rec, colors, width, height)
    np.testing.assert_array_equal(img, expected_raster(rec, colors, width, height))
    # only the groups' colours, opaque, or nothing at all
    found = {tuple(p) for p in img.reshape(-1, 4)}
    assert found <= {(0, 0, 0, 0), *(tuple(color_u8(c)) for c in colors)}
    assert len(found) == 4  # all three groups have spikes drawn
    hidden = raster_rgba(rec, colors, width, height, hidden=["g1"])
    np.testing.assert_array_equal(hidden, expected_raster(rec, colors, width, height, hidden=["g1"]))
    assert tuple(color_u8(colors[1])) not in {tuple(p) for p in hidden.reshape(-1, 4)}


def test_raster_of_a_time_range(rec):
    colors = [(1.0, 0.0, 0.0), (0.0, 0.0, 1.0), (0.0, 1.0, 0.0)]
    img = raster_rgba(rec, colors, 100, 80, view=(10.0, 20.0))  # frames 10..19, 10 px each
    g = rec.groups[0]
    frames = g.spike_frames()
    inside = (frames >= 10) & (frames < 20)
    # every spike of frames 10..19 of group 0 at (its first row, 10 px per frame from frame 10)
    bands = raster_bands([gr.size for gr in rec.groups], [False] * 3, 80)
    y0, y1 = bands[0][1:]
    for i, k in zip(g.spike_i[inside], frames[inside], strict=True):
        row = y0 + (int(i) * (y1 - y0)) // g.size
        assert tuple(img[row, (k - 10) * 10]) == (255, 0, 0, 255)
    assert not img[:, :, 3][:, 100 - 1].any()  # a frame 10 px wide leaves its last column empty


# --- the video fallback with timeline=True -----------------------------------------------------
@pytest.fixture(scope="module")
def seed_scene(seed_run):
    s, recorder = seed_run
    return Scene.from_recorder(recorder, **s.plotargs), recorder


def rate_trace(recording: Recording):
    g = recording.groups[0]
    rate = np.diff(g.frame_ptr) / (g.size * recording.dt)
    return make_trace("exc rate", recording.frame_t, rate, "Hz", "tab:green", default_color=(0, 0, 0))


def near(img: np.ndarray, rgb, tol: int = 40) -> np.ndarray:
    return np.abs(img[..., :3].astype(int) - np.asarray(rgb) * 255).max(-1) <= tol


def test_video_frames_have_the_scene_above_and_the_timeline_below(seed_scene):
    scene, _ = seed_scene
    trace = rate_trace(scene.recording)
    plain = video.FrameRenderer(scene)
    with_tl = TimelineRenderer(scene, [trace])
    w, h = plain.size
    assert with_tl.size == (w, h + round(h / 3))
    layer = with_tl.composer.layer
    f10, f60 = with_tl.frame(10), with_tl.frame(60)
    np.testing.assert_array_equal(f10[:h], plain.frame(10))  # the scene part: the same pixels
    np.testing.assert_array_equal(f60[:h], plain.frame(60))
    tl10, tl60 = f10[h:], f60[h:]
    # the timeline: the static layer, but for the playhead at the frame's start
    a10, b10 = layer.playhead_columns(10)
    a60, b60 = layer.playhead_columns(60)
    v0, v1 = full_range_ms(scene.recording)
    assert a10 == layer.x0 + math.floor((10.0 - v0) / (v1 - v0) * layer.w) - PLAYHEAD_PX // 2 and b10 - a10 == 2
    assert a60 > b10
    for tl, (a, b) in ((tl10, (a10, b10)), (tl60, (a60, b60))):
        assert (tl[layer.y0 : layer.y_end, a:b] == PLAYHEAD_RGBA).all()
        rest = np.ones(tl.shape[1], bool)
        rest[a:b] = False
        np.testing.assert_array_equal(tl[:, rest], layer.image[:, rest])
    # the raster in the timeline: exactly the raster's spikes, in the group colours
    raster = raster_rgba(scene.recording, [g.color for g in scene.groups], layer.w, layer.h)
    region = layer.image[layer.y0 : layer.y0 + layer.h, layer.x0 : layer.x0 + layer.w]
    ink = raster[..., 3] > 0
    assert ink.sum() > 500
    np.testing.assert_array_equal(region[ink], raster[ink])
    rest = region[~ink][:, :3].astype(int)
    assert (rest.max(-1) - rest.min(-1) <= 4).all()  # nothing else coloured (white, or an axis' grey edge)
    assert (rest == 255).all(-1).mean() > 0.999
    # trace rows: the light (its wavelength's colour) and the custom trace (green)
    rows = layer.image[layer.y0 + layer.h : layer.y_end]
    assert near(rows, scene.lights[0].color).sum() > 300
    assert near(rows, mpl.colors.to_rgb("tab:green")).sum() > 100


def test_animation_with_timeline_draws_the_same_frames(seed_scene):
    scene, _ = seed_scene
    trace = rate_trace(scene.recording)
    ani = video.to_animation(scene, timeline=True, traces=[trace])
    w, h = ani.fig.get_size_inches()
    assert (w, h) == pytest.approx((6.4, 4.8 * 4 / 3))
    direct = TimelineRenderer(scene, [trace])
    for k in (0, 33):
        ani._func(k)
        ani.fig.canvas.draw()
        drawn = np.asarray(ani.fig.canvas.buffer_rgba())
        np.testing.assert_array_equal(drawn, direct.frame(k))
    plt.close(ani.fig)


def test_player_exports_videos_with_the_timeline(seed_scene, tmp_path):
    import imageio_ffmpeg

    scene, recorder = seed_scene
    p = Player(recorder, colors=[g.color for g in scene.groups])
    p.add_trace("exc rate", scene.recording.frame_t * b2.second, np.ones(scene.recording.n_frames))
    path = p.save(tmp_path / "run.mp4", timeline=True, progress=False)
    reader = imageio_ffmpeg.read_frames(str(path))
    assert tuple(next(reader)["size"]) == (640, 640)
    reader.close()
    assert imageio_ffmpeg.count_frames_and_secs(str(path))[0] == scene.recording.n_frames
    tag = p.to_html5_video(timeline=True, progress=False)
    assert 'width="640" height="640"' in tag
    with pytest.raises(TypeError, match="timeline must be True or False"):
        p.save(tmp_path / "x.mp4", timeline="yes")
