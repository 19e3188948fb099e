"""Draw a Scene on mplot3d axes with the look of ``cleo.viz.plot``.

This is the "true 3D" picture the video is made from: the same calls cleo makes (scatter per
neuron group, per light source, probe contacts, scope arrow + focal disk + ROIs, labels, limits,
negative z box aspect, legend), minus cleo's bugs. :mod:`cleo_player.video.frames` renders its
static parts once and composites the per-frame parts on top.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import matplotlib as mpl
import numpy as np
from matplotlib.artist import Artist
from matplotlib.collections import PathCollection
from matplotlib.patches import Patch

from cleo_player.scene import LIGHT_ALPHA, LightCloud, Scene, ScopeView
from cleo_player.video.extras import draw_extras

PROBE_MARKER_AREA = 40.0  # cleo Probe.add_self_to_plot: s=40, marker "x", no depth shading
SCOPE_DISK_ALPHA = 0.2  # cleo Scope: translucent focal-plane disk
SCOPE_ROI_DARKEN = 0.3  # cleo Scope: ROI markers in the scope colour times 0.3
CMAP_N = 256  # levels of cleo's light colormap


@dataclass
class Scene3DArtists:
    """The mplot3d artists of a drawn Scene, by role."""

    neurons: list[PathCollection]  # one per group (visible neurons only), resting look
    lights: list[list[PathCollection]]  # per light, one collection per source
    devices: list[Artist] = field(default_factory=list)  # probes, scopes and extras (static)
    legend: Any = None


def light_brightness(light: LightCloud, values: np.ndarray | None) -> np.ndarray:
    """Brightness in [0, 1] per source for one frame's recorded values (NaN or none = off).

    Values above ``max_value`` are clipped to 1 (cleo instead turns the light opaque).
    """
    if values is None:
        return np.zeros(light.n_sources)
    b = np.asarray(values, dtype=float)[: light.n_sources] / light.max_value
    b = np.nan_to_num(b, nan=0.0, posinf=1.0, neginf=0.0)
    return np.clip(b, 0.0, 1.0)


def light_marker_area(ax: Any, light: LightCloud, scene: Scene) -> float:
    """Cleo's light marker area (pt²): the light model's marker size, scaled from axis units
    to points by the largest axis range over the largest side of the axes box.
    """
    biggest_dim_pt = max(ax.bbox.height, ax.bbox.width) / ax.figure.dpi * 72
    a = scene.axes
    biggest_dim = max(a.xlim[1] - a.xlim[0], a.ylim[1] - a.ylim[0], a.zlim[1] - a.zlim[0])
    return float((light.marker_size / biggest_dim * biggest_dim_pt) ** 2)


def light_rgba(light: LightCloud, source: int, brightness: float) -> np.ndarray:
    """RGBA of the points of one source: wavelength colour, alpha 0.6 · T · brightness.

    T is quantised to 256 levels as cleo's colormap (``LinearSegmentedColormap``, N=256) does;
    it matters for the many faint points at the cloud's edge.
    """
    sel = light.source == source
    t_levels = np.clip(np.floor(light.transmittance[sel].astype(float) * CMAP_N), 0, CMAP_N - 1) / (CMAP_N - 1)
    rgba = np.empty((int(sel.sum()), 4))
    rgba[:, :3] = light.color
    rgba[:, 3] = LIGHT_ALPHA * t_levels * brightness
    return rgba


def setup_axes(ax: Any, scene: Scene) -> None:
    """Labels, ticks, limits and box aspect exactly as ``cleo.viz._plot`` sets them."""
    a = scene.axes
    ax.tick_params(axis="both", pad=-1)
    ax.set_xlabel(f"x ({a.unit_label})", labelpad=-5)
    ax.set_ylabel(f"y ({a.unit_label})", labelpad=-5)
    ax.set_zlabel(f"z ({a.unit_label})", labelpad=-3)
    ax.set(xlim=a.xlim, ylim=a.ylim, zlim=a.zlim)
    z_aspect = a.zlim[0] - a.zlim[1] if a.invert_z else a.zlim[1] - a.zlim[0]
    ax.set_box_aspect((a.xlim[1] - a.xlim[0], a.ylim[1] - a.ylim[0], z_aspect))


def draw_scene(ax: Any, scene: Scene, brightness: Sequence[np.ndarray]) -> Scene3DArtists:
    """Draw ``scene`` on the mplot3d axes ``ax`` like ``cleo.viz.plot`` does.

    ``brightness[j]`` is the per-source brightness of light ``j`` to draw it with. Neurons get
    their resting alpha; only neurons inside the limits are drawn (cleo masks the others).
    """
    neurons = []
    for g in scene.groups:
        pos = g.positions[g.visible]
        # alpha in the colour, not as the collection's alpha: matplotlib 3.11 would apply a
        # collection alpha twice with depth shading, while cleo's frames have it once.
        neurons.append(
            ax.scatter(
                pos[:, 0],
                pos[:, 1],
                pos[:, 2],
                label=g.name,
                color=(*g.color, g.alpha),
                s=g.marker_area,
            )
        )
    setup_axes(ax, scene)
    handles: list[Any] = list(neurons)

    lights = []
    for light, b in zip(scene.lights, brightness, strict=True):
        area = light_marker_area(ax, light, scene)
        clouds = []
        for src in range(light.n_sources):
            pts = light.points[light.source == src]
            clouds.append(
                ax.scatter(
                    pts[:, 0],
                    pts[:, 1],
                    pts[:, 2],
                    c=light_rgba(light, src, float(b[src])),
                    marker="o",
                    edgecolors="none",
                    s=area,
                    label=light.name,
                )
            )
        lights.append(clouds)
        handles.append(Patch(color=light.color, label=light.name))

    devices: list[Artist] = []
    for probe in scene.probes:
        c = probe.contacts
        markers = ax.scatter(
            c[:, 0],
            c[:, 1],
            c[:, 2],
            marker="x",
            s=PROBE_MARKER_AREA,
            color=probe.color,
            label=probe.name,
            depthshade=False,
        )
        devices.append(markers)
        handles.append(markers)
    for scope in scene.scopes:
        devices.extend(_draw_scope(ax, scope, handles))

    legend = ax.legend(handles=handles) if handles else None
    devices.extend(draw_extras(ax, scene.extras, legend))  # pythreejs objects added to a Player
    return Scene3DArtists(neurons, lights, devices, legend)


def _draw_scope(ax: Any, scope: ScopeView, handles: list[Any]) -> list[Artist]:
    """Cleo's Scope look: an arrow to the focal plane, a translucent disk, dark ROI markers."""
    loc, d = scope.location, scope.direction
    arrow = ax.quiver(
        loc[0],
        loc[1],
        loc[2],
        d[0],
        d[1],
        d[2],
        color=scope.color,
        lw=5,
        label=scope.name,
        pivot="tail",
        length=scope.focus_depth,
        normalize=True,
    )
    center = loc + d * scope.focus_depth
    u, v = _orthonormal_basis(d)
    theta = np.linspace(0, 2 * np.pi, 100)
    r = np.sqrt(np.linspace(0, 1, 5)) * scope.img_width / 2
    ring = np.cos(theta)[:, None, None] * u + np.sin(theta)[:, None, None] * v  # (100, 1, 3)
    disk = center + ring * r[None, :, None]  # (100, 5, 3)
    plane = ax.plot_surface(disk[..., 0], disk[..., 1], disk[..., 2], color=scope.color, alpha=SCOPE_DISK_ALPHA)
    artists: list[Artist] = [arrow, plane]
    roi_rgb = tuple(SCOPE_ROI_DARKEN * c for c in scope.color)
    if len(scope.rois):
        rois = ax.scatter(
            scope.rois[:, 0],
            scope.rois[:, 1],
            scope.rois[:, 2],
            marker="^",
            color=roi_rgb,
            label=f"{scope.sensor or scope.name} ROIs",
        )
        artists.append(rois)
        handles.append(rois)
    handles.append(Patch(color=scope.color, label=scope.name))
    return artists


def _orthonormal_basis(d: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Two unit vectors perpendicular to ``d`` and each other (x and y for d = +z)."""
    d = d / np.linalg.norm(d)
    along_x = abs(d[0]) >= 0.9  # noqa: PLR2004 (nearly) along x: then y is the safer reference
    ref = np.array([0.0, 1.0, 0.0]) if along_x else np.array([1.0, 0.0, 0.0])
    u = ref - d * (ref @ d)
    u /= np.linalg.norm(u)
    return u, np.cross(d, u)


def depth_shade(vx: np.ndarray, vy: np.ndarray, vz: np.ndarray) -> np.ndarray:
    """mplot3d's scatter depth shading: the alpha factor per point (1 near, down to the
    minimum alpha far away), for points already projected with the axes' projection.
    """
    if not mpl.rcParams.get("axes3d.depthshade", True):
        return np.ones(len(vz))
    if len(vz) == 0:
        return np.zeros(0)
    min_alpha = float(mpl.rcParams.get("axes3d.depthshade_minalpha", 0.3))
    if _NEW_DEPTHSHADE:  # matplotlib >= 3.10: relative to the data's projected extent
        scale = float(np.sqrt(np.ptp(vx) ** 2 + np.ptp(vy) ** 2 + np.ptp(vz) ** 2))
        if scale == 0:
            return np.ones(len(vz))
        shade: np.ndarray = np.clip(1 - (vz - vz.min()) / scale, min_alpha, 1)
        return shade
    span = float(np.ptp(vz))  # older matplotlib: normalised depth, 1 - 0.7 · norm(z)
    norm = (vz - vz.min()) / span if span > 0 else np.zeros(len(vz))
    return 1 - norm * (1 - min_alpha)


def _has_data_scale_shading() -> bool:
    from mpl_toolkits.mplot3d import art3d

    return hasattr(art3d, "_get_data_scale")


_NEW_DEPTHSHADE = _has_data_scale_shading()
