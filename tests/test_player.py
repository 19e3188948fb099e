"""Scene, wire payload and the Player's Python side (traits, lookup, errors, repr)."""

from __future__ import annotations

import brian2 as b2
import numpy as np
import pytest
import traitlets

from cleo_player import Player, Recorder, Scene
from cleo_player.examples import seed_tutorial
from cleo_player.payload import scene_payload


@pytest.fixture(scope="module")
def player(seed_run):
    s, _ = seed_run
    return Player(s.sim, **s.plotargs)


def decode_spikes(meta: dict, data: dict) -> tuple[np.ndarray, np.ndarray]:
    dtype = np.uint16 if meta["index_bytes"] == 2 else np.uint32
    return np.frombuffer(data["spike_ptr"], np.uint32), np.frombuffer(data["spike_idx"], dtype)


def test_player_finds_recorder_and_sends_scene(player, seed_run):
    s, rec = seed_run
    assert player.recorder is rec
    meta, data = player._meta, player._data
    assert meta["n_frames"] == 100 and meta["n_neurons"] == 500
    assert [g["name"] for g in meta["groups"]] == ["exc", "inh"]
    assert meta["axes"]["unit"] == "um" and meta["axes"]["zlim"] == [0.0, 600.0]
    assert meta["axes"]["invert_z"] is True
    pos = np.frombuffer(data["positions"], np.float32).reshape(-1, 3)
    np.testing.assert_allclose(
        pos[:400], s.exc.x_[:, None] * 0 + np.c_[s.exc.x_[:], s.exc.y_[:], s.exc.z_[:]] / 1e-6, rtol=1e-6
    )
    # tomato for exc (xkcd:tomato = #ef4026)
    np.testing.assert_allclose(meta["groups"][0]["color"], [0xEF / 255, 0x40 / 255, 0x26 / 255], atol=1e-3)
    assert meta["lights"][0]["name"] == "Light" and meta["lights"][0]["n_sources"] == 2


def test_payload_spikes_are_exact(player):
    rec = player.recording
    ptr, idx = decode_spikes(player._meta, player._data)
    assert len(ptr) == rec.n_frames + 1 and ptr[-1] == rec.n_spikes
    for k in (0, 17, 50, 99):
        expected = np.sort(
            np.concatenate([rec.groups[0].spikes_in_frame(k), rec.groups[1].spikes_in_frame(k) + rec.groups[0].size])
        )
        np.testing.assert_array_equal(np.sort(idx[ptr[k] : ptr[k + 1]]), expected)


def test_payload_light_values_per_frame(player):
    meta, data = player._meta, player._data
    values = np.frombuffer(data["values"], np.float32).reshape(meta["n_frames"], meta["n_channels"])
    np.testing.assert_allclose(values, player.recording.track("Light").values, rtol=1e-6)


def test_payload_budget(player):
    meta, data = player._meta, player._data
    rec = player.recording
    per_spike = len(data["spike_idx"]) / rec.n_spikes
    per_neuron = (len(data["positions"]) + len(data["visible"])) / rec.n_neurons
    per_channel_frame = len(data["values"]) / (meta["n_channels"] * rec.n_frames)
    assert per_spike <= 4.5 and per_neuron <= 16 and per_channel_frame <= 4


def test_uint32_indices_beyond_65535_neurons():
    from cleo_player.recording import GroupData, Recording

    n = 70000
    frame_t = np.arange(3) * 1e-3
    spike_i = np.array([5, n - 1, 7], dtype=np.uint32)
    spike_t = np.array([0.0, 1.2e-3, 2.5e-3])
    g = GroupData.from_spikes("big", np.zeros((n, 3)), spike_i, spike_t, frame_t, 1e-3)
    rec = Recording(1e-3, frame_t, 3e-3, (g,))
    meta, data = scene_payload(Scene.build(rec))
    ptr, idx = decode_spikes(meta, data)
    assert meta["index_bytes"] == 4
    np.testing.assert_array_equal(idx, [5, n - 1, 7])
    np.testing.assert_array_equal(ptr, [0, 1, 2, 3])


def test_frame_trait_seek_time(player):
    player.frame = 10
    assert player.time == 10 * b2.ms
    player.seek(42.5 * b2.ms)
    assert player.frame == 42
    player.seek(100 * b2.ms)  # the end of the recording shows the last frame
    assert player.frame == 99
    with pytest.raises(traitlets.TraitError, match="0..99"):
        player.frame = 100
    with pytest.raises(ValueError, match="outside the recording"):
        player.seek(150 * b2.ms)
    with pytest.raises(ValueError, match="time"):
        player.seek(3)
    player.play()
    assert player.playing
    player.pause()
    assert not player.playing


def test_speed_and_loop_validation(player):
    player.speed = 0.01
    player.loop = "pingpong"
    with pytest.raises(traitlets.TraitError, match="positive"):
        player.speed = 0
    with pytest.raises(traitlets.TraitError, match="loop must be one of"):
        player.loop = "bounce"
    player.loop = "loop"
    player.speed = 0.1


def test_repr_is_stable(player):
    assert repr(player) == "Player(exc: 400 neurons, inh: 100 neurons; 100 frames of 1 ms; devices: Light)"


def test_plotargs_are_checked(seed_run):
    s, rec = seed_run
    with pytest.raises(TypeError, match="Unknown plot argument 'colour'"):
        Player(rec, colour="red")
    with pytest.raises(TypeError, match="devices"):
        Player(rec, devices=[s.fibers])
    with pytest.raises(ValueError, match="one colour per group"):
        Player(rec, colors=["red"])
    with pytest.raises(ValueError, match="length unit"):
        Player(rec, axis_scale_unit=b2.ms)
    with pytest.raises(ValueError, match="min < max"):
        Player(rec, zlim=(600, 0))


def test_limits_hide_neurons(seed_run):
    s, rec = seed_run
    p = Player(rec, colors=s.plotargs["colors"], xlim=(-500, 500))
    assert p._meta["all_visible"] is False
    visible = np.frombuffer(p._data["visible"], np.uint8)
    x = np.frombuffer(p._data["positions"], np.float32).reshape(-1, 3)[:, 0]
    np.testing.assert_array_equal(visible.astype(bool), (x >= -500) & (x <= 500))


def test_player_on_sim_without_recorder_injects_one():
    s = seed_tutorial(n_e=40)
    p = Player(s.sim, **s.plotargs)
    assert isinstance(p.recorder, Recorder)
    assert [ng.name for ng in p.recorder.neuron_groups] == ["exc", "inh"]
    assert p._meta["n_frames"] == 0 and "run the simulation" in p._meta["message"]


def test_player_before_run_shows_message(seed_run):
    s = seed_tutorial(n_e=40)
    rec = Recorder()
    s.sim.inject(rec, s.exc, s.inh)
    p = Player(rec, **s.plotargs)
    assert p._meta["n_frames"] == 0 and p._meta["n_neurons"] == 50
    assert "Nothing recorded yet" in p._meta["message"]
    s.sim.run(5 * b2.ms)
    p.refresh()
    assert p._meta["n_frames"] == 5 and p._meta["message"] == ""


def test_player_rejects_bad_sources():
    import cleo

    with pytest.raises(TypeError, match="CLSimulator, a cleo_player.Recorder or a Recording"):
        Player(42)
    with pytest.raises(ValueError, match=r"has no neuron groups.*sim.inject\(rec"):
        Player(Recorder())
    ng = b2.NeuronGroup(3, "v : 1", name="flat")
    sim = cleo.CLSimulator(b2.Network(ng))
    with pytest.raises(ValueError, match=r"no neuron group with x/y/z.*flat.*cleo\.coords"):
        Player(sim)


def test_light_without_max_warns_and_uses_recorded_max():
    s = seed_tutorial(n_e=40)
    s.fibers.max_value = None
    rec = Recorder()
    s.sim.inject(rec, s.exc, s.inh)
    s.sim.run(5 * b2.ms)
    with pytest.warns(UserWarning, match="max_value_viz"):
        p = Player(rec)
    assert p._meta["lights"][0]["max_value"] == pytest.approx(np.max(rec.recording.track("Light").values))


def test_save_html_is_self_contained(player, tmp_path):
    path = player.save_html(tmp_path / "run.html")
    text = path.read_text()
    assert "cleo-player-bundle" in text and "cleo-player-state" in text
    assert "http://" not in text.split("cleo-player-state")[0]  # no external resources in the head
    assert "<script src" not in text and "cdn" not in text.lower().split("<body>")[0]


def test_player_plays_a_saved_recording(seed_run, tmp_path):
    from cleo_player import Recording

    s, rec = seed_run
    path = rec.recording.save(tmp_path / "run.npz")
    p = Player(Recording.load(path), colors=s.plotargs["colors"], zlim=(0, 600))
    assert p._meta["n_frames"] == 100 and p._meta["lights"] == []
    ptr = np.frombuffer(p._data["spike_ptr"], np.uint32)
    assert ptr[-1] == rec.recording.n_spikes


def test_player_injects_a_recorder_for_chosen_groups():
    s = seed_tutorial(n_e=40)
    p = Player(s.sim, neuron_groups=[s.inh], colors=["blue"])
    assert [ng.name for ng in p.recorder.neuron_groups] == ["inh"]
    assert p.recorder in s.sim.devices
    assert Player(s.sim).recorder is p.recorder  # found, not injected twice
