"""A pythreejs ``BufferGeometry`` with a ``color`` attribute (per-vertex colours, sRGB as in
pythreejs) is drawn in those colours, in a ``save_html`` page opened offline, with no page
error (three 0.187 has no ``THREE.SRGBToLinear``: calling it threw ``(void 0) is not a
function`` and nothing was drawn)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pytest
from browser_helpers import assert_stayed_offline, canvas_rgb, open_offline, poll, save_stage, view_eval

if TYPE_CHECKING:
    from pathlib import Path

pytestmark = pytest.mark.browser

ROOT = "#cleo-player-root"
# one flat triangle per colour (each vertex of a triangle the same colour), sRGB 0..1; the last
# one is a mid tone: drawn as 128, 64, 191 only if the colours are converted sRGB -> linear ->
# sRGB (without the conversion it would come out about 188, 137, 225)
COLOURS = {
    "yellow": (1.0, 1.0, 0.0),
    "magenta": (1.0, 0.0, 1.0),
    "green": (0.0, 1.0, 0.0),
    "mid": (128 / 255, 64 / 255, 191 / 255),
}
CENTRES = [(-450.0, 0.0), (-150.0, 0.0), (150.0, 0.0), (450.0, 0.0)]  # x, y in um, inside the box
Z = 300.0
SIDE = 220.0  # um
TOLERANCE = 12  # per channel, 0..255


def triangles() -> tuple[np.ndarray, np.ndarray]:
    """Vertices (12, 3) and their colours (12, 3): one triangle per colour, centred on CENTRES."""
    corners = np.array([[-0.5, -0.4, 0], [0.5, -0.4, 0], [0.0, 0.6, 0]]) * SIDE
    verts = np.concatenate([corners + np.array([x, y, Z]) for x, y in CENTRES]).astype(np.float32)
    colours = np.repeat(np.array(list(COLOURS.values()), np.float32), 3, axis=0)
    return verts, colours


def project(page: Any, points: list[tuple[float, float, float]]) -> np.ndarray:
    """Where points in axis units land on the canvas (drawing-buffer pixels, y down)."""
    xy = view_eval(
        page,
        ROOT,
        """(v, ps) => {
          const M = v.objects.neurons.matrixWorld.elements, V = v.camera.matrixWorldInverse.elements,
                P = v.camera.projectionMatrix.elements;
          const mul = (A, x) => [0, 1, 2, 3].map(
            (r) => A[r] * x[0] + A[4 + r] * x[1] + A[8 + r] * x[2] + A[12 + r] * x[3]);
          const W = v.renderer.domElement.width, H = v.renderer.domElement.height;
          return ps.map((p) => { const c = mul(P, mul(V, mul(M, [p[0], p[1], p[2], 1])));
                                 return [((c[0] / c[3] + 1) / 2) * W, ((1 - c[1] / c[3]) / 2) * H]; });
        }""",
        [list(p) for p in points],
    )
    return np.asarray(xy, dtype=float)


@pytest.fixture
def player() -> Any:
    import pythreejs as p3

    from cleo_player import Player
    from cleo_player.recording import GroupData, Recording

    ft = np.arange(3) * 1e-3
    # a few neurons far from the triangles (they only set the scene's box)
    pos = np.array([[-600, 300, 100], [600, 300, 500], [0, 400, 300]]) * 1e-6
    g = GroupData.from_spikes("n", pos, np.array([0], np.uint32), np.array([0.0]), ft, 1e-3)
    player = Player(Recording(1e-3, ft, 3e-3, (g,)), colors=["white"], xlim=(-700, 700), ylim=(-500, 500))
    verts, colours = triangles()
    geom = p3.BufferGeometry(attributes={"position": p3.BufferAttribute(verts), "color": p3.BufferAttribute(colours)})
    mat = p3.MeshBasicMaterial(vertexColors="VertexColors", side="DoubleSide")
    player.add(p3.Mesh(geom, mat, name="coloured triangles"))
    return player


def test_vertex_colours_are_drawn_in_their_colours(player, new_page, tmp_path: Path, artifacts_dir: Path) -> None:
    lp = open_offline(new_page, player.save_html(tmp_path / "colours.html"), ROOT)
    page = lp.page
    poll(lambda: view_eval(page, ROOT, "(v) => v.extras.count") == 1, 15, what="the extra to be built")
    centres = project(page, [(x, y + 0.05 * SIDE, Z) for x, y in CENTRES])  # the triangles' centroids
    rgb = canvas_rgb(page, ROOT)
    save_stage(page, ROOT, artifacts_dir, "extras-vertex-colours")
    for (name, colour), (x, y) in zip(COLOURS.items(), centres, strict=True):
        patch = rgb[int(y) - 3 : int(y) + 4, int(x) - 3 : int(x) + 4].reshape(-1, 3).astype(int)
        expected = np.round(np.array(colour) * 255)
        close = (np.abs(patch - expected).max(-1) <= TOLERANCE).mean()
        assert close >= 0.8, (name, expected, np.median(patch, 0), close)  # a tick label may cross a corner
    assert_stayed_offline(lp)
