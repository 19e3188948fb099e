"""Fast frames of a Scene: static layers rendered once, only what changes drawn per frame.

The camera is static, so everything but the spiking neurons and the changing lights looks the
same in every frame. :class:`SceneFrames` draws the scene once on an offscreen mplot3d figure
(:mod:`cleo_player.mpl_draw`, cleo's look), cuts its artists, in mplot3d's drawing order, into
runs of static artists and per-frame parts, and renders every static run once to an RGBA
image. A frame is then: those images, plus, in between at their place in the drawing order,

* per neuron group, the neurons spiking in the frame, as a 2D scatter at their projected pixel
  positions, coloured so that over the resting marker the result is cleo's spiking look
  (alpha 1, times mplot3d's depth shading);
* per changing light source, its point cloud as a 2D scatter, alpha 0.6 · T · brightness,
  times the same depth shading.

:class:`FrameArtist` draws one frame on any figure, so the same pictures come out of a
``FuncAnimation`` and of the direct-to-ffmpeg export. The layers are rebuilt when the figure's
pixel size or dpi changes (e.g. ``ani.save(..., dpi=200)``) or when the 3D axes are changed
(e.g. ``rec.ax.view_init(elev=10)``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Optional, Union

import numpy as np
from matplotlib.artist import Artist
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import PathCollection
from matplotlib.figure import Figure
from matplotlib.transforms import IdentityTransform
from mpl_toolkits.mplot3d import proj3d

from cleo_player.mpl_draw import Scene3DArtists, depth_shade, draw_scene, light_brightness, light_rgba
from cleo_player.scene import Scene

# plt.figure arguments that matplotlib.figure.Figure does not take
PYPLOT_ONLY_FIGARGS = ("num", "clear", "FigureClass")


@dataclass
class FrameState:
    """What changes from frame to frame: spiking neurons per group, light brightness."""

    spikes: list[np.ndarray]  # per group: indices of neurons spiking in the frame (unique)
    brightness: list[np.ndarray]  # per light: brightness in [0, 1] per source


def frame_state(scene: Scene, k: int) -> FrameState:
    """The state of frame ``k``: spikes of frame ``k``, light values in effect at its start."""
    rec = scene.recording
    spikes = [np.unique(g.spikes_in_frame(k)) for g in rec.groups]
    brightness = []
    for light in scene.lights:
        values = rec.track(light.track).values[k] if light.track is not None else None
        brightness.append(light_brightness(light, values))
    return FrameState(spikes, brightness)


def all_brightness(scene: Scene) -> list[np.ndarray]:
    """Per light, the (n_frames, n_sources) brightness of every frame."""
    rec = scene.recording
    out = []
    for light in scene.lights:
        if light.track is None or rec.n_frames == 0:
            out.append(np.zeros((rec.n_frames, light.n_sources)))
            continue
        values = rec.track(light.track).values
        out.append(np.stack([light_brightness(light, values[k]) for k in range(rec.n_frames)]))
    return out


class _SpikeOverlay:
    """Neurons of one group spiking in the current frame, drawn over their resting markers."""

    def __init__(self, group: int, col3d: PathCollection, xy: np.ndarray, rgba: np.ndarray, depth: np.ndarray) -> None:
        self.group = group
        self.xy = xy  # (N, 2) pixels, NaN for neurons outside the limits
        self.rgba = rgba  # (N, 4) overlay colour
        self.depth = depth  # (N,) projected depth (larger = farther), for draw order
        self.collection = _collection_like(col3d, edgecolors="face")
        self._shown: Optional[np.ndarray] = None

    def update(self, state: FrameState) -> None:
        idx = state.spikes[self.group]
        idx = idx[(idx < len(self.xy))]
        idx = idx[~np.isnan(self.xy[idx, 0])]
        if self._shown is not None and np.array_equal(idx, self._shown):
            return
        idx = idx[np.argsort(-self.depth[idx], kind="stable")]  # far first, as mplot3d sorts
        self.collection.set_offsets(self.xy[idx])
        self.collection.set_facecolor(self.rgba[idx])
        self._shown = idx

    def visible(self, state: FrameState) -> bool:
        return len(self._shown) > 0 if self._shown is not None else False


class _LightOverlay:
    """One changing light source: its point cloud at the current frame's brightness."""

    def __init__(self, light: int, source: int, col3d: PathCollection, xy: np.ndarray, rgba_full: np.ndarray) -> None:
        self.light, self.source = light, source
        self.alpha_full = rgba_full[:, 3].copy()  # alpha at brightness 1 (depth-shaded)
        self.rgba = rgba_full.copy()
        self.collection = _collection_like(col3d, edgecolors="none")
        self.collection.set_offsets(xy)
        self._brightness: Optional[float] = None

    def update(self, state: FrameState) -> None:
        b = float(state.brightness[self.light][self.source])
        if b == self._brightness:
            return  # unchanged: keep the colours already set
        self.rgba[:, 3] = self.alpha_full * b
        self.collection.set_facecolor(self.rgba)
        self._brightness = b

    def visible(self, state: FrameState) -> bool:
        return bool(self._brightness)


Overlay = Union[_SpikeOverlay, _LightOverlay]


def _collection_like(col3d: PathCollection, edgecolors: str) -> PathCollection:
    """A 2D scatter in pixel coordinates with the markers, sizes and line widths of ``col3d``."""
    col = PathCollection(
        col3d.get_paths(),
        sizes=col3d.get_sizes(),
        offsets=np.zeros((0, 2)),
        offset_transform=IdentityTransform(),
        linewidths=col3d.get_linewidths(),
        edgecolors=edgecolors,
        antialiaseds=col3d.get_antialiased(),
    )
    col.set_transform(IdentityTransform())
    return col


@dataclass
class _Layers:
    """The rendered scene for one figure size, dpi and view."""

    key: tuple
    items: list[Union[np.ndarray, Overlay]]  # RGBA images (bottom row first) and overlays
    clip: Any  # pixel bbox of the 3D axes: overlays are clipped to it, like cleo's artists


class SceneFrames:
    """Renders the frames of a Scene (see the module docstring)."""

    def __init__(self, scene: Scene, **figargs: Any) -> None:
        self.scene = scene
        fig_kwargs = {k: v for k, v in figargs.items() if k not in PYPLOT_ONLY_FIGARGS}
        self.fig3d = Figure(**fig_kwargs)
        FigureCanvasAgg(self.fig3d)
        self.ax = self.fig3d.add_subplot(111, projection="3d")
        self._brightness_all = all_brightness(scene)
        self._dynamic_light = [
            bool(len(b)) and bool(np.any(b != b[0])) for b in self._brightness_all
        ]  # lights whose brightness never changes are drawn into the static layers
        start = [b[0] if len(b) else np.zeros(light.n_sources) for b, light in zip(self._brightness_all, scene.lights)]
        self.artists: Scene3DArtists = draw_scene(self.ax, scene, start)
        self._spiking_group = [bool(np.any(g.visible[g_data.spike_i])) if g_data.n_spikes else False
                               for g, g_data in zip(scene.groups, scene.recording.groups)]
        self._layers: Optional[_Layers] = None
        self._legend_fixed = False

    @property
    def n_frames(self) -> int:
        return self.scene.recording.n_frames

    # --- layers -----------------------------------------------------------------------
    def layers(self, width: int, height: int, dpi: float) -> _Layers:
        """The layers for a figure of this pixel size and dpi, rebuilt only when needed."""
        key = (width, height, float(dpi))
        if self._layers is None or self._layers.key != key or self.fig3d.stale:
            self._layers = self._render(width, height, float(dpi))
        return self._layers

    def _render(self, width: int, height: int, dpi: float) -> _Layers:
        fig, ax, canvas = self.fig3d, self.ax, self.fig3d.canvas
        fig.set_dpi(dpi)
        fig.set_size_inches(width / dpi, height / dpi)
        dyn_lights = {
            id(col): (j, s)
            for j, clouds in enumerate(self.artists.lights) if self._dynamic_light[j]
            for s, col in enumerate(clouds)
        }
        spike_groups = {
            id(col): k for k, col in enumerate(self.artists.neurons) if self._spiking_group[k]
        }
        # 1. one full draw with everything, so mplot3d computes its drawing order (and the
        #    legend its "best" place), then freeze both so that partial renders keep them.
        ax.computed_zorder = True
        canvas.draw()
        ax.computed_zorder = False
        if not self._legend_fixed and self.artists.legend is not None:
            _freeze_legend(self.artists.legend, ax)
            self._legend_fixed = True
        children = [a for a in ax.get_children() if a.get_visible() and a is not ax.patch and a not in ax._axis_map.values()]
        children = [a for a in children if not _is_spine(a, ax)]
        children.sort(key=lambda a: a.get_zorder())

        # 2. cut the drawing order into static runs and per-frame overlays
        runs: list[list[Artist]] = [[]]
        plan: list[Union[int, tuple]] = [0]  # run index or ("light", j, s) / ("spikes", k)
        for a in children:
            if id(a) in dyn_lights:
                plan.append(("light", *dyn_lights[id(a)]))
                runs.append([])
                plan.append(len(runs) - 1)
            else:
                runs[-1].append(a)
                if id(a) in spike_groups:
                    plan.append(("spikes", spike_groups[id(a)]))
                    runs.append([])
                    plan.append(len(runs) - 1)

        # 3. render each static run once
        frame_parts = [fig.patch, ax.patch]
        saved = {id(a): a.get_visible() for a in [*children, *frame_parts]}
        axis_on = ax._axis3don
        images: list[Optional[np.ndarray]] = []
        try:
            for r, run in enumerate(runs):
                if r > 0 and not run:
                    images.append(None)
                    continue
                members = {id(a) for a in run}
                for a in children:
                    a.set_visible(id(a) in members)
                for a in frame_parts:
                    a.set_visible(r == 0 and saved[id(a)])
                if r == 0 and axis_on:
                    ax.set_axis_on()
                else:
                    ax.set_axis_off()
                canvas.draw()
                images.append(np.ascontiguousarray(np.asarray(canvas.buffer_rgba())[::-1]))
        finally:
            for a in [*children, *frame_parts]:
                a.set_visible(saved[id(a)])
            if axis_on:
                ax.set_axis_on()
            else:
                ax.set_axis_off()

        # 4. overlays, with the projection and pixel transform of this render
        clip = ax.bbox.frozen()
        items: list[Union[np.ndarray, Overlay]] = []
        for step in plan:
            if isinstance(step, int):
                if images[step] is not None:
                    items.append(images[step])
                continue
            overlay = self._spike_overlay(step[1]) if step[0] == "spikes" else self._light_overlay(step[1], step[2])
            overlay.collection.set_clip_box(clip)
            items.append(overlay)
        fig.stale = False
        ax.stale = False
        return _Layers((width, height, dpi), items, clip)

    def project(self, points: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Pixel coordinates (origin bottom left) and projected depth of 3D points in axis
        units, with the current view; valid after a render."""
        vx, vy, vz = proj3d.proj_transform(points[:, 0], points[:, 1], points[:, 2], self.ax.get_proj())
        xy = self.ax.transData.transform(np.column_stack([vx, vy]))
        return xy, np.asarray(vz)

    def _projected(self, points: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Pixel positions and mplot3d depth-shading factors of a point cloud."""
        vx, vy, vz = proj3d.proj_transform(points[:, 0], points[:, 1], points[:, 2], self.ax.get_proj())
        xy = self.ax.transData.transform(np.column_stack([vx, vy]))
        return xy, depth_shade(np.asarray(vx), np.asarray(vy), np.asarray(vz)), np.asarray(vz)

    def _spike_overlay(self, k: int) -> _SpikeOverlay:
        g = self.scene.groups[k]
        n = len(g.positions)
        xy = np.full((n, 2), np.nan)
        depth = np.zeros(n)
        rgba = np.zeros((n, 4))
        vis = np.flatnonzero(g.visible)
        xy_v, shade, vz = self._projected(g.positions[vis])
        xy[vis], depth[vis] = xy_v, vz
        rest = g.alpha * shade  # resting alpha as drawn in the static layer
        spike = shade  # cleo: alpha 1 in the spike frame, times depth shading
        with np.errstate(divide="ignore", invalid="ignore"):
            over = np.where(rest < 1, (spike - rest) / (1 - rest), 0.0)
        rgba[:, :3] = g.color
        rgba[vis, 3] = np.clip(over, 0, 1)  # over the resting marker, composites to `spike`
        return _SpikeOverlay(k, self.artists.neurons[k], xy, rgba, depth)

    def _light_overlay(self, j: int, s: int) -> _LightOverlay:
        light = self.scene.lights[j]
        xy, shade, _ = self._projected(light.points[light.source == s].astype(float))
        rgba = light_rgba(light, s, 1.0)
        rgba[:, 3] *= shade
        return _LightOverlay(j, s, self.artists.lights[j][s], xy, rgba)


class FrameArtist(Artist):
    """Draws frame ``frame`` of a :class:`SceneFrames` on its figure (set ``frame``, redraw)."""

    def __init__(self, frames: SceneFrames, frame: int = 0) -> None:
        super().__init__()
        self.frames = frames
        self.frame = frame
        self.set_zorder(-1)  # below anything a user adds to the figure (titles, texts)

    @property
    def frame(self) -> int:
        return self._frame

    @frame.setter
    def frame(self, k: int) -> None:
        n = self.frames.n_frames
        if not 0 <= k < max(n, 1):
            raise IndexError(f"frame {k} is out of range: the recording has {n} frames.")
        self._frame = int(k)
        self.stale = True

    def draw(self, renderer: Any) -> None:
        if not self.get_visible():
            return
        fig = self.get_figure(root=True) if hasattr(self, "get_figure") else self.figure
        width, height = (int(round(v)) for v in fig.bbox.size)
        layers = self.frames.layers(width, height, fig.dpi)
        state = frame_state(self.frames.scene, self._frame) if self.frames.n_frames else None
        gc = renderer.new_gc()
        try:
            for item in layers.items:
                if isinstance(item, np.ndarray):
                    renderer.draw_image(gc, 0, 0, item)
                elif state is not None:
                    item.update(state)
                    if item.visible(state):
                        col = item.collection
                        if col.get_figure(root=True) is not fig:
                            col.set_figure(fig)
                        col.draw(renderer)
        finally:
            gc.restore()
        self.stale = False


def _freeze_legend(legend: Any, ax: Any) -> None:
    """Pin a ``loc="best"`` legend where it was placed, so partial renders keep it there."""
    bbox = legend.get_window_extent().transformed(ax.transAxes.inverted())
    legend.set_loc((float(bbox.x0), float(bbox.y0)))


def _is_spine(artist: Artist, ax: Any) -> bool:
    return any(artist is s for s in ax.spines.values())
