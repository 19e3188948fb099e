"""Helpers of the look tests: saved pages of the tutorial-like scenes opened at a given width,
the view's geometry as drawn (box corners, label boxes, legend, on the canvas), and colour
measures that compare our canvas with matplotlib's picture of the same scene."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from browser_helpers import canvas_rgb, view_eval, wait_for_render

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
def hue_chroma(rgb: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Hue (degrees) and chroma (max - min, 0-255) of each pixel."""
    x = np.asarray(rgb, dtype=float)
    r, g, b = x[..., 0], x[..., 1], x[..., 2]
    mx, mn = x.max(-1), x.min(-1)
    c = mx - mn
    safe = np.where(c > 0, c, 1.0)
    h = np.where(mx == r, ((g - b) / safe) % 6.0, np.where(mx == g, (b - r) / safe + 2.0, (r - g) / safe + 4.0)) * 60.0
    return np.where(c > 0, h, np.nan), c


def light_level(rgb: np.ndarray, color: np.ndarray, hue_tol: float = 20.0) -> np.ndarray:
    """How strongly each pixel shows a light of ``color`` (RGB 0-255): its chroma over the
    colour's, for pixels of the colour's hue (else 0). A light blended over a grey background
    at alpha a has level a, whether the background is our dark one or matplotlib's white, so
    the two renderers' pictures compare directly; a light washed out towards white has a low
    level, one brightened past its colour a level above 1."""
    h, c = hue_chroma(rgb)
    h0, c0 = hue_chroma(np.asarray(color, dtype=float)[None])
    dh = np.abs((h - h0[0] + 180.0) % 360.0 - 180.0)
    return np.where(dh <= hue_tol, c / c0[0], 0.0)


def hull_points(points: np.ndarray) -> np.ndarray:
    """The convex hull of 2D points, counter-clockwise (left turns) in their own coordinates."""
    pts = sorted(map(tuple, np.asarray(points, dtype=float)))

    def cross(o: tuple, a: tuple, b: tuple) -> float:
        return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0])

    lower: list = []
    upper: list = []
    for p in pts:
        while len(lower) >= 2 and cross(lower[-2], lower[-1], p) <= 0:
            lower.pop()
        lower.append(p)
    for p in reversed(pts):
        while len(upper) >= 2 and cross(upper[-2], upper[-1], p) <= 0:
            upper.pop()
        upper.append(p)
    return np.asarray(lower[:-1] + upper[:-1])


def hull_area(points: np.ndarray) -> float:
    """Area of the convex hull of 2D points (the box's outline on a picture)."""
    h = hull_points(points)
    x, y = h[:, 0], h[:, 1]
    return float(0.5 * abs(np.dot(x, np.roll(y, -1)) - np.dot(np.roll(x, -1), y)))


def near_hull(shape: tuple[int, int], points: np.ndarray, margin: float) -> np.ndarray:
    """Mask of the pixels (centres) inside the convex hull of ``points`` grown by ``margin`` px."""
    h = hull_points(points)
    ys, xs = np.mgrid[0 : shape[0], 0 : shape[1]] + 0.5
    dist = np.full(shape, -np.inf)
    for a, b in zip(h, np.roll(h, -1, axis=0), strict=True):
        edge = b - a
        normal = np.array([edge[1], -edge[0]]) / np.hypot(*edge)  # outward: the hull turns left
        dist = np.maximum(dist, (xs - a[0]) * normal[0] + (ys - a[1]) * normal[1])
    return dist <= margin


def mpl_picture(player: Any, k: int) -> tuple[np.ndarray, np.ndarray, Any]:
    """matplotlib's picture of frame ``k`` (RGB), the box's corners on it (pixels, y down) and
    the 3D axes it was drawn with."""
    from mpl_toolkits.mplot3d import proj3d

    from cleo_player.video import FrameRenderer

    r = FrameRenderer(player.scene)
    rgb = r.frame(k)[..., :3]
    ax = r.frames.ax
    a = player.scene.axes
    corners = np.array([[x, y, z] for x in a.xlim for y in a.ylim for z in a.zlim])
    xs, ys, _ = proj3d.proj_transform(corners[:, 0], corners[:, 1], corners[:, 2], ax.M)
    disp = ax.transData.transform(np.column_stack([xs, ys]))
    disp[:, 1] = rgb.shape[0] - disp[:, 1]
    return rgb, disp, ax


def canvas(page: Any, sel: str = ROOT) -> np.ndarray:
    return canvas_rgb(page, sel)
