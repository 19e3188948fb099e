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
