"""Live streaming: while a run goes on, send the frames closed since the last message.

:class:`LiveStream` is told after every captured frame; it throttles that to a message every
``interval`` seconds and sends each closed frame once (frame ``k`` is closed when frame ``k + 1``
has started). It knows neither the Player nor the Recorder: it gets a function returning the
frames closed since a given frame, an encoder and a ``send`` function.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from cleo_player.defaults import LIVE_INTERVAL
from cleo_player.recording import FrameSpan

Message = tuple[dict[str, Any], list[bytes]]


class LiveStream:
    """Sends new closed frames, at most every ``interval`` seconds (and on :meth:`flush`)."""

    def __init__(
        self,
        frames_since: Callable[[int], FrameSpan],
        encode: Callable[[FrameSpan], Message],
        send: Callable[[dict[str, Any], list[bytes]], None],
        *,
        first: int = 0,
        interval: float = LIVE_INTERVAL,
    ) -> None:
        self.frames_since = frames_since
        self.encode = encode
        self.send = send
        self.sent_frames = first
        self.interval = interval
        self.last_send = 0.0
        self.messages = 0

    def __call__(self, *_: Any) -> None:
        """A frame was captured: send what is new if ``interval`` has passed."""
        if time.monotonic() - self.last_send >= self.interval:
            self.flush()

    def flush(self) -> None:
        """Send every frame closed since the last message (nothing if none)."""
        span = self.frames_since(self.sent_frames)
        if span.n_frames == 0:
            return
        self.send(*self.encode(span))
        self.sent_frames = span.first + span.n_frames
        self.last_send = time.monotonic()
        self.messages += 1
