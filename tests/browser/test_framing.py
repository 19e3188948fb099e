"""Framing and axes in a real browser (saved pages of tutorial-shaped scenes, no Jupyter):

* the first view and reset camera show the whole box with its tick labels, for a tall box
  (cleo's electrodes tutorial) and a flat one, at any width, clear of the canvas's edges, the
  control bar and the legend; the view refits on resizes (and a new ``height``) until the user
  moves the camera;
* axis ticks and labels go on the edges mplot3d chooses for the camera (checked against
  matplotlib itself), follow the camera, never overlap, and are drawn over everything;
* degenerate limits (one float step apart, equal) open at once: tick loops are bounded.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
from browser_helpers import bar_control, changed_pixels, classify, poll, save_rgb, view_eval, wait_for_render
from cleo_scenes import electrodes, optogenetics
from look_helpers import ROOT, canvas, geometry, open_page, rects_overlap, set_view

pytestmark = pytest.mark.browser

MARGIN = 10  # px the framing leaves free around the box and its labels
MARGIN_BOTTOM = 14
WIDTHS = (480, 700, 1000)


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("framing")
    return {
        "tall": electrodes().save_html(d / "electrodes.html"),
        "flat": _seed_player().save_html(d / "seed.html"),
        "mm": optogenetics().save_html(d / "optogenetics.html"),
    }


def _seed_player() -> Any:
    import brian2 as b2

    from cleo_player import Player, Recorder
    from cleo_player.examples import seed_tutorial

    s = seed_tutorial(n_e=200)
    rec = Recorder(dt=1 * b2.ms, devices="all")
    s.sim.inject(rec, s.exc, s.inh)
    s.sim.run(5 * b2.ms)
    return Player(rec, **s.plotargs)


def assert_framed(page: Any, what: str, shots: Path | None = None) -> Any:
    """The box and every visible label lie inside the canvas with the framing margins, clear
    of the legend; the picture is as large as the margins allow (it touches them on one side
    pair); no pixel is drawn in the outer rows and columns."""
    g = geometry(page)
    left, top, right, bottom = g.bounds()
    assert left >= MARGIN - 1 and top >= MARGIN - 1, (what, g.bounds(), g.width, g.height)
    assert right <= g.width - MARGIN + 1 and bottom <= g.height - MARGIN_BOTTOM + 1, (
        what,
        g.bounds(),
        g.width,
        g.height,
    )
    assert len(g.labels) >= 9, f"{what}: only {len(g.labels)} labels shown"  # 3 titles, 2+ ticks each
    if g.legend is not None:
        lg = np.asarray(g.legend)
        assert not rects_overlap(lg, np.array([left, top, right, bottom])), (
            f"{what}: legend {g.legend} over {g.bounds()}"
        )
    # as large as allowed: the framed extent fills the free region across or down (within 3 %)
    free_w = g.width - 2 * MARGIN - (g.legend[2] + MARGIN if g.legend is not None and left >= g.legend[2] else 0)
    free_h = (
        g.height - MARGIN - MARGIN_BOTTOM - (g.legend[3] + MARGIN if g.legend is not None and top >= g.legend[3] else 0)
    )
    assert (right - left) >= 0.97 * free_w or (bottom - top) >= 0.97 * free_h, (what, g.bounds(), free_w, free_h)
    rgb = canvas(page)
    drawn = classify(rgb)["drawn"]
    if shots is not None:
        save_rgb(rgb, shots)
    h = drawn.shape[0]
    edge = np.zeros_like(drawn)
    k = 6 * h // int(g.height)  # 6 CSS px in drawing-buffer pixels
    edge[:k] = edge[-k:] = True
    edge[:, :k] = edge[:, -k:] = True
    assert drawn[edge].sum() == 0, f"{what}: {drawn[edge].sum()} pixels drawn at the canvas's edge"
    return g


def inside(g: Any) -> bool:
    left, top, right, bottom = g.bounds()
    return (
        left >= MARGIN - 1
        and top >= MARGIN - 1
        and right <= g.width - MARGIN + 1
        and bottom <= g.height - MARGIN_BOTTOM + 1
    )


def wait_framed(page: Any, width: int, height: int | None, what: str) -> None:
    """Until the canvas has the size and the view has been refitted to it (the refit follows
    the layout in a ResizeObserver callback); ``height`` None: the height the page gave the
    player's model (it fills the window, less the timeline and the bar)."""

    def refitted() -> bool:
        g = geometry(page)
        want = page.evaluate("() => window.cleoPlayerModel.get('height')") if height is None else height
        return g.width == width and g.height == want and inside(g)

    poll(refitted, 10, what=what)


@pytest.mark.parametrize("shape", ["tall", "flat", "mm"])
@pytest.mark.parametrize("width", WIDTHS)
def test_first_view_frames_the_whole_box_with_labels(pages, new_page, artifacts_dir, shape, width):
    lp = open_page(new_page, pages[shape], width)
    g = assert_framed(lp.page, f"{shape} at {width} px", artifacts_dir / f"framing-{shape}-{width}.png")
    lp.page.locator(f"{ROOT} .cleo-player").screenshot(path=str(artifacts_dir / f"framing-{shape}-{width}-player.png"))
    if shape == "tall":  # the tall box stands as tall as the canvas allows (it was cut before)
        top = g.corners[:, 1].min()
        bottom = g.corners[:, 1].max()
        assert bottom - top >= 0.7 * g.height, (top, bottom, g.height)


def test_view_refits_until_the_user_moves_it(pages, new_page, artifacts_dir):
    lp = open_page(new_page, pages["flat"], 1000)  # a wide box: narrower canvases fit it across
    page = lp.page
    wide = geometry(page)
    # a narrower window (e.g. a sidebar opening): the box is refitted for the new aspect
    page.set_viewport_size({"width": 480 + 32, "height": 760})
    wait_framed(page, 480, None, "the view to refit the narrower window")
    narrow = assert_framed(page, "after narrowing the window")
    assert narrow.distance > wide.distance * 1.2  # moved back to fit the narrower canvas
    # a new height from Python (here the page's model): refitted too
    page.evaluate("() => window.cleoPlayerModel.set('height', 300)")
    wait_framed(page, 480, 300, "the view to refit the new height")
    assert_framed(page, "after height = 300", artifacts_dir / "framing-height-300.png")
    page.evaluate("() => window.cleoPlayerModel.set('height', 480)")
    poll(lambda: geometry(page).height == 480, 10, what="height back to 480")

    # the user turns the camera: from now on a resize keeps the view
    box = page.locator(f"{ROOT} canvas.cleo-canvas").bounding_box()
    assert box is not None
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x + 80, y + 10, steps=5)
    page.mouse.up()
    poll(lambda: geometry(page).user_moved, 5, what="the drag to count as a camera move")
    turned = geometry(page)
    page.set_viewport_size({"width": 700 + 32, "height": 760})
    poll(lambda: geometry(page).width == 700, 10, what="the canvas to follow the window")
    kept = geometry(page)
    assert kept.distance == pytest.approx(turned.distance, rel=1e-9), "a resize reframed a camera the user had moved"
    # reset camera: the same picture as a fresh page of this width
    bar_control(page, ROOT, "cleo-reset-camera").click()
    poll(lambda: not geometry(page).user_moved, 5, what="reset to clear the user's move")
    fresh = open_page(new_page, pages["flat"], 700).page

    def same() -> bool:
        return changed_pixels(canvas(page), canvas(fresh), threshold=2) == 0

    poll(same, 10, what="reset camera to give the first view's picture")
    assert_framed(page, "after reset camera at 700 px", artifacts_dir / "framing-reset-700.png")


def test_legend_keeps_clear_of_the_box(tmp_path, new_page, artifacts_dir):
    """Many legend rows in a short view: the box goes beside the legend, not under it."""
    import brian2 as b2
    import cleo

    from cleo_player import Player, Recorder
    from cleo_player.examples import quiet_brian

    quiet_brian()
    b2.prefs.codegen.target = "numpy"
    groups = []
    for k in range(7):
        ng = b2.NeuronGroup(30, "v : 1", threshold="v > 1", name=f"population_{k}")
        cleo.coords.assign_coords_rand_rect_prism(ng, xlim=(-0.2, 0.2), ylim=(-0.2, 0.2), zlim=(0.1 * k, 0.1 * k + 0.1))
        groups.append(ng)
    sim = cleo.CLSimulator(b2.Network(*groups))
    rec = Recorder(dt=1 * b2.ms)
    sim.inject(rec, *groups)
    sim.run(2 * b2.ms)
    path = Player(rec, height=320).save_html(tmp_path / "legend.html")
    for width in (480, 1000):
        lp = open_page(new_page, path, width)
        g = assert_framed(lp.page, f"7 groups at {width} px", artifacts_dir / f"framing-legend-{width}.png")
        assert g.legend is not None and g.legend[3] - g.legend[1] > 100  # a tall legend


# --- axis labels --------------------------------------------------------------------------------
def mplot3d_edges(lims: list[tuple[float, float]], azim: float, elev: float) -> list[list[float | None]]:
    """The edges mplot3d puts each axis's ticks on, for cleo's figure (z drawn downward)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure()
    FigureCanvasAgg(fig)
    ax = fig.add_subplot(projection="3d")
    ax.set(xlim=lims[0], ylim=lims[1], zlim=lims[2])
    spans = [hi - lo for lo, hi in lims]
    ax.set_box_aspect((spans[0], spans[1], -spans[2]))
    ax.view_init(elev=elev, azim=azim)
    fig.canvas.draw()
    out = []
    for i, axis in enumerate((ax.xaxis, ax.yaxis, ax.zaxis)):
        mins, maxs, _, highs = axis._get_coord_info()
        p0, _ = axis._get_axis_line_edge_points(np.where(highs, maxs, mins), np.where(~highs, maxs, mins))
        out.append([None if d == i else float(p0[d]) for d in range(3)])
    return out


VIEWS = [(-60, 30), (30, 30), (120, 30), (-150, 30), (-60, -30), (60, 50), (-120, 15), (150, -40)]


def test_labels_go_on_mplot3ds_edges_and_never_overlap(pages, new_page, artifacts_dir):
    lp = open_page(new_page, pages["tall"], 700)
    page = lp.page
    lims = [(-210.0, 210.0), (-210.0, 210.0), (0.0, 1200.0)]
    meta_lims = view_eval(page, ROOT, "(v) => { const a = v.pb.data.meta.axes; return [a.xlim, a.ylim, a.zlim]; }")
    lims = [tuple(x) for x in meta_lims]
    for azim, elev in VIEWS:
        set_view(page, azim, elev)
        g = geometry(page)
        expected = mplot3d_edges(lims, azim, elev)
        assert g.edges == expected, f"view ({azim}, {elev}): ours {g.edges}, mplot3d {expected}"
        boxes = g.labels
        for i in range(len(boxes)):
            for j in range(i + 1, len(boxes)):
                assert not rects_overlap(boxes[i], boxes[j]), (
                    f"view ({azim}, {elev}): labels overlap {boxes[i]} {boxes[j]}"
                )
        # every title is shown, and each axis keeps at least two tick labels at these views
        shown = set(boxes[:, 4].astype(int))
        assert set(g.titles) <= shown, f"view ({azim}, {elev}): a title is hidden"
        assert len(boxes) - 3 >= 6, f"view ({azim}, {elev}): only {len(boxes) - 3} tick labels"
        save_rgb(canvas(page), artifacts_dir / f"labels-az{azim}-el{elev}.png")


def test_labels_are_drawn_over_everything(pages, new_page):
    lp = open_page(new_page, pages["mm"], 700)
    info = view_eval(
        lp.page,
        ROOT,
        """(v) => { const orders = []; let labels = null;
          v.scene.traverse((o) => { if (o.material && o.material.uniforms && o.material.uniforms.uMap) labels = o;
                                    else if (o.isMesh || o.isPoints || o.isLine) orders.push(o.renderOrder); });
          return { depthTest: labels.material.depthTest, transparent: labels.material.transparent,
                   order: labels.renderOrder, others: Math.max(...orders) }; }""",
    )
    assert info["depthTest"] is False and info["transparent"] is True
    assert info["order"] > info["others"], info


def test_units_print_as_micrometres(pages, new_page):
    lp = open_page(new_page, pages["tall"], 700)
    unit = view_eval(lp.page, ROOT, "(v) => v.pb.data.meta.axes.unit_label")
    assert unit == "µm"


@pytest.mark.parametrize(
    ("zlim", "n_ticks"),
    [
        ((200.0, float(np.nextafter(200.0, 300.0))), 1),  # 200 um and 0.2 mm: one float step apart
        ((200.0, 200.0), 1),
        ((0.0, 0.0), 1),
        ((1e6, 1e6 + 1e-9), 1),  # below float precision at that magnitude
        ((-1e-300, 1e-300), 5),  # tiny, but a proper span: round ticks
    ],
)
def test_degenerate_limits_open_at_once(tmp_path, new_page, zlim, n_ticks):
    """The tick code once looped for 14 s (3 GB) on limits one float step apart. Whatever the
    limits, the page draws within seconds and each axis has a bounded, sensible tick set."""
    from cleo_player.widget.bundle import bundle_source
    from cleo_player.widget.html import standalone_html

    player = optogenetics()
    state = player.page_state()
    state["_meta"] = {**state["_meta"], "axes": {**state["_meta"]["axes"], "zlim": list(zlim)}}
    path = tmp_path / "flat.html"
    path.write_text(standalone_html(state, bundle_source(), "flat"), encoding="utf-8")
    lp = new_page()
    lp.page.goto(path.as_uri())
    wait_for_render(lp.page, ROOT, timeout_ms=15_000)
    counts = view_eval(lp.page, ROOT, "(v) => v.axes.axes.map((a) => a.values.length)")
    assert counts[2] == n_ticks, counts  # degenerate: one tick, in the middle
    assert all(1 <= c <= 50 for c in counts), counts
