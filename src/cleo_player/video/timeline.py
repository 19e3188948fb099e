"""The timeline under the video's scene: spike raster, device and custom traces, and a playhead.

The same timeline as the Player's (``js/timeline.ts``): a raster per neuron group in its colour
(every spike, in its frame's columns, on its neuron's rows), one row per device (a light's value
per source in its colour; other devices on/off) and per custom trace, on one time axis in ms.
The raster's pixels follow the layout of ``js/timeline_layout.ts`` exactly (same arithmetic,
same order), so the video's raster and the browser's are the same picture at the same size.

The timeline is drawn once (:class:`TimelineLayer`: matplotlib axes and labels, the raster
pasted in pixel for pixel); per frame only the playhead moves: the columns it covered are
restored from the static image and it is drawn at the new frame (cost O(timeline height)).
:class:`TimelineRenderer` (direct-to-ffmpeg path) and :class:`TimelineArtist` (``FuncAnimation``
path) put the scene's frame above it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
from matplotlib.artist import Artist
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from cleo_player.video.frames import PYPLOT_ONLY_FIGARGS, FrameArtist, SceneFrames

if TYPE_CHECKING:
    from collections.abc import Sequence

    from cleo_player.recording import Recording
    from cleo_player.scene import Scene
    from cleo_player.traces import Trace

TIMELINE_SHARE = 1 / 3  # the timeline's height, as a share of the scene's (the Player's default)
FRAME_GAP_FROM = 3  # frames this many columns wide leave their last one empty (js/timeline_layout.ts)
BAND_GAP = 1  # rows between two groups' bands (js/timeline_layout.ts)
MIN_BAND_SHARE = 0.08  # a band is at least this share of the rows (js/timeline_layout.ts)
ROW_H_MAX, ROW_H_MIN, MIN_RASTER_H = 24, 6, 24  # px at 100 dpi (js/timeline.ts)
TRACES_SHARE = 0.45
PLAYHEAD_RGBA = (20, 20, 20, 255)
PLAYHEAD_PX = 2
ONOFF_COLOR = (0.45, 0.47, 0.52)
FONT_PT = 7
SCIENTIFIC_ABOVE, SCIENTIFIC_BELOW = 1e4, 1e-2  # value labels outside this range: 1.2e+05
MARGINS_IN = {"left": 0.9, "right": 0.12, "top": 0.06, "bottom": 0.34}  # inches


# --- the raster's layout (mirrors js/timeline_layout.ts) ---------------------------------------
def raster_bands(counts: Sequence[int], hidden: Sequence[bool], rows: int) -> list[tuple[int, int, int]]:
    """``(group, y0, y1)`` of the shown groups (not hidden, with neurons), top to bottom,
    sharing ``rows`` rows in proportion to their sizes, each at least ``MIN_BAND_SHARE``.
    """
    shown = [(g, c) for g, (c, h) in enumerate(zip(counts, hidden, strict=True)) if not h and c > 0]
    n = len(shown)
    if n == 0 or rows <= 0:
        return []
    gap = BAND_GAP
    avail = rows - gap * (n - 1)
    if avail < n:
        gap, avail = 0, rows
    total = float(sum(c for _, c in shown))
    weights = [max(float(c), MIN_BAND_SHARE * total) for _, c in shown]
    wsum = 0.0
    for w in weights:
        wsum += w
    bands, cum = [], 0.0
    for j, (g, _) in enumerate(shown):
        y0 = int(np.floor((avail * cum) / wsum)) + j * gap
        cum += weights[j]
        y1 = rows if j == n - 1 else int(np.floor((avail * cum) / wsum)) + j * gap  # the last ends at the bottom
        bands.append((g, y0, y1))
    return bands


def neuron_rows(count: int, y0: int, y1: int) -> tuple[np.ndarray, np.ndarray]:
    """Rows ``[r0, r1)`` of each of a band's ``count`` neurons (at least one row each)."""
    h = y1 - y0
    i = np.arange(count, dtype=np.int64)
    r0 = y0 + (i * h) // count
    r1 = np.maximum(r0 + 1, y0 + ((i + 1) * h) // count)
    return r0, r1


def frame_columns(ta: np.ndarray, tb: np.ndarray, v0: float, v1: float, width: int) -> tuple[np.ndarray, np.ndarray]:
    """Columns ``[c0, c1)`` of frames spanning ``[ta, tb)`` ms in a view of ``[v0, v1]`` ms:
    at least one each; a frame 3 or more columns wide leaves its last column empty; clipped
    to ``[0, width)`` (``c1 <= c0``: out of view).
    """
    c0 = np.floor(((ta - v0) / (v1 - v0)) * width).astype(np.int64)
    c1 = np.floor(((tb - v0) / (v1 - v0)) * width).astype(np.int64)
    c1 = np.where(c1 - c0 >= FRAME_GAP_FROM, c1 - 1, c1)
    c1 = np.maximum(c1, c0 + 1)
    return np.maximum(c0, 0), np.minimum(c1, width)


def color_u8(rgb: Sequence[float]) -> np.ndarray:
    """An RGB colour in [0, 1] as opaque RGBA bytes (rounded half up, as the browser does)."""
    q = [min(255, max(0, int(np.floor(c * 255 + 0.5)))) for c in rgb[:3]]
    return np.array([*q, 255], dtype=np.uint8)


def frame_times_ms(rec: Recording) -> tuple[np.ndarray, float]:
    """Frame start times (ms) and the end (ms) as the Player's payload sends them."""
    return np.asarray(rec.frame_t, dtype=np.float64) * 1e3, float(np.round(rec.t_end * 1e3, 9))


def full_range_ms(rec: Recording) -> tuple[float, float]:
    """The whole run's time axis, ms (as the Player's timeline shows it unzoomed)."""
    starts, t_end = frame_times_ms(rec)
    t0 = float(starts[0]) if len(starts) else float(np.round(rec.t_start * 1e3, 9))
    t1 = t_end
    if not t1 > t0:
        t1 = t0 + (rec.dt * 1e3 if rec.dt > 0 else 1.0)
    return t0, t1


def raster_rgba(
    rec: Recording,
    colors: Sequence[Sequence[float]],
    width: int,
    height: int,
    view: tuple[float, float] | None = None,
    hidden: Sequence[str] = (),
) -> np.ndarray:
    """The raster as an ``(height, width, 4)`` uint8 image: every spike the rectangle of its
    neuron's rows and its frame's columns in its group's colour, transparent elsewhere. The
    same pixels as the Player's raster canvas of that size (``view``: ms, default the run).
    """
    img = np.zeros((height, width, 4), dtype=np.uint8)
    if width <= 0 or height <= 0 or rec.n_frames == 0:
        return img
    v0, v1 = view if view is not None else full_range_ms(rec)
    starts, t_end = frame_times_ms(rec)
    ends = np.append(starts[1:], t_end)
    c0_f, c1_f = frame_columns(starts, ends, v0, v1, width)
    bands = raster_bands([g.size for g in rec.groups], [g.name in hidden for g in rec.groups], height)
    for g, y0, y1 in bands:
        group = rec.groups[g]
        if not group.n_spikes or y1 <= y0:
            continue
        frames = group.spike_frames()
        r0_n, r1_n = neuron_rows(group.size, y0, y1)
        r0, r1 = r0_n[group.spike_i], r1_n[group.spike_i]
        c0, c1 = c0_f[frames], c1_f[frames]
        keep = c1 > c0
        r0, r1, c0, c1 = r0[keep], r1[keep], c0[keep], c1[keep]
        if not len(r0):
            continue
        color = color_u8(colors[g])
        for dr in range(int((r1 - r0).max())):
            sel_r = dr < r1 - r0
            for dc in range(int((c1 - c0).max())):
                sel = sel_r & (dc < c1 - c0)
                img[r0[sel] + dr, c0[sel] + dc] = color
    return img


# --- rows of traces ---------------------------------------------------------------------------
@dataclass
class _Row:
    """One trace row: a label, a colour, and how to draw it on its axes."""

    name: str
    color: tuple[float, float, float]
    describe: str
    kind: str  # "level" (per-frame values), "onoff" (per-frame lanes) or "line" (samples)
    t: np.ndarray  # level / onoff: frame edges (n + 1); line: sample times, ms
    values: np.ndarray  # level / onoff: (n, channels); line: (n,)
    lo: float
    hi: float


def _fmt(v: float) -> str:
    if v == 0:
        return "0"
    a = abs(v)
    if a >= SCIENTIFIC_ABOVE or a < SCIENTIFIC_BELOW:
        return f"{v:.1e}"
    return f"{float(f'{v:.3g}'):g}"


def trace_rows(scene: Scene, traces: Sequence[Trace]) -> list[_Row]:
    """A row per device track (a light's value per source; other devices on/off per channel),
    then one per custom trace, as the Player's timeline lists them.
    """
    rec = scene.recording
    starts, t_end = frame_times_ms(rec)
    edges = np.append(starts, t_end)
    rows = []
    for track in rec.tracks:
        if track.n_channels <= 0:
            continue
        values = np.nan_to_num(np.asarray(track.values[: rec.n_frames], dtype=np.float64), nan=0.0)
        light = next((lt for lt in scene.lights if lt.track == track.name), None)
        if light is not None:
            lo = min(0.0, float(values.min())) if values.size else 0.0
            hi = max(0.0, float(values.max())) if values.size else 0.0
            desc = f"{_fmt(lo)}–{_fmt(hi)} {track.unit}".strip()
            rows.append(_Row(light.name, light.color, desc, "level", edges, values, lo, hi))
        else:
            desc = f"on/off × {track.n_channels}" if track.n_channels > 1 else "on/off"
            rows.append(_Row(track.name, ONOFF_COLOR, desc, "onoff", edges, values != 0, 0.0, 1.0))
    for tr in traces:
        lo, hi = float(tr.values.min()), float(tr.values.max())
        desc = f"{_fmt(lo)}–{_fmt(hi)} {tr.unit}".strip()
        rows.append(_Row(tr.name, tr.color, desc, "line", tr.t * 1e3, tr.values, lo, hi))
    return rows


def _draw_row(ax: Any, row: _Row) -> None:
    span = (row.hi - row.lo) or 1.0
    if row.kind == "level":
        for c in range(row.values.shape[1]):
            ax.stairs(row.values[:, c], row.t, color=row.color, lw=0.9, baseline=None)
            ax.stairs(row.values[:, c], row.t, color=(*row.color, 0.18), fill=True, baseline=max(row.lo, 0.0))
        ax.set_ylim(row.lo - 0.08 * span, row.hi + 0.08 * span)
    elif row.kind == "onoff":
        n = row.values.shape[1]
        for c in range(n):
            lane = n - 1 - c  # channel 0 on top
            on = row.values[:, c].astype(float)
            ax.stairs(lane + 0.1 + 0.8 * on, row.t, baseline=lane + 0.1, fill=True, color=row.color, lw=0)
        ax.set_ylim(0, n)
    elif row.hi == row.lo:
        ax.plot(row.t, np.zeros_like(row.values), color=row.color, lw=1.2)
        ax.set_ylim(-1, 1)
    else:
        ax.plot(row.t, row.values, color=row.color, lw=1.2)
        ax.set_ylim(row.lo - 0.08 * span, row.hi + 0.08 * span)


# --- the static timeline and its playhead -----------------------------------------------------
@dataclass(frozen=True)
class _Layout:
    """Pixel boxes of the timeline (image rows top first): margins, the raster, the rows."""

    left: int
    top: int
    plot_w: int
    raster_h: int
    row_h: int
    n_rows: int


def _layout(width: int, height: int, dpi: float, n_rows: int) -> _Layout:
    """Margins in inches; row heights as the browser's (CSS px = px at 100 dpi)."""
    px = dpi / 100
    left, right = round(MARGINS_IN["left"] * dpi), round(MARGINS_IN["right"] * dpi)
    top, bottom = round(MARGINS_IN["top"] * dpi), round(MARGINS_IN["bottom"] * dpi)
    plot_h = max(height - top - bottom, 1)
    row_h = min(round(ROW_H_MAX * px), int(plot_h * TRACES_SHARE) // n_rows) if n_rows else 0
    if n_rows and row_h < ROW_H_MIN * px:
        row_h = max(2, (plot_h - round(MIN_RASTER_H * px)) // n_rows)
    raster_h = max(plot_h - n_rows * row_h, 1)
    return _Layout(left, top, max(width - left - right, 1), raster_h, row_h, n_rows)


class TimelineLayer:
    """The timeline of a scene drawn once at ``width`` x ``height`` pixels (RGBA, rows top
    first), and the playhead placed per frame.
    """

    def __init__(self, scene: Scene, traces: Sequence[Trace], width: int, height: int, dpi: float) -> None:
        self.scene = scene
        rec = scene.recording
        self.width, self.height = int(width), int(height)
        rows = trace_rows(scene, traces)
        lay = _layout(self.width, self.height, dpi, len(rows))
        self.view = full_range_ms(rec)
        self.x0, self.w = lay.left, lay.plot_w  # the raster's box in image pixels
        self.y0, self.h = lay.top, lay.raster_h
        self.y_end = lay.top + lay.raster_h + lay.n_rows * lay.row_h  # the playhead's rows
        image = self._draw_axes(rows, lay, dpi)
        self.raster = raster_rgba(rec, [g.color for g in scene.groups], lay.plot_w, lay.raster_h, self.view)
        region = image[self.y0 : self.y0 + self.h, self.x0 : self.x0 + self.w]
        ink = self.raster[..., 3] > 0
        region[ink] = self.raster[ink]
        self.image = image
        self._drawn: tuple[int, int] | None = None

    def _draw_axes(self, rows: list[_Row], lay: _Layout, dpi: float) -> np.ndarray:
        """Everything but the raster's spikes, rendered: group names, trace rows, time axis."""
        rec = self.scene.recording
        width, height = self.width, self.height
        fig = Figure(figsize=(width / dpi, height / dpi), dpi=dpi, facecolor="white")
        canvas = FigureCanvasAgg(fig)

        def axes(y_top: int, h: int) -> Any:
            ax = fig.add_axes((lay.left / width, 1 - (y_top + h) / height, lay.plot_w / width, h / height))
            ax.set_xlim(*self.view)
            ax.set_facecolor("none")
            ax.tick_params(labelsize=FONT_PT, length=2, pad=1)
            for side in ("top", "right"):
                ax.spines[side].set_visible(False)
            return ax

        ax_r = axes(lay.top, lay.raster_h)
        for spine in ax_r.spines.values():
            spine.set_visible(False)
        bands = raster_bands([g.size for g in rec.groups], [False] * len(rec.groups), lay.raster_h)
        ax_r.set_ylim(lay.raster_h, 0)  # rows downward, as the raster image
        ax_r.set_yticks([(y0 + y1) / 2 for _, y0, y1 in bands], [rec.groups[g].name for g, _, _ in bands])
        for label, (g, _, _) in zip(ax_r.get_yticklabels(), bands, strict=True):
            label.set_color(self.scene.groups[g].color)
        ax_r.tick_params(axis="y", length=0)
        all_axes = [ax_r]
        for i, row in enumerate(rows):
            ax = axes(lay.top + lay.raster_h + i * lay.row_h, lay.row_h)
            _draw_row(ax, row)
            ax.set_yticks([])
            ax.set_ylabel(row.name, rotation=0, ha="right", va="center", fontsize=FONT_PT, color=row.color, labelpad=4)
            ax.text(1.0, 1.0, row.describe, transform=ax.transAxes, ha="right", va="top", fontsize=FONT_PT - 1,
                    color="0.35")  # fmt: skip
            all_axes.append(ax)
        for ax in all_axes[:-1]:
            ax.tick_params(axis="x", labelbottom=False, length=0)
        all_axes[-1].set_xlabel("t (ms)", fontsize=FONT_PT, labelpad=1)
        canvas.draw()
        image = np.asarray(canvas.buffer_rgba()).copy()
        if image.shape[:2] != (height, width):  # figure size rounding: pad or crop to the asked size
            fixed = np.full((height, width, 4), 255, np.uint8)
            h, w = min(height, image.shape[0]), min(width, image.shape[1])
            fixed[:h, :w] = image[:h, :w]
            image = fixed
        return image

    def playhead_columns(self, k: int) -> tuple[int, int]:
        """Image columns ``[a, b)`` of the playhead at frame ``k`` (at the frame's start)."""
        starts, _ = frame_times_ms(self.scene.recording)
        v0, v1 = self.view
        x = self.x0 + int(np.floor(((starts[k] - v0) / (v1 - v0)) * self.w))
        a = min(max(x - PLAYHEAD_PX // 2, self.x0), self.x0 + self.w - PLAYHEAD_PX)
        return a, a + PLAYHEAD_PX

    def place_playhead(self, out: np.ndarray, k: int) -> None:
        """Move the playhead in ``out`` (a copy of :attr:`image`) to frame ``k``."""
        if self._drawn is not None:
            a, b = self._drawn
            out[:, a:b] = self.image[:, a:b]
        a, b = self.playhead_columns(k)
        out[self.y0 : self.y_end, a:b] = PLAYHEAD_RGBA
        self._drawn = (a, b)


def timeline_pixels(scene_height: int) -> int:
    """The timeline's height under a scene ``scene_height`` pixels tall."""
    return max(round(scene_height * TIMELINE_SHARE), 1)


class _Composer:
    """Frame ``k`` of the scene (drawn by a :class:`FrameArtist` on a figure of its own) with the
    timeline under it, in one RGBA array.
    """

    def __init__(self, frames: SceneFrames, traces: Sequence[Trace], width: int, scene_h: int, dpi: float) -> None:
        self.fig = Figure(figsize=(width / dpi, scene_h / dpi), dpi=dpi)
        self.canvas = FigureCanvasAgg(self.fig)
        self.artist = FrameArtist(frames)
        self.fig.add_artist(self.artist)
        w, h = (int(v) for v in self.canvas.get_width_height(physical=True))
        self.scene_h = h
        self.layer = TimelineLayer(frames.scene, traces, w, timeline_pixels(h), dpi)
        self.out = np.empty((h + self.layer.height, w, 4), dtype=np.uint8)
        self.out[h:] = self.layer.image

    def draw(self, k: int) -> np.ndarray:
        """Frame ``k`` in :attr:`out` (valid until the next draw)."""
        self.artist.frame = k
        self.canvas.draw()
        self.out[: self.scene_h] = np.asarray(self.canvas.buffer_rgba())
        self.layer.place_playhead(self.out[self.scene_h :], k)
        return self.out


class TimelineRenderer:
    """Frames of a Scene with the timeline under it, as RGBA arrays (no pyplot figure): the
    scene at the figure size ``figargs`` / ``dpi`` give, the timeline a third as tall below.
    """

    def __init__(self, scene: Scene, traces: Sequence[Trace] = (), dpi: float | None = None, **figargs: Any) -> None:
        kwargs = {k: v for k, v in figargs.items() if k not in PYPLOT_ONLY_FIGARGS}
        if dpi is not None:
            kwargs["dpi"] = dpi
        self.frames = SceneFrames(scene, **kwargs)
        size = Figure(**kwargs)
        width, height = (round(v * size.dpi) for v in size.get_size_inches())
        self.composer = _Composer(self.frames, traces, width, height, size.dpi)

    @property
    def size(self) -> tuple[int, int]:
        """(width, height) in pixels, timeline included."""
        h, w = self.composer.out.shape[:2]
        return int(w), int(h)

    def draw(self, k: int) -> np.ndarray:
        """Frame ``k`` (valid until the next draw)."""
        return self.composer.draw(k)

    def frame(self, k: int) -> np.ndarray:
        """Frame ``k`` as an (height, width, 4) uint8 array (a copy)."""
        return self.draw(k).copy()


class TimelineArtist(Artist):
    """Draws frame ``frame`` of a :class:`SceneFrames` with the timeline under it on the whole
    of its figure (the scene on the top 3/4, the timeline below); for ``FuncAnimation``.
    """

    def __init__(self, frames: SceneFrames, traces: Sequence[Trace] = ()) -> None:
        super().__init__()
        self.frames = frames
        self.traces = tuple(traces)
        self._frame = 0
        self._composer: _Composer | None = None
        self._key: tuple | None = None
        self.set_zorder(-1)

    @property
    def frame(self) -> int:
        """The frame drawn (set it, then redraw the figure)."""
        return self._frame

    @frame.setter
    def frame(self, k: int) -> None:
        n = self.frames.n_frames
        if not 0 <= k < max(n, 1):
            raise IndexError(f"frame {k} is out of range: the recording has {n} frames.")
        self._frame = int(k)
        self.stale = True

    def draw(self, renderer: Any) -> None:
        """Compose the frame (the scene and timeline, rebuilt when the figure's size changes)."""
        if not self.get_visible():
            return
        fig = self.figure
        width, height = round(fig.bbox.width), round(fig.bbox.height)
        key = (width, height, float(fig.dpi), self.frames.ax.get_proj().tobytes())
        if self._composer is None or key != self._key:
            scene_h = round(height / (1 + TIMELINE_SHARE))
            self._composer = _Composer(self.frames, self.traces, width, scene_h, fig.dpi)
            self._key = key
        image = self._composer.draw(self._frame)
        gc = renderer.new_gc()
        try:
            renderer.draw_image(gc, 0, 0, image[::-1])
        finally:
            gc.restore()
        self.stale = False
