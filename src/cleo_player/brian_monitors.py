r"""Reading brian2 ``SpikeMonitor``\\ s after a run (runtime or standalone devices) as plain
arrays: what :meth:`cleo_player.Recording.from_brian` builds a recording from.

Standalone devices (``cpp_standalone``, brian2cuda, brian2genn) write their results to disk
when the run ends; brian2 reads monitors' and groups' values back from there, so the same
code reads every device. Only brian2 is needed, not cleo.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from collections.abc import Sequence

DEFAULT_FRAME_DT = 1e-3  # s: cleo's VideoVisualizer default
ROUNDING = 1e-9  # relative slack when counting frames (t_end / dt is rarely an exact integer)


@dataclass(frozen=True)
class MonitoredGroup:
    """One monitor's group: its name, positions (m) and spikes (indices within the group, s)."""

    name: str
    positions: np.ndarray
    spike_i: np.ndarray
    spike_t: np.ndarray

    def between(self, t0: float, t1: float) -> MonitoredGroup:
        """The group with only its spikes at ``t0 <= t < t1``."""
        keep = (self.spike_t >= t0) & (self.spike_t < t1)
        if keep.all():
            return self
        return MonitoredGroup(self.name, self.positions, self.spike_i[keep], self.spike_t[keep])


@dataclass(frozen=True)
class MonitoredRun:
    """The groups of a run and its frame clock (seconds)."""

    dt: float
    t_start: float
    t_end: float
    n_frames: int
    groups: tuple[MonitoredGroup, ...]


def read_monitors(
    spike_monitors: Any, *, dt: Any, t_end: Any, t_start: Any, names: Sequence[str] | None
) -> MonitoredRun:
    """The monitors' groups and spikes, with the frame clock; ValueError / TypeError saying
    what is wrong (not a SpikeMonitor, a group without coordinates, monitors of different runs,
    a device that has not run yet).
    """
    monitors = _monitor_list(spike_monitors)
    dt_s = DEFAULT_FRAME_DT if dt is None else _seconds(dt, "dt")
    if not dt_s > 0:
        raise ValueError(f"dt (the frame length) must be positive, e.g. 1*ms; got {dt!r}.")
    if names is not None:
        names = [str(n) for n in names]
        if len(names) != len(monitors):
            raise ValueError(
                f"names has {len(names)} entries for {len(monitors)} spike monitors: give one per monitor."
            )
    else:
        names = [m.source.name for m in monitors]
    if len(set(names)) != len(names):
        raise ValueError(f"The groups would share names {names}: pass names=[...] with one distinct name per monitor.")

    groups = [_read_group(m, name) for m, name in zip(monitors, names, strict=True)]  # fails if not run yet
    ends = [_clock_time(m) for m in monitors]
    if max(ends) - min(ends) > ROUNDING * max(*ends, dt_s):
        detail = ", ".join(f"{m.name}: {e * 1e3:g} ms" for m, e in zip(monitors, ends, strict=True))
        raise ValueError(
            f"The spike monitors' clocks disagree ({detail}): they did not run together. Give monitors "
            "of one network run (or build one Recording per run)."
        )
    t0 = 0.0 if t_start is None else _seconds(t_start, "t_start")
    t1 = ends[0] if t_end is None else _seconds(t_end, "t_end")
    if not t1 > t0:
        raise ValueError(
            f"t_end ({t1 * 1e3:g} ms) must come after t_start ({t0 * 1e3:g} ms)"
            + (": has the network run yet?" if t_end is None else ".")
        )
    late = [m.name for m, g in zip(monitors, groups, strict=True) if len(g.spike_t) and g.spike_t.max() >= t1]
    if late and t_end is None:
        raise ValueError(
            f"{', '.join(late)} holds spikes after the time its clock shows ({t1 * 1e3:g} ms; another network "
            "may have run on the same clock since): pass t_end=... (the end of the run to show)."
        )
    n_frames = int(np.ceil((t1 - t0) / dt_s - ROUNDING))
    groups = [g.between(t0, t1) for g in groups]
    return MonitoredRun(dt=dt_s, t_start=t0, t_end=t1, n_frames=n_frames, groups=tuple(groups))


def _monitor_list(spike_monitors: Any) -> list[Any]:
    from brian2 import SpikeMonitor

    monitors = [spike_monitors] if isinstance(spike_monitors, SpikeMonitor) else spike_monitors
    try:
        monitors = list(monitors)
    except TypeError:
        raise TypeError(
            f"spike_monitors must be a brian2 SpikeMonitor or a list of them, got {type(spike_monitors).__name__}."
        ) from None
    if not monitors:
        raise ValueError("spike_monitors is empty: give at least one brian2 SpikeMonitor.")
    for k, m in enumerate(monitors):
        if not isinstance(m, SpikeMonitor):
            raise TypeError(
                f"spike_monitors[{k}] is a {type(m).__name__}, not a brian2 SpikeMonitor "
                "(EventMonitors of other events, StateMonitors and PopulationRateMonitors are not read)."
            )
        if m.event != "spike":
            raise ValueError(f"spike_monitors[{k}] ({m.name}) monitors {m.event!r} events, not spikes.")
        if not m.record:
            raise ValueError(
                f"spike_monitors[{k}] ({m.name}) was made with record=False: it counts spikes but keeps no "
                "times. Monitor with SpikeMonitor(group) (record=True)."
            )
    return monitors


def _seconds(value: Any, name: str) -> float:
    from brian2 import Quantity, second

    if isinstance(value, Quantity) and value.dim == second.dim and value.size == 1:
        out = float(value / second)
        if np.isfinite(out):
            return out
    raise ValueError(f"{name} must be a brian2 time, e.g. 100*ms; got {value!r}.")


def _not_run(m: Any, err: Exception) -> ValueError:
    return ValueError(
        f"Cannot read {m.name}: its network has not run on this device yet ({err}). With a standalone "
        "device (cpp_standalone, brian2cuda, brian2genn), call from_brian after run() (or device.build())."
    )


def _clock_time(m: Any) -> float:
    """The time the monitor's clock reached (the end of the run), seconds."""
    try:
        return float(m.clock.t_[:])
    except NotImplementedError as err:
        raise _not_run(m, err) from err


def _coordinates(group: Any, monitor: Any) -> np.ndarray:
    from brian2 import meter

    missing = [d for d in "xyz" if d not in getattr(group, "variables", {})]
    if missing:
        raise ValueError(
            f"{monitor.name} monitors {group.name!r}, which has no coordinates ({', '.join(missing)} missing): "
            "add `x : meter`, `y : meter`, `z : meter` to its equations (or assign them with cleo.coords) "
            "so its neurons can be placed."
        )
    wrong = [d for d in "xyz" if group.variables[d].dim != meter.dim]
    if wrong:
        dim = group.variables[wrong[0]].dim
        what = "dimensionless numbers" if dim.is_dimensionless else f"in {dim}"
        raise ValueError(
            f"{group.name!r}: {', '.join(wrong)} must be lengths (`x : meter`), not {what}, so that the "
            "neurons' positions are known in metres."
        )
    try:
        pos = np.stack([np.asarray(getattr(group, f"{d}_")[:], dtype=np.float64) for d in "xyz"], axis=1)
    except NotImplementedError as err:
        raise _not_run(monitor, err) from err
    if not np.isfinite(pos).all():
        raise ValueError(f"{group.name!r} has non-finite coordinates (NaN or inf in x, y or z): set them all.")
    return pos


def _read_group(m: Any, name: str) -> MonitoredGroup:
    group = m.source
    positions = _coordinates(group, m)
    try:
        spike_i = np.asarray(m.i[:], dtype=np.int64)
        spike_t = np.asarray(m.t_[:], dtype=np.float64)
    except NotImplementedError as err:
        raise _not_run(m, err) from err
    if len(spike_i) and (spike_i.min() < 0 or spike_i.max() >= len(positions)):
        raise ValueError(f"{m.name} holds neuron indices outside its group {group.name!r} (0..{len(positions) - 1}).")
    return MonitoredGroup(name, positions, spike_i.astype(np.uint32), spike_t)
