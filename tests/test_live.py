"""Live run: player.run(T) streams each closed frame once; the streamed frames equal the final
recording's, and afterwards the player holds the full recording."""

from __future__ import annotations

import brian2 as b2
import numpy as np

from cleo_player import Player
from cleo_player.examples import seed_tutorial


def test_live_run_streams_only_new_frames_exactly():
    s = seed_tutorial(n_e=120)
    player = Player(s.sim, **s.plotargs)  # no Recorder in sim: the Player injects one
    sent: list[tuple[dict, list[bytes]]] = []
    player.send = lambda msg, buffers=None: sent.append((msg, buffers))  # type: ignore[method-assign]
    import cleo_player.live as live

    orig_init = live.LiveStream.__init__

    def eager_init(self, p, interval=0.15):  # send at every frame, to exercise many messages
        orig_init(self, p, interval=0.0)

    live.LiveStream.__init__ = eager_init
    try:
        player.run(30 * b2.ms, progress=False)
    finally:
        live.LiveStream.__init__ = orig_init

    assert len(sent) > 5
    rec = player.recording
    assert rec.n_frames == 30 and player._meta["n_frames"] == 30 and player._meta["message"] == ""
    # messages cover consecutive frame ranges, each frame once, all but the still-open last one
    firsts = [m["first_frame"] for m, _ in sent]
    ends = [m["n_frames"] for m, _ in sent]
    assert firsts[0] == 0 and all(a == b for a, b in zip(firsts[1:], ends[:-1]))
    assert ends[-1] == 29
    counts = np.concatenate([np.frombuffer(b[0], np.uint32) for _, b in sent])
    idx = np.concatenate([np.frombuffer(b[1], np.uint16) for _, b in sent])
    values = np.concatenate([np.frombuffer(b[2], np.float32).reshape(-1, 2) for _, b in sent])
    times = np.concatenate([np.frombuffer(b[3], np.float64) for _, b in sent])
    final_ptr = np.frombuffer(player._data["spike_ptr"], np.uint32)
    final_idx = np.frombuffer(player._data["spike_idx"], np.uint16)
    np.testing.assert_array_equal(np.cumsum(counts), final_ptr[1:30])
    for k in range(29):
        np.testing.assert_array_equal(
            np.sort(idx[final_ptr[k] : final_ptr[k + 1]]), np.sort(final_idx[final_ptr[k] : final_ptr[k + 1]])
        )
    final_values = np.frombuffer(player._data["values"], np.float32).reshape(30, 2)
    np.testing.assert_array_equal(values, final_values[:29])
    np.testing.assert_allclose(times, np.arange(29) * 1.0)
    assert counts.sum() > 0  # the network spiked while streaming


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
    import pytest

    s = seed_tutorial(n_e=40)
    player = Player(s.sim, **s.plotargs)
    with pytest.raises(ValueError, match="time"):
        player.run(10)
    with pytest.raises(ValueError, match="positive"):
        player.run(0 * b2.ms)
