"""Recorder and Recording on the seed tutorial's network: every spike, in its frame, exactly."""

from __future__ import annotations

import brian2 as b2
import numpy as np
import pytest

from cleo_player import Recorder, Recording
from cleo_player.examples import seed_tutorial


def light_value_at(light, t_s: float) -> np.ndarray:
    """The Light's value in effect at time t: the last history entry at or before t."""
    times = np.asarray(light.t / b2.second)
    k = np.searchsorted(times, t_s + 1e-12, side="right") - 1
    return np.asarray(light.values[k])


def test_spike_counts_match_spike_monitors(seed_run):
    s, rec = seed_run
    r = rec.recording
    assert [g.name for g in r.groups] == ["exc", "inh"]
    assert r.groups[0].n_spikes == s.mon_e.num_spikes > 0
    assert r.groups[1].n_spikes == s.mon_i.num_spikes > 0
    # the same spikes, not just the same number
    np.testing.assert_array_equal(r.groups[0].spike_i, np.asarray(s.mon_e.i))
    np.testing.assert_allclose(r.groups[0].spike_t, np.asarray(s.mon_e.t_))


def test_frames_and_spike_frames(seed_run):
    _, rec = seed_run
    r = rec.recording
    assert r.n_frames == 100  # ceil(T / dt), as VideoVisualizer
    np.testing.assert_allclose(r.frame_t, np.arange(100) * 1e-3)
    assert r.t_end == pytest.approx(0.1)
    for g in r.groups:
        expected = np.floor(g.spike_t / 1e-3 + 1e-9).astype(int)
        np.testing.assert_array_equal(g.spike_frames(), expected)
        assert g.frame_ptr[-1] == g.n_spikes  # every spike in exactly one frame
    # spikes in the last ms (after VideoVisualizer's last snapshot) are kept
    last = r.groups[0].spikes_in_frame(99)
    assert len(last) == np.sum(r.groups[0].spike_t >= 0.099)


def test_positions_in_metres(seed_run):
    s, rec = seed_run
    g = rec.recording.groups[0]
    np.testing.assert_allclose(g.positions[:, 2], s.exc.z_[:])
    assert g.positions[:, 2].min() >= 0.3e-3 - 1e-9 and g.positions[:, 2].max() <= 0.4e-3 + 1e-9


def test_light_track_matches_light_history(seed_run):
    s, rec = seed_run
    r = rec.recording
    track = r.track("Light")
    assert track.kind == "Light" and track.unit == "mW/mm2"
    assert track.values.shape == (100, 2)
    for k in range(r.n_frames):
        np.testing.assert_allclose(track.values[k], light_value_at(s.fibers, r.frame_t[k]))
    # after 50 ms the processor holds [0, 5]
    np.testing.assert_allclose(track.values[60], [0, 5])


def test_several_runs_append_and_reset_restarts():
    s = seed_tutorial(n_e=80)
    rec = Recorder(dt=1 * b2.ms)
    s.sim.inject(rec, s.exc, s.inh)
    s.sim.run(20 * b2.ms)
    s.sim.run(10.5 * b2.ms)
    s.sim.run(5 * b2.ms)
    r = rec.recording
    assert r.n_frames == 20 + 11 + 5  # frame 30 spans the 2nd and 3rd runs: [30, 31) ms
    assert np.all(np.diff(r.frame_t) > 0)
    assert r.t_end == pytest.approx(35.5e-3)
    assert r.groups[0].n_spikes == s.mon_e.num_spikes > 0
    for g in r.groups:
        fr = g.spike_frames()
        assert np.all(r.frame_t[fr] <= g.spike_t + 1e-12)
        ends = np.append(r.frame_t[1:], r.t_end)
        assert np.all(g.spike_t < ends[fr] + 1e-12)
    assert r.track("Light").values.shape == (36, 2)

    s.sim.reset()
    r = rec.recording
    assert r.n_frames == 0 and r.n_spikes == 0
    s.sim.run(15 * b2.ms)
    r = rec.recording
    assert r.n_frames == 15
    assert r.frame_t[0] == 0
    assert r.groups[0].n_spikes == s.mon_e.num_spikes
    assert r.groups[1].n_spikes == s.mon_i.num_spikes


def test_save_load_round_trip(seed_run, tmp_path):
    _, rec = seed_run
    r = rec.recording
    path = r.save(tmp_path / "run")
    assert path.suffix == ".npz"
    back = Recording.load(path)
    assert back.equals(r)
    assert back.n_spikes == r.n_spikes > 0
    np.testing.assert_array_equal(back.groups[1].spike_t, r.groups[1].spike_t)
    # equals() really compares: a changed spike time is detected
    changed = Recording(r.dt, r.frame_t, r.t_end, (r.groups[0],), r.tracks)
    assert not back.equals(changed)


def test_load_rejects_other_files(tmp_path):
    np.savez(tmp_path / "x.npz", meta=np.array('{"format": "other"}'))
    with pytest.raises(ValueError, match="not a cleo-player recording"):
        Recording.load(tmp_path / "x.npz")


def test_devices_without_value_and_tuples():
    from cleo.ephys import Probe, linear_shank_coords

    s = seed_tutorial(n_e=40)
    probe = Probe(coords=linear_shank_coords(0.4 * b2.mm, 4, start_location=(0, 0, 0.2) * b2.mm))
    s.sim.inject(probe, s.exc)
    rec = Recorder(dt=1 * b2.ms, devices=[(s.fibers, {"n_points_per_source": 500}), probe])
    s.sim.inject(rec, s.exc, s.inh)
    s.sim.run(5 * b2.ms)
    r = rec.recording
    assert [t.name for t in r.tracks] == ["Light"]  # the probe has no value: static only
    assert [d.name for d, _ in rec.device_entries] == ["Light", "Probe"]
    assert rec.device_entries[0][1] == {"n_points_per_source": 500}


def test_devices_all_includes_probe_and_excludes_recorders():
    from cleo.ephys import Probe, linear_shank_coords

    s = seed_tutorial(n_e=40)
    probe = Probe(coords=linear_shank_coords(0.4 * b2.mm, 4, start_location=(0, 0, 0.2) * b2.mm))
    s.sim.inject(probe, s.exc)
    rec = Recorder(dt=1 * b2.ms, devices="all")
    s.sim.inject(rec, s.exc, s.inh)
    s.sim.run(3 * b2.ms)
    assert sorted(d.name for d, _ in rec.device_entries) == ["Light", "Probe"]
    assert rec.recording.n_frames == 3


def test_group_without_coordinates_names_group_and_cleo_coords():
    import cleo

    ng = b2.NeuronGroup(5, "dv/dt = -v/(10*ms) : 1", name="nocoords")
    sim = cleo.CLSimulator(b2.Network(ng))
    with pytest.raises(ValueError, match=r"'nocoords'.*cleo\.coords"):
        sim.inject(Recorder(), ng)


def test_bad_constructor_arguments():
    with pytest.raises(ValueError, match="positive time"):
        Recorder(dt=0 * b2.ms)
    with pytest.raises(ValueError, match='"all" or a list'):
        Recorder(devices="some")
    with pytest.raises(TypeError, match="cleo devices"):
        Recorder(devices=[42])


def test_videovisualizer_compatible_attributes(seed_run):
    _, rec = seed_run
    per_frame = rec._i_spikes_per_ng_per_frame
    assert len(per_frame) == 100 and len(per_frame[0]) == 2
    assert sum(len(f[0]) for f in per_frame) == rec.recording.groups[0].n_spikes
    assert len(rec._value_per_device_per_frame) == 100
