"""Animations and video files of a Scene, drawn by matplotlib.

* :func:`to_animation`: a ``FuncAnimation`` that is a drop-in for
  ``cleo.viz.VideoVisualizer.generate_Animation`` (same frames, ``interval = dt ·
  slowdown_factor``; frame ``k`` shows the spikes of frame ``k``). Its figure holds one cheap
  artist (:class:`~cleo_player.video.frames.FrameArtist`), so matplotlib's own ``save`` /
  ``to_html5_video`` / ``to_jshtml`` are fast too.
* :func:`to_html5_video` / :func:`save`: the same pictures, drawn once per frame on an Agg
  canvas and piped as raw RGBA straight into the ffmpeg of ``imageio-ffmpeg``.

Each takes ``timeline=True`` to draw the Player's timeline (raster, device and custom
``traces``, playhead) under the scene (:mod:`cleo_player.video.timeline`).
"""

from __future__ import annotations

import base64
import logging
import tempfile
import warnings
from collections.abc import Iterator
from io import BytesIO
from pathlib import Path
from typing import TYPE_CHECKING, Any

import matplotlib as mpl
import numpy as np
from matplotlib.animation import FuncAnimation

from cleo_player.defaults import SLOWDOWN_FACTOR
from cleo_player.scene import Scene
from cleo_player.video.ffmpeg import FORMATS, MAX_GIF_FPS, FFmpegPipe, ffmpeg_exe, matplotlib_ffmpeg
from cleo_player.video.frames import PYPLOT_ONLY_FIGARGS, FrameArtist, SceneFrames
from cleo_player.video.timeline import TIMELINE_SHARE, TimelineArtist, TimelineRenderer

if TYPE_CHECKING:
    from collections.abc import Sequence

    from matplotlib.figure import Figure

    from cleo_player.traces import Trace

_log = logging.getLogger(__name__)

PROGRESS_MIN_FRAMES = 50  # show a progress bar (progress=None) from this many frames on

_VIDEO_TAG = """<video {size} {options}>
  <source type="video/mp4" src="data:video/mp4;base64,{video}">
  Your browser does not support the video tag.
</video>"""


# --- animations -----------------------------------------------------------------------------
class SceneAnimation(FuncAnimation):
    """A ``FuncAnimation`` of a Scene, as cleo's ``generate_Animation`` returns.

    ``save`` and ``to_html5_video`` work without a system ffmpeg: when matplotlib's ffmpeg is
    not found, the one from ``imageio-ffmpeg`` is used for the call.
    """

    def __init__(self, fig: Figure, frames: SceneFrames, interval: float, artist: Any = None, **kwargs: Any) -> None:
        self.fig = fig
        self.scene_frames = frames
        self.frame_artist = artist if artist is not None else FrameArtist(frames, reuse_last=True)
        fig.add_artist(self.frame_artist)
        kwargs.setdefault("blit", False)
        super().__init__(fig, self._update, frames=range(frames.n_frames), interval=interval, **kwargs)

    def _update(self, k: int) -> list[Any]:
        self.frame_artist.frame = k
        return [self.frame_artist]

    def save(self, *args: Any, **kwargs: Any) -> None:
        """``FuncAnimation.save``, with imageio-ffmpeg's ffmpeg if matplotlib has none (x264's
        veryfast preset for h264 unless ``animation.ffmpeg_args`` is set).
        """
        codec = kwargs.get("codec") or mpl.rcParams["animation.codec"]
        with matplotlib_ffmpeg(fast_h264=codec in ("h264", "libx264")):
            return super().save(*args, **kwargs)

    def to_html5_video(self, embed_limit: float | None = None) -> str:
        """``FuncAnimation.to_html5_video``, with imageio-ffmpeg's ffmpeg if matplotlib has none."""
        with matplotlib_ffmpeg(fast_h264=True):  # matplotlib's to_html5_video encodes h264
            return super().to_html5_video(embed_limit)


def to_animation(
    scene: Scene,
    slowdown_factor: float = SLOWDOWN_FACTOR,
    *,
    timeline: bool = False,
    traces: Sequence[Trace] = (),
    **figargs: Any,
) -> SceneAnimation:
    """A cleo-compatible ``FuncAnimation`` of ``scene`` (one frame per recorded frame,
    ``interval = dt · slowdown_factor``). ``figargs`` go to ``plt.figure`` (e.g. ``figsize``).
    With ``timeline``, the figure is a third taller and shows the timeline (with ``traces``)
    under the scene.

    The 3D axes the frames are drawn from are ``ani.scene_frames.ax``; changing them (e.g.
    ``view_init``) before saving changes the video.
    """
    import matplotlib.pyplot as plt

    _check_frames(scene)
    interval = interval_ms(scene, slowdown_factor)
    fig = plt.figure(**figargs)
    frames = SceneFrames(scene, **_figure_kwargs(figargs, fig))
    if not timeline:
        return SceneAnimation(fig, frames, interval)
    width, height = fig.get_size_inches()  # the scene keeps the size asked for; the timeline adds
    fig.set_size_inches(width, height * (1 + TIMELINE_SHARE))
    return SceneAnimation(fig, frames, interval, artist=TimelineArtist(frames, traces))


def interval_ms(scene: Scene, slowdown_factor: float) -> float:
    """Milliseconds between frames: the frame length times the slowdown factor."""
    if not (np.isfinite(slowdown_factor) and slowdown_factor > 0):
        raise ValueError(f"slowdown_factor must be a positive finite number, got {slowdown_factor!r}.")
    return scene.recording.dt * 1e3 * float(slowdown_factor)


# --- direct rendering -----------------------------------------------------------------------
class FrameRenderer:
    """Draws the frames of a Scene on an offscreen Agg canvas (no pyplot figure)."""

    def __init__(self, scene: Scene, dpi: float | None = None, **figargs: Any) -> None:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure

        kwargs = _figure_kwargs(figargs)
        if dpi is not None:
            kwargs["dpi"] = dpi
        self.fig = Figure(**kwargs)
        self.canvas = FigureCanvasAgg(self.fig)
        self.frames = SceneFrames(scene, **kwargs)
        self.artist = FrameArtist(self.frames)
        self.fig.add_artist(self.artist)
        self._renderer: Any = None

    @property
    def size(self) -> tuple[int, int]:
        """(width, height) in pixels."""
        w, h = self.canvas.get_width_height(physical=True)
        return int(w), int(h)

    def draw(self, k: int) -> memoryview:
        """Frame ``k`` as the canvas's RGBA buffer (valid until the next draw)."""
        self.artist.frame = k
        renderer = self.canvas.get_renderer()
        if self.artist.covered and renderer is self._renderer:
            # the last frame wrote every pixel and the figure holds nothing else: the frame
            # alone, without clearing and filling the canvas first
            self.artist.draw(renderer)
        else:
            self.canvas.draw()
            self._renderer = self.canvas.get_renderer()
        rgba: memoryview = self.canvas.buffer_rgba()
        return rgba

    def frame(self, k: int) -> np.ndarray:
        """Frame ``k`` as an (height, width, 4) uint8 array (a copy)."""
        return np.asarray(self.draw(k)).copy()


def render_frame(
    scene: Scene, k: int, *, timeline: bool = False, traces: Sequence[Trace] = (), **figargs: Any
) -> np.ndarray:
    """One frame as an (height, width, 4) RGBA array, e.g. to save as a PNG."""
    _check_frames(scene)
    return _renderer(scene, None, timeline, traces, figargs).frame(k)


def _renderer(
    scene: Scene, dpi: float | None, timeline: bool, traces: Sequence[Trace], figargs: dict
) -> FrameRenderer | TimelineRenderer:
    if timeline:
        return TimelineRenderer(scene, traces, dpi=dpi, **figargs)
    return FrameRenderer(scene, dpi=dpi, **figargs)


def still_png(scene: Scene, k: int = 0, *, width: int = 480, height: int = 360, colors: int = 128) -> bytes:
    """A small PNG of frame ``k`` (the scene at rest if nothing was recorded), with its colours
    reduced to ``colors`` (a few tens of kB): the Player's static preview in saved notebooks.
    """
    from PIL import Image  # a dependency of matplotlib

    renderer = FrameRenderer(scene, figsize=(width / 100, height / 100), dpi=100)
    n = scene.recording.n_frames
    rgb = renderer.frame(min(max(int(k), 0), n - 1) if n else 0)[..., :3]
    buf = BytesIO()
    Image.fromarray(rgb).quantize(colors=colors, method=Image.Quantize.FASTOCTREE).save(
        buf, format="png", optimize=True
    )
    return buf.getvalue()


def to_html5_video(
    scene: Scene,
    slowdown_factor: float = SLOWDOWN_FACTOR,
    *,
    embed_limit: float | None = None,
    progress: bool | None = None,
    timeline: bool = False,
    traces: Sequence[Trace] = (),
    **figargs: Any,
) -> str:
    """An HTML5 ``<video>`` tag with the h264 mp4 inlined (base64), like
    ``FuncAnimation.to_html5_video()``, rendered with the fast direct path.

    Returns ``"Video too large to embed."`` (with a warning) above ``embed_limit`` MB
    (default ``rcParams["animation.embed_limit"]``), as matplotlib does.
    """
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp, "video.mp4")
        width, height = _write_video(
            scene, path, slowdown_factor, progress=progress, timeline=timeline, traces=traces, **figargs
        )
        width, height = width + width % 2, height + height % 2  # padded to even, for yuv420p
        data = path.read_bytes()
    vid64 = base64.encodebytes(data)
    limit = embed_limit if embed_limit is not None else mpl.rcParams["animation.embed_limit"]
    if len(vid64) >= limit * 1024 * 1024:
        _log.warning(
            "Animation movie is %s bytes, exceeding the limit of %s MB. Set embed_limit (or the "
            "animation.embed_limit rc parameter) higher, or save to a file with save().",
            len(vid64),
            limit,
        )
        return "Video too large to embed."
    return _VIDEO_TAG.format(
        video=vid64.decode("ascii"), size=f'width="{width}" height="{height}"', options="controls autoplay loop"
    )


def save(
    scene: Scene,
    path: str | Path,
    slowdown_factor: float = SLOWDOWN_FACTOR,
    *,
    fps: float | None = None,
    dpi: float | None = None,
    progress: bool | None = None,
    timeline: bool = False,
    traces: Sequence[Trace] = (),
    **figargs: Any,
) -> Path:
    """Write ``scene`` as ``.mp4`` (h264), ``.webm`` (VP9) or ``.gif``.

    ``fps`` defaults to ``1 / (dt · slowdown_factor)`` (cleo's speed); ``dpi`` and ``figargs``
    (e.g. ``figsize``) set the picture size; ``progress`` shows a progress bar (default: from
    50 frames on); ``timeline`` adds the timeline (with ``traces``) under the scene. ffmpeg
    comes from ``imageio-ffmpeg``.
    """
    path = Path(path)
    _write_video(
        scene, path, slowdown_factor, fps=fps, dpi=dpi, progress=progress, timeline=timeline, traces=traces, **figargs
    )
    return path


def _write_video(
    scene: Scene,
    path: Path,
    slowdown_factor: float,
    *,
    fps: float | None = None,
    dpi: float | None = None,
    progress: bool | None = None,
    timeline: bool = False,
    traces: Sequence[Trace] = (),
    **figargs: Any,
) -> tuple[int, int]:
    """Render every frame into ``path`` through ffmpeg; returns the frame size in pixels."""
    ext = path.suffix.lower()
    if ext not in FORMATS:
        supported = ", ".join(FORMATS)
        raise ValueError(
            f"Cannot save {path.name!r}: unsupported extension {ext or '(none)'!r}. "
            f"Supported video formats: {supported} (a Player also saves .html)."
        )
    _check_frames(scene)
    if fps is None:
        fps = 1e3 / interval_ms(scene, slowdown_factor)
    if not (np.isfinite(fps) and fps > 0):
        raise ValueError(f"fps must be a positive finite number of frames per second, got {fps!r}.")
    if ext == ".gif" and fps > MAX_GIF_FPS:
        warnings.warn(
            f"GIF cannot play faster than {MAX_GIF_FPS:g} frames/s; this one plays at "
            f"{MAX_GIF_FPS:g} fps instead of {fps:g} (slower than slowdown_factor says). "
            "Use a larger slowdown_factor, or save an .mp4.",
            stacklevel=3,
        )
        fps = MAX_GIF_FPS
    codec, out_args = FORMATS[ext]
    exe = ffmpeg_exe()
    renderer = _renderer(scene, dpi, timeline, traces, figargs)
    n = renderer.frames.n_frames
    width, height = renderer.size
    path.parent.mkdir(parents=True, exist_ok=True)
    with FFmpegPipe(exe, path, (width, height), fps, codec, out_args) as pipe:
        for k in _progress(range(n), progress, desc=f"{path.name}"):
            pipe.write(renderer.draw(k))
    return width, height


def iter_frames(scene: Scene, **figargs: Any) -> Iterator[np.ndarray]:
    """Every frame as an RGBA array, in order (each a copy)."""
    _check_frames(scene)
    renderer = FrameRenderer(scene, **figargs)
    for k in range(renderer.frames.n_frames):
        yield np.asarray(renderer.draw(k)).copy()


# --- helpers --------------------------------------------------------------------------------
def _check_frames(scene: Scene) -> None:
    if scene.recording.n_frames == 0:
        raise ValueError(
            "The recording has no frames: run the simulation (sim.run(...)) with the Recorder "
            "injected before making a video."
        )


def _figure_kwargs(figargs: dict, fig: Figure | None = None) -> dict:
    """``Figure`` keyword arguments from ``plt.figure`` ones (and the figure's actual size)."""
    kwargs = {k: v for k, v in figargs.items() if k not in PYPLOT_ONLY_FIGARGS}
    if fig is not None:
        kwargs["figsize"] = tuple(fig.get_size_inches())
        kwargs["dpi"] = fig.dpi
    return kwargs


def _progress(frames: range, progress: bool | None, desc: str) -> Any:
    show = len(frames) >= PROGRESS_MIN_FRAMES if progress is None else bool(progress)
    if not show:
        return frames
    from tqdm.auto import tqdm

    return tqdm(frames, desc=desc, unit="frame", leave=False)
