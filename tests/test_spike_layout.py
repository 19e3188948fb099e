"""The fast spike layouts (frame pointers by binary search, spikes merged across groups slice by
slice or by computed destinations) agree with their plain definitions in every regime: sparse
and dense frames, silent groups, spikes before the first frame and after the last, unsorted
input."""

from __future__ import annotations

import numpy as np
import pytest

from cleo_player.payload import SPIKES_PER_SLICE, merged_spikes
from cleo_player.recording import GroupData, Recording, frame_index, frame_pointers


def reference_pointers(frame_t: np.ndarray, spike_t: np.ndarray, dt: float) -> np.ndarray:
    frames = frame_index(frame_t, np.sort(spike_t), dt)
    return np.concatenate([[0], np.cumsum(np.bincount(frames, minlength=len(frame_t)))])


@pytest.mark.parametrize("seed", range(6))
def test_frame_pointers_match_frame_index(seed):
    rng = np.random.default_rng(seed)
    dt = [1e-3, 0.1e-3, 2.5e-3][seed % 3]
    n_frames = int(rng.integers(1, 300))
    frame_t = 0.01 + np.arange(n_frames) * dt
    spike_t = np.sort(
        np.concatenate(
            [
                rng.uniform(0, 0.01 + (n_frames + 3) * dt, int(rng.integers(0, 5000))),  # some before and after
                frame_t[rng.integers(0, n_frames, 50)],  # exactly on frame starts
                frame_t[rng.integers(0, n_frames, 50)] - 1e-9 * dt,  # a hair before (rounding): same frame
            ]
        )
    )
    np.testing.assert_array_equal(frame_pointers(frame_t, spike_t, dt), reference_pointers(frame_t, spike_t, dt))


def test_from_spikes_sorts_unsorted_spikes():
    frame_t = np.arange(4) * 1e-3
    g = GroupData.from_spikes(
        "g", np.zeros((5, 3)), np.array([4, 1, 2]), np.array([3.5e-3, 0.2e-3, 1.0e-3]), frame_t, 1e-3
    )
    np.testing.assert_array_equal(g.spike_i, [1, 2, 4])
    np.testing.assert_array_equal(g.frame_ptr, [0, 1, 2, 2, 3])


def reference_merge(rec: Recording) -> tuple[np.ndarray, np.ndarray]:
    """Per frame, group after group: the plain definition of the merged layout."""
    out, ptr, offsets = [], [0], np.cumsum([0] + [g.size for g in rec.groups])
    for k in range(rec.n_frames):
        for g, off in zip(rec.groups, offsets, strict=False):
            out.extend(g.spikes_in_frame(k) + off)
        ptr.append(len(out))
    return np.array(ptr), np.array(out, dtype=np.int64)


@pytest.mark.parametrize(
    ("rates", "n_frames", "dense"),
    [
        ((0.5, 0.2, 0.0), 200, False),  # sparse (< SPIKES_PER_SLICE per frame and group): destinations per spike
        ((200.0, 90.0, 150.0), 20, True),  # dense: slice by slice
        ((0.0, 300.0, 0.0), 10, False),  # one busy group among silent ones: in place
        ((0.0, 0.0), 5, False),  # nothing at all
        ((300.0, 0.4), 10, True),  # one dense and one sparse group
    ],
)
def test_merged_spikes_match_the_definition(rates, n_frames, dense):
    rng = np.random.default_rng(int(sum(rates)) + n_frames)
    dt, frame_t = 1e-3, np.arange(n_frames) * 1e-3
    groups = []
    for g, rate in enumerate(rates):
        size = 50 + 20 * g
        n = rng.poisson(rate * n_frames)
        t = rng.uniform(0, n_frames * dt, n)
        groups.append(GroupData.from_spikes(f"g{g}", np.zeros((size, 3)), rng.integers(0, size, n), t, frame_t, dt))
    rec = Recording(dt, frame_t, n_frames * dt, tuple(groups))
    busy = sum(1 for g in groups if g.n_spikes)
    assert dense == (busy > 1 and rec.n_spikes >= SPIKES_PER_SLICE * n_frames * busy)  # the regime meant
    ptr, idx = merged_spikes(rec.span())
    ref_ptr, ref_idx = reference_merge(rec)
    np.testing.assert_array_equal(ptr, ref_ptr)
    np.testing.assert_array_equal(idx, ref_idx)
    for first, stop in ((0, n_frames), (n_frames // 3, n_frames), (1, max(1, n_frames // 2))):
        ptr, idx = merged_spikes(rec.span(first, stop))  # spans of a live run / a window
        np.testing.assert_array_equal(ptr, ref_ptr[first : stop + 1] - ref_ptr[first])
        np.testing.assert_array_equal(idx, ref_idx[ref_ptr[first] : ref_ptr[stop]])
