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

import numpy as np

FORMAT_VERSION = 1


def frame_index(frame_t: np.ndarray, t: np.ndarray, dt: float) -> np.ndarray:
    """The frame each time in ``t`` falls in (tolerant of float rounding at frame edges)."""
    if len(frame_t) == 0:
        return np.zeros(len(t), dtype=np.int64)
    edges = frame_t - 1e-6 * dt
    return np.clip(np.searchsorted(edges, t, side="right") - 1, 0, len(frame_t) - 1)


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
        order = np.argsort(spike_t, kind="stable")
        spike_i, spike_t = spike_i[order], spike_t[order]
        frames = frame_index(frame_t, spike_t, dt)
        counts = np.bincount(frames, minlength=len(frame_t)) if len(frame_t) else np.zeros(0, np.int64)
        frame_ptr = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
        return cls(name, positions, spike_i.astype(np.uint32), spike_t.astype(np.float64), frame_ptr)

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
