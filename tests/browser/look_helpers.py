"""Helpers of the look tests: saved pages of the tutorial-like scenes opened at a given width,
the view's geometry as drawn (box corners, label boxes, legend, on the canvas), and colour
measures that compare our canvas with matplotlib's picture of the same scene."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from browser_helpers import BACKGROUND, canvas_rgb, view_eval, wait_for_render

ROOT = "#cleo-player-root"
PAGE_PADDING = 16  # the standalone page's body padding, each side

# The view's geometry as last rendered: canvas size (CSS px), the box's corners and the
# visible labels' boxes on the canvas, the legend's box, the camera's distance to its target.
GEOMETRY = """(v) => {
  v.render();
  const el = v.renderer.domElement;
  const W = el.clientWidth, H = el.clientHeight;
  v.scene.updateMatrixWorld(); v.camera.updateMatrixWorld();
  const m = v.camera.projectionMatrix.clone().multiply(v.camera.matrixWorldInverse).multiply(v.content.matrixWorld);
  const corners = v.axes.corners().map((c) => {
    const p = c.clone().applyMatrix4(m);
    return [(p.x + 1) / 2 * W, (1 - p.y) / 2 * H];
  });
  const labels = v.axes.placement.labels.filter((l) => l.rect)
    .map((l) => [l.rect.left, l.rect.top, l.rect.right, l.rect.bottom, l.index]);
  const c = el.getBoundingClientRect(), g = v.legend.el.getBoundingClientRect();
  const legend = v.legend.el.offsetWidth
    ? [g.left - c.left, g.top - c.top, g.right - c.left, g.bottom - c.top] : null;
  return { W, H, corners, labels, legend, distance: v.camera.position.distanceTo(v.orbit.target),
           userMoved: v.userMoved,
           edges: v.axes.placement.edges.map((e) => e.map((x) => (Number.isNaN(x) ? null : x))),
           titles: v.axes.axes.map((a) => a.title) };
}"""


@dataclass
class Geometry:
    width: float
    height: float
    corners: np.ndarray  # (8, 2) CSS px
    labels: np.ndarray  # (n, 5): left, top, right, bottom, label index
    legend: tuple[float, float, float, float] | None
    distance: float
    user_moved: bool
    edges: list  # per axis: the fixed coordinates of its edge (None for its own)
    titles: list[int]

    def bounds(self) -> tuple[float, float, float, float]:
        """left, top, right, bottom of everything framed: corners and labels."""
        xs = np.concatenate([self.corners[:, 0], self.labels[:, 0], self.labels[:, 2]])
        ys = np.concatenate([self.corners[:, 1], self.labels[:, 1], self.labels[:, 3]])
        return float(xs.min()), float(ys.min()), float(xs.max()), float(ys.max())


def geometry(page: Any, sel: str = ROOT) -> Geometry:
    g = view_eval(page, sel, GEOMETRY)
    labels = np.asarray(g["labels"], dtype=float).reshape(-1, 5)
    return Geometry(
        g["W"], g["H"], np.asarray(g["corners"], dtype=float), labels,
        tuple(g["legend"]) if g["legend"] else None, g["distance"], g["userMoved"], g["edges"], g["titles"],
    )  # fmt: skip


def open_page(new_page: Any, path: Path, width: int, height: int = 760) -> Any:
    """The saved page in a viewport whose player is ``width`` CSS px wide."""
    lp = new_page(viewport={"width": width + 2 * PAGE_PADDING, "height": height})
    lp.page.goto(path.as_uri())
    wait_for_render(lp.page, ROOT)
    return lp


def set_view(page: Any, azim: float, elev: float, sel: str = ROOT) -> None:
    """Turn the camera about its target to mplot3d's (azim, elev), keeping its distance."""
    view_eval(
        page,
        sel,
        """(v, [az, el]) => { const a = az * Math.PI / 180, e = el * Math.PI / 180;
          const d = v.camera.position.distanceTo(v.orbit.target);
          const dir = [Math.cos(e) * Math.cos(a), Math.cos(e) * Math.sin(a), Math.sin(e)];
          v.camera.position.set(...dir).multiplyScalar(d).add(v.orbit.target);
          v.orbit.update(); v.render(); }""",
        [azim, elev],
    )


def rects_overlap(a: np.ndarray, b: np.ndarray) -> bool:
    return bool(a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3])


# --- colours ------------------------------------------------------------------------------------
def strength(rgb: np.ndarray, color: np.ndarray, background: np.ndarray) -> np.ndarray:
    """How far each pixel lies from ``background`` towards ``color`` (0 = background, 1 = the
    colour itself): the alpha a light of that colour would need to paint it, on either
    renderer's background (dark here, white in matplotlib)."""
    d = color.astype(float) - background.astype(float)
    return ((rgb.astype(float) - background.astype(float)) @ d) / float(d @ d)


def off_line(rgb: np.ndarray, color: np.ndarray, background: np.ndarray) -> np.ndarray:
    """Each pixel's distance (0-255 units) from the line between ``background`` and ``color``:
    small for pixels that are that light over the background, large for other colours."""
    a = np.clip(strength(rgb, color, background), 0, 1)[..., None]
    mix = background.astype(float) + a * (color.astype(float) - background.astype(float))
    return np.linalg.norm(rgb.astype(float) - mix, axis=-1)


def light_core(rgb: np.ndarray, color: np.ndarray, background: np.ndarray, level: float = 0.85) -> np.ndarray:
    """Mask of pixels painted at least ``level`` of the way to the light's colour (and of that
    colour: within 40 of the background-to-colour line)."""
    return (strength(rgb, color, background) >= level) & (off_line(rgb, color, background) < 40)


def canvas(page: Any, sel: str = ROOT) -> np.ndarray:
    return canvas_rgb(page, sel)


DARK = BACKGROUND.astype(float)
WHITE = np.array([255.0, 255.0, 255.0])
