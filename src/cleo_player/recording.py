"""The Recording: plain numpy data that every renderer reads.

Frame ↔ time convention
-----------------------
Frame ``k`` starts at ``frame_t[k]`` seconds and ends where frame ``k + 1`` starts (the last
frame ends at ``t_end``). A spike at time ``t`` belongs to the one frame with
``frame_t[k] <= t < frame_t[k + 1]``; so every spike of the run is in exactly one frame.
For a run of duration ``T`` from time 0 with frame length ``dt`` there are ``ceil(T / dt)``
frames and ``frame_t[k] = k * dt``. A device value for frame ``k`` is the value in effect at
``frame_t[k]``.

Spikes are stored per group, sorted by time, with exact times and a frame pointer
(CSR layout): the spikes of frame ``k`` are ``spike_i[frame_ptr[k]:frame_ptr[k + 1]]``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from collections.abc import Sequence

FORMAT_VERSION = 1


def frame_index(frame_t: np.ndarray, t: np.ndarray, dt: float) -> np.ndarray:
    """The frame each time in ``t`` falls in (tolerant of float rounding at frame edges)."""
    if len(frame_t) == 0:
        return np.zeros(len(t), dtype=np.int64)
    edges = frame_t - 1e-6 * dt
    return np.clip(np.searchsorted(edges, t, side="right") - 1, 0, len(frame_t) - 1)


def frame_pointers(frame_t: np.ndarray, spike_t: np.ndarray, dt: float) -> np.ndarray:
    """The CSR frame pointer of time-sorted spikes: frame ``k``'s spikes are
    ``ptr[k]:ptr[k + 1]``, each spike in the frame :func:`frame_index` gives it (spikes before
    the first frame count in it, after the last in the last); O(n_frames log n_spikes).
    """
    n_frames = len(frame_t)
    if n_frames == 0:
        return np.zeros(1, dtype=np.int64)
    ptr = np.empty(n_frames + 1, dtype=np.int64)
    ptr[0], ptr[-1] = 0, len(spike_t)
    ptr[1:-1] = np.searchsorted(spike_t, frame_t[1:] - 1e-6 * dt, side="left")
    return ptr


@dataclass(frozen=True, eq=False)
class GroupData:
    """One neuron group: positions (metres) and its spikes."""

    name: str
    positions: np.ndarray  # (N, 3) float64, metres
    spike_i: np.ndarray  # (n_spikes,) uint32, neuron index, time-sorted
    spike_t: np.ndarray  # (n_spikes,) float64, seconds
    frame_ptr: np.ndarray  # (n_frames + 1,) int64

    @property
    def size(self) -> int:
        return int(self.positions.shape[0])

    @property
    def n_spikes(self) -> int:
        return int(self.spike_i.shape[0])

    @classmethod
    def from_spikes(
        cls, name: str, positions: np.ndarray, spike_i: np.ndarray, spike_t: np.ndarray, frame_t: np.ndarray, dt: float
    ) -> GroupData:
        spike_t = np.asarray(spike_t, dtype=np.float64)
        spike_i = np.asarray(spike_i)
        if len(spike_t) > 1 and not (spike_t[1:] >= spike_t[:-1]).all():  # monitors' spikes come sorted
            order = np.argsort(spike_t, kind="stable")
            spike_i, spike_t = spike_i[order], spike_t[order]
        return cls(
            name, positions, spike_i.astype(np.uint32, copy=False), spike_t, frame_pointers(frame_t, spike_t, dt)
        )

    def spikes_in_frame(self, k: int) -> np.ndarray:
        return self.spike_i[self.frame_ptr[k] : self.frame_ptr[k + 1]]

    def spike_frames(self) -> np.ndarray:
        """The frame of every spike (same order as ``spike_i``)."""
        return np.repeat(np.arange(len(self.frame_ptr) - 1), np.diff(self.frame_ptr))


@dataclass(frozen=True, eq=False)
class DeviceTrack:
    """A device's value at every frame, e.g. a Light's irradiance per source."""

    name: str
    kind: str  # the cleo device class, e.g. "Light"
    values: np.ndarray  # (n_frames, n_channels) float64
    unit: str

    @property
    def n_channels(self) -> int:
        return int(self.values.shape[1])


@dataclass(frozen=True, eq=False)
class FrameSpan:
    """Frames ``first .. first + n_frames - 1`` of a recording: their spikes (per group, in the
    CSR layout of :class:`GroupData`, pointers relative to the span) and device values, without
    the neurons' positions. What a live run streams; the whole recording is one span too.
    """

    first: int
    dt: float  # frame length, seconds
    frame_t: np.ndarray  # (n_frames,) frame start times, seconds
    t_end: float  # end of the span's last frame, seconds
    group_sizes: tuple[int, ...]
    spike_i: tuple[np.ndarray, ...]  # per group: neuron indices, frame-sorted
    frame_ptr: tuple[np.ndarray, ...]  # per group: (n_frames + 1,) pointers into spike_i
    tracks: tuple[DeviceTrack, ...]

    @property
    def n_frames(self) -> int:
        return int(self.frame_t.shape[0])


@dataclass(frozen=True, eq=False)
class Recording:
    """Everything a renderer needs about what happened, frame by frame."""

    dt: float  # frame length, seconds
    frame_t: np.ndarray  # (n_frames,) frame start times, seconds
    t_end: float  # end of the last frame, seconds
    groups: tuple[GroupData, ...]
    tracks: tuple[DeviceTrack, ...] = ()

    @property
    def n_frames(self) -> int:
        return int(self.frame_t.shape[0])

    @property
    def n_neurons(self) -> int:
        return sum(g.size for g in self.groups)

    @property
    def n_spikes(self) -> int:
        return sum(g.n_spikes for g in self.groups)

    @property
    def t_start(self) -> float:
        return float(self.frame_t[0]) if self.n_frames else self.t_end

    def frame_at(self, t: float) -> int:
        """The frame shown at time ``t`` (seconds), clipped to the recording."""
        return int(frame_index(self.frame_t, np.asarray([t]), self.dt)[0])

    def span(self, first: int = 0, stop: int | None = None) -> FrameSpan:
        """Frames ``first .. stop - 1`` (default: all) without the neurons' positions."""
        stop = self.n_frames if stop is None else stop
        if not 0 <= first <= stop <= self.n_frames:
            raise ValueError(f"frames {first}..{stop} are not within the recording's 0..{self.n_frames}.")
        t_end = float(self.frame_t[stop]) if stop < self.n_frames else self.t_end
        spike_i, frame_ptr = [], []
        for g in self.groups:
            lo, hi = int(g.frame_ptr[first]), int(g.frame_ptr[stop])
            spike_i.append(g.spike_i[lo:hi])
            frame_ptr.append(g.frame_ptr[first : stop + 1] - lo)
        return FrameSpan(
            first=first,
            dt=self.dt,
            frame_t=self.frame_t[first:stop],
            t_end=t_end,
            group_sizes=tuple(g.size for g in self.groups),
            spike_i=tuple(spike_i),
            frame_ptr=tuple(frame_ptr),
            tracks=tuple(DeviceTrack(t.name, t.kind, t.values[first:stop], t.unit) for t in self.tracks),
        )

    def track(self, name: str) -> DeviceTrack:
        for tr in self.tracks:
            if tr.name == name:
                return tr
        raise KeyError(f"No device track named {name!r}; tracks: {[t.name for t in self.tracks]}")

    # --- persistence ----------------------------------------------------------------------
    def save(self, path: str | Path) -> Path:
        """Write the recording to a ``.npz`` file; :meth:`load` reads it back exactly."""
        path = Path(path)
        if path.suffix != ".npz":
            path = path.with_suffix(path.suffix + ".npz") if path.suffix else path.with_suffix(".npz")
        meta = {
            "format": "cleo-player-recording",
            "version": FORMAT_VERSION,
            "dt": self.dt,
            "t_end": self.t_end,
            "groups": [g.name for g in self.groups],
            "tracks": [{"name": t.name, "kind": t.kind, "unit": t.unit} for t in self.tracks],
        }
        arrays: dict[str, np.ndarray] = {"meta": np.array(json.dumps(meta)), "frame_t": self.frame_t}
        for k, g in enumerate(self.groups):
            arrays[f"g{k}_positions"] = g.positions
            arrays[f"g{k}_spike_i"] = g.spike_i
            arrays[f"g{k}_spike_t"] = g.spike_t
            arrays[f"g{k}_frame_ptr"] = g.frame_ptr
        for k, t in enumerate(self.tracks):
            arrays[f"t{k}_values"] = t.values
        np.savez_compressed(path, **arrays)
        return path

    @classmethod
    def load(cls, path: str | Path) -> Recording:
        with np.load(Path(path), allow_pickle=False) as data:
            meta = json.loads(str(data["meta"]))
            if meta.get("format") != "cleo-player-recording":
                raise ValueError(f"{path} is not a cleo-player recording (saved with Recording.save).")
            if meta["version"] > FORMAT_VERSION:
                raise ValueError(f"{path} was saved by a newer cleo-player (format {meta['version']}); upgrade.")
            groups = tuple(
                GroupData(
                    name,
                    data[f"g{k}_positions"],
                    data[f"g{k}_spike_i"],
                    data[f"g{k}_spike_t"],
                    data[f"g{k}_frame_ptr"],
                )
                for k, name in enumerate(meta["groups"])
            )
            tracks = tuple(
                DeviceTrack(t["name"], t["kind"], data[f"t{k}_values"], t["unit"]) for k, t in enumerate(meta["tracks"])
            )
            return cls(float(meta["dt"]), data["frame_t"], float(meta["t_end"]), groups, tracks)

    def equals(self, other: Recording) -> bool:
        """Exact equality of every array and name (for round-trip checks)."""
        if (self.dt, self.t_end, len(self.groups), len(self.tracks)) != (
            other.dt,
            other.t_end,
            len(other.groups),
            len(other.tracks),
        ):
            return False
        if not np.array_equal(self.frame_t, other.frame_t):
            return False
        for a, b in zip(self.groups, other.groups):
            if a.name != b.name or not all(
                np.array_equal(x, y) and x.dtype == y.dtype
                for x, y in [
                    (a.positions, b.positions),
                    (a.spike_i, b.spike_i),
                    (a.spike_t, b.spike_t),
                    (a.frame_ptr, b.frame_ptr),
                ]
            ):
                return False
        for a, b in zip(self.tracks, other.tracks):
            if (a.name, a.kind, a.unit) != (b.name, b.kind, b.unit) or not np.array_equal(
                a.values, b.values, equal_nan=True
            ):
                return False
        return True

    # --- checks ---------------------------------------------------------------------------
    def validate(self, where: str = "recording") -> Recording:
        """Check that the arrays are consistent (shapes, types, finite values, every spike in
        one frame) and return the recording; raise ValueError saying what is wrong, naming it
        ``where`` (e.g. a file's path). Files are checked with this when they are read.
        """
        problems = _recording_problems(self)
        if problems:
            raise ValueError(f"{where} is not a valid recording: " + "; ".join(problems) + ".")
        return self

    # --- plain brian2 runs ----------------------------------------------------------------
    @classmethod
    def from_brian(
        cls,
        spike_monitors: Any,
        dt: Any = None,
        *,
        t_end: Any = None,
        t_start: Any = None,
        names: Sequence[str] | None = None,
    ) -> Recording:
        r"""A Recording of brian2 ``SpikeMonitor``\\ s, read after the run: one group per monitor
        (its source group, a ``NeuronGroup`` or a subgroup of one, with ``x, y, z`` lengths).

        Works the same for runtime and standalone runs (``cpp_standalone``, brian2cuda,
        brian2genn): the monitors' spikes and the groups' coordinates are read from the device
        once it has run. ``dt`` is the frame length (default 1 ms); frames span ``t_start``
        (default 0) to ``t_end`` (default: the time the monitors' clocks reached); spikes
        outside are left out. ``names`` name the groups (default: the groups' names). No
        device tracks: play it with ``Player(recording, **plotargs)``.
        """
        from cleo_player.brian_monitors import read_monitors

        data = read_monitors(spike_monitors, dt=dt, t_end=t_end, t_start=t_start, names=names)
        frame_t = data.t_start + np.arange(data.n_frames) * data.dt
        groups = tuple(
            GroupData.from_spikes(g.name, g.positions, g.spike_i, g.spike_t, frame_t, data.dt) for g in data.groups
        )
        return cls(dt=data.dt, frame_t=frame_t, t_end=data.t_end, groups=groups).validate("Recording.from_brian")


def _recording_problems(rec: Recording) -> list[str]:
    """What is inconsistent in a recording (empty if nothing)."""
    problems: list[str] = []
    frame_t = np.asarray(rec.frame_t)
    if not (isinstance(rec.dt, (float, int)) and np.isfinite(rec.dt) and rec.dt > 0):
        problems.append(f"dt must be a positive number of seconds, got {rec.dt!r}")
    if frame_t.ndim != 1 or frame_t.dtype.kind != "f" or not np.isfinite(frame_t).all():
        problems.append("frame_t must be a 1-d array of finite float times")
        return problems
    n = len(frame_t)
    if n > 1 and not (np.diff(frame_t) > 0).all():
        problems.append("frame_t must increase")
    if not np.isfinite(rec.t_end) or (n and rec.t_end < frame_t[-1]):
        problems.append(f"t_end ({rec.t_end!r}) must be finite and not before the last frame's start")
    names = [g.name for g in rec.groups]
    if len(set(names)) != len(names):
        problems.append(f"group names must differ, got {names}")
    for g in rec.groups:
        problems += [f"group {g.name!r}: {p}" for p in _group_problems(g, n)]
    for t in rec.tracks:
        values = np.asarray(t.values)
        if values.shape[:1] != (n,) or values.ndim != len(("frames", "channels")) or values.dtype.kind != "f":
            problems.append(f"track {t.name!r}: values must be a float ({n}, n_channels) array, got {values.shape}")
    return problems


def _group_problems(g: GroupData, n_frames: int) -> list[str]:
    problems = []
    pos, spike_i, spike_t, ptr = (np.asarray(a) for a in (g.positions, g.spike_i, g.spike_t, g.frame_ptr))
    if pos.shape[1:] != (3,) or pos.dtype.kind != "f" or not np.isfinite(pos).all():
        problems.append(f"positions must be a finite float (n_neurons, 3) array, got shape {pos.shape}")
    if spike_i.ndim != 1 or spike_i.dtype.kind not in "ui":
        problems.append("spike_i must be a 1-d integer array")
    elif len(spike_i) and (spike_i.min() < 0 or spike_i.max() >= len(pos)):
        problems.append(f"spike_i holds neuron indices outside 0..{len(pos) - 1}")
    if spike_t.shape != spike_i.shape or spike_t.dtype.kind != "f" or not np.isfinite(spike_t).all():
        problems.append("spike_t must hold one finite float time per spike")
    elif (np.diff(spike_t) < 0).any():
        problems.append("spike_t must be sorted by time")
    if ptr.shape != (n_frames + 1,) or ptr.dtype.kind not in "ui":
        problems.append(f"frame_ptr must be an integer array of n_frames + 1 = {n_frames + 1} pointers")
    elif ptr[0] != 0 or ptr[-1] != len(spike_i) or (np.diff(ptr) < 0).any():
        problems.append("frame_ptr must rise from 0 to the number of spikes")
    return problems
