"""Bad input gets a ValueError naming the argument and what is allowed, wherever it enters:
Player construction, trait assignment, Scene.build, Recorder, the video path. Nothing
non-finite reaches the wire format (NaN is not JSON: a standalone page given one goes blank).
Flat scenes (zero- or near-zero-extent axes) get padded limits in the player and the video.
"""

from __future__ import annotations

import json
import math
from typing import Any

import brian2 as b2
import matplotlib.pyplot as plt
import numpy as np
import pytest

from cleo_player import Player, Recorder, Scene, video
from cleo_player.examples import seed_tutorial
from cleo_player.payload import check_finite, scene_payload
from cleo_player.recording import GroupData, Recording

INF, NAN = math.inf, math.nan


@pytest.fixture(scope="module")
def small_run():
    s = seed_tutorial(n_e=40)
    rec = Recorder()
    s.sim.inject(rec, s.exc, s.inh)
    s.sim.run(5 * b2.ms)
    return s, rec


@pytest.fixture
def player(small_run):
    return Player(small_run[1])


# --- Player construction and traits -------------------------------------------------------------
TRAITS = [
    ("speed", INF, "speed"),
    ("speed", NAN, "speed"),
    ("speed", 0, "speed"),
    ("speed", -1, "speed"),
    ("speed", "fast", "speed"),
    ("decay", NAN, "decay"),
    ("decay", INF, "decay"),
    ("decay", -1, "decay"),
    ("height", 0, "height"),
    ("height", -5, "height"),
    ("height", 2.5, "height"),
    ("height", True, "height"),
    ("loop", "bounce", "loop"),
]


@pytest.mark.parametrize(("name", "value", "match"), TRAITS)
def test_trait_assignment_is_checked(player: Player, name: str, value: Any, match: str) -> None:
    before = getattr(player, name)
    with pytest.raises(ValueError, match=f"{match} must be"):
        setattr(player, name, value)
    assert getattr(player, name) == before


@pytest.mark.parametrize(("name", "value", "match"), TRAITS)
def test_player_arguments_are_checked(small_run, name: str, value: Any, match: str) -> None:
    if name == "decay":  # the argument is a time
        value = value * b2.ms
    with pytest.raises(ValueError, match=f"{match} must be"):
        Player(small_run[1], **{name: value})


PLOTARGS = [
    ({"xlim": (0, INF)}, "xlim must be"),
    ({"ylim": (NAN, 1)}, "ylim must be"),
    ({"zlim": (-INF, 0)}, "zlim must be"),
    ({"zlim": (5, 1)}, "zlim must have min < max"),
    ({"scatterargs": {"s": -1}}, r"scatterargs\['s'\] must be a positive"),
    ({"scatterargs": {"s": 0}}, r"scatterargs\['s'\] must be a positive"),
    ({"scatterargs": {"s": INF}}, r"scatterargs\['s'\]"),
    ({"scatterargs": {"s": [1, 2]}}, r"scatterargs\['s'\]"),
    ({"scatterargs": {"alpha": NAN}}, r"scatterargs\['alpha'\] must be a number from 0 to 1"),
    ({"scatterargs": "big"}, "scatterargs must be a dict"),
    ({"axis_scale_unit": 0 * b2.um}, "axis_scale_unit must be a positive length unit"),
    ({"axis_scale_unit": -1 * b2.um}, "axis_scale_unit must be a positive length unit"),
    ({"axis_scale_unit": INF * b2.um}, "axis_scale_unit must be a positive length unit"),
    ({"axis_scale_unit": b2.ms}, "axis_scale_unit must be a positive length unit"),
    ({"invert_z": "no"}, "invert_z must be True or False"),
    ({"invert_z": 1}, "invert_z must be True or False"),
    ({"colors": ["red"]}, "colors has 1 entries"),
    ({"colors": "red"}, "colors must be a list"),
]
PLOTARG_IDS = [f"{next(iter(k))}={next(iter(k.values()))!r}" for k, _ in PLOTARGS]


@pytest.mark.parametrize(("plotargs", "match"), PLOTARGS, ids=PLOTARG_IDS)
def test_plotargs_in_scene_build(small_run, plotargs: dict, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        Scene.build(small_run[1].recording, **plotargs)


@pytest.mark.parametrize(("plotargs", "match"), PLOTARGS, ids=PLOTARG_IDS)
def test_plotargs_in_player_and_video_paths(small_run, plotargs: dict, match: str) -> None:
    _, rec = small_run
    with pytest.raises(ValueError, match=match):
        Player(rec, **plotargs)
    with pytest.raises(ValueError, match=match):
        rec.generate_Animation(plotargs)  # cleo's VideoVisualizer entry point


def test_recorder_dt_must_be_a_positive_finite_time():
    for dt in (NAN * b2.ms, INF * b2.ms, -1 * b2.ms, 0 * b2.ms, 1 * b2.mV, 3, [1, 2] * b2.ms):
        with pytest.raises(ValueError, match="Recorder dt must be a positive time"):
            Recorder(dt=dt)


def test_run_duration_must_be_finite():
    s = seed_tutorial(n_e=40)
    player = Player(s.sim)
    for duration in (INF * b2.ms, NAN * b2.ms, -1 * b2.ms, [1, 2] * b2.ms):
        with pytest.raises(ValueError, match="duration must be"):
            player.run(duration, progress=False)


def test_video_path_checks_its_numbers(small_run, tmp_path):
    scene = Scene.build(small_run[1].recording)
    for factor in (INF, NAN, 0, -2):
        with pytest.raises(ValueError, match="slowdown_factor must be a positive finite"):
            video.to_animation(scene, slowdown_factor=factor)
    with pytest.raises(ValueError, match="fps must be a positive finite"):
        video.save(scene, tmp_path / "x.mp4", fps=INF)
    plt.close("all")


# --- lights -----------------------------------------------------------------------------------
def light_run(max_value: Any, value: Any) -> tuple[Any, Recorder]:
    s = seed_tutorial(n_e=40)
    s.fibers.max_value = max_value
    rec = Recorder()
    s.sim.inject(rec, s.exc, s.inh)
    s.sim.run(2 * b2.ms)
    s.sim.set_io_processor(None)  # the value set below stays
    s.fibers.update(value)
    s.sim.run(2 * b2.ms)
    return s, rec


@pytest.mark.filterwarnings("ignore:invalid value encountered:RuntimeWarning")  # the opsin at inf
def test_light_at_inf_without_max_value():
    _, rec = light_run(None, [INF, 0] * b2.mwatt / b2.mm2)
    with pytest.raises(ValueError, match=r"Light 'Light' recorded an infinite value.*max_value_viz"):
        Scene.from_recorder(rec)
    with pytest.raises(ValueError, match="max_value_viz"):
        Player(rec)


@pytest.mark.filterwarnings("ignore:invalid value encountered:RuntimeWarning")
def test_light_at_inf_with_max_value_is_drawn_at_full_brightness():
    _, rec = light_run(10 * b2.mwatt / b2.mm2, [INF, 0] * b2.mwatt / b2.mm2)
    meta, data = scene_payload(Scene.from_recorder(rec))
    values = np.frombuffer(data["values"], np.float32)
    assert np.all(np.isfinite(values)) and values.max() == 10  # cleo clips to max_value
    assert meta["lights"][0]["max_value"] == 10
    json.dumps(meta, allow_nan=False)


@pytest.mark.parametrize("max_value", [INF, NAN])
def test_light_max_value_must_be_finite(max_value):
    s = seed_tutorial(n_e=40)
    s.fibers.max_value_viz = max_value * b2.mwatt / b2.mm2
    with pytest.raises(ValueError, match="max_value_viz/max_value must be a positive finite"):
        Player(s.sim)


# --- nothing non-finite in the meta -------------------------------------------------------------
def test_meta_is_finite_json_for_every_scene(small_run):
    meta, _ = scene_payload(Scene.build(small_run[1].recording))
    json.dumps(meta, allow_nan=False)  # what the standalone page embeds
    check_finite(meta)
    with pytest.raises(ValueError, match=r"meta\.axes\.xlim\[1\] is inf"):
        check_finite({**meta, "axes": {**meta["axes"], "xlim": [0.0, INF]}})
    with pytest.raises(ValueError, match=r"meta\.groups\[0\]\.size is nan"):
        check_finite({**meta, "groups": [{**meta["groups"][0], "size": NAN}]})


def test_non_finite_neuron_coordinates_are_refused():
    g = GroupData.from_spikes(
        "g", np.array([[0.0, 0, 0], [NAN, 0, 0]]), np.zeros(0, np.uint32), np.zeros(0), np.zeros(1), 1e-3
    )
    rec = Recording(1e-3, np.zeros(1), 1e-3, (g,))
    with pytest.raises(ValueError, match="coordinates must be finite"):
        Scene.build(rec)


# --- flat scenes (issue 9.5) ------------------------------------------------------------------
def flat_recording(*depths: Any) -> Recording:
    """One group per depth, all neurons of a group at that depth, spread over x and y."""
    rng = np.random.default_rng(0)
    groups = []
    for k, depth in enumerate(depths):
        pos = np.zeros((20, 3))
        pos[:, :2] = rng.uniform(-200e-6, 200e-6, (20, 2))
        pos[:, 2] = float(depth / b2.meter)
        groups.append(
            GroupData.from_spikes(f"g{k}", pos, np.zeros(0, np.uint32), np.zeros(0), np.arange(3) * 1e-3, 1e-3)
        )
    return Recording(1e-3, np.arange(3) * 1e-3, 3e-3, tuple(groups))


def test_one_float_step_apart_is_flat_and_padded():
    a, b = 200 * b2.um, 0.2 * b2.mm
    assert float(a / b2.meter) != float(b / b2.meter)  # one float step apart in float64
    scene = Scene.build(flat_recording(a, b))
    lo, hi = scene.axes.zlim
    assert hi - lo > 100, scene.axes  # padded to a size of the scene's order (x, y span 400 um)
    assert np.float32(lo) < np.float32(200) < np.float32(hi)
    assert np.all(np.concatenate([g.visible for g in scene.groups]))


@pytest.mark.parametrize(
    "zlim", [(200, 200 + 1e-13), (1e9, 1e9 + 1)], ids=["one-float-step", "below-float32-resolution"]
)
def test_near_zero_extent_limits_given_by_the_user_are_padded(zlim):
    scene = Scene.build(flat_recording(200 * b2.um), zlim=zlim)
    lo, hi = scene.axes.zlim
    assert np.float32(hi) - np.float32(lo) > 0 and hi - lo > 1


def test_a_single_neuron_scene_has_extent_on_every_axis():
    pos = np.array([[1e-4, 1e-4, 2e-4]])
    g = GroupData.from_spikes("one", pos, np.zeros(0, np.uint32), np.zeros(0), np.zeros(1), 1e-3)
    scene = Scene.build(Recording(1e-3, np.zeros(1), 1e-3, (g,)))
    for lo, hi in (scene.axes.xlim, scene.axes.ylim, scene.axes.zlim):
        assert hi - lo >= 1


def test_flat_scene_in_the_video_has_padded_limits_and_box_aspect(tmp_path):
    from cleo_player.video.draw import setup_axes

    scene = Scene.build(flat_recording(200 * b2.um, 0.2 * b2.mm))
    fig = plt.figure()
    ax = fig.add_subplot(projection="3d")
    setup_axes(ax, scene)
    lo, hi = sorted(ax.get_zlim())
    assert hi - lo > 100
    aspect = ax.get_box_aspect()
    assert np.all(np.isfinite(aspect)) and min(np.abs(aspect)) > 0.1  # z is negative: inverted
    plt.close(fig)
    path = video.save(scene, tmp_path / "flat.mp4", progress=False)
    assert path.stat().st_size > 1000
