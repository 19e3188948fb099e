"""Custom traces: signals the user computes (a closed-loop processor's estimate or command, a
population rate) drawn on the player's timeline, on the same time axis as the spikes.

A :class:`Trace` is plain data (times in seconds, finite values); :func:`make_trace` builds one
from what a user passes to ``Player.add_trace`` and explains what is wrong with bad input.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from brian2 import Quantity, Unit, get_dimensions, second

RGB = tuple[float, float, float]


@dataclass(frozen=True, eq=False)
class Trace:
    """One custom trace: ``values[i]`` at time ``t[i]`` (seconds), drawn in ``color``."""

    name: str
    t: np.ndarray  # (n,) float64 seconds, non-decreasing
    values: np.ndarray  # (n,) float64, finite
    unit: str
    color: RGB


def trace_color(k: int) -> RGB:
    """The default colour of the ``k``-th custom trace: matplotlib's colour cycle from C2 on
    (C0 and C1, blue and orange, are the first neuron groups' defaults).
    """
    from matplotlib.colors import to_rgb

    return tuple(float(c) for c in to_rgb(f"C{(k + 2) % 10}"))  # type: ignore[return-value]


def _times(t: Any) -> np.ndarray:
    if isinstance(t, Quantity):
        if get_dimensions(t) != second.dim:
            raise ValueError(f"t must be times (e.g. an array times b2.ms) or seconds, got units of {t.dim}.")
        t = np.asarray(t / second)
    return _array("t", t)


def _array(name: str, x: Any) -> np.ndarray:
    try:
        arr = np.asarray(x, dtype=np.float64)
    except (TypeError, ValueError) as err:
        raise TypeError(f"{name} must be a 1-D array of numbers, got {type(x).__name__}: {err}") from err
    if arr.ndim != 1:
        raise ValueError(f"{name} must be 1-D (one value per sample), got shape {arr.shape}.")
    bad = ~np.isfinite(arr)
    if bad.any():
        first = int(np.flatnonzero(bad)[0])
        raise ValueError(
            f"{name} must be finite: {int(bad.sum())} of its {len(arr)} samples are NaN or infinite "
            f"(the first at index {first})."
        )
    return arr


def _values_and_unit(values: Any, unit: Any) -> tuple[np.ndarray, str]:
    """The values as plain numbers and the unit's label."""
    if isinstance(values, Quantity) and not values.is_dimensionless:
        if unit is None:
            unit = values.get_best_unit() if np.size(values) else values.dim
        if not isinstance(unit, Unit):
            raise TypeError(
                f"values carry units ({values.dim}): give unit as a brian2 unit to show them in "
                f"(e.g. unit=b2.Hz), or leave it out; got unit={unit!r}."
            )
        if get_dimensions(unit) != get_dimensions(values):
            raise ValueError(f"unit {unit} does not match the units of values ({values.dim}).")
        return _array("values", np.asarray(values / unit)), str(unit)
    if isinstance(unit, Unit):
        return _array("values", values), str(unit)
    if unit is not None and not isinstance(unit, str):
        raise TypeError(f"unit must be a string (e.g. 'Hz') or a brian2 unit, got {type(unit).__name__}.")
    return _array("values", values), unit or ""


def make_trace(name: Any, t: Any, values: Any, unit: Any = None, color: Any = None, *, default_color: RGB) -> Trace:
    """A checked :class:`Trace`: ``t`` a brian2 time array (or seconds), ``values`` 1-D numbers
    (or a brian2 quantity, shown in ``unit`` or its best unit), ``color`` any matplotlib colour.
    """
    if not isinstance(name, str) or not name.strip():
        raise TypeError(f"name must be a non-empty string, got {name!r}.")
    times = _times(t)
    vals, label = _values_and_unit(values, unit)
    if len(times) != len(vals):
        raise ValueError(f"t and values must have the same length, got {len(times)} times and {len(vals)} values.")
    if not len(times):
        raise ValueError("a trace needs at least one sample (t and values are empty).")
    if np.any(np.diff(times) < 0):
        raise ValueError("t must be sorted in increasing order (non-decreasing).")
    if np.abs(vals).max() > np.finfo(np.float64).max / 4:
        raise ValueError("values are too large to draw (beyond 1e307).")
    rgb = default_color if color is None else _rgb(color)
    return Trace(name, times.copy(), vals.copy(), label, rgb)


def _rgb(color: Any) -> RGB:
    from matplotlib.colors import to_rgb

    try:
        return tuple(float(c) for c in to_rgb(color))  # type: ignore[return-value]
    except ValueError as err:
        raise ValueError(f"color {color!r} is not a matplotlib colour (e.g. 'C3', 'tab:green', '#ff8800').") from err
