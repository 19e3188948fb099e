"""``Recording.validate`` and ``Recording.load``: one clear error per problem (shapes, dtypes,
index ranges, sorted times, the format version), sizes compared before anything big is
allocated, and a Player refusing a Recording it cannot draw.
"""

from __future__ import annotations

import json
import tracemalloc
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import numpy as np
import pytest

from cleo_player import Player, Recording
from cleo_player.recording import FORMAT_VERSION, DeviceTrack, GroupData

if TYPE_CHECKING:
    from pathlib import Path

DT = 1e-3
N_FRAMES = 10


def sample() -> Recording:
    """Two groups, a device track, spikes in several frames."""
    frame_t = np.arange(N_FRAMES) * DT
    rng = np.random.default_rng(1)
    groups = []
    for name, n in (("exc", 8), ("inh", 3)):
        t = np.sort(rng.uniform(0, N_FRAMES * DT, 25))
        i = rng.integers(0, n, 25).astype(np.uint32)
        pos = rng.uniform(-1e-4, 1e-4, (n, 3))
        groups.append(GroupData.from_spikes(name, pos, i, t, frame_t, DT))
    track = DeviceTrack("Light", "Light", rng.uniform(0, 5, (N_FRAMES, 2)), "mW/mm2")
    return Recording(DT, frame_t, N_FRAMES * DT, tuple(groups), (track,))


def arrays_of(path: Path) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    with np.load(path, allow_pickle=False) as data:
        arrays = {k: data[k] for k in data.files}
    return json.loads(str(arrays.pop("meta"))), arrays


def write(path: Path, meta: Any, arrays: dict[str, np.ndarray]) -> Path:
    meta_text = meta if isinstance(meta, str) else json.dumps(meta)
    np.savez_compressed(path, meta=np.array(meta_text), **arrays)
    return path


@pytest.fixture
def saved(tmp_path: Path) -> tuple[Path, dict[str, Any], dict[str, np.ndarray]]:
    path = sample().save(tmp_path / "good.npz")
    meta, arrays = arrays_of(path)
    return tmp_path, meta, arrays


def test_a_sound_file_loads_exactly(tmp_path: Path) -> None:
    rec = sample()
    rec.validate()
    back = Recording.load(rec.save(tmp_path / "run.npz"))
    assert back.equals(rec)


META_PROBLEMS = [
    (lambda m: {**m, "version": "1"}, "version must be a whole number"),
    (lambda m: {**m, "version": 1.0}, "version must be a whole number"),
    (lambda m: {**m, "version": True}, "version must be a whole number"),
    (lambda m: {**m, "version": 0}, "version must be a whole number >= 1"),
    (lambda m: {**m, "version": FORMAT_VERSION + 1}, "newer cleo-player"),
    (lambda m: {k: v for k, v in m.items() if k != "version"}, "version must be"),
    (lambda m: {**m, "format": "something else"}, "not a cleo-player recording"),
    (lambda m: {**m, "dt": "1ms"}, "meta dt must be a number"),
    (lambda m: {**m, "groups": "exc"}, "meta groups must be a list of group names"),
    (lambda m: {**m, "tracks": [{"name": 3}]}, "meta tracks must be a list"),
    (lambda _: "{not json", "meta is not valid JSON"),
    (lambda _: [1, 2], "not a cleo-player recording"),
]


@pytest.mark.parametrize(("change", "match"), META_PROBLEMS)
def test_meta_problems(saved, change, match) -> None:
    tmp, meta, arrays = saved
    path = write(tmp / "bad.npz", change(meta), arrays)
    with pytest.raises(ValueError, match=match) as err:
        Recording.load(path)
    assert str(path) in str(err.value)


def _bump(ptr: np.ndarray, k: int) -> np.ndarray:
    """``ptr`` with entry k set to the total: the pointer then goes down after k."""
    out = ptr.copy()
    out[k] = out[-1]
    return out


def _drop(arrays: dict, key: str) -> dict:
    return {k: v for k, v in arrays.items() if k != key}


ARRAY_PROBLEMS = [
    # missing arrays, shapes that disagree with each other
    (lambda a: _drop(a, "g0_spike_t"), "g0_spike_t is missing"),
    (lambda a: _drop(a, "t0_values"), "t0_values is missing"),
    (lambda a: {**a, "g0_spike_t": a["g0_spike_t"][:-1]}, "g0_spike_t must hold one time per spike"),
    (lambda a: {**a, "g1_frame_ptr": a["g1_frame_ptr"][:-1]}, "g1_frame_ptr must hold n_frames"),
    (lambda a: {**a, "frame_t": a["frame_t"][:-1]}, "frame_ptr must hold n_frames"),
    (lambda a: {**a, "g0_positions": a["g0_positions"][:, :2]}, r"g0_positions must have shape \(n_neurons, 3\)"),
    (lambda a: {**a, "t0_values": a["t0_values"][:-2]}, "t0_values must hold one row per frame"),
    # dtypes
    (lambda a: {**a, "g0_spike_i": a["g0_spike_i"].astype(float)}, "g0_spike_i must be a 1-d array of kind 'ui'"),
    (lambda a: {**a, "g0_positions": a["g0_positions"].astype(np.int64)}, "g0_positions must be a 2-d array"),
    (lambda a: {**a, "frame_t": a["frame_t"].astype("U8")}, "frame_t must be a 1-d array"),
    # values
    (lambda a: {**a, "g1_spike_i": a["g1_spike_i"] + 3}, r"spike_i must be neuron indices in 0\.\.2"),
    (lambda a: {**a, "g0_spike_t": a["g0_spike_t"][::-1].copy()}, "spike_t must be times sorted"),
    (lambda a: {**a, "frame_t": a["frame_t"][::-1].copy()}, "frame_t must be strictly increasing"),
    (lambda a: {**a, "g0_positions": np.full_like(a["g0_positions"], np.nan)}, "positions must be finite"),
    (lambda a: {**a, "g0_frame_ptr": a["g0_frame_ptr"][::-1].copy()}, "frame_ptr must be to run from 0"),
    (lambda a: {**a, "g0_frame_ptr": _bump(a["g0_frame_ptr"], 5)}, "frame_ptr must be non-decreasing"),
    (lambda a: {**a, "t0_values": a["t0_values"][:, :, None]}, "t0_values must be a 2-d array"),
]


@pytest.mark.parametrize(("change", "match"), ARRAY_PROBLEMS)
def test_array_problems(saved, change, match) -> None:
    tmp, meta, arrays = saved
    path = write(tmp / "bad.npz", meta, change(dict(arrays)))
    with pytest.raises(ValueError, match=match) as err:
        Recording.load(path)
    assert str(path) in str(err.value)


def test_not_an_npz_file(tmp_path: Path) -> None:
    for content in (b"hello", b"PK\x03\x04garbage"):
        path = tmp_path / "x.npz"
        path.write_bytes(content)
        with pytest.raises(ValueError, match="not a cleo-player recording"):
            Recording.load(path)
    np.savez(tmp_path / "other.npz", a=np.zeros(3))
    with pytest.raises(ValueError, match="holds no meta"):
        Recording.load(tmp_path / "other.npz")


def crafted(tmp: Path) -> Path:
    """A tiny file whose frame pointer claims 600 million spikes (there are 10): today's load +
    Player would allocate gigabytes for them."""
    frame_t = np.arange(N_FRAMES) * DT
    ptr = np.zeros(N_FRAMES + 1, np.int64)
    ptr[-1] = 600_000_000
    meta = {
        "format": "cleo-player-recording",
        "version": 1,
        "dt": DT,
        "t_end": N_FRAMES * DT,
        "groups": ["g"],
        "tracks": [],
    }
    arrays = {
        "frame_t": frame_t,
        "g0_positions": np.zeros((10, 3)),
        "g0_spike_i": np.zeros(10, np.uint32),
        "g0_spike_t": np.zeros(10),
        "g0_frame_ptr": ptr,
    }
    return write(tmp / "crafted.npz", meta, arrays)


def test_a_crafted_file_is_refused_without_allocating(tmp_path: Path) -> None:
    path = crafted(tmp_path)
    assert path.stat().st_size < 10_000
    tracemalloc.start()
    try:
        with pytest.raises(ValueError, match="frame_ptr must be to run from 0 to the number of spikes"):
            Recording.load(path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 20e6


def test_a_huge_declared_array_is_refused_before_it_is_read(tmp_path: Path) -> None:
    """Shapes disagree: a 2-million-row frame pointer for 10 frames; the header says so, and
    nothing is decompressed."""
    tmp = tmp_path
    rec = sample()
    meta, arrays = arrays_of(rec.save(tmp / "ok.npz"))
    arrays["g0_frame_ptr"] = np.zeros(2_000_000, np.int64)
    path = write(tmp / "big.npz", meta, arrays)
    tracemalloc.start()
    try:
        with pytest.raises(ValueError, match="g0_frame_ptr must hold n_frames"):
            Recording.load(path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 4e6  # the array alone is 16 MB


def test_validate_in_memory_names_the_field() -> None:
    rec = sample()
    g = rec.groups[0]
    bad_ptr = replace(g, frame_ptr=np.r_[g.frame_ptr[:-1], 10**9])
    cases = [
        (replace(rec, dt=float("nan")), "dt must be a positive finite"),
        (replace(rec, dt=-1.0), "dt must be a positive finite"),
        (replace(rec, t_end=float("inf")), "t_end must be a finite"),
        (replace(rec, t_end=0.0), "t_end must be at or after the last frame"),
        (replace(rec, frame_t=list(rec.frame_t)), "frame_t must be a 1-d array"),
        (replace(rec, groups=list(rec.groups)), "groups must be a tuple"),
        (replace(rec, groups=(bad_ptr,)), r"groups\[0\] \('exc'\)\.frame_ptr must be to run from 0"),
        (replace(rec, groups=(replace(g, spike_i=g.spike_i.astype(np.float64)),)), r"spike_i must be a 1-d array"),
        (replace(rec, tracks=(replace(rec.tracks[0], values=rec.tracks[0].values[:3]),)), "one row per frame"),
    ]
    for bad, match in cases:
        with pytest.raises(ValueError, match=match):
            bad.validate()


def test_player_refuses_a_recording_it_cannot_draw() -> None:
    rec = sample()
    g = rec.groups[0]
    with pytest.raises(ValueError, match="frame_ptr"):
        Player(replace(rec, groups=(replace(g, frame_ptr=np.r_[g.frame_ptr[:-1], 600_000_000]),)))
    with pytest.raises(ValueError, match=r"holds no neuron groups.*GroupData"):
        Player(replace(rec, groups=()))
    assert Player(rec)._meta["n_neurons"] == 11
