"""The Recorder: a cleo device that records what a simulation did, frame by frame.

It is a drop-in for :class:`cleo.viz.VideoVisualizer` (same constructor arguments, injected
the same way) but keeps exact spike times, never drops the spikes after the last frame, and
restarts cleanly after ``sim.reset()``. It knows nothing about drawing: renderers read the
:class:`~cleo_player.recording.Recording` it builds.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, Union

import numpy as np
from attrs import define, field
from brian2 import NetworkOperation, NeuronGroup, Quantity, SpikeMonitor, ms, second
from cleo import InterfaceDevice

from cleo_player.defaults import SLOWDOWN_FACTOR
from cleo_player.recording import DeviceTrack, FrameSpan, GroupData, Recording, frame_index

if TYPE_CHECKING:
    import matplotlib.animation

DeviceEntry = Union[InterfaceDevice, tuple[InterfaceDevice, dict]]


def _check_coordinates(ng: NeuronGroup) -> None:
    missing = [dim for dim in "xyz" if not hasattr(ng, dim)]
    if missing:
        raise ValueError(
            f"Neuron group {ng.name!r} has no coordinates ({', '.join(missing)} missing), so it "
            "cannot be drawn. Assign them before injecting the Recorder, e.g. with "
            "cleo.coords.assign_coords_rand_rect_prism(ng, xlim, ylim, zlim) or "
            "cleo.coords.assign_coords_uniform_cylinder(ng, xyz_start, xyz_end, radius)."
        )


def _split_entry(entry: Any) -> tuple[InterfaceDevice, dict]:
    if isinstance(entry, InterfaceDevice):
        return entry, {}
    if isinstance(entry, tuple) and len(entry) == 2 and isinstance(entry[0], InterfaceDevice):
        return entry[0], dict(entry[1])
    raise TypeError(f"Recorder devices must be cleo devices or (device, plot_kwargs) tuples, got {entry!r}.")


def _device_value(device: InterfaceDevice) -> np.ndarray | None:
    """The device's current value as a flat float array, or None if it has none."""
    value = getattr(device, "value", None)
    if value is None:
        return None
    if isinstance(value, Quantity):
        value = np.asarray(value)  # SI units
    try:
        arr = np.array(value, dtype=float).reshape(-1)
    except (TypeError, ValueError):
        return None
    return arr


@define(eq=False)
class Recorder(InterfaceDevice):
    """Records spikes (exact times), neuron positions and device values for playback.

    Inject it like cleo's ``VideoVisualizer``: after the other devices, naming the neuron
    groups to show::

        rec = Recorder(dt=1 * ms, devices="all")
        sim.inject(rec, exc, inh)
        sim.run(100 * ms)
        player = Player(sim, **plotargs)

    Frame convention: frame ``k`` starts at ``recording.frame_t[k]`` (a multiple of ``dt``)
    and holds every spike with ``frame_t[k] <= t < frame_t[k + 1]``; the last frame ends at
    the simulation's current time. A device's value for frame ``k`` is the value in effect
    at the frame's start.
    """

    devices: str | Iterable[DeviceEntry] = "all"
    """Devices to draw: ``"all"`` (every recorder and stimulator in the simulator, resolved
    when the simulation first runs), or a list of devices / ``(device, plot_kwargs)``."""

    dt: Quantity = 1 * ms
    """Frame length."""

    neuron_groups: list[NeuronGroup] = field(init=False, factory=list)
    _spike_mons: list[SpikeMonitor] = field(init=False, factory=list)
    _n_read: list[int] = field(init=False, factory=list)
    _spike_i: list[list[np.ndarray]] = field(init=False, factory=list)
    _spike_t: list[list[np.ndarray]] = field(init=False, factory=list)
    _chunk_last_t: list[list[float]] = field(init=False, factory=list)  # per group, per chunk
    _frame_t: list[float] = field(init=False, factory=list)
    _values: list[list[np.ndarray | None]] = field(init=False, factory=list)
    _entries: list[tuple[InterfaceDevice, dict]] | None = field(init=False, default=None)
    _widths: list[int] = field(init=False, factory=list)  # per entry: widest value seen
    _listeners: list[Callable[[Recorder], None]] = field(init=False, factory=list)
    fig: Any = field(init=False, default=None)
    ax: Any = field(init=False, default=None)

    def __attrs_post_init__(self) -> None:
        if not isinstance(self.dt, Quantity) or float(self.dt / second) <= 0:
            raise ValueError(f"Recorder dt must be a positive time, e.g. 1*ms; got {self.dt!r}.")
        if isinstance(self.devices, str) and self.devices != "all":
            raise ValueError(f'Recorder devices must be "all" or a list of devices, got {self.devices!r}.')
        if not isinstance(self.devices, str):
            self.devices = list(self.devices)
            for entry in self.devices:
                _split_entry(entry)

    def __repr__(self) -> str:
        groups = ", ".join(ng.name for ng in self.neuron_groups) or "none yet"
        devices = self.devices if isinstance(self.devices, str) else [d.name for d, _ in self.device_entries]
        return (
            f"Recorder(name={self.name!r}, dt={self.dt!r}, devices={devices!r}, neuron_groups=[{groups}], "
            f"{len(self._frame_t)} frames)"
        )

    # --- cleo device protocol -------------------------------------------------------------
    def init_for_simulator(self, simulator: Any) -> None:
        op = NetworkOperation(self._capture, dt=self.dt, when="end", order=1000)
        self.brian_objects.add(op)

    def connect_to_neuron_group(self, neuron_group: NeuronGroup, **kwparams: Any) -> None:
        _check_coordinates(neuron_group)
        if neuron_group in self.neuron_groups:
            return
        self.neuron_groups.append(neuron_group)
        mon = SpikeMonitor(neuron_group, record=True, name=f"{self.name}_spikes_{neuron_group.name}")
        self._spike_mons.append(mon)
        self.brian_objects.add(mon)
        self._n_read.append(0)
        self._spike_i.append([])
        self._spike_t.append([])
        self._chunk_last_t.append([])

    def reset(self, **kwargs: Any) -> None:
        """Start the recording afresh (called by ``sim.reset()``)."""
        self._n_read = [0] * len(self.neuron_groups)
        self._spike_i = [[] for _ in self.neuron_groups]
        self._spike_t = [[] for _ in self.neuron_groups]
        self._chunk_last_t = [[] for _ in self.neuron_groups]
        self._frame_t = []
        self._values = []
        self._entries = None
        self._widths = []
        self._notify()

    # --- recording ------------------------------------------------------------------------
    @property
    def device_entries(self) -> list[tuple[InterfaceDevice, dict]]:
        """The devices to draw as ``(device, plot_kwargs)``, with ``"all"`` resolved."""
        if self._entries is not None:
            return self._entries
        if self.devices == "all":
            if self.sim is None:
                return []
            found = [*self.sim.recorders.values(), *self.sim.stimulators.values()]
            entries = [(d, {}) for d in found if d is not self and not _is_visualizer(d)]
        else:
            entries = [_split_entry(e) for e in self.devices]
        return entries

    def _read_new_spikes(self) -> None:
        for k, mon in enumerate(self._spike_mons):
            n_total = mon.num_spikes
            if n_total < self._n_read[k]:  # monitor was emptied (network restored)
                self._n_read[k] = 0
            if n_total > self._n_read[k]:
                start = self._n_read[k]
                t = np.asarray(mon.t_[start:n_total], dtype=np.float64)
                self._spike_i[k].append(np.asarray(mon.i[start:n_total], dtype=np.uint32))
                self._spike_t[k].append(t)
                self._chunk_last_t[k].append(float(t[-1]))
                self._n_read[k] = n_total

    def _capture(self, t: Quantity) -> None:
        t_s = float(t / second)
        self._read_new_spikes()
        if self._entries is None:
            self._entries = self.device_entries
            self._widths = [0] * len(self._entries)
        if self._frame_t and t_s <= self._frame_t[-1] + 1e-12:
            return
        values = [_device_value(d) for d, _ in self._entries]
        for j, v in enumerate(values):
            if v is not None:
                self._widths[j] = max(self._widths[j], v.size)
        self._frame_t.append(t_s)
        self._values.append(values)
        self._notify()

    def _notify(self) -> None:
        for listener in list(self._listeners):
            listener(self)

    def add_listener(self, listener: Callable[[Recorder], None]) -> None:
        """Call ``listener(recorder)`` after every captured frame and on reset."""
        self._listeners.append(listener)

    def remove_listener(self, listener: Callable[[Recorder], None]) -> None:
        if listener in self._listeners:
            self._listeners.remove(listener)

    def _t_end(self) -> float:
        t_now = float(self.sim.network.t / second) if self.sim is not None else 0.0
        if not self._frame_t:
            return t_now
        return max(t_now, self._frame_t[-1])

    @property
    def n_frames(self) -> int:
        """Frames started so far (the last one fills until the next starts)."""
        return len(self._frame_t)

    @property
    def recording(self) -> Recording:
        """A snapshot of everything recorded so far, as plain numpy data."""
        self._read_new_spikes()
        dt = float(self.dt / second)
        frame_t = np.asarray(self._frame_t, dtype=np.float64)
        groups = []
        for k, ng in enumerate(self.neuron_groups):
            spike_i = _concat(self._spike_i[k], np.uint32)
            spike_t = _concat(self._spike_t[k], np.float64)
            positions = np.stack([ng.x_[:], ng.y_[:], ng.z_[:]], axis=1).astype(np.float64)
            groups.append(GroupData.from_spikes(ng.name, positions, spike_i, spike_t, frame_t, dt))
        tracks = self._tracks(0, len(self._frame_t))
        return Recording(dt=dt, frame_t=frame_t, t_end=self._t_end(), groups=tuple(groups), tracks=tracks)

    def frames_since(self, first: int) -> FrameSpan:
        """The frames closed since frame ``first`` (frame ``k`` is closed once frame ``k + 1``
        has started): their spikes and device values, exactly as in :attr:`recording`. Costs
        in proportion to the new data, so a live run can call it often.
        """
        self._read_new_spikes()
        n_closed = max(len(self._frame_t) - 1, 0)
        first = min(max(first, 0), n_closed)
        dt = float(self.dt / second)
        frame_t = np.asarray(self._frame_t[first:n_closed], dtype=np.float64)
        t_end = self._frame_t[n_closed] if n_closed else self._t_end()
        # the first frame also holds spikes before it; the edges tolerate float rounding
        t0 = -np.inf if first == 0 else self._frame_t[first] - 1e-6 * dt
        t1 = t_end - 1e-6 * dt
        spike_i, frame_ptr = [], []
        for k in range(len(self.neuron_groups)):
            i, t = self._spikes_between(k, t0, t1)
            frames = frame_index(frame_t, t, dt)
            counts = np.bincount(frames, minlength=len(frame_t)) if len(frame_t) else np.zeros(0, np.int64)
            spike_i.append(i)
            frame_ptr.append(np.concatenate([[0], np.cumsum(counts)]).astype(np.int64))
        return FrameSpan(
            first=first,
            dt=dt,
            frame_t=frame_t,
            t_end=float(t_end),
            group_sizes=tuple(len(ng) for ng in self.neuron_groups),
            spike_i=tuple(spike_i),
            frame_ptr=tuple(frame_ptr),
            tracks=self._tracks(first, n_closed),
        )

    def _spikes_between(self, k: int, t0: float, t1: float) -> tuple[np.ndarray, np.ndarray]:
        """Group ``k``'s spikes read so far with ``t0 <= t < t1``, in time order; touches only
        the chunks that hold them.
        """
        chunks_i, chunks_t = self._spike_i[k], self._spike_t[k]
        c = bisect.bisect_left(self._chunk_last_t[k], t0)  # first chunk ending at or after t0
        i_out, t_out = [], []
        for ci in range(c, len(chunks_t)):
            ct = chunks_t[ci]
            lo = int(np.searchsorted(ct, t0, side="left")) if ci == c else 0
            hi = int(np.searchsorted(ct, t1, side="left"))
            i_out.append(chunks_i[ci][lo:hi])
            t_out.append(ct[lo:hi])
            if hi < len(ct):
                break
        return _concat(i_out, np.uint32), _concat(t_out, np.float64)

    def _tracks(self, first: int, stop: int) -> tuple[DeviceTrack, ...]:
        """Device tracks of frames ``first .. stop - 1``: one per device that had a value (NaN
        where it had none), as wide as its widest value.
        """
        tracks = []
        entries = self._entries if self._entries is not None else self.device_entries
        for j, (device, _) in enumerate(entries):
            if not self._values:  # nothing recorded yet: the track's shape from the value now
                v_now = _device_value(device)
                if v_now is None:
                    continue
                values = np.zeros((0, v_now.size))
            else:
                width = self._widths[j]
                if width == 0:
                    continue
                values = np.full((stop - first, width), np.nan)
                for f, frame in enumerate(self._values[first:stop]):
                    v = frame[j]
                    if v is not None:
                        values[f, : v.size] = v
            tracks.append(
                DeviceTrack(name=device.name, kind=type(device).__name__, values=values, unit=track_unit(device))
            )
        return tuple(tracks)

    # --- cleo VideoVisualizer compatibility -----------------------------------------------
    @property
    def _i_spikes_per_ng_per_frame(self) -> list[list[np.ndarray]]:
        rec = self.recording
        return [[g.spike_i[g.frame_ptr[f] : g.frame_ptr[f + 1]] for g in rec.groups] for f in range(rec.n_frames)]

    @property
    def _value_per_device_per_frame(self) -> list[list[Any]]:
        return [list(frame) for frame in self._values]

    def generate_Animation(
        self, plotargs: dict, slowdown_factor: float = SLOWDOWN_FACTOR, **figargs: Any
    ) -> matplotlib.animation.FuncAnimation:
        """A matplotlib ``FuncAnimation`` of the recording, like ``VideoVisualizer``'s; sets
        ``rec.fig`` / ``rec.ax`` (the animation's figure and the 3D axes it is drawn from).

        ``interval = dt * slowdown_factor``; frame ``k`` shows the spikes of frame ``k``.
        """
        from cleo_player.scene import Scene, validate_plotargs
        from cleo_player.video import to_animation

        scene = Scene.from_recorder(self, **validate_plotargs(dict(plotargs)))
        ani = to_animation(scene, slowdown_factor=slowdown_factor, **figargs)
        self.fig, self.ax = ani.fig, ani.scene_frames.ax
        return ani


def track_unit(device: Any) -> str:
    """The unit of a device's recorded value (cleo's Light stores irradiance in mW/mm²)."""
    from cleo.light import Light

    return "mW/mm2" if isinstance(device, Light) else ""


def _is_visualizer(device: InterfaceDevice) -> bool:
    from cleo.viz import VideoVisualizer

    return isinstance(device, (Recorder, VideoVisualizer))


def _concat(chunks: list[np.ndarray], dtype: type) -> np.ndarray:
    if not chunks:
        return np.zeros(0, dtype=dtype)
    return np.concatenate(chunks).astype(dtype, copy=False)
