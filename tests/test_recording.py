"""The Recording: plain numpy data, saved and loaded exactly (the Recorder that makes it:
test_recorder.py)."""

from __future__ import annotations

import numpy as np
import pytest

from cleo_player import Recording


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
