"""Fast frames of a Scene: everything rendered once, only what changes composited per frame.

The camera is static, so everything but the spiking neurons and the changing lights looks the
same in every frame. :class:`SceneFrames` draws the scene once on an offscreen mplot3d figure
(:mod:`cleo_player.video.draw`, cleo's look), cuts its artists, in mplot3d's drawing order, into
runs of static artists and per-frame parts, and renders every static run once to an RGBA
image (cropped to what it covers). A frame is then those images plus, at their place in the
drawing order:

* per neuron group, the neurons spiking in the frame, drawn as a 2D scatter at their projected
  pixel positions, coloured so that over the resting marker the result is cleo's spiking look
  (alpha 1, times mplot3d's depth shading);
* per changing light source, its point cloud as a sprite: the cloud is rendered once per
  brightness level (each distinct recorded brightness, or 8 evenly spaced levels when there are
  more) over the static layers beneath it (or, where something that changes lies beneath it,
  alone, matted from renders over black and over white), and a frame's sprite is the one of
  its brightness or a per-pixel linear blend of the two nearest levels (within a few 1/255 of
  drawing the points).

:class:`FrameArtist` draws one frame on any figure, so the same pictures come out of a
``FuncAnimation`` and of the direct-to-ffmpeg export. The layers are rebuilt when the figure's
pixel size or dpi changes (e.g. ``ani.save(..., dpi=200)``) or when the 3D axes are changed
(e.g. ``rec.ax.view_init(elev=10)``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

import numpy as np
from matplotlib.artist import Artist
from matplotlib.backends.backend_agg import FigureCanvasAgg, RendererAgg
from matplotlib.collections import Collection, PathCollection
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.text import Text
from matplotlib.transforms import Bbox, IdentityTransform
from mpl_toolkits.mplot3d import proj3d

from cleo_player.scene import Scene
from cleo_player.video.draw import Scene3DArtists, depth_shade, draw_scene, light_brightness, light_rgba

PYPLOT_ONLY_FIGARGS = ("num", "clear", "FigureClass")  # plt.figure arguments Figure lacks
LIGHT_LEVELS = 8  # brightness levels rendered per changing light source, besides 0
OPAQUE = 255  # alpha of an opaque 8-bit pixel


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


@dataclass
class _Image:
    """A pre-rendered RGBA image (rows bottom first) and where its lower-left pixel goes."""

    rgba: np.ndarray
    x: int
    y: int

    def __post_init__(self) -> None:
        self.opaque = bool(self.rgba[..., 3].min() == OPAQUE) if self.rgba.size else False

    def draw(self, renderer: Any, gc: Any) -> None:
        renderer.draw_image(gc, self.x, self.y, self.rgba)

    def draw_window(self, renderer: Any, gc: Any, x0: int, y0: int, x1: int, y1: int) -> None:
        """Draw the part inside the canvas window [x0, x1) x [y0, y1) on a renderer of that
        window's size.
        """
        h, w = self.rgba.shape[:2]
        ax0, ay0 = max(self.x, x0), max(self.y, y0)
        ax1, ay1 = min(self.x + w, x1), min(self.y + h, y1)
        if ax1 > ax0 and ay1 > ay0:
            part = self.rgba[ay0 - self.y : ay1 - self.y, ax0 - self.x : ax1 - self.x]
            renderer.draw_image(gc, ax0 - x0, ay0 - y0, np.ascontiguousarray(part))

    def covers(self, renderer: Any) -> bool:
        """Whether it is opaque and covers all of an Agg renderer's canvas: drawing it there is
        a copy.
        """
        return (
            self.opaque
            and self.x == 0
            and self.y == 0
            and hasattr(renderer, "buffer_rgba")
            and self.rgba.shape[:2] == (int(renderer.height), int(renderer.width))
        )


class _SpikeOverlay:
    """Neurons of one group spiking in the current frame, drawn over their resting markers."""

    def __init__(self, group: int, col3d: PathCollection, xy: np.ndarray, rgba: np.ndarray, depth: np.ndarray) -> None:
        self.group = group
        self.xy = xy  # (N, 2) pixels, NaN for neurons outside the limits
        self.rgba = rgba  # (N, 4) overlay colour
        self.depth = depth  # (N,) projected depth (larger = farther), for draw order
        self.collection = _collection_like(col3d, edgecolors="face")
        self._key: np.ndarray | None = None
        self._n = 0

    def draw(self, renderer: Any, gc: Any, state: FrameState, fig: Figure) -> None:  # noqa: ARG002 (one signature for every layer)
        idx = state.spikes[self.group]
        if self._key is None or not np.array_equal(idx, self._key):
            self._key = idx
            idx = idx[idx < len(self.xy)]
            idx = idx[~np.isnan(self.xy[idx, 0])]
            idx = idx[np.argsort(-self.depth[idx], kind="stable")]  # far first, as mplot3d sorts
            self.collection.set_offsets(self.xy[idx])
            self.collection.set_facecolor(self.rgba[idx])
            self._n = len(idx)
        if self._n:
            if _figure_of(self.collection) is not fig:
                self.collection.set_figure(fig)
            self.collection.draw(renderer)


class _LightSprite:
    """One changing light source, pre-rendered at several brightness levels.

    ``stack[l]`` holds the varying channels at ``levels[l]``: the RGB of the cloud composited
    over the static layers beneath it (``channels = slice(0, 3)``; alpha: opaque on the
    cloud's footprint), or, when what lies beneath changes from frame to frame, the cloud's own
    straight RGBA (``channels = slice(0, 4)``).
    """

    def __init__(
        self,
        light: int,
        source: int,
        levels: np.ndarray,
        stack: np.ndarray,
        template: np.ndarray,
        channels: slice,
        x: int,
        y: int,
    ) -> None:
        self.light, self.source = light, source
        self.levels = levels  # (L,) increasing brightness values, levels[0] == 0
        self.stack = stack  # (L, h, w, c) uint8
        self.image = template.copy()  # (h, w, 4) uint8, rows bottom first
        self.channels = channels
        self.x, self.y = x, y
        self._b: float | None = None

    def rgba(self, b: float) -> np.ndarray:
        """The sprite at brightness ``b``: a rendered level, or a blend of the two nearest."""
        if b != self._b:
            i = int(np.clip(np.searchsorted(self.levels, b), 1, len(self.levels) - 1))
            if self.levels[i] == b:
                self.image[..., self.channels] = self.stack[i]
            else:
                t = float(np.clip((b - self.levels[i - 1]) / (self.levels[i] - self.levels[i - 1]), 0, 1))
                mix = self.stack[i - 1] * np.float32(1 - t) + self.stack[i] * np.float32(t)
                self.image[..., self.channels] = np.rint(mix)
            self._b = b
        return self.image

    def draw(self, renderer: Any, gc: Any, state: FrameState, fig: Figure) -> None:  # noqa: ARG002 (one signature for every layer)
        b = float(state.brightness[self.light][self.source])
        if b > 0:
            renderer.draw_image(gc, self.x, self.y, self.rgba(b))


Item = _Image | _SpikeOverlay | _LightSprite


def _collection_like(col3d: PathCollection, edgecolors: str) -> PathCollection:
    """A 2D scatter in pixel coordinates with the markers, sizes and line widths of ``col3d``."""
    col = PathCollection(
        col3d.get_paths(),
        sizes=col3d.get_sizes(),
        offsets=np.zeros((0, 2)),
        offset_transform=IdentityTransform(),
        linewidths=col3d.get_linewidth(),
        edgecolors=edgecolors,
        antialiaseds=col3d.get_antialiased(),
    )
    col.set_transform(IdentityTransform())
    return col


def _bbox(mask: np.ndarray) -> tuple[slice, slice] | None:
    """The (rows, columns) slices of the smallest box holding every True of ``mask``."""
    rows, cols = np.flatnonzero(mask.any(axis=1)), np.flatnonzero(mask.any(axis=0))
    if not len(rows):
        return None
    return slice(int(rows[0]), int(rows[-1]) + 1), slice(int(cols[0]), int(cols[-1]) + 1)


def _crop(rgba: np.ndarray) -> _Image | None:
    """The part of a transparent-background render that has any ink, or None."""
    box = _bbox(rgba[..., 3] > 0)
    if box is None:
        return None
    return _Image(np.ascontiguousarray(rgba[box]), box[1].start, box[0].start)


@dataclass
class _Layers:
    """The rendered scene for one figure size, dpi and view."""

    key: tuple
    items: list[Item]  # in drawing order


class SceneFrames:
    """Renders the frames of a Scene (see the module docstring)."""

    def __init__(self, scene: Scene, **figargs: Any) -> None:
        self.scene = scene
        fig_kwargs = {k: v for k, v in figargs.items() if k not in PYPLOT_ONLY_FIGARGS}
        self.fig3d = Figure(**fig_kwargs)
        self.canvas = FigureCanvasAgg(self.fig3d)
        self.ax = self.fig3d.add_subplot(111, projection="3d")
        self.brightness = all_brightness(scene)  # per light: (n_frames, n_sources)
        # a light whose brightness never changes is drawn into the static layers
        self._dynamic_light = [bool(len(b)) and bool(np.any(b != b[0])) for b in self.brightness]
        start = [
            b[0] if len(b) else np.zeros(light.n_sources)
            for b, light in zip(self.brightness, scene.lights, strict=True)
        ]
        self.artists: Scene3DArtists = draw_scene(self.ax, scene, start)
        self._spiking_group = [
            bool(g_data.n_spikes) and bool(np.any(g.visible[g_data.spike_i[g_data.spike_i < len(g.visible)]]))
            for g, g_data in zip(scene.groups, scene.recording.groups, strict=True)
        ]
        self._layers: _Layers | None = None
        self._checked: tuple | None = None

    @property
    def n_frames(self) -> int:
        """Frames in the recording."""
        return self.scene.recording.n_frames

    def layers(self, size_inches: tuple[float, float], dpi: float) -> _Layers:
        """The layers for a figure of this size and dpi, rebuilt only when needed."""
        size = tuple(float(v) for v in size_inches)
        view = _view_key(self.ax)
        if self._layers is not None and not self.fig3d.stale and (size, float(dpi), view) == self._checked:
            return self._layers  # nothing the projection depends on changed since the last check
        key = (size, float(dpi), self.ax.get_proj().tobytes())
        if self._layers is None or self._layers.key != key or self.fig3d.stale:
            self._layers = self._render((size[0], size[1]), float(dpi))
        self._checked = (size, float(dpi), view)
        return self._layers

    # --- rendering ------------------------------------------------------------------------
    def _render(self, size_inches: tuple[float, float], dpi: float) -> _Layers:
        """The static layers and per-frame parts for a figure of this size and dpi."""
        fig, ax = self.fig3d, self.ax
        fig.set_dpi(dpi)
        fig.set_size_inches(size_inches)  # as the figure drawn on: same layout, same pixels
        axes_parts = {id(a) for a in (ax.patch, ax.xaxis, ax.yaxis, ax.zaxis, *ax.spines.values())}
        children = [
            a
            for a in ax.get_children()
            if a.get_visible() and id(a) not in axes_parts and not (isinstance(a, Text) and not a.get_text())
        ]  # (empty titles draw nothing)
        frame_parts = [fig.patch, ax.patch]
        saved = {id(a): a.get_visible() for a in [*children, *frame_parts]}
        axis_on = getattr(ax, "_axis3don", True)
        computed_zorder = ax.computed_zorder
        try:
            ax.computed_zorder = False  # the drawing order is set once, below
            # 1. a draw of nothing, for the projection (ax.M) the drawing order needs
            self._render_run(children, [], frame_parts, saved)
            if computed_zorder:
                _mplot3d_drawing_order(ax, children)
            children.sort(key=lambda a: a.get_zorder())  # stable, as Axes.draw sorts

            # 2. cut the drawing order into static runs and per-frame parts
            runs, plan = self._plan(children)

            # 3. render each static run once (the first one over the figure and axes background)
            # (with the frame, the whole canvas: never None)
            background = cast("_Image", self._render_run(children, runs[0], frame_parts, saved, frame=axis_on))
            images: list[_Image | None] = [background]
            images += [self._render_run(children, run, frame_parts, saved) if run else None for run in runs[1:]]
        finally:
            for a in [*children, *frame_parts]:
                a.set_visible(saved[id(a)])
            ax.set_axis_on() if axis_on else ax.set_axis_off()
            ax.computed_zorder = computed_zorder

        # 4. per-frame parts, with this render's projection and pixel transform
        items = self._items(plan, images, background.rgba.shape[:2])
        fig.stale = False  # so a later change to the 3D axes (view, labels) is noticed
        return _Layers((tuple(size_inches), dpi, ax.get_proj().tobytes()), items)

    def _plan(self, children: list[Artist]) -> tuple[list[list[Artist]], list[int | tuple]]:
        """Cut the drawing order into runs of static artists and, between them, the per-frame
        parts: ``plan`` lists a run's index, ``("light", j, s)`` or ``("spikes", k)`` in order.
        """
        dyn_lights = {
            id(col): (j, s)
            for j, clouds in enumerate(self.artists.lights)
            if self._dynamic_light[j]
            for s, col in enumerate(clouds)
        }
        spiking = {id(col): k for k, col in enumerate(self.artists.neurons) if self._spiking_group[k]}
        runs: list[list[Artist]] = [[]]
        plan: list[int | tuple] = [0]
        for a in children:
            if id(a) in dyn_lights:
                plan += [("light", *dyn_lights[id(a)]), len(runs)]
                runs.append([])
            else:
                runs[-1].append(a)
                if id(a) in spiking:
                    plan += [("spikes", spiking[id(a)]), len(runs)]
                    runs.append([])
        return runs, plan

    def _items(self, plan: list[int | tuple], images: list[_Image | None], shape: tuple[int, ...]) -> list[Item]:
        """The layers in drawing order: the static runs' images, the spike overlays and the
        light sprites (``shape``: the figure's pixels, rows by columns).
        """
        clip = self.ax.bbox.frozen()  # cleo's artists are clipped to the axes box
        items: list[Item] = []
        static_below = True  # only static images (and other lights) under this point
        taken = np.zeros(shape, dtype=bool)  # pixels of light sprites
        for step in plan:
            if isinstance(step, int):
                image = images[step]
                if image is not None:
                    items.append(image)
            elif step[0] == "spikes":
                overlay = self._spike_overlay(step[1])
                overlay.collection.set_clip_box(clip)
                items.append(overlay)
                static_below = False
            else:
                beneath = [i for i in items if isinstance(i, _Image)] if static_below else None
                sprite = self._light_sprite(step[1], step[2], clip, beneath, taken)
                if sprite is not None:
                    items.append(sprite)
        return items

    def _render_run(
        self,
        children: list[Artist],
        run: list[Artist],
        frame_parts: list[Artist],
        saved: dict,
        frame: bool | None = None,
    ) -> _Image | None:
        """Render only the artists of ``run``: with the figure and axes background if
        ``frame`` is given (True: with the axis panes, grid and labels), else on a transparent
        background, cropped to what they cover.
        """
        members = {id(a) for a in run}
        for a in children:
            a.set_visible(id(a) in members)
        for a in frame_parts:
            a.set_visible(frame is not None and saved[id(a)])
        self.ax.set_axis_on() if frame else self.ax.set_axis_off()
        self.fig3d.canvas.draw()
        rgba = np.asarray(self.canvas.buffer_rgba())[::-1]  # rows bottom first, for draw_image
        return _Image(rgba.copy(), 0, 0) if frame is not None else _crop(rgba)

    def project(self, points: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Pixel coordinates (origin bottom left) and projected depth (larger = farther) of
        3D points in axis units, with the view of the last render.
        """
        vx, vy, vz = proj3d.proj_transform(points[:, 0], points[:, 1], points[:, 2], self.ax.get_proj())
        xy = self.ax.transData.transform(np.column_stack([vx, vy]))
        return xy, np.asarray(vz)

    def _shaded(self, points: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Pixel positions, mplot3d depth-shading factors and depths of a point cloud."""
        vx, vy, vz = proj3d.proj_transform(points[:, 0], points[:, 1], points[:, 2], self.ax.get_proj())
        xy = self.ax.transData.transform(np.column_stack([vx, vy]))
        vx, vy, vz = (np.asarray(v, dtype=float) for v in (vx, vy, vz))
        return xy, depth_shade(vx, vy, vz), vz

    def _spike_overlay(self, k: int) -> _SpikeOverlay:
        g = self.scene.groups[k]
        n = len(g.positions)
        xy, depth, rgba = np.full((n, 2), np.nan), np.zeros(n), np.zeros((n, 4))
        vis = np.flatnonzero(g.visible)
        xy[vis], shade, depth[vis] = self._shaded(g.positions[vis])
        rest = g.alpha * shade  # resting alpha, as drawn in the static layer
        spike = shade  # cleo: alpha 1 in the spike frame, times depth shading
        with np.errstate(divide="ignore", invalid="ignore"):
            over = np.where(rest < 1, (spike - rest) / (1 - rest), 0.0)
        rgba[:, :3] = g.color
        rgba[vis, 3] = np.clip(over, 0, 1)  # drawn over the resting marker, composites to `spike`
        return _SpikeOverlay(k, self.artists.neurons[k], xy, rgba, depth)

    def _light_sprite(
        self, j: int, s: int, clip: Any, beneath: list[_Image] | None, taken: np.ndarray
    ) -> _LightSprite | None:
        """Render light ``j``'s source ``s`` at its brightness levels: over ``beneath`` (the
        static images under it: exactly as drawing its points there), or alone on a
        transparent background if something that changes lies under it (``beneath`` None, or
        its pixels overlap ``taken``, those of the light sprites before it, which it updates).
        """
        light = self.scene.lights[j]
        xy, shade, depth = self._shaded(light.points[light.source == s].astype(float))
        order = np.argsort(-depth, kind="stable")  # far first, as mplot3d draws them
        rgba_full = light_rgba(light, s, 1.0)
        rgba_full[:, 3] *= shade
        xy, rgba_full = xy[order], rgba_full[order]
        col = _collection_like(self.artists.lights[j][s], edgecolors="none")
        col.set_offsets(xy)
        col.set_clip_box(clip)
        col.set_figure(self.fig3d)
        values = np.unique(self.brightness[j][:, s])
        values = values[values > 0]
        if not len(values):
            return None
        if len(values) > LIGHT_LEVELS:  # a grid over the range used
            values = np.linspace(0, values[-1], LIGHT_LEVELS + 1)[1:]
        # Only the window the cloud can ink is rendered (its points' pixels, grown by the marker
        # radius and antialiasing, within the canvas): a small Agg canvas, everything shifted by
        # whole pixels, so its pixels are those of the full canvas there.
        if not len(xy):  # every point outside the axis limits
            return None
        reach = np.sqrt(float(np.max(col.get_sizes()))) / 2 * self.fig3d.dpi / 72 + 3
        area = _window(xy, reach, taken.shape)
        if area is None:
            return None
        x0, y0, x1, y1 = area
        col.set_offsets(xy - (x0, y0))
        col.set_clip_box(Bbox.from_extents(clip.x0 - x0, clip.y0 - y0, clip.x1 - x0, clip.y1 - y0))
        cloud = _CloudWindow(col, rgba_full, area, self.fig3d.dpi)
        top = float(values[-1])
        taken_here = taken[y0:y1, x0:x1]  # (a view)
        if beneath is not None:
            dark, bright, ink = cloud.ink(beneath, top)
            if np.any(ink & taken_here):
                beneath = None  # another changing light is under it here
        if beneath is None:  # the cloud alone, matted from renders over black and over white
            ink = cloud.ink(cloud.black, top)[2] | cloud.ink(cloud.white, top)[2]
        taken_here |= ink
        window = _bbox(ink)
        if window is None:
            return None
        if beneath is not None:
            stack, template, channels = cloud.levels_over(beneath, values, (dark, bright), ink, window)
        else:
            stack, template, channels = cloud.levels_alone(values, window)
        all_levels = np.concatenate([[0.0], values])
        return _LightSprite(j, s, all_levels, stack, template, channels, x0 + window[1].start, y0 + window[0].start)


class _CloudWindow:
    """One light source's points rendered in a window ``area`` = (x0, y0, x1, y1) of the canvas
    (a small Agg canvas; the points and clip box already shifted by whole pixels, so that its
    pixels are those of the full canvas there), at a brightness, over given images.
    """

    def __init__(self, col: PathCollection, rgba_full: np.ndarray, area: tuple[int, int, int, int], dpi: float) -> None:
        self.col, self.rgba_full, self.area = col, rgba_full, area
        x0, y0, x1, y1 = area
        self.renderer = RendererAgg(x1 - x0, y1 - y0, dpi)
        shape = (y1 - y0, x1 - x0, 4)
        self.black = [_Image(np.full(shape, (0, 0, 0, 255), np.uint8), x0, y0)]
        self.white = [_Image(np.full(shape, (255, 255, 255, 255), np.uint8), x0, y0)]

    def render(self, b: float, under: list[_Image] | None) -> np.ndarray:
        """The window (rows bottom first): ``under``, then the points at brightness ``b``."""
        renderer = self.renderer
        renderer.clear()
        gc = renderer.new_gc()
        for image in under or ():
            image.draw_window(renderer, gc, *self.area)
        gc.restore()
        if b > 0:
            self.col.set_facecolor(self.rgba_full * [1, 1, 1, b])  # type: ignore[arg-type]  # stubs lack arrays
            self.col.draw(renderer)
        return np.asarray(renderer.buffer_rgba())[::-1].copy()

    def ink(self, under: list[_Image] | None, top: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Renders without the points and at brightness ``top``, and the pixels that differ."""
        dark, bright = self.render(0.0, under), self.render(top, under)
        return dark, bright, np.any(bright != dark, axis=-1)

    def levels_over(
        self,
        beneath: list[_Image],
        values: np.ndarray,
        dark_bright: tuple[np.ndarray, np.ndarray],
        ink: np.ndarray,
        window: tuple[slice, slice],
    ) -> tuple[np.ndarray, np.ndarray, slice]:
        """The RGB of each level over what is beneath, opaque where the cloud shows."""
        h, w = window[0].stop - window[0].start, window[1].stop - window[1].start
        channels = slice(0, 3)
        template = np.zeros((h, w, 4), np.uint8)
        template[..., 3] = np.where(ink[window], 255, 0)
        dark, bright = dark_bright
        renders = [dark, *(self.render(float(b), beneath) for b in values[:-1]), bright]
        return np.stack([r[window][..., channels] for r in renders]), template, channels

    def levels_alone(self, values: np.ndarray, window: tuple[slice, slice]) -> tuple[np.ndarray, np.ndarray, slice]:
        """Straight RGBA of each level, which composites like the cloud over any background."""
        h, w = window[0].stop - window[0].start, window[1].stop - window[1].start
        stack = np.stack(
            [np.zeros((h, w, 4), np.uint8)]
            + [
                _matte(self.render(float(b), self.black)[window], self.render(float(b), self.white)[window])
                for b in values
            ]
        )
        return stack, np.zeros((h, w, 4), np.uint8), slice(0, 4)


def _window(xy: np.ndarray, reach: float, shape: tuple[int, ...]) -> tuple[int, int, int, int] | None:
    """Whole-pixel box [x0, x1) x [y0, y1) of the canvas (``shape``: height, width) within
    ``reach`` pixels of the points ``xy``, or None if it is empty.
    """
    height, width = shape[:2]
    x0, y0 = (max(int(np.floor(v.min() - reach)), 0) for v in (xy[:, 0], xy[:, 1]))
    x1, y1 = min(int(np.ceil(xy[:, 0].max() + reach)), width), min(int(np.ceil(xy[:, 1].max() + reach)), height)
    return (x0, y0, x1, y1) if x1 > x0 and y1 > y0 else None


def _matte(over_black: np.ndarray, over_white: np.ndarray) -> np.ndarray:
    """Straight RGBA of something rendered over black and over white: alpha from how much of
    the background shows through, colour = what it adds over black, divided by alpha.
    """
    b = over_black[..., :3].astype(np.float32)
    w = over_white[..., :3].astype(np.float32)
    alpha = np.clip(1 - (w - b).mean(axis=-1) / 255, 0, 1)
    rgb = np.where(alpha[..., None] > 0, b / np.maximum(alpha[..., None], 1e-6), 0)
    out: np.ndarray = np.rint(np.concatenate([np.clip(rgb, 0, 255), alpha[..., None] * 255], axis=-1)).astype(np.uint8)
    return out


class FrameArtist(Artist):
    """Draws frame ``frame`` of a :class:`SceneFrames` on its figure (set ``frame``, redraw).

    With ``reuse_last=True`` it keeps the last frame it composed on an Agg canvas and redraws
    it as one image when asked for the same frame again: matplotlib's ``Animation.save``
    draws every frame twice (``draw_idle``, then ``savefig``).
    """

    def __init__(self, frames: SceneFrames, frame: int = 0, reuse_last: bool = False) -> None:
        super().__init__()
        self.frames = frames
        self._frame = 0
        self.frame = frame
        self.reuse_last = reuse_last
        self._last: tuple[tuple, np.ndarray, bool] | None = None
        self.covered = False  # whether the last frame composed wrote every pixel of the canvas
        self.set_zorder(-1)  # below anything a user adds to the figure (titles, texts)

    @property
    def frame(self) -> int:
        """The frame drawn."""
        return self._frame

    @frame.setter
    def frame(self, k: int) -> None:
        n = self.frames.n_frames
        if not 0 <= k < max(n, 1):
            raise IndexError(f"frame {k} is out of range: the recording has {n} frames.")
        self._frame = int(k)
        self.stale = True

    def draw(self, renderer: Any) -> None:
        """Draw the frame's layers (the static images, spikes and lights) on ``renderer``."""
        fig = _figure_of(self)
        if not self.get_visible() or fig is None:
            return
        layers = self.frames.layers(tuple(fig.get_size_inches()), fig.dpi)
        gc = renderer.new_gc()
        try:
            reuse = self.reuse_last and hasattr(renderer, "buffer_rgba")
            key = (self._frame, layers.key)
            if reuse and self._last is not None and self._last[0] == key:
                last, opaque = self._last[1], self._last[2]
                buffer = np.asarray(renderer.buffer_rgba())
                if opaque and buffer.shape == last.shape:
                    np.copyto(buffer, last)  # all of the canvas, opaque: a copy, not a blend
                else:
                    renderer.draw_image(gc, 0, 0, last[::-1])
            else:
                self._compose(renderer, gc, layers, fig)
                if reuse:  # (rows top first; opaque where the composed frame wrote every pixel)
                    self._last = (key, np.asarray(renderer.buffer_rgba()).copy(), self.covered)
        finally:
            gc.restore()
        self.stale = False

    def _compose(self, renderer: Any, gc: Any, layers: _Layers, fig: Figure) -> None:
        state = frame_state(self.frames.scene, self._frame) if self.frames.n_frames else None
        self.covered = False
        for i, item in enumerate(layers.items):
            if isinstance(item, _Image):
                if i == 0 and item.covers(renderer):
                    # the opaque background: a copy into the canvas, not a blend
                    np.copyto(np.asarray(renderer.buffer_rgba()), item.rgba[::-1])
                    self.covered = True
                else:
                    item.draw(renderer, gc)
            elif state is not None:
                item.draw(renderer, gc, state, fig)


def _mplot3d_drawing_order(ax: Any, artists: list[Artist]) -> None:
    """Give the 3D collections and patches the zorders mplot3d's ``Axes3D.draw`` gives them
    (``computed_zorder``): farthest first, by ``do_3d_projection``, above the axis panes.

    Done here once for all artists, even those hidden while rendering one run at a time
    (mplot3d would order only the visible ones). Needs ``ax.M``, set by a draw.
    """
    offset = max(axis.get_zorder() for axis in (ax.xaxis, ax.yaxis, ax.zaxis)) + 1
    collection_z = patch_z = offset
    order3d = [a for a in artists if isinstance(a, (Collection, Patch)) and hasattr(a, "do_3d_projection")]
    for a in sorted(order3d, key=lambda a: a.do_3d_projection(), reverse=True):
        if isinstance(a, Collection):
            a.zorder = collection_z
            collection_z += 1
        else:
            a.zorder = patch_z
            patch_z += 1


def _view_key(ax: Any) -> tuple:
    """What mplot3d's projection (``get_proj``) reads from the axes, cheap to read: the view
    angles, projection type, limits, box aspect and zoom, and the axes' place in the figure.
    """
    return (
        ax.elev,
        ax.azim,
        getattr(ax, "roll", 0),
        getattr(ax, "_vertical_axis", 2),
        getattr(ax, "_focal_length", 1),
        tuple(ax.get_w_lims()),
        tuple(np.ravel(ax.get_box_aspect())),
        tuple(ax.get_position(original=True).bounds),
    )


def _figure_of(artist: Artist) -> Figure | None:
    """The (root) figure an artist is drawn in, on old and new matplotlib."""
    try:
        return artist.get_figure(root=True)
    except TypeError:  # matplotlib < 3.10
        return artist.figure  # type: ignore[return-value]  # there: the root figure
