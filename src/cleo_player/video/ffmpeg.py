"""ffmpeg for the video fallback: the binary of ``imageio-ffmpeg``, and a pipe that encodes raw
RGBA frames into ``.mp4`` (h264), ``.webm`` (VP9) or ``.gif``.
"""

from __future__ import annotations

import contextlib
import functools
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, cast

import matplotlib as mpl
import numpy as np

if TYPE_CHECKING:
    from types import TracebackType

    from typing_extensions import Self

MAX_GIF_FPS = 50.0  # GIF delays are in 1/100 s and players slow down anything under 2/100 s

# x264's veryfast preset: about 40 % less encoding work than its default (medium) at the same
# quality (crf 23), and no larger for these mostly still pictures
H264_SPEED = ("-preset", "veryfast")
# ffmpeg output arguments per container: (encoder, extra output arguments)
_EVEN = "pad=ceil(iw/2)*2:ceil(ih/2)*2"  # yuv420p needs even width and height
FORMATS: dict[str, tuple[str, list[str]]] = {
    ".mp4": ("libx264", [*H264_SPEED, "-pix_fmt", "yuv420p", "-vf", _EVEN, "-movflags", "+faststart"]),
    ".webm": (
        "libvpx-vp9",
        [
            "-pix_fmt",
            "yuv420p",
            "-vf",
            _EVEN,
            "-b:v",
            "0",
            "-crf",
            "32",
            "-deadline",
            "realtime",
            "-cpu-used",
            "8",
            "-row-mt",
            "1",
        ],
    ),
    ".gif": ("gif", ["-filter_complex", "split[a][b];[a]palettegen[p];[b][p]paletteuse", "-loop", "0"]),
}


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
        exe: str = imageio_ffmpeg.get_ffmpeg_exe()
    except RuntimeError as err:
        raise RuntimeError(
            "No ffmpeg found for video export: imageio-ffmpeg has no ffmpeg binary for this "
            "platform. Reinstall it (`pip install --force-reinstall imageio-ffmpeg`) or point the "
            f"IMAGEIO_FFMPEG_EXE environment variable to an ffmpeg executable. ({err})"
        ) from err
    return exe


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


class FFmpegPipe:
    """An ffmpeg process reading raw RGBA frames on stdin and writing ``path``; on failure
    it removes the partial file and says why (e.g. an encoder missing from the build).
    """

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

    def __enter__(self) -> Self:
        self._stderr = tempfile.TemporaryFile()
        self.proc = subprocess.Popen(self.cmd, stdin=subprocess.PIPE, stderr=self._stderr)
        self._stdin = cast("IO[bytes]", self.proc.stdin)  # a pipe: never None
        return self

    def write(self, frame: bytes | memoryview | np.ndarray) -> None:
        """Encode one frame (raw RGBA, ``size`` pixels)."""
        try:
            self._stdin.write(frame.tobytes() if isinstance(frame, np.ndarray) else frame)
        except BrokenPipeError:
            self._fail("stopped")

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        with contextlib.suppress(BrokenPipeError):
            self._stdin.close()
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
def matplotlib_ffmpeg(fast_h264: bool = False) -> Iterator[None]:
    """Point matplotlib at imageio-ffmpeg's ffmpeg when it would not find one itself; with
    ``fast_h264``, encode with x264's veryfast preset (as our own export does) unless
    ``rcParams["animation.ffmpeg_args"]`` says otherwise.
    """
    rc: dict[str, Any] = {}
    if fast_h264 and not mpl.rcParams["animation.ffmpeg_args"]:
        rc["animation.ffmpeg_args"] = list(H264_SPEED)
    if not shutil.which(mpl.rcParams["animation.ffmpeg_path"]):
        with contextlib.suppress(RuntimeError):  # else matplotlib explains that its writer is unavailable
            rc["animation.ffmpeg_path"] = ffmpeg_exe()
    with mpl.rc_context(rc):  # type: ignore[arg-type]  # keys checked by matplotlib
        yield
