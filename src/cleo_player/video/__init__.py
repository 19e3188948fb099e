"""The matplotlib fallback: cleo's picture of a Scene as animations and video files.

:mod:`~cleo_player.video.draw` draws a Scene on mplot3d axes as ``cleo.viz.plot`` does;
:mod:`~cleo_player.video.frames` renders its static parts once and composites what changes per
frame; :mod:`~cleo_player.video.animation` turns those frames into a ``FuncAnimation`` or, through
:mod:`~cleo_player.video.ffmpeg`, into an mp4 / webm / gif.
"""

from cleo_player.video.animation import (
    FrameRenderer,
    SceneAnimation,
    interval_ms,
    iter_frames,
    render_frame,
    save,
    still_png,
    to_animation,
    to_html5_video,
)
from cleo_player.video.ffmpeg import ffmpeg_exe

__all__ = [
    "FrameRenderer",
    "SceneAnimation",
    "ffmpeg_exe",
    "interval_ms",
    "iter_frames",
    "render_frame",
    "save",
    "still_png",
    "to_animation",
    "to_html5_video",
]
