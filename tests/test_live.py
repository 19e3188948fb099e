"""Live run: player.run(T) streams each closed frame once; the streamed frames equal the final
recording's, and afterwards the player holds the full recording."""

from __future__ import annotations

import brian2 as b2
import numpy as np
import pytest

from cleo_player import Player, Recorder
from cleo_player.examples import seed_tutorial


def test_live_run_streams_only_new_frames_exactly():
    s = seed_tutorial(n_e=120)
    player = Player(s.sim, **s.plotargs)  # no Recorder in sim: the Player injects one
    sent: list[tuple[dict, list[bytes]]] = []
    player.send = lambda msg, buffers=None: sent.append((msg, buffers))  # type: ignore[method-assign]
    player.run(30 * b2.ms, progress=False, update_interval=0.0)  # a message at every frame

    assert len(sent) > 5
    rec = player.recording
    assert rec.n_frames == 30 and player._meta["n_frames"] == 30 and player._meta["message"] == ""
    # messages cover consecutive frame ranges, each frame once, all but the still-open last one
    firsts = [m["first_frame"] for m, _ in sent]
    ends = [m["n_frames"] for m, _ in sent]
    assert firsts[0] == 0 and all(a == b for a, b in zip(firsts[1:], ends[:-1]))
    assert ends[-1] == 29
    # the buffers are named, and encoded as the initial payload's frame buffers
    assert all(m["buffers"] == ["spike_ptr", "spike_idx", "frame_start_ms", "values"] for m, _ in sent)
    counts = np.concatenate([np.diff(np.frombuffer(b[0], np.uint32)) for _, b in sent])
    idx = np.concatenate([np.frombuffer(b[1], np.uint16) for _, b in sent])
    times = np.concatenate([np.frombuffer(b[2], np.float64) for _, b in sent])
    values = np.concatenate([np.frombuffer(b[3], np.float32).reshape(-1, 2) for _, b in sent])
    final_ptr = np.frombuffer(player._data["spike_ptr"], np.uint32)
    final_idx = np.frombuffer(player._data["spike_idx"], np.uint16)
    np.testing.assert_array_equal(np.cumsum(counts), final_ptr[1:30])
    np.testing.assert_array_equal(idx, final_idx[: final_ptr[29]])  # same order, not only same sets
    final_values = np.frombuffer(player._data["values"], np.float32).reshape(30, 2)
    np.testing.assert_array_equal(values, final_values[:29])
    np.testing.assert_allclose(times, np.arange(29) * 1.0)
    assert counts.sum() > 0  # the network spiked while streaming


def test_frames_since_equals_the_recordings_span():
    """What a live run streams is exactly the recording's frames, whatever the split."""
    s = seed_tutorial(n_e=120)
    rec = Recorder(dt=1 * b2.ms)
    s.sim.inject(rec, s.exc, s.inh)
    s.sim.run(17.5 * b2.ms)
    s.sim.run(6.2 * b2.ms)
    full = rec.recording
    n_closed = full.n_frames - 1
    for first in (0, 1, 7, 16, 17, 23, n_closed):
        got, want = rec.frames_since(first), full.span(first, n_closed)
        assert (got.first, got.n_frames) == (want.first, want.n_frames)
        np.testing.assert_array_equal(got.frame_t, want.frame_t)
        assert got.t_end == pytest.approx(want.t_end)
        for a, b in zip(got.spike_i, want.spike_i):
            np.testing.assert_array_equal(a, b)
        for a, b in zip(got.frame_ptr, want.frame_ptr):
            np.testing.assert_array_equal(a, b)
        for a, b in zip(got.tracks, want.tracks):
            assert a.name == b.name
            np.testing.assert_array_equal(a.values, b.values)
    assert sum(len(i) for i in rec.frames_since(0).spike_i) > 0


def test_live_run_twice_appends_and_throttles():
    s = seed_tutorial(n_e=40)
    player = Player(s.sim, **s.plotargs)
    sent: list[dict] = []
    player.send = lambda msg, buffers=None: sent.append(msg)  # type: ignore[method-assign]
    player.run(10 * b2.ms, progress=False)
    player.run(5 * b2.ms, progress=False)
    assert player.recording.n_frames == 15
    # default throttle (0.15 s): a short run sends few messages, never a frame twice
    frames = [f for m in sent for f in range(m["first_frame"], m["n_frames"])]
    assert len(frames) == len(set(frames))


def test_run_requires_a_positive_time():
    s = seed_tutorial(n_e=40)
    player = Player(s.sim, **s.plotargs)
    with pytest.raises(ValueError, match="time"):
        player.run(10)
    with pytest.raises(ValueError, match="positive"):
        player.run(0 * b2.ms)
