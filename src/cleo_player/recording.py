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
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from collections.abc import Sequence

FORMAT_VERSION = 1
N_DIMS = 3  # x, y, z


def frame_index(frame_t: np.ndarray, t: np.ndarray, dt: float) -> np.ndarray:
    """The frame each time in ``t`` falls in (tolerant of float rounding at frame edges)."""
    if len(frame_t) == 0:
        return np.zeros(len(t), dtype=np.int64)
    edges = frame_t - 1e-6 * dt
    return np.clip(np.searchsorted(edges, t, side="right") - 1, 0, len(frame_t) - 1)


GROUP_ARRAYS = ("positions", "spike_i", "spike_t", "frame_ptr")  # per group k: g{k}_<name> in a file
MAX_META_CHARS = 1 << 20  # the meta JSON of any real recording is a few kB


def _npy_headers(path: Path) -> dict[str, tuple[tuple[int, ...], np.dtype]]:
    """Shape and dtype of every array in an ``.npz`` file, read from the headers alone."""
    not_ours = f"{path} is not a cleo-player recording (an .npz file written by Recording.save)"
    try:
        with zipfile.ZipFile(path) as zf:
            headers = {}
            for info in zf.infolist():
                if not info.filename.endswith(".npy"):
                    continue
                with zf.open(info) as f:
                    version = np.lib.format.read_magic(f)  # type: ignore[no-untyped-call]
                    read = (
                        np.lib.format.read_array_header_1_0
                        if version == (1, 0)
                        else np.lib.format.read_array_header_2_0
                    )
                    shape, _, dtype = read(f)  # type: ignore[no-untyped-call]
                headers[info.filename[: -len(".npy")]] = (tuple(shape), np.dtype(dtype))
    except (zipfile.BadZipFile, ValueError) as err:
        raise ValueError(f"{not_ours}: {err}") from None
    if "meta" not in headers:
        raise ValueError(f"{not_ours}: it holds no meta.")
    return headers


def _read_meta(data: Any, headers: dict[str, tuple[tuple[int, ...], np.dtype]]) -> dict[str, Any]:
    shape, dtype = headers["meta"]
    if shape != () or dtype.kind != "U" or dtype.itemsize > 4 * MAX_META_CHARS:
        raise ValueError(f"meta must be a JSON string of at most {MAX_META_CHARS} characters; got {dtype} {shape}.")
    try:
        meta = json.loads(str(data["meta"]))
    except json.JSONDecodeError as err:
        raise ValueError(f"meta is not valid JSON ({err}).") from None
    if not isinstance(meta, dict) or meta.get("format") != "cleo-player-recording":
        raise ValueError("this is not a cleo-player recording (saved with Recording.save).")
    version = meta.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise ValueError(f"the format version must be a whole number >= 1; got {version!r}.")
    if version > FORMAT_VERSION:
        raise ValueError(
            f"it was saved by a newer cleo-player (format {version}, this one reads {FORMAT_VERSION}); upgrade."
        )
    for key in ("dt", "t_end"):
        if not _is_number(meta.get(key)):
            raise ValueError(f"meta {key} must be a number of seconds; got {meta.get(key)!r}.")
    groups, tracks = meta.get("groups"), meta.get("tracks")
    if not isinstance(groups, list) or not all(isinstance(g, str) for g in groups):
        raise ValueError(f"meta groups must be a list of group names; got {groups!r}.")
    if not isinstance(tracks, list) or not all(
        isinstance(t, dict) and all(isinstance(t.get(k), str) for k in ("name", "kind", "unit")) for t in tracks
    ):
        raise ValueError(f"meta tracks must be a list of {{name, kind, unit}} strings; got {tracks!r}.")
    return meta


def _check_layout(meta: dict[str, Any], headers: dict[str, tuple[tuple[int, ...], np.dtype]]) -> None:
    """Every array the meta announces is there, with dimensions that agree with each other."""

    def header(name: str, kinds: str, ndim: int) -> tuple[int, ...]:
        if name not in headers:
            raise ValueError(f"the array {name} is missing.")
        shape, dtype = headers[name]
        if len(shape) != ndim or dtype.kind not in kinds:
            raise ValueError(f"{name} must be a {ndim}-d array of kind {kinds!r}; got {dtype} of shape {shape}.")
        return shape

    (n_frames,) = header("frame_t", "f", 1)
    for k in range(len(meta["groups"])):
        n_neurons, n_dims = header(f"g{k}_positions", "f", 2)
        if n_dims != N_DIMS:
            raise ValueError(f"g{k}_positions must have shape (n_neurons, 3); got ({n_neurons}, {n_dims}).")
        (n_spikes,) = header(f"g{k}_spike_i", "ui", 1)
        if header(f"g{k}_spike_t", "f", 1) != (n_spikes,):
            raise ValueError(
                f"g{k}_spike_t must hold one time per spike ({n_spikes}); got {headers[f'g{k}_spike_t'][0]}."
            )
        if header(f"g{k}_frame_ptr", "ui", 1) != (n_frames + 1,):
            got = headers[f"g{k}_frame_ptr"][0]
            raise ValueError(f"g{k}_frame_ptr must hold n_frames + 1 = {n_frames + 1} entries; got {got}.")
    for k in range(len(meta["tracks"])):
        rows, _ = header(f"t{k}_values", "f", 2)
        if rows != n_frames:
            raise ValueError(f"t{k}_values must hold one row per frame ({n_frames}); got {rows}.")


def _is_number(v: object) -> bool:
    return isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, bool)


def _check(ok: bool, what: str, allowed: str, got: object) -> None:
    if not ok:
        raise ValueError(f"Recording {what} must be {allowed}; got {got!r}.")


def _check_array(a: object, what: str, kinds: str, ndim: int) -> None:
    """``a`` is a numpy array of ``ndim`` dimensions whose dtype kind is one of ``kinds``."""
    names = {"f": "floats", "u": "unsigned integers", "i": "integers"}
    allowed = f"a {ndim}-d array of {' or '.join(names[k] for k in kinds)}"
    if not isinstance(a, np.ndarray):
        raise ValueError(f"Recording {what} must be {allowed}; got {type(a).__name__}.")  # noqa: TRY004 (one error type for every bad recording)
    _check(a.ndim == ndim and a.dtype.kind in kinds, what, allowed, f"{a.dtype} array of shape {a.shape}")


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
        """Number of neurons."""
        return int(self.positions.shape[0])

    @property
    def n_spikes(self) -> int:
        """Number of spikes recorded."""
        return int(self.spike_i.shape[0])

    @classmethod
    def from_spikes(
        cls, name: str, positions: np.ndarray, spike_i: np.ndarray, spike_t: np.ndarray, frame_t: np.ndarray, dt: float
    ) -> GroupData:
        """The group with spikes in any order, sorted by time and assigned to frames."""
        spike_t = np.asarray(spike_t, dtype=np.float64)
        spike_i = np.asarray(spike_i)
        if len(spike_t) > 1 and not (spike_t[1:] >= spike_t[:-1]).all():  # monitors' spikes come sorted
            order = np.argsort(spike_t, kind="stable")
            spike_i, spike_t = spike_i[order], spike_t[order]
        return cls(
            name, positions, spike_i.astype(np.uint32, copy=False), spike_t, frame_pointers(frame_t, spike_t, dt)
        )

    def validate(self, n_frames: int, where: str = "group") -> None:
        """Check this group against a recording of ``n_frames`` frames (see Recording.validate)."""
        _check(isinstance(self.name, str), f"{where}.name", "a string", self.name)
        _check_array(self.positions, f"{where}.positions", "f", 2)
        _check(self.positions.shape[1] == N_DIMS, f"{where}.positions", "shape (n_neurons, 3)", self.positions.shape)
        _check(
            bool(np.all(np.isfinite(self.positions))), f"{where}.positions", "finite coordinates", "non-finite values"
        )
        _check_array(self.spike_i, f"{where}.spike_i", "ui", 1)
        _check_array(self.spike_t, f"{where}.spike_t", "f", 1)
        _check_array(self.frame_ptr, f"{where}.frame_ptr", "ui", 1)
        n_spikes = self.spike_i.shape[0]
        _check(
            self.spike_t.shape[0] == n_spikes,
            f"{where}.spike_t",
            f"one time per spike ({n_spikes})",
            self.spike_t.shape,
        )
        if n_spikes:
            lo, hi = int(self.spike_i.min()), int(self.spike_i.max())
            _check(
                lo >= 0 and hi < self.size, f"{where}.spike_i", f"neuron indices in 0..{self.size - 1}", f"{lo}..{hi}"
            )
            _check(bool(np.all(np.isfinite(self.spike_t))), f"{where}.spike_t", "finite times", "non-finite values")
            _check(bool(np.all(np.diff(self.spike_t) >= 0)), f"{where}.spike_t", "times sorted", "unsorted times")
        ptr = self.frame_ptr
        _check(
            ptr.shape[0] == n_frames + 1, f"{where}.frame_ptr", f"n_frames + 1 = {n_frames + 1} entries", ptr.shape[0]
        )
        _check(int(ptr[0]) == 0 and int(ptr[-1]) == n_spikes, f"{where}.frame_ptr",
               f"to run from 0 to the number of spikes ({n_spikes})", f"{int(ptr[0])}..{int(ptr[-1])}")  # fmt: skip
        _check(
            bool(np.all(np.diff(ptr.astype(np.int64)) >= 0)),
            f"{where}.frame_ptr",
            "non-decreasing",
            "decreasing entries",
        )

    def spikes_in_frame(self, k: int) -> np.ndarray:
        """Indices of the neurons that spiked in frame ``k``."""
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
        """Number of values per frame (e.g. one per light source)."""
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
        """Number of frames."""
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
        """Number of frames."""
        return int(self.frame_t.shape[0])

    @property
    def n_neurons(self) -> int:
        """Number of neurons, all groups together."""
        return sum(g.size for g in self.groups)

    @property
    def n_spikes(self) -> int:
        """Number of spikes, all groups together."""
        return sum(g.n_spikes for g in self.groups)

    @property
    def t_start(self) -> float:
        """Start of the first frame, seconds (``t_end`` when there is no frame)."""
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

    def validate(self, where: str | None = None) -> Recording:
        """Check everything a renderer relies on: shapes, dtypes, finite numbers, index ranges,
        sorted times, distinct group names and frame pointers that agree with the spikes.
        Raises one ValueError naming the first problem found (after "``where`` is not a valid
        recording: " when ``where`` names it, e.g. a file); returns the recording.
        """
        try:
            self._check()
        except ValueError as err:
            if where is None:
                raise
            raise ValueError(f"{where} is not a valid recording: {err}") from None
        return self

    def _check(self) -> None:
        """The checks of :meth:`validate`."""
        _check(
            _is_number(self.dt) and np.isfinite(self.dt) and self.dt > 0,
            "dt",
            "a positive finite number of seconds",
            self.dt,
        )
        _check(_is_number(self.t_end) and np.isfinite(self.t_end), "t_end", "a finite number of seconds", self.t_end)
        frame_t = self.frame_t
        _check_array(frame_t, "frame_t", "f", 1)
        n_frames = frame_t.shape[0]
        _check(bool(np.all(np.isfinite(frame_t))), "frame_t", "finite times", "non-finite values")
        _check(bool(np.all(np.diff(frame_t) > 0)), "frame_t", "strictly increasing frame start times", "unsorted times")
        if n_frames:
            _check(
                self.t_end >= frame_t[-1],
                "t_end",
                f"at or after the last frame's start ({frame_t[-1]!r} s)",
                self.t_end,
            )
        _check(isinstance(self.groups, tuple), "groups", "a tuple of GroupData", type(self.groups).__name__)
        names = [getattr(g, "name", None) for g in self.groups]
        _check(len(set(names)) == len(names), "groups", "groups of distinct names", names)
        for k, g in enumerate(self.groups):
            _check(isinstance(g, GroupData), f"groups[{k}]", "a GroupData", type(g).__name__)
            g.validate(n_frames, where=f"groups[{k}] ({g.name!r})")
        _check(isinstance(self.tracks, tuple), "tracks", "a tuple of DeviceTrack", type(self.tracks).__name__)
        for k, t in enumerate(self.tracks):
            where = f"tracks[{k}]"
            _check(isinstance(t, DeviceTrack), where, "a DeviceTrack", type(t).__name__)
            for attr in ("name", "kind", "unit"):
                _check(isinstance(getattr(t, attr), str), f"{where}.{attr}", "a string", getattr(t, attr))
            _check_array(t.values, f"{where}.values", "f", 2)
            _check(t.values.shape[0] == n_frames, f"{where}.values", f"one row per frame ({n_frames})", t.values.shape)

    def track(self, name: str) -> DeviceTrack:
        """The device track called ``name``."""
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
        arrays: dict[str, Any] = {"meta": np.array(json.dumps(meta)), "frame_t": self.frame_t}
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
        """Read a file written by :meth:`save`, checked as :meth:`validate` checks a recording.

        The arrays' shapes are read from their headers and compared with each other before
        any array is read, so a damaged or crafted file gets one clear error (naming the file
        and what is wrong), not a huge allocation.
        """
        path = Path(path)
        headers = _npy_headers(path)
        try:
            with np.load(path, allow_pickle=False) as data:
                meta = _read_meta(data, headers)
                _check_layout(meta, headers)
                groups = tuple(
                    GroupData(name, *(data[f"g{k}_{field}"] for field in GROUP_ARRAYS))
                    for k, name in enumerate(meta["groups"])
                )
                tracks = tuple(
                    DeviceTrack(t["name"], t["kind"], data[f"t{k}_values"], t["unit"])
                    for k, t in enumerate(meta["tracks"])
                )
                rec = cls(float(meta["dt"]), data["frame_t"], float(meta["t_end"]), groups, tracks)
            rec.validate()
        except ValueError as err:
            raise ValueError(f"{path}: {err}") from None
        return rec

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
        for a, b in zip(self.groups, other.groups, strict=True):
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
        for ta, tb in zip(self.tracks, other.tracks, strict=True):
            if (ta.name, ta.kind, ta.unit) != (tb.name, tb.kind, tb.unit) or not np.array_equal(
                ta.values, tb.values, equal_nan=True
            ):
                return False
        return True

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
