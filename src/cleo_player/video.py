"""The matplotlib fallback: cleo-compatible animations and fast video export of a Scene.

* :func:`to_animation` / :func:`animation_for_recorder`: a ``FuncAnimation`` that is a drop-in
  for ``cleo.viz.VideoVisualizer.generate_Animation`` (same frames, ``interval = dt ·
  slowdown_factor``; frame ``k`` shows the spikes of frame ``k``). Its figure holds one cheap
  artist (:class:`~cleo_player.mpl_frames.FrameArtist`), so matplotlib's own ``save`` /
  ``to_html5_video`` / ``to_jshtml`` are fast too.
* :func:`to_html5_video` / :func:`save`: the same pictures, drawn once per frame on an Agg
  canvas and piped as raw RGBA straight into the ffmpeg of ``imageio-ffmpeg``.
"""

from __future__ import annotations

import base64
import contextlib
import functools
import logging
import shutil
import subprocess
import tempfile
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterator, Optional, Union

import matplotlib as mpl
import numpy as np
from matplotlib.animation import FuncAnimation

from cleo_player.mpl_frames import PYPLOT_ONLY_FIGARGS, FrameArtist, SceneFrames
from cleo_player.scene import Scene, validate_plotargs

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from cleo_player.recorder import Recorder

_log = logging.getLogger(__name__)

MAX_GIF_FPS = 50.0  # GIF delays are in 1/100 s and players slow down anything under 2/100 s
PROGRESS_MIN_FRAMES = 50  # show a progress bar (progress=None) from this many frames on

# ffmpeg output arguments per container: (encoder, extra output arguments)
_EVEN = "pad=ceil(iw/2)*2:ceil(ih/2)*2"  # yuv420p needs even width and height
FORMATS: dict[str, tuple[str, list[str]]] = {
    ".mp4": ("libx264", ["-pix_fmt", "yuv420p", "-vf", _EVEN, "-movflags", "+faststart"]),
    ".webm": (
        "libvpx-vp9",
        ["-pix_fmt", "yuv420p", "-vf", _EVEN, "-b:v", "0", "-crf", "32",
         "-deadline", "realtime", "-cpu-used", "8", "-row-mt", "1"],
    ),
    ".gif": ("gif", ["-filter_complex", "split[a][b];[a]palettegen[p];[b][p]paletteuse", "-loop", "0"]),
}

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

    def __init__(self, fig: Figure, frames: SceneFrames, interval: float, **kwargs: Any) -> None:
        self.fig = fig
        self.scene_frames = frames
        self.frame_artist = FrameArtist(frames, reuse_last=True)
        fig.add_artist(self.frame_artist)
        kwargs.setdefault("blit", False)
        super().__init__(fig, self._update, frames=range(frames.n_frames), interval=interval, **kwargs)

    def _update(self, k: int) -> list[FrameArtist]:
        self.frame_artist.frame = k
        return [self.frame_artist]

    def save(self, *args: Any, **kwargs: Any) -> None:
        with _matplotlib_ffmpeg():
            return super().save(*args, **kwargs)

    def to_html5_video(self, embed_limit: Optional[float] = None) -> str:
        with _matplotlib_ffmpeg():
            return super().to_html5_video(embed_limit)


def to_animation(scene: Scene, slowdown_factor: float = 10, **figargs: Any) -> SceneAnimation:
    """A cleo-compatible ``FuncAnimation`` of ``scene`` (one frame per recorded frame,
    ``interval = dt · slowdown_factor``). ``figargs`` go to ``plt.figure`` (e.g. ``figsize``).

    The 3D axes the frames are drawn from are ``ani.scene_frames.ax``; changing them (e.g.
    ``view_init``) before saving changes the video.
    """
    import matplotlib.pyplot as plt

    _check_frames(scene)
    interval = interval_ms(scene, slowdown_factor)
    fig = plt.figure(**figargs)
    frames = SceneFrames(scene, **_figure_kwargs(figargs, fig))
    return SceneAnimation(fig, frames, interval)


def animation_for_recorder(
    rec: Recorder, plotargs: dict, slowdown_factor: float = 10, **figargs: Any
) -> SceneAnimation:
    """``Recorder.generate_Animation``: like ``VideoVisualizer.generate_Animation``, and sets
    ``rec.fig`` / ``rec.ax`` (the animation's figure and the 3D axes drawn from)."""
    plotargs = validate_plotargs(dict(plotargs))
    scene = Scene.from_recorder(rec, **plotargs)
    ani = to_animation(scene, slowdown_factor=slowdown_factor, **figargs)
    rec.fig, rec.ax = ani.fig, ani.scene_frames.ax
    return ani


def interval_ms(scene: Scene, slowdown_factor: float) -> float:
    """Milliseconds between frames: the frame length times the slowdown factor."""
    if not slowdown_factor > 0:
        raise ValueError(f"slowdown_factor must be positive, got {slowdown_factor!r}.")
    return scene.recording.dt * 1e3 * float(slowdown_factor)


# --- direct rendering -----------------------------------------------------------------------
class FrameRenderer:
    """Draws the frames of a Scene on an offscreen Agg canvas (no pyplot figure)."""

    def __init__(self, scene: Scene, dpi: Optional[float] = None, **figargs: Any) -> None:
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

    @property
    def size(self) -> tuple[int, int]:
        """(width, height) in pixels."""
        w, h = self.canvas.get_width_height(physical=True)
        return int(w), int(h)

    def draw(self, k: int) -> memoryview:
        """Frame ``k`` as the canvas's RGBA buffer (valid until the next draw)."""
        self.artist.frame = k
        self.canvas.draw()
        return self.canvas.buffer_rgba()

    def frame(self, k: int) -> np.ndarray:
        """Frame ``k`` as an (height, width, 4) uint8 array (a copy)."""
        return np.asarray(self.draw(k)).copy()


def render_frame(scene: Scene, k: int, **figargs: Any) -> np.ndarray:
    """One frame as an (height, width, 4) RGBA array, e.g. to save as a PNG."""
    _check_frames(scene)
    return FrameRenderer(scene, **figargs).frame(k)


def to_html5_video(
    scene: Scene,
    slowdown_factor: float = 10,
    *,
    embed_limit: Optional[float] = None,
    progress: Optional[bool] = None,
    **figargs: Any,
) -> str:
    """An HTML5 ``<video>`` tag with the h264 mp4 inlined (base64), like
    ``FuncAnimation.to_html5_video()``, rendered with the fast direct path.

    Returns ``"Video too large to embed."`` (with a warning) above ``embed_limit`` MB
    (default ``rcParams["animation.embed_limit"]``), as matplotlib does.
    """
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp, "video.mp4")
        width, height = _write_video(scene, path, slowdown_factor, progress=progress, **figargs)
        width, height = width + width % 2, height + height % 2  # padded to even, for yuv420p
        data = path.read_bytes()
    vid64 = base64.encodebytes(data)
    limit = embed_limit if embed_limit is not None else mpl.rcParams["animation.embed_limit"]
    if len(vid64) >= limit * 1024 * 1024:
        _log.warning(
            "Animation movie is %s bytes, exceeding the limit of %s MB. Set embed_limit (or the "
            "animation.embed_limit rc parameter) higher, or save to a file with save().",
            len(vid64), limit,
        )
        return "Video too large to embed."
    return _VIDEO_TAG.format(
        video=vid64.decode("ascii"), size=f'width="{width}" height="{height}"', options="controls autoplay loop"
    )


def save(
    scene: Scene,
    path: Union[str, Path],
    slowdown_factor: float = 10,
    *,
    fps: Optional[float] = None,
    dpi: Optional[float] = None,
    progress: Optional[bool] = None,
    **figargs: Any,
) -> Path:
    """Write ``scene`` as ``.mp4`` (h264), ``.webm`` (VP9) or ``.gif``.

    ``fps`` defaults to ``1 / (dt · slowdown_factor)`` (cleo's speed); ``dpi`` and ``figargs``
    (e.g. ``figsize``) set the picture size; ``progress`` shows a progress bar (default: from
    50 frames on). ffmpeg comes from ``imageio-ffmpeg``.
    """
    path = Path(path)
    _write_video(scene, path, slowdown_factor, fps=fps, dpi=dpi, progress=progress, **figargs)
    return path


def _write_video(
    scene: Scene,
    path: Path,
    slowdown_factor: float,
    *,
    fps: Optional[float] = None,
    dpi: Optional[float] = None,
    progress: Optional[bool] = None,
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
    if not fps > 0:
        raise ValueError(f"fps must be positive, got {fps!r}.")
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
    renderer = FrameRenderer(scene, dpi=dpi, **figargs)
    n = renderer.frames.n_frames
    width, height = renderer.size
    path.parent.mkdir(parents=True, exist_ok=True)
    with _FFmpegPipe(exe, path, (width, height), fps, codec, out_args) as pipe:
        for k in _progress(range(n), progress, desc=f"{path.name}"):
            pipe.write(renderer.draw(k))
    return width, height


def iter_frames(scene: Scene, **figargs: Any) -> Iterator[np.ndarray]:
    """Every frame as an RGBA array, in order (each a copy)."""
    _check_frames(scene)
    renderer = FrameRenderer(scene, **figargs)
    for k in range(renderer.frames.n_frames):
        yield np.asarray(renderer.draw(k)).copy()


# --- ffmpeg ---------------------------------------------------------------------------------
def ffmpeg_exe() -> str:
    """The ffmpeg executable of ``imageio-ffmpeg``, or a clear error."""
    try:
        import imageio_ffmpeg
    except ImportError as err:
        raise RuntimeError(
            "Video export needs ffmpeg, which cleo-player takes from the imageio-ffmpeg package; "
            "install it with `pip install imageio-ffmpeg`."
        ) from err
    try:
        return imageio_ffmpeg.get_ffmpeg_exe()
    except RuntimeError as err:
        raise RuntimeError(
            "No ffmpeg found for video export: imageio-ffmpeg has no ffmpeg binary for this "
            "platform. Reinstall it (`pip install --force-reinstall imageio-ffmpeg`) or point the "
            f"IMAGEIO_FFMPEG_EXE environment variable to an ffmpeg executable. ({err})"
        ) from err


@functools.lru_cache(maxsize=8)
def _encoders(exe: str) -> str:
    out = subprocess.run([exe, "-hide_banner", "-encoders"], capture_output=True, text=True, check=False)
    return out.stdout


def _check_encoder(exe: str, codec: str) -> None:
    if f" {codec} " not in _encoders(exe):
        raise RuntimeError(
            f"The ffmpeg at {exe} has no {codec!r} encoder, needed for this format. "
            "Save another format (.mp4, .gif, .webm) or use an ffmpeg build that has it "
            "(IMAGEIO_FFMPEG_EXE)."
        )


class _FFmpegPipe:
    """An ffmpeg process reading raw RGBA frames on stdin and writing ``path``; on failure
    it removes the partial file and says why (e.g. an encoder missing from the build)."""

    def __init__(
        self, exe: str, path: Path, size: tuple[int, int], fps: float, codec: str, out_args: list[str]
    ) -> None:
        from fractions import Fraction

        rate = str(Fraction(fps).limit_denominator(1000))
        self.exe, self.codec, self.path = exe, codec, path
        self.cmd = [
            exe, "-y", "-loglevel", "error",
            "-f", "rawvideo", "-pix_fmt", "rgba", "-s", f"{size[0]}x{size[1]}", "-r", rate, "-i", "-",
            "-an", "-c:v", codec, *out_args, str(path),
        ]  # fmt: skip

    def __enter__(self) -> _FFmpegPipe:
        self._stderr = tempfile.TemporaryFile()
        self.proc = subprocess.Popen(self.cmd, stdin=subprocess.PIPE, stderr=self._stderr)
        return self

    def write(self, frame: Union[bytes, memoryview]) -> None:
        try:
            self.proc.stdin.write(frame)
        except BrokenPipeError:
            self._fail("stopped")

    def __exit__(self, exc_type: Any, *exc: Any) -> None:
        with contextlib.suppress(BrokenPipeError):
            self.proc.stdin.close()
        code = self.proc.wait()
        if exc_type is not None:
            self._cleanup()
        elif code != 0:
            self._fail(f"failed ({code})")
        else:
            self._stderr.close()

    def _fail(self, what: str) -> None:
        self.proc.wait()
        self._stderr.seek(0)
        text = self._stderr.read().decode(errors="replace").strip()
        self._cleanup()
        _check_encoder(self.exe, self.codec)
        raise RuntimeError(f"ffmpeg {what} writing {self.path.name}:\n{text}")

    def _cleanup(self) -> None:
        self._stderr.close()
        with contextlib.suppress(OSError):
            self.path.unlink()


@contextlib.contextmanager
def _matplotlib_ffmpeg() -> Iterator[None]:
    """Point matplotlib at imageio-ffmpeg's ffmpeg when it would not find one itself."""
    configured = mpl.rcParams["animation.ffmpeg_path"]
    if shutil.which(configured):
        yield
        return
    try:
        exe = ffmpeg_exe()
    except RuntimeError:
        yield  # matplotlib will explain that its writer is unavailable
        return
    with mpl.rc_context({"animation.ffmpeg_path": exe}):
        yield


# --- helpers --------------------------------------------------------------------------------
def _check_frames(scene: Scene) -> None:
    if scene.recording.n_frames == 0:
        raise ValueError(
            "The recording has no frames: run the simulation (sim.run(...)) with the Recorder "
            "injected before making a video."
        )


def _figure_kwargs(figargs: dict, fig: Optional[Figure] = None) -> dict:
    """``Figure`` keyword arguments from ``plt.figure`` ones (and the figure's actual size)."""
    kwargs = {k: v for k, v in figargs.items() if k not in PYPLOT_ONLY_FIGARGS}
    if fig is not None:
        kwargs["figsize"] = tuple(fig.get_size_inches())
        kwargs["dpi"] = fig.dpi
    return kwargs


def _progress(frames: range, progress: Optional[bool], desc: str) -> Any:
    show = len(frames) >= PROGRESS_MIN_FRAMES if progress is None else bool(progress)
    if not show:
        return frames
    from tqdm.auto import tqdm

    return tqdm(frames, desc=desc, unit="frame", leave=False)
