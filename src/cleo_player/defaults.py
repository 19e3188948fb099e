"""Defaults shared by the Player, the video fallback and their signatures (defined once)."""

from __future__ import annotations

SLOWDOWN_FACTOR = 10.0
"""Simulated time runs this many times slower than real time (cleo's ``generate_Animation``)."""
SPEED = 1 / SLOWDOWN_FACTOR
"""The Player's playback rate relative to real time: the same pace as the video."""
LOOP = "loop"
"""What playback does at the end: one of :data:`LOOP_MODES`."""
LOOP_MODES = ("loop", "once", "pingpong")
HEIGHT = 480
"""Height of the Player's 3D view, CSS pixels."""
DECAY_FRAMES = 4
"""A spike's flash fades over this many frames unless ``decay`` is given."""
LIVE_INTERVAL = 0.15
"""Seconds between two messages of new frames while ``player.run`` runs."""
WINDOW_THRESHOLD = 64 * 2**20
"""Bytes of spike data above which the browser holds a window of frames, fetched from the kernel."""
WINDOW_CHUNK = 2 * 2**20
"""Bytes of spike data per chunk of frames the browser fetches (a frame is never split)."""
WINDOW_BUDGET = 32 * 2**20
"""Bytes of spike data the browser holds at most (at least four of the largest chunks)."""
