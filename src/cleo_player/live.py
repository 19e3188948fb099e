"""Live streaming: send only the frames recorded since the last message while a run goes on.

The Recorder calls its listeners after every captured frame; :class:`LiveStream` throttles that
to a few messages per second and sends each *closed* frame once (frame ``k`` is closed when
frame ``k + 1`` has started), as a custom widget message with binary buffers. After the run
the Player sends the full recording as ordinary widget state (so saved notebooks hold it all).
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

import numpy as np

from cleo_player.recording import frame_index

if TYPE_CHECKING:
    from cleo_player.player import Player
    from cleo_player.recorder import Recorder


class LiveStream:
    """Sends a player's new frames to the browser, at most every ``interval`` seconds."""

    def __init__(self, player: Player, interval: float = 0.15) -> None:
        self.player = player
        self.interval = interval
        rec = player.recorder
        self.sent_frames = player.recording.n_frames
        # per group: (chunk index, offset in that chunk) of the first spike not yet sent
        self.cursor = [_cursor_at(chunks, g.n_spikes) for chunks, g in zip(rec._spike_i, player.recording.groups)]
        self.offsets = np.cumsum([0] + [len(ng) for ng in rec.neuron_groups])[:-1]
        self.n_channels = int(player._meta.get("n_channels", 0))
        self.index_dtype = np.uint16 if player._meta.get("index_bytes", 4) == 2 else np.uint32
        self.last_send = 0.0
        self.messages = 0

    def __call__(self, rec: Recorder) -> None:
        now = time.monotonic()
        if now - self.last_send >= self.interval:
            self.flush()

    def flush(self) -> None:
        """Send every frame closed since the last message (nothing if none)."""
        rec = self.player.recorder
        n_closed = len(rec._frame_t) - 1  # the last frame is still filling
        if n_closed <= self.sent_frames:
            return
        rec._read_new_spikes()
        frame_t = np.asarray(rec._frame_t[: n_closed + 1], dtype=np.float64)
        new_t = frame_t[self.sent_frames : n_closed]
        t_close = frame_t[n_closed]
        step = float(rec.dt / _second())
        counts = np.zeros(n_closed - self.sent_frames, dtype=np.int64)
        idx_parts: list[np.ndarray] = []
        frame_parts: list[np.ndarray] = []
        for k in range(len(rec.neuron_groups)):
            i_new, t_new = _take_before(rec, k, self.cursor, t_close - 1e-6 * step)
            frames = frame_index(frame_t[:n_closed], t_new, step) - self.sent_frames
            frames = np.clip(frames, 0, len(counts) - 1)
            counts += np.bincount(frames, minlength=len(counts))
            idx_parts.append(i_new.astype(np.int64) + int(self.offsets[k]))
            frame_parts.append(frames)
        frames_all = np.concatenate(frame_parts) if frame_parts else np.zeros(0, np.int64)
        idx_all = np.concatenate(idx_parts) if idx_parts else np.zeros(0, np.int64)
        order = np.argsort(frames_all, kind="stable")
        idx_sorted = idx_all[order].astype(self.index_dtype)
        values = np.zeros((len(counts), self.n_channels), dtype=np.float32)
        col = 0
        entries = rec._entries if rec._entries is not None else rec.device_entries
        for j, _ in enumerate(entries):
            rows = [frame[j] for frame in rec._values[self.sent_frames : n_closed]]
            if not rows or all(r is None for r in rows):
                continue
            width = max(r.size for r in rows if r is not None)
            for f, r in enumerate(rows):
                if r is not None:
                    values[f, col : col + min(width, self.n_channels - col)] = r[: self.n_channels - col]
            col += width
        msg: dict[str, Any] = {
            "type": "append",
            "first_frame": self.sent_frames,
            "n_frames": n_closed,
            "t_end_ms": float(t_close * 1e3),
        }
        buffers = [
            counts.astype(np.uint32).tobytes(),
            idx_sorted.tobytes(),
            values.tobytes(),
            (new_t * 1e3).astype(np.float64).tobytes(),
        ]
        self.player.send(msg, buffers)
        self.player._n_frames_live = n_closed
        self.sent_frames = n_closed
        self.last_send = time.monotonic()
        self.messages += 1


def _second() -> Any:
    from brian2 import second

    return second


def _cursor_at(chunks: list[np.ndarray], n: int) -> tuple[int, int]:
    """The (chunk, offset) position of the n-th element of a list of chunks."""
    seen = 0
    for ci, c in enumerate(chunks):
        if seen + len(c) > n:
            return ci, n - seen
        seen += len(c)
    return len(chunks), 0


def _take_before(rec: Recorder, k: int, cursors: list[tuple[int, int]], t_stop: float) -> tuple[np.ndarray, np.ndarray]:
    """Group k's spikes from its cursor up to (not including) time t_stop; moves the cursor.
    Only chunks after the cursor are touched, so a long run costs O(new spikes) per message."""
    ci, off = cursors[k]
    i_out, t_out = [], []
    chunks_i, chunks_t = rec._spike_i[k], rec._spike_t[k]
    while ci < len(chunks_t):
        ct = chunks_t[ci][off:]
        n_take = int(np.searchsorted(ct, t_stop, side="left"))
        i_out.append(chunks_i[ci][off : off + n_take])
        t_out.append(ct[:n_take])
        if n_take < len(ct):
            off += n_take
            break
        ci, off = ci + 1, 0
    cursors[k] = (ci, off)
    if not i_out:
        return np.zeros(0, np.uint32), np.zeros(0, np.float64)
    return np.concatenate(i_out), np.concatenate(t_out)
