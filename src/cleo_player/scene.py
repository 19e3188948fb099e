"""The Scene: what to draw, derived once from a Recording and cleo's devices.

Both renderers (the three.js Player and the matplotlib video) draw the same Scene, so the
widget and the video agree. Coordinates here are in *axis units* (``axis_scale_unit``, µm by
default, as in ``cleo.viz.plot``); +z is depth and is drawn downward when ``invert_z``.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
from brian2 import Quantity, Unit, have_same_dimensions, meter, mm, mwatt, um

from cleo_player.recording import GroupData, Recording

NEURON_ALPHA = 0.2  # cleo's _neuron_alpha: resting neurons are faint, spiking ones opaque
DEFAULT_MARKER_AREA = 20.0  # pt², matplotlib scatter's default ``s`` (rcParams lines.markersize²)
LIGHT_ALPHA = 0.6  # cleo: a light point's alpha is 0.6 · transmittance · intensity
PLOTARG_NAMES = ("colors", "xlim", "ylim", "zlim", "axis_scale_unit", "invert_z", "scatterargs")
MAX_LIGHT_POINTS_PER_SOURCE = 20000  # OptogenSIM's default (1.5e5) is far more than needed


@dataclass(frozen=True)
class Axes:
    """Axis box: limits in axis units, the unit's name and size in metres."""

    unit: str  # e.g. "um"
    unit_m: float  # metres per axis unit
    xlim: tuple[float, float]
    ylim: tuple[float, float]
    zlim: tuple[float, float]
    invert_z: bool = True

    @property
    def unit_label(self) -> str:
        """The unit as printed on the axes: "µm" for brian2's "um"."""
        return "µ" + self.unit[1:] if self.unit.startswith("u") and self.unit[1:].isalpha() else self.unit


@dataclass(frozen=True, eq=False)
class GroupStyle:
    """How a neuron group looks: colour, marker size, which neurons are inside the limits."""

    name: str
    color: tuple[float, float, float]  # RGB in [0, 1]
    marker_area: float  # pt², as matplotlib's scatter ``s``
    alpha: float  # resting opacity (cleo: 0.2); spiking neurons are opaque
    positions: np.ndarray  # (N, 3) float64, axis units
    visible: np.ndarray  # (N,) bool: inside xlim/ylim/zlim


@dataclass(frozen=True, eq=False)
class LightCloud:
    """A cleo Light drawn as cleo does: a cloud of points weighted by transmittance."""

    name: str
    track: str | None  # name of the DeviceTrack holding its per-frame value
    color: tuple[float, float, float]  # RGB of the wavelength
    wavelength_nm: float
    model: str  # light model class, e.g. "OpticFiber"
    points: np.ndarray  # (M, 3) float32, axis units
    transmittance: np.ndarray  # (M,) float32 in [0, 1]
    source: np.ndarray  # (M,) int: which source (channel) each point belongs to
    n_sources: int
    marker_size: float  # diameter of a point, axis units
    max_value: float  # value (track units) drawn at full brightness
    source_coords: np.ndarray  # (n_sources, 3) axis units
    source_direction: np.ndarray  # (n_sources, 3) unit vectors
    intensity_scale: float = 1.0  # cleo's density correction from viz_params (dense clouds < 1)
    marker_scale: float = 1.0  # cleo draws points this many times marker_size (see cleo_marker_scale)


@dataclass(frozen=True, eq=False)
class ProbeMarkers:
    """An ephys Probe: its contacts."""

    name: str
    contacts: np.ndarray  # (K, 3) axis units
    color: tuple[float, float, float]


@dataclass(frozen=True, eq=False)
class ScopeView:
    """A 2P microscope: objective, focal plane and imaged neurons."""

    name: str
    location: np.ndarray  # (3,) axis units
    direction: np.ndarray  # (3,) unit vector
    focus_depth: float  # axis units
    img_width: float  # axis units
    rois: np.ndarray  # (R, 3) axis units
    color: tuple[float, float, float]
    sensor: str = ""  # e.g. "GCaMP6f": cleo labels the ROIs "<sensor> ROIs"


@dataclass(eq=False)
class Scene:
    """Everything both renderers draw."""

    recording: Recording
    axes: Axes
    groups: list[GroupStyle]
    lights: list[LightCloud] = field(default_factory=list)
    probes: list[ProbeMarkers] = field(default_factory=list)
    scopes: list[ScopeView] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # devices present but not drawable
    extras: list[dict] = field(default_factory=list)  # pythreejs objects (cleo_player.extras.describe)

    @classmethod
    def from_recorder(cls, recorder: Any, **plotargs: Any) -> Scene:
        """Build the scene of a Recorder's recording and devices, styled by ``plotargs``."""
        if not recorder.neuron_groups:
            raise ValueError(
                f"Recorder {recorder.name!r} has no neuron groups: inject it into the simulator with the "
                "groups to show, e.g. sim.inject(rec, exc, inh), or let Player(sim, neuron_groups=[exc, inh]) do it."
            )
        return cls.build(recorder.recording, recorder.device_entries, **plotargs)

    @classmethod
    def build(
        cls,
        recording: Recording,
        devices: Iterable[tuple[Any, dict]] = (),
        *,
        colors: list[Any] | dict[str, Any] | None = None,
        xlim: tuple[float, float] | None = None,
        ylim: tuple[float, float] | None = None,
        zlim: tuple[float, float] | None = None,
        axis_scale_unit: Unit = um,
        invert_z: bool = True,
        scatterargs: dict | None = None,
    ) -> Scene:
        """The scene of ``recording`` and its ``devices`` (``(device, plot_kwargs)`` pairs),
        styled by ``cleo.viz.plot``'s arguments.
        """
        scatterargs = _check_scatterargs(scatterargs)
        unit_m = _unit_in_metres(axis_scale_unit)
        if not isinstance(invert_z, (bool, np.bool_)):
            raise ValueError(f"invert_z must be True or False; got {invert_z!r}.")  # noqa: TRY004 (bad plot argument)
        colors = _colors_per_group(colors, [g.name for g in recording.groups])
        positions = [g.positions / unit_m for g in recording.groups]
        axes = _axes(positions, (xlim, ylim, zlim), axis_scale_unit, unit_m, invert_z=bool(invert_z))
        groups = _group_styles(recording.groups, positions, axes, colors, scatterargs)
        scene = cls(recording, axes, groups)
        for device, kwargs in devices:
            scene._add_device(device, dict(kwargs))
        scene.lights = distinct_light_colors(scene.lights)
        return scene

    # --- devices ------------------------------------------------------------------------
    def _add_device(self, device: Any, kwargs: dict) -> None:
        from cleo.ephys import Probe
        from cleo.imaging import Scope
        from cleo.light import Light

        if isinstance(device, Light):
            self.lights.append(_light_cloud(device, kwargs, self.axes, self.recording))
        elif isinstance(device, Probe):
            color = _rgb(kwargs.get("color", "xkcd:dark gray"))
            contacts = np.asarray(device.coords / meter, dtype=float).reshape(-1, 3) / self.axes.unit_m
            self.probes.append(ProbeMarkers(device.name, contacts, color))
        elif isinstance(device, Scope):
            self.scopes.append(_scope_view(device, kwargs, self.axes))
        else:
            self.skipped.append(device.name)


def validate_plotargs(plotargs: dict) -> dict:
    """Check plotargs the way ``cleo.viz.plot`` takes them; explain what is wrong."""
    for key in plotargs:
        if key in ("devices", "sim"):
            raise TypeError(
                f"plotargs may not contain {key!r}: the devices drawn are the Recorder's "
                "(set them with Recorder(devices=...))."
            )
        if key not in PLOTARG_NAMES:
            raise TypeError(f"Unknown plot argument {key!r}; cleo-player takes {', '.join(PLOTARG_NAMES)}.")
    return plotargs


def _rgb(spec: Any) -> tuple[float, float, float]:
    from matplotlib.colors import to_rgb

    r, g, b = to_rgb(spec)
    return (float(r), float(g), float(b))


def _axes(
    positions: list[np.ndarray],
    lims: tuple[Any, Any, Any],
    unit: Unit,
    unit_m: float,
    *,
    invert_z: bool,
) -> Axes:
    """The axis box: the limits given, the others fitted to the positions (axis units)."""
    unit_name = getattr(unit, "_dispname", None) or str(unit)
    given = [_check_lim(n, lim) for n, lim in zip("xyz", lims, strict=True)]
    auto = _auto_limits(positions)
    x, y, z = _pad_flat([lim if lim is not None else a for lim, a in zip(given, auto, strict=True)])
    return Axes(unit_name, unit_m, x, y, z, bool(invert_z))


def _group_styles(
    groups: tuple[GroupData, ...],
    positions: list[np.ndarray],
    axes: Axes,
    colors: list[Any] | None,
    scatterargs: dict,
) -> list[GroupStyle]:
    """Each group's look: its colour (``colors``, else scatterargs' ``color``/``c``, else the
    matplotlib cycle), marker size and alpha from scatterargs, and which neurons are inside the axes.
    """
    color_arg = scatterargs.pop("color", scatterargs.pop("c", None))
    area = float(scatterargs.get("s", DEFAULT_MARKER_AREA))
    alpha = float(scatterargs.get("alpha", NEURON_ALPHA))
    styles = []
    for k, (g, pos) in enumerate(zip(groups, positions, strict=True)):
        if colors is not None:
            spec = colors[k]
        elif color_arg is not None and not isinstance(color_arg, (list, np.ndarray)):
            spec = color_arg
        else:
            spec = f"C{k % 10}"
        try:
            rgb = _rgb(spec)
        except ValueError as err:
            raise ValueError(f"colors: {spec!r} for neuron group {g.name!r} is not a matplotlib colour.") from err
        styles.append(GroupStyle(g.name, rgb, area, alpha, pos, _inside(pos, axes)))
    return styles


def _inside(pos: np.ndarray, axes: Axes) -> np.ndarray:
    """Which of the positions (axis units) are within the axis limits."""
    visible = np.ones(len(pos), dtype=bool)
    for dim, lim in enumerate((axes.xlim, axes.ylim, axes.zlim)):
        visible &= (pos[:, dim] >= lim[0]) & (pos[:, dim] <= lim[1])
    return visible


def _colors_per_group(colors: Any, names: list[str]) -> list[Any] | None:
    """``colors`` as one entry per group: a list in group order, or a dict by group name (groups
    it does not name get the default colour cycle).
    """
    if colors is None:
        return None
    if isinstance(colors, dict):
        unknown = [k for k in colors if k not in names]
        if unknown:
            raise ValueError(
                f"colors names groups {unknown} that are not shown; the groups are {names} (choose "
                "them with Player(sim, neuron_groups=[...]))."
            )
        return [colors.get(name, f"C{k % 10}") for k, name in enumerate(names)]
    if isinstance(colors, str) or not isinstance(colors, (list, tuple, np.ndarray)):
        raise ValueError(  # noqa: TRY004 (bad plot argument)
            f"colors must be a list of colours (one per group, in order) or a dict {{group name: colour}}; "
            f"got {colors!r}."
        )
    colors = list(colors)
    if len(colors) != len(names):
        raise ValueError(
            f"colors has {len(colors)} entries but there are {len(names)} neuron groups {names}: give one "
            "colour per group, in that order, or a dict {group name: colour}; the groups shown are "
            "chosen with Player(sim, neuron_groups=[...])."
        )
    return list(colors)


def _check_scatterargs(scatterargs: Any) -> dict:
    """Cleo's ``scatterargs`` for the neurons: a positive marker area ``s`` and an ``alpha`` in
    [0, 1] (single numbers: one style per group); ``c``/``color`` as matplotlib colours.
    """
    if scatterargs is None:
        return {}
    if not isinstance(scatterargs, dict):
        raise ValueError(  # noqa: TRY004 (bad plot argument)
            f"scatterargs must be a dict such as {{'s': 20, 'alpha': 0.3}}; got {scatterargs!r}."
        )
    out = dict(scatterargs)
    checks: dict[str, tuple[str, Callable[[float], bool]]] = {
        "s": ("a positive finite marker area in pt² (e.g. 20)", lambda v: v > 0),
        "alpha": ("a number from 0 to 1", lambda v: 0 <= v <= 1),
    }
    for key, (allowed, ok) in checks.items():
        if key not in out:
            continue
        value = out[key]
        number = (
            value if isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool) else None
        )
        if number is None or not np.isfinite(number) or not ok(float(number)):
            raise ValueError(f"scatterargs[{key!r}] must be {allowed}; got {value!r}.")
    return out


def _unit_in_metres(unit: Any) -> float:
    allowed = "a positive length unit such as um or mm"
    if not isinstance(unit, Quantity) or not have_same_dimensions(unit, meter) or np.asarray(unit).shape != ():
        raise ValueError(f"axis_scale_unit must be {allowed}; got {unit!r}.")
    metres = float(unit / meter)
    if not (np.isfinite(metres) and metres > 0):
        raise ValueError(f"axis_scale_unit must be {allowed}; got {unit!r}.")
    return metres


def _check_lim(name: str, lim: Any) -> tuple[float, float] | None:
    if lim is None:
        return None
    allowed = "a (min, max) pair of finite numbers in axis units with min < max"
    try:
        lo, hi = (float(v) for v in lim)
    except (TypeError, ValueError) as err:
        raise ValueError(f"{name}lim must be {allowed}; got {lim!r}.") from err
    if not (np.isfinite(lo) and np.isfinite(hi)):
        raise ValueError(f"{name}lim must be {allowed}; got {lim!r}.")
    if not lo < hi:
        raise ValueError(f"{name}lim must have min < max, got {lim!r}.")
    return (lo, hi)


def _finite_positions(positions: list[np.ndarray]) -> np.ndarray:
    """Every neuron's position (axis units); a clear error for a non-finite one."""
    allpos = np.concatenate([p for p in positions if len(p)] or [np.zeros((1, 3))])
    if not np.all(np.isfinite(allpos)):
        raise ValueError("Neuron coordinates must be finite numbers; some are NaN or infinite.")
    return np.asarray(allpos, dtype=float)


FLAT = 1e-4  # an axis thinner than this share of the scene's size, or of its own magnitude, is flat


def _flat(lo: float, hi: float, size: float) -> bool:
    """An axis too thin to draw: zero extent, or under FLAT of the scene's ``size`` or of its own
    magnitude (the browser draws in float32, about 7 digits: 200*um and 0.2*mm are one float
    step apart in float64 and the same number in float32).
    """
    return hi - lo <= FLAT * max(size, abs(lo), abs(hi))


def _widened(lo: float, hi: float, size: float) -> tuple[float, float]:
    """A flat axis padded around its middle to the scene's size (1 axis unit if the scene is a
    point), as the old mplot3d autoscale of a single-valued axis did.
    """
    mid = (lo + hi) / 2
    half = max(0.5 * max(size, 1.0), FLAT * abs(mid))
    return (float(mid - half), float(mid + half))


def _auto_limits(positions: list[np.ndarray]) -> list[tuple[float, float]]:
    """Limits as mplot3d autoscales cleo's scatter: 5% margins, then 1/48 of the span more; a
    flat axis is padded to the scene's size (:func:`_widened`).
    """
    allpos = _finite_positions(positions)
    lo, hi = allpos.min(axis=0), allpos.max(axis=0)
    size = float((hi - lo).max())
    lims = []
    for d in range(3):
        if _flat(lo[d], hi[d], size):
            a, b = _widened(lo[d], hi[d], size)
        else:
            pad = 0.05 * (hi[d] - lo[d])
            a, b = lo[d] - pad, hi[d] + pad
        extra = (b - a) / 48
        lims.append((float(a - extra), float(b + extra)))
    return lims


def _pad_flat(lims: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """Limits given by the user that float32 cannot tell apart, widened like a flat axis."""
    size = max((hi - lo for lo, hi in lims if not _flat(lo, hi, 0.0)), default=0.0)
    return [_widened(lo, hi, size) if _flat(lo, hi, 0.0) else (lo, hi) for lo, hi in lims]


def light_max_value(light: Any) -> float | None:
    """The irradiance (mW/mm²) drawn at full brightness: max_value_viz, else max_value."""
    value = light.max_value_viz if light.max_value_viz is not None else light.max_value
    if value is None:
        return None
    allowed = "a positive finite irradiance (e.g. 10*mwatt/mm2) or power"
    if have_same_dimensions(value, mwatt / mm**2):
        out = float(value / (mwatt / mm**2))
    elif have_same_dimensions(value, mwatt):
        out = float(value / light.light_model.area0 / (mwatt / mm**2))
    else:
        raise ValueError(f"Light {light.name!r}: max_value_viz/max_value must be {allowed}; got {value!r}.")
    if not np.isfinite(out):
        raise ValueError(f"Light {light.name!r}: max_value_viz/max_value must be {allowed}; got {value!r}.")
    return out


def distinct_light_colors(lights: list[LightCloud]) -> list[LightCloud]:
    """The lights with every light that shares its colour (its wavelength) with an earlier one
    made lighter or darker, alternately, so that the legend and the picture tell them apart.
    The first light of each colour keeps the wavelength's colour, as cleo draws it.
    """
    out: list[LightCloud] = []
    seen: list[tuple[float, float, float]] = []
    for light in lights:
        k = sum(np.allclose(light.color, c, atol=1e-6) for c in seen)
        seen.append(light.color)
        if k == 0:
            out.append(light)
            continue
        rgb = np.asarray(light.color, dtype=float)
        if k % 2:  # lighter: towards white
            t = min(0.2 + 0.25 * ((k + 1) // 2), 0.8)
            rgb = rgb + (1 - rgb) * t
        else:  # darker
            rgb = rgb * max(1 - 0.3 * (k // 2), 0.3)
        out.append(replace(light, color=tuple(float(c) for c in rgb)))  # type: ignore[arg-type]
    return out


def cleo_marker_scale(axes: Axes) -> float:
    """How many times its size in axis units ``cleo.viz.plot`` draws a light point, measured
    against the box at mplot3d's default view.

    cleo sizes light markers by the axes' bounding box (``marker_size / biggest_dim ·
    biggest_dim_pt``), which the box's longest edge spans only in part (about half), so its
    points look about twice their size. The 3D view draws points in scene units, times this.
    """
    from matplotlib.figure import Figure
    from mpl_toolkits.mplot3d import proj3d

    fig = Figure()  # cleo's default figure: 6.4 x 4.8 in at 100 dpi
    ax = fig.add_subplot(projection="3d")
    biggest_px = max(ax.bbox.width, ax.bbox.height)  # as cleo reads it, before the first draw
    lims = (axes.xlim, axes.ylim, axes.zlim)
    spans = [hi - lo for lo, hi in lims]
    ax.set(xlim=axes.xlim, ylim=axes.ylim, zlim=axes.zlim)
    ax.set_box_aspect((spans[0], spans[1], -spans[2] if axes.invert_z else spans[2]))
    ax.apply_aspect()
    proj = ax.get_proj()
    d = int(np.argmax(spans))
    lengths = []
    for a in lims[(d + 1) % 3]:
        for b in lims[(d + 2) % 3]:
            ends = []
            for v in lims[d]:
                p = [0.0, 0.0, 0.0]
                p[d], p[(d + 1) % 3], p[(d + 2) % 3] = v, a, b
                x, y, _ = proj3d.proj_transform(*p, proj)
                ends.append(ax.transData.transform((x, y)))
            lengths.append(float(np.hypot(*(ends[1] - ends[0]))))
    edge_px = float(np.mean(lengths))
    return biggest_px / edge_px if edge_px > 0 else 1.0


def _light_cloud(light: Any, kwargs: dict, axes: Axes, recording: Recording) -> LightCloud:
    from cleo.utilities import wavelength_to_rgb

    kwargs = dict(kwargs)
    where = np.asarray(light.coords / meter, dtype=float)
    if not (np.all(np.isfinite(where)) and np.all(np.isfinite(np.asarray(light.direction, dtype=float)))):
        raise ValueError(f"Light {light.name!r}: coords and direction must be finite numbers; got {light.coords!r}.")
    if "n_points" in kwargs and "n_points_per_source" not in kwargs:
        kwargs["n_points_per_source"] = kwargs.pop("n_points")
    t_threshold = float(kwargs.pop("T_threshold", 1e-3))
    model = light.light_model
    viz_kwargs = {k: v for k, v in kwargs.items() if k == "n_points_per_source"}
    if "n_points_per_source" not in viz_kwargs and type(model).__name__ == "OptogenSIM":
        viz_kwargs["n_points_per_source"] = MAX_LIGHT_POINTS_PER_SOURCE
    viz_points, markersize, intensity_scale = model.viz_params(light.coords, light.direction, t_threshold, **viz_kwargs)
    transmittance = np.asarray(model.transmittance(light.coords, light.direction, viz_points), dtype=float)
    pts = np.asarray(viz_points / meter, dtype=float).reshape(light.n, -1, 3) / axes.unit_m
    transmittance = transmittance.reshape(light.n, -1)
    keep = transmittance >= t_threshold
    # drawn within the axis limits only, as the neurons are: no haze beyond the box
    for dim, (lo, hi) in enumerate((axes.xlim, axes.ylim, axes.zlim)):
        keep &= (pts[..., dim] >= lo) & (pts[..., dim] <= hi)
    source = np.repeat(np.arange(light.n), keep.sum(axis=1))
    points = pts[keep].astype(np.float32)
    trans = np.clip(transmittance[keep], 0, 1).astype(np.float32)

    track = None
    for tr in recording.tracks:
        if tr.name == light.name:
            track = tr
    max_value = light_max_value(light)
    if max_value is None or max_value <= 0:
        values = track.values if track is not None else np.zeros(0)
        if np.any(np.isinf(values)):
            raise ValueError(
                f"Light {light.name!r} recorded an infinite value and has neither max_value_viz nor "
                "max_value to scale its brightness: set light.max_value_viz to a positive finite "
                "irradiance (e.g. 10*mwatt/mm2)."
            )
        finite = values[np.isfinite(values)]
        recorded = float(finite.max()) if finite.size else 0.0
        max_value = recorded if recorded > 0 else 1.0
        warnings.warn(
            f"Light {light.name!r} has neither max_value_viz nor max_value; its brightness is scaled "
            f"to the largest recorded value ({max_value:g} mW/mm²). Set light.max_value_viz to choose.",
            stacklevel=3,
        )
    coords = np.asarray(light.coords / meter, dtype=float).reshape(-1, 3) / axes.unit_m
    direction = np.broadcast_to(np.asarray(light.direction, dtype=float).reshape(-1, 3), (light.n, 3)).copy()
    wavelength = float(light.wavelength / (1e-9 * meter))
    return LightCloud(
        name=light.name,
        track=track.name if track is not None else None,
        color=tuple(float(c) for c in wavelength_to_rgb(light.wavelength)),  # type: ignore[arg-type]
        wavelength_nm=wavelength,
        model=type(model).__name__,
        points=points,
        transmittance=trans,
        source=source,
        n_sources=int(light.n),
        marker_size=float(markersize / meter) / axes.unit_m,
        max_value=float(max_value),
        source_coords=coords,
        source_direction=direction,
        intensity_scale=float(intensity_scale),
        marker_scale=cleo_marker_scale(axes),
    )


def _scope_view(scope: Any, kwargs: dict, axes: Axes) -> ScopeView:
    from cleo.coords import coords_from_ng

    rois = [
        np.asarray(coords_from_ng(ng)[i_targets] / meter, dtype=float).reshape(-1, 3)
        for ng, i_targets in zip(scope.neuron_groups, scope.i_targets_per_injct, strict=True)
    ]
    roi_arr = np.concatenate(rois) / axes.unit_m if rois else np.zeros((0, 3))
    direction = np.asarray(scope.direction, dtype=float).reshape(3)
    direction = direction / np.linalg.norm(direction)
    focus = float(scope.focus_depth / meter) / axes.unit_m if scope.focus_depth is not None else 0.0
    return ScopeView(
        name=scope.name,
        location=np.asarray(scope.location / meter, dtype=float).reshape(3) / axes.unit_m,
        direction=direction,
        focus_depth=focus,
        img_width=float(scope.img_width / meter) / axes.unit_m,
        rois=roi_arr,
        color=_rgb(kwargs.get("color", "xkcd:fluorescent green")),
        sensor=str(getattr(getattr(scope, "sensor", None), "name", "") or ""),
    )
