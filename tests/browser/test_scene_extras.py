"""Scene extras in the browser: a pythreejs mesh added from Python is drawn where it is (in
the neurons' coordinates, z flip included), follows its traits (position, colour, size), is
lit when its material is, and shows in a ``save_html`` page opened offline. (Not named
test_extras.py: pytest would import it and tests/test_extras.py under the same name.)

JupyterLab part: notebook ``extras.ipynb`` (the seed tutorial's player with a green box at
(-500, 0, 350) µm), in a JupyterLab workspace of its own. Where a point lands on the canvas
is computed from the neurons' own matrices (not the extras'), so an extra drawn outside the
neurons' frame would fail.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from browser_helpers import (
    KERNEL_IDLE,
    VIEWPORT,
    LabNotebook,
    PageLog,
    assert_draws_network,
    assert_stayed_offline,
    canvas_rgb,
    open_offline,
    pixel_stats,
    poll,
    run_all_cells,
    save_stage,
    view_eval,
    wait_for_render,
)
from browser_helpers import (
    NOTEBOOK as NOTEBOOK_SEL,
)

pytestmark = pytest.mark.browser

NOTEBOOK = "extras.ipynb"
READY = "READY Player("
SEL = ".test-extras"
ROOT = "#cleo-player-root"  # the element a save_html page renders the player into
CENTRE_TOLERANCE_PX = 10


# --- pixels and projections -------------------------------------------------------------------
def _hsv(rgb: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    x = rgb.astype(np.float32) / 255
    mx, mn = x.max(-1), x.min(-1)
    d = np.where(mx > mn, mx - mn, 1)
    r, g, b = x[..., 0], x[..., 1], x[..., 2]
    h = np.where(mx == r, ((g - b) / d) % 6, np.where(mx == g, (b - r) / d + 2, (r - g) / d + 4)) * 60
    s = np.where(mx > 0, (mx - mn) / np.where(mx > 0, mx, 1), 0)
    return np.where(mx > mn, h, -1), s, mx


def hue_mask(rgb: np.ndarray, lo: float, hi: float, min_sat: float = 0.6, min_val: float = 0.35) -> np.ndarray:
    """Saturated pixels with a hue in [lo, hi] degrees (none of the player's own colours:
    neurons are red and blue, the light cyan, the axes grey)."""
    h, s, v = _hsv(rgb)
    return (h >= lo) & (h <= hi) & (s >= min_sat) & (v >= min_val)


def green(rgb: np.ndarray) -> np.ndarray:
    return hue_mask(rgb, 100, 140)


def magenta(rgb: np.ndarray) -> np.ndarray:
    return hue_mask(rgb, 285, 315)


def yellow(rgb: np.ndarray) -> np.ndarray:
    return hue_mask(rgb, 45, 65)


def centroid(mask: np.ndarray) -> np.ndarray:
    rows, cols = np.nonzero(mask)
    return np.array([cols.mean(), rows.mean()])


def project(page: Any, sel: str, point: tuple[float, float, float]) -> np.ndarray:
    """Where a point in axis units lands on the canvas (drawing-buffer pixels, y down), by the
    neurons' world matrix and the camera as last rendered."""
    xy = view_eval(
        page,
        sel,
        """(v, p) => {
          const M = v.objects.neurons.matrixWorld.elements, V = v.camera.matrixWorldInverse.elements,
                P = v.camera.projectionMatrix.elements;
          const mul = (A, x) => [0, 1, 2, 3].map((r) => A[r] * x[0] + A[4 + r] * x[1] + A[8 + r] * x[2] + A[12 + r] * x[3]);
          const c = mul(P, mul(V, mul(M, [p[0], p[1], p[2], 1])));
          const W = v.renderer.domElement.width, H = v.renderer.domElement.height;
          return [((c[0] / c[3] + 1) / 2) * W, ((1 - c[1] / c[3]) / 2) * H];
        }""",
        list(point),
    )
    return np.asarray(xy, dtype=float)


def near(mask: np.ndarray, xy: np.ndarray, r: int = 20) -> int:
    """Pixels of ``mask`` within ``r`` px of ``xy``."""
    x, y = int(round(xy[0])), int(round(xy[1]))
    return int(mask[max(y - r, 0) : y + r + 1, max(x - r, 0) : x + r + 1].sum())


def extras_state(page: Any, sel: str) -> dict:
    return view_eval(
        page,
        sel,
        "(v) => ({ count: v.extras.count, lit: v.extras.lights.parent === v.camera, renders: v.renders })",
    )


# --- JupyterLab ---------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def nb(chromium: Any, jupyter_lab: Any, artifacts_dir: Path) -> Iterator[LabNotebook]:
    """``extras.ipynb`` opened in a JupyterLab workspace of its own and run with "Run All Cells"
    (overrides conftest's ``nb``; its per-test error checks still apply). In the default
    workspace, JupyterLab would also reopen the notebooks other modules have open: a second
    front end on their kernels, and a "File Changed" dialog that can block "Run All"."""
    context = chromium.new_context(viewport=VIEWPORT)
    context.set_default_timeout(30_000)
    page = context.new_page()
    log = PageLog().attach(page)
    try:
        try:
            page.goto(f"{jupyter_lab.url}/lab/workspaces/cleo-extras-test/tree/{NOTEBOOK}")
            page.wait_for_selector(f"{NOTEBOOK_SEL} .jp-Cell", timeout=90_000)
            page.wait_for_selector(KERNEL_IDLE, timeout=90_000)
            run_all_cells(page)
            page.wait_for_selector(
                f"{NOTEBOOK_SEL} .jp-OutputArea-output:has-text({json.dumps(READY)})", timeout=180_000
            )
        except Exception:
            page.screenshot(path=str(artifacts_dir / "extras-setup-failed.png"), full_page=True)
            print(f"JupyterLab log (tail):\n{jupyter_lab.log_tail()}")
            raise
        yield LabNotebook(page, log, artifacts_dir, "extras")
    finally:
        context.close()


@pytest.fixture(scope="module", autouse=True)
def rendered(nb: LabNotebook) -> None:
    wait_for_render(nb.page, SEL)
    nb.page.locator(SEL).scroll_into_view_if_needed()


def wait_drawn(nb: LabNotebook, check: Any, what: str, timeout_s: float = 15) -> np.ndarray:
    """Poll the canvas until ``check(rgb)`` holds; returns that picture."""
    state: dict = {}

    def ok() -> bool:
        state["rgb"] = canvas_rgb(nb.page, SEL)
        return bool(check(state["rgb"]))

    poll(ok, timeout_s, interval_s=0.2, what=what)
    return state["rgb"]


def test_mesh_appears_where_it_is(nb: LabNotebook) -> None:
    page = nb.page
    assert extras_state(page, SEL)["count"] == 1
    rgb = canvas_rgb(page, SEL)
    stats = pixel_stats(rgb)
    nb.shot("1-green-box", SEL, stats)
    g = green(rgb)
    # a 250 x 250 x 100 um box on a ~850 x 480 canvas: measured ~1900 px (0 without the box)
    assert g.sum() > 800, f"green box pixels: {g.sum()}"
    expected = project(page, SEL, (-500, 0, 350))
    assert np.linalg.norm(centroid(g) - expected) < CENTRE_TOLERANCE_PX, (centroid(g), expected)
    # the network is drawn as before (the box hides a few neurons only)
    assert_draws_network(stats, "player with a box")
    # an unlit material: no lights in the scene
    assert not extras_state(page, SEL)["lit"]


def test_mesh_follows_its_position(nb: LabNotebook) -> None:
    page = nb.page
    old = project(page, SEL, (-500, 0, 350))
    new = project(page, SEL, (500, 0, 150))
    assert np.linalg.norm(new - old) > 100
    nb.py("box.position = (500, 0, 150)")
    rgb = wait_drawn(nb, lambda rgb: near(green(rgb), new) > 300, "the box to move to (500, 0, 150)")
    nb.shot("2-box-moved", SEL)
    g = green(rgb)
    assert near(g, old) == 0, "green left where the box was"
    assert np.linalg.norm(centroid(g) - new) < CENTRE_TOLERANCE_PX, (centroid(g), new)
    # depth is drawn downward (invert_z): z = 150 is above z = 350 at the same x, y
    assert project(page, SEL, (500, 0, 150))[1] < project(page, SEL, (500, 0, 350))[1]
    assert nb.py_json("player._extras[0]['position']") == [500.0, 0.0, 150.0]


def test_material_and_geometry_changes(nb: LabNotebook) -> None:
    page = nb.page
    at = project(page, SEL, (500, 0, 150))
    before = int(green(canvas_rgb(page, SEL)).sum())
    nb.py("box.material.color = '#ff00ff'")
    rgb = wait_drawn(nb, lambda rgb: magenta(rgb).sum() > 300 and green(rgb).sum() == 0, "the box to turn magenta")
    n_small = int(magenta(rgb).sum())
    assert abs(n_small - before) < 0.1 * before  # same box, other colour
    assert np.linalg.norm(centroid(magenta(rgb)) - at) < CENTRE_TOLERANCE_PX
    nb.py("box.geometry.width = 500")
    rgb = wait_drawn(nb, lambda rgb: magenta(rgb).sum() > 1.5 * n_small, "the box to get wider")
    nb.shot("3-magenta-wide", SEL)
    nb.py("box.geometry.width = 250")


def test_lit_translucent_and_removed(nb: LabNotebook) -> None:
    page = nb.page
    nb.py(
        "sphere = p3.Mesh(p3.SphereGeometry(150, 32, 16), p3.MeshLambertMaterial(color='#ffdd00'), position=(0, -600, 350))\n"
        "shell = p3.Mesh(p3.CylinderGeometry(1000, 1000, 100, 64, 1, True),\n"
        "                p3.MeshBasicMaterial(color='white', transparent=True, opacity=0.15, side='DoubleSide', depthWrite=False),\n"
        "                position=(0, 0, 350), rotation=(np.pi / 2, 0, 0, 'XYZ'))\n"
        "player.add(sphere, shell)"
    )
    at = project(page, SEL, (0, -600, 350))
    rgb = wait_drawn(nb, lambda rgb: near(yellow(rgb), at, 40) > 500, "the lit sphere")
    stats = pixel_stats(rgb)
    nb.shot("4-lit-and-shell", SEL, stats)
    state = extras_state(page, SEL)
    assert state["count"] == 3 and state["lit"], state
    y = yellow(rgb)
    assert np.linalg.norm(centroid(y) - at) < CENTRE_TOLERANCE_PX
    # lit: shaded from its bright middle to its darker rim (an unlit sphere is one flat colour)
    _, _, value = _hsv(rgb[y])
    assert np.percentile(value, 95) - np.percentile(value, 5) > 0.15, np.percentile(value, [5, 50, 95])
    # the translucent shell around the network lets the neurons show through
    assert_draws_network(stats, "network inside a translucent shell")
    assert stats.grey > 2000  # and it is drawn (light grey over the dark background)

    nb.py("player.remove(box, sphere, shell)")
    rgb = wait_drawn(nb, lambda rgb: magenta(rgb).sum() == 0 and yellow(rgb).sum() == 0, "the extras to go")
    state = extras_state(page, SEL)
    assert state["count"] == 0 and not state["lit"], state
    assert_draws_network(pixel_stats(rgb), "player after removing its extras")


# --- save_html ------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def html_player() -> Any:
    import brian2 as b2
    import pythreejs as p3

    from cleo_player import Player, Recorder
    from cleo_player.examples import seed_tutorial

    s = seed_tutorial()
    rec = Recorder(dt=1 * b2.ms, devices="all")
    s.sim.inject(rec, s.exc, s.inh)
    s.sim.run(20 * b2.ms)
    player = Player(s.sim, **s.plotargs)
    box = p3.Mesh(p3.BoxGeometry(250, 250, 100), p3.MeshBasicMaterial(color="#00ff00"), position=(-500, 0, 350))
    player.add(box)
    # a BufferGeometry (its arrays travel as binary buffers): a magenta triangle fan
    t = np.linspace(0, 2 * np.pi, 25)
    ring = np.column_stack([150 * np.cos(t), 150 * np.sin(t), np.zeros_like(t)])
    verts = np.vstack([[0, 0, 0], ring]).astype(np.float32)
    index = np.array([[0, k, k + 1] for k in range(1, 25)], np.uint32).ravel()
    fan = p3.Mesh(
        p3.BufferGeometry(
            attributes={"position": p3.BufferAttribute(verts)}, index=p3.BufferAttribute(index, normalized=False)
        ),
        p3.MeshBasicMaterial(color="#ff00ff", side="DoubleSide"),
        position=(500, 0, 350),
    )
    player.add(fan)
    return player


def test_save_html_shows_the_extras_offline(html_player, new_page, tmp_path: Path, artifacts_dir: Path) -> None:
    path = html_player.save_html(tmp_path / "extras.html")
    lp = open_offline(new_page, path, ROOT)
    page = lp.page
    rgb = canvas_rgb(page, ROOT)
    stats = pixel_stats(rgb)
    save_stage(page, ROOT, artifacts_dir, "extras-html", stats)
    assert_draws_network(stats, "save_html page with extras")
    g, m = green(rgb), magenta(rgb)
    assert g.sum() > 800 and m.sum() > 300, (g.sum(), m.sum())
    assert np.linalg.norm(centroid(g) - project(page, ROOT, (-500, 0, 350))) < CENTRE_TOLERANCE_PX
    assert np.linalg.norm(centroid(m) - project(page, ROOT, (500, 0, 350))) < CENTRE_TOLERANCE_PX
    assert_stayed_offline(lp)
