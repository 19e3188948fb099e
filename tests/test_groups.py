"""Which neuron groups ``Player(sim)`` shows, in which order, and that a failed ``Player(...)``
leaves the simulator as it was.

Models are written as cleo's tutorials write them: one NeuronGroup split into subgroups
(``exc = neurons[:n_e]; inh = neurons[n_e:]``) with devices injected into the subgroups, or
separate groups named so that sorting by name would swap them (``pyr`` before ``inh``).
"""

from __future__ import annotations

import math
import warnings
from typing import Any

import brian2 as b2
import cleo
import numpy as np
import pytest
from cleo.light import Light, fiber473nm
from cleo.opto import chr2_4s

from cleo_player import Player, Recorder, Scene
from cleo_player.examples import quiet_brian

C_EXC, C_INH = "xkcd:tomato", "xkcd:cerulean blue"
N, N_EXC = 40, 30


def lif(n: int, name: str = "neurongroup*", threshold: str | None = "v > -50*mV") -> Any:
    ng = b2.NeuronGroup(
        n,
        "dv/dt = (-40*mV - v + 100*Mohm*I) / (10*ms) : volt\nI : amp",
        threshold=threshold,
        reset="v = -70*mV" if threshold else None,
        method="euler",
        name=name,
    )
    ng.v = "-70*mV + 20*mV*rand()"
    return ng


def subgroup_model() -> tuple[Any, Any, Any, Any, Any]:
    """electrodes / advanced_lfp style: one group cut in two, devices in the subgroups; the
    network's SpikeMonitor is ``sim.mon``."""
    quiet_brian()
    b2.prefs.codegen.target = "numpy"
    neurons = lif(N)
    cleo.coords.assign_coords_rand_rect_prism(neurons, xlim=(-0.2, 0.2), ylim=(-0.2, 0.2), zlim=(0.5, 0.9))
    exc, inh = neurons[:N_EXC], neurons[N_EXC:]
    mon = b2.SpikeMonitor(neurons)
    sim = cleo.CLSimulator(b2.Network(neurons, mon))
    sim.mon = mon
    fiber = Light(coords=(0, 0, 0.3) * b2.mm, light_model=fiber473nm(), max_value=20 * b2.mwatt / b2.mm2, name="fiber")
    sim.inject(chr2_4s(), exc, Iopto_var_name="I")
    sim.inject(fiber, exc)
    sim.inject(cleo.recorders.GroundTruthSpikeRecorder(name="spikes"), inh)
    return sim, neurons, exc, inh, fiber


def snapshot(sim: Any) -> dict[str, Any]:
    """Everything of a simulator a Player could change by injecting a Recorder."""
    return {
        "devices": set(sim.devices),
        "recorders": dict(sim.recorders),
        "stimulators": dict(sim.stimulators),
        "objects": {o.id for o in sim.network.objects},
        "stored": {k: id(v) for k, v in sim.network._stored_state.items()},
        "t": float(sim.network.t / b2.ms),
    }


def names(player: Player) -> list[str]:
    return [g["name"] for g in player._meta["groups"]]


# --- subgroups ------------------------------------------------------------------------------
def test_auto_injection_finds_the_subgroups_devices_were_injected_into():
    sim, _, exc, inh, _ = subgroup_model()
    player = Player(sim, colors=[C_EXC, C_INH])
    assert [g.name for g in player.recorder.neuron_groups] == [exc.name, inh.name]
    assert names(player) == [exc.name, inh.name]
    assert [g["count"] for g in player._meta["groups"]] == [N_EXC, N - N_EXC]
    np.testing.assert_allclose(player._meta["groups"][1]["color"], (0x05 / 255, 0x6E / 255, 0xEE / 255), atol=0.02)
    player.run(20 * b2.ms, progress=False)
    rec = player.recording
    # each subgroup's spikes, exactly, with indices within the subgroup
    i, t = np.asarray(sim.mon.i), np.asarray(sim.mon.t_)
    for g, lo, hi in ((rec.groups[0], 0, N_EXC), (rec.groups[1], N_EXC, N)):
        sel = (i >= lo) & (i < hi)
        assert g.n_spikes == sel.sum() > 0
        np.testing.assert_array_equal(g.spike_i, i[sel] - lo)
        np.testing.assert_allclose(g.spike_t, t[sel])


def test_failed_player_leaves_the_simulator_as_it_was_and_a_retry_works():
    sim, _, exc, inh, _ = subgroup_model()
    before = snapshot(sim)
    with pytest.raises(ValueError, match=r"neuron_groups=") as err:
        Player(sim, colors=[C_EXC, C_INH, "green"])  # three colours, two groups
    assert "3 entries" in str(err.value) and exc.name in str(err.value)
    assert snapshot(sim) == before
    player = Player(sim, neuron_groups=[exc, inh], colors=[C_EXC, C_INH])
    assert [g.name for g in player.recorder.neuron_groups] == [exc.name, inh.name]
    assert [d for d in sim.devices if isinstance(d, Recorder)] == [player.recorder]


BAD_PLOTARGS = [
    {"colors": ["red", "blue", "green"]},
    {"colors": {"nope": "red"}},
    {"colors": "red"},
    {"colors": ["red", "not a colour"]},
    {"scatterargs": {"s": -1}},
    {"scatterargs": {"s": 0}},
    {"scatterargs": {"alpha": 2}},
    {"xlim": (0, math.inf)},
    {"zlim": (math.nan, 1)},
    {"axis_scale_unit": 0 * b2.um},
    {"axis_scale_unit": -1 * b2.um},
    {"invert_z": "no"},
    {"speed": math.inf},
    {"decay": math.nan * b2.ms},
    {"height": 0},
    {"loop": "bounce"},
]


@pytest.mark.parametrize(
    "kwargs", BAD_PLOTARGS, ids=[next(iter(k)) + "=" + repr(next(iter(k.values()))) for k in BAD_PLOTARGS]
)
def test_any_failed_player_injects_nothing(kwargs: dict) -> None:
    sim, *_ = subgroup_model()
    before = snapshot(sim)
    with pytest.raises(ValueError, match=next(iter(kwargs))):
        Player(sim, **kwargs)
    assert snapshot(sim) == before


def test_a_light_that_cannot_be_drawn_injects_nothing():
    sim, *_, fiber = subgroup_model()
    fiber.max_value = math.inf * b2.mwatt / b2.mm2
    before = snapshot(sim)
    with pytest.raises(ValueError, match="max_value"):
        Player(sim)
    assert snapshot(sim) == before


def test_group_errors_name_neuron_groups():
    sim, neurons, exc, _, _ = subgroup_model()
    flat = b2.NeuronGroup(3, "v : 1", name="flat")  # no coordinates, not in the network
    other = lif(5, name="elsewhere")
    cleo.coords.assign_coords_rand_rect_prism(other, xlim=(0, 1), ylim=(0, 1), zlim=(0, 1))
    before = snapshot(sim)
    for bad, match in [
        (exc, "must be a list"),
        ([], "empty"),
        ([flat], "not part of the simulator's network"),
        ([other], "not part of the simulator's network"),
        ([exc, neurons[:N_EXC]], "same neurons"),
        (["exc"], "brian2 neuron groups"),
    ]:
        with pytest.raises(ValueError, match=match) as err:
            Player(sim, neuron_groups=bad)
        assert "neuron_groups=" in str(err.value)
    assert snapshot(sim) == before
    bare = cleo.CLSimulator(b2.Network(flat))
    with pytest.raises(ValueError, match=r"neuron_groups=\[exc, inh\]|neuron_groups=\[\.\.\.\]"):
        Player(bare)
    with pytest.raises(ValueError, match=r"neuron_groups=.*no x/y/z coordinates"):
        Player(bare, neuron_groups=[flat])


def test_existing_recorder_is_not_changed_by_neuron_groups():
    sim, _, exc, inh, _ = subgroup_model()
    rec = Recorder()
    sim.inject(rec, exc, inh)
    assert Player(sim).recorder is rec
    assert Player(sim, neuron_groups=[exc, inh]).recorder is rec
    with pytest.raises(ValueError, match="neuron_groups="):
        Player(sim, neuron_groups=[inh])
    with pytest.raises(ValueError, match="neuron_groups="):
        Player(rec, neuron_groups=[exc])


# --- which groups, in which order -------------------------------------------------------------
def two_groups(first: str, second: str) -> tuple[Any, Any, Any]:
    quiet_brian()
    b2.prefs.codegen.target = "numpy"
    a, b = lif(10, first), lif(5, second)
    for ng in (a, b):
        cleo.coords.assign_coords_rand_rect_prism(ng, xlim=(0, 0.1), ylim=(0, 0.1), zlim=(0, 0.1))
    return cleo.CLSimulator(b2.Network(b, a)), a, b  # listed in the Network the other way round


def test_groups_come_in_creation_order_not_by_name():
    sim, _, _ = two_groups("pyr", "inh")
    assert names(Player(sim, colors=[C_EXC, C_INH])) == ["pyr", "inh"]
    sim, _, _ = two_groups("inh", "pyr")
    assert names(Player(sim)) == ["inh", "pyr"]


def test_device_order_does_not_change_the_group_order():
    sim, pyr, inh = two_groups("pyr", "inh")
    sim.inject(cleo.recorders.GroundTruthSpikeRecorder(name="b"), inh)
    sim.inject(cleo.stimulators.StateVariableSetter(name="a", variable_to_ctrl="I", unit=b2.nA), pyr)
    assert names(Player(sim)) == ["pyr", "inh"]


def test_neurons_devices_do_not_cover_form_their_own_subgroup():
    """One device in one neuron (PI_ctrl style, ``population[i]``): the whole population is
    still shown, each neuron once, the controlled one as a group of its own."""
    quiet_brian()
    population = lif(10, "population")
    cleo.coords.assign_coords_rand_rect_prism(population, xlim=(0, 0.1), ylim=(0, 0.1), zlim=(0, 0.1))
    sim = cleo.CLSimulator(b2.Network(population))
    sim.inject(cleo.stimulators.StateVariableSetter(name="stim", variable_to_ctrl="I", unit=b2.nA), population[4])
    player = Player(sim)
    assert [(g.start, g.stop) for g in player.recorder.neuron_groups] == [(0, 4), (4, 5), (5, 10)]
    assert player._meta["n_neurons"] == 10


@pytest.mark.parametrize("colors", [["xkcd:fuchsia"], {"population": "xkcd:fuchsia"}])
def test_colors_for_the_whole_group_show_it_whole(colors: Any) -> None:
    """PI_ctrl as its tutorial plots it (``colors=[c["main"]]``): one colour for the population
    shows it as one group, although a device acts on one of its neurons."""
    quiet_brian()
    population = lif(10, "population")
    cleo.coords.assign_coords_rand_rect_prism(population, xlim=(0, 0.1), ylim=(0, 0.1), zlim=(0, 0.1))
    sim = cleo.CLSimulator(b2.Network(population))
    sim.inject(cleo.stimulators.StateVariableSetter(name="stim", variable_to_ctrl="I", unit=b2.nA), population[4])
    player = Player(sim, colors=colors)
    assert names(player) == ["population"]
    assert player._meta["n_neurons"] == 10
    np.testing.assert_allclose(player._meta["groups"][0]["color"], (0xED / 255, 0x0D / 255, 0xD9 / 255), atol=0.02)


def test_colors_that_fit_neither_grouping_name_neuron_groups() -> None:
    quiet_brian()
    population = lif(10, "population")
    cleo.coords.assign_coords_rand_rect_prism(population, xlim=(0, 0.1), ylim=(0, 0.1), zlim=(0, 0.1))
    sim = cleo.CLSimulator(b2.Network(population))
    sim.inject(cleo.stimulators.StateVariableSetter(name="stim", variable_to_ctrl="I", unit=b2.nA), population[4])
    before = snapshot(sim)
    with pytest.raises(ValueError, match=r"colors has 2 entries but there are 3 neuron groups.*neuron_groups="):
        Player(sim, colors=["red", "blue"])
    assert snapshot(sim) == before


def test_overlapping_subgroups_show_each_neuron_once():
    quiet_brian()
    ng = lif(20, "layer")
    cleo.coords.assign_coords_rand_rect_prism(ng, xlim=(0, 0.1), ylim=(0, 0.1), zlim=(0, 0.1))
    sim = cleo.CLSimulator(b2.Network(ng))
    sim.inject(cleo.stimulators.StateVariableSetter(name="a", variable_to_ctrl="I", unit=b2.nA), ng[0:10])
    sim.inject(cleo.stimulators.StateVariableSetter(name="b", variable_to_ctrl="I", unit=b2.nA), ng[5:15])
    sim.inject(cleo.recorders.GroundTruthSpikeRecorder(name="c"), ng)  # the whole group too
    player = Player(sim)
    assert [(g.start, g.stop) for g in player.recorder.neuron_groups] == [(0, 10), (10, 20)]


def test_subgroups_the_network_holds_are_used_without_devices():
    """electrodes.ipynb builds ``Network([neurons, exc, inh, ...])``."""
    quiet_brian()
    neurons = lif(N, "neurons")
    cleo.coords.assign_coords_rand_rect_prism(neurons, xlim=(0, 0.1), ylim=(0, 0.1), zlim=(0, 0.1))
    exc, inh = neurons[:N_EXC], neurons[N_EXC:]
    sim = cleo.CLSimulator(b2.Network(neurons, exc, inh))
    assert names(Player(sim, colors=[C_EXC, C_INH])) == [exc.name, inh.name]


def test_helper_groups_of_devices_are_not_shown():
    sim, _, exc, inh, _ = subgroup_model()
    shown = {g.name for g in Player(sim).recorder.neuron_groups}
    assert shown == {exc.name, inh.name}  # not the opsin's or the light's own groups


# --- colours as a dict ------------------------------------------------------------------------
def test_colors_by_group_name_in_the_player_and_the_video():
    from matplotlib.colors import to_rgb

    sim, pyr, inh = two_groups("pyr", "inh")
    player = Player(sim, colors={"inh": "blue"})
    assert player._meta["groups"][1]["color"] == [0.0, 0.0, 1.0]
    assert player._meta["groups"][0]["color"] == list(to_rgb("C0"))
    scene = Scene.build(player.recording, colors={"pyr": "red", "inh": "green"})
    assert [g.color for g in scene.groups] == [to_rgb("red"), to_rgb("green")]
    import matplotlib.pyplot as plt

    from cleo_player.video.draw import draw_scene

    fig = plt.figure()
    artists = draw_scene(fig.add_subplot(projection="3d"), scene, [])
    assert [tuple(a.get_facecolor()[0][:3]) for a in artists.neurons] == [to_rgb("red"), to_rgb("green")]
    plt.close(fig)
    with pytest.raises(ValueError, match=r"\['pyr', 'inh'\].*neuron_groups="):
        Scene.build(player.recording, colors={"exc": "red"})
    del pyr, inh


# --- a group that cannot spike (point 3) -------------------------------------------------------
def test_group_without_threshold_is_drawn_at_rest_with_a_warning():
    quiet_brian()
    b2.prefs.codegen.target = "numpy"
    spiking = lif(8, "spiking")
    silent = lif(6, "silent", threshold=None)
    for ng in (spiking, silent):
        cleo.coords.assign_coords_rand_rect_prism(ng, xlim=(0, 0.1), ylim=(0, 0.1), zlim=(0, 0.1))
    sim = cleo.CLSimulator(b2.Network(spiking, silent))
    with pytest.warns(UserWarning, match="'silent' has no threshold"):
        player = Player(sim)
    assert names(player) == ["spiking", "silent"]
    assert not [o for o in player.recorder.brian_objects if getattr(o, "source", None) is silent]
    player.run(20 * b2.ms, progress=False)
    rec = player.recording
    assert rec.groups[0].n_spikes > 0 and rec.groups[1].n_spikes == 0 and rec.groups[1].size == 6
    assert player._meta["n_neurons"] == 14
    # and with a Recorder injected by hand, into a subgroup of the silent group too
    rec2 = Recorder(name="by_hand")
    sim2 = cleo.CLSimulator(b2.Network(lif(3, "other"), silent2 := lif(4, "silent2", threshold=None)))
    cleo.coords.assign_coords_rand_rect_prism(silent2, xlim=(0, 0.1), ylim=(0, 0.1), zlim=(0, 0.1))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        sim2.inject(rec2, silent2[:2])
    assert any("never spikes" in str(w.message) for w in caught)
    sim2.run(2 * b2.ms)
    assert rec2.recording.groups[0].n_spikes == 0
