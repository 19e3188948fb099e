"""Helpers for the timeline's browser tests: read its canvases, state and geometry in a page,
and the pictures Python expects of them (``cleo_player.video.timeline.raster_rgba``)."""

from __future__ import annotations

import base64
import io
from typing import Any

import numpy as np
from browser_helpers import view_eval
from PIL import Image

TIMELINE = ".cleo-timeline"


def canvas_rgba(page: Any, selector: str, canvas: str, nth: int = 0) -> np.ndarray:
    """The pixels a timeline canvas holds (``raster``, ``marks`` or ``traces``), RGBA, exact
    (PNG of the canvas: lossless for the opaque and the empty pixels the raster has)."""
    url = page.evaluate(
        "([sel, cls, nth]) => document.querySelectorAll(sel)[nth]"
        ".querySelector('canvas.cleo-timeline-' + cls).toDataURL('image/png')",
        [selector, canvas, nth],
    )
    assert url.startswith("data:image/png;base64,"), url[:60]
    return np.asarray(Image.open(io.BytesIO(base64.b64decode(url.split(",", 1)[1]))).convert("RGBA"))


def state(page: Any, selector: str, nth: int = 0) -> dict:
    """What the timeline shows: frame of its playhead, the playhead's x (CSS px, from its
    transform) and visibility, time range, size, zoom, counters."""
    return view_eval(
        page,
        selector,
        """(v) => {
          const t = v.timeline, el = t.el, ph = el.querySelector('.cleo-timeline-playhead');
          const m = /translateX\\(([-0-9.e]+)px\\)/.exec(ph.style.transform || '');
          return { frame: Number(el.dataset.frame), viewFrame: Number(v.root.dataset.frame),
                   pbFrame: v.pb.frame, x: m ? Number(m[1]) : null,
                   playhead: getComputedStyle(ph).visibility, range: t.range(),
                   width: el.clientWidth, height: el.clientHeight, zoomed: el.dataset.zoomed === 'true',
                   redraws: t.redraws, appends: t.appends, display: getComputedStyle(el).display };
        }""",
        nth=nth,
    )


def group_colors(scene: Any) -> list[tuple[float, float, float]]:
    return [g.color for g in scene.groups]


def nearest_frame(starts_ms: np.ndarray, t: float) -> int:
    """The frame whose start is nearest ``t`` (ties to the earlier one)."""
    d = np.abs(starts_ms - t)
    return int(np.flatnonzero(d == d.min())[0])


def box(page: Any, selector: str, nth: int = 0) -> dict:
    loc = page.locator(f"{selector} {TIMELINE}").nth(nth)
    loc.scroll_into_view_if_needed()
    b = loc.bounding_box()
    assert b is not None
    return b


def sample_playback(page: Any, selector: str, min_frames: int = 12, nth: int = 0) -> list[list]:
    """Play from frame 0 and, between animation frames (every 7 ms, at least 1.5 s and until
    ``min_frames`` frames were drawn, at most 15 s), record ``[playhead frame, 3D view frame,
    playhead x]``; then pause."""
    return view_eval(
        page,
        selector,
        """async (v, minFrames) => {
          const el = v.timeline.el, root = v.root, ph = el.querySelector('.cleo-timeline-playhead');
          v.pb.seek(0);
          v.pb.play();
          const out = [], distinct = new Set(), t0 = performance.now();
          await new Promise((done) => {
            const id = setInterval(() => {
              const m = /translateX\\(([-0-9.e]+)px\\)/.exec(ph.style.transform);
              out.push([Number(el.dataset.frame), Number(root.dataset.frame), m ? Number(m[1]) : null]);
              distinct.add(Number(el.dataset.frame));
              const t = performance.now() - t0;
              if ((distinct.size >= minFrames && t > 1500) || t > 15000) { clearInterval(id); done(); }
            }, 7);
          });
          v.pb.pause();
          return out;
        }""",
        min_frames,
        nth=nth,
    )


def check_playhead_samples(samples: list[list], width: float, n_frames: int, min_frames: int = 12) -> None:
    """The samples of :func:`sample_playback`: playback moved; the playhead always showed the
    frame the 3D view showed, at that frame's start on the time axis."""
    frames = [f for f, _, _ in samples]
    assert len(set(frames)) >= min_frames, f"playback hardly moved: {sorted(set(frames))}"
    mismatched = [(f, v) for f, v, _ in samples if f != v]
    assert not mismatched, f"the playhead and the 3D view showed different frames: {mismatched[:10]}"
    bad = [(f, x) for f, _, x in samples if x is None or abs(x - f / n_frames * width) > 1e-6]
    assert not bad, f"playhead not at its frame's time: {bad[:10]}"
