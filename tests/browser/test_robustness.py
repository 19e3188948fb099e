"""Robustness in real JupyterLab (notebook ``robustness.ipynb``: ``keep``, a grid player that
stays; a cell of four players that the tests re-run; cells the tests add): removed views free
their WebGL context, more players over time than Chromium's 16 active contexts leave earlier
players drawing, a lost context shows a message and recovers, views out of sight give their
context back, and the canvas follows its container's size.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest
from browser_helpers import (
    NOTEBOOK as NOTEBOOK_SEL,
)
from browser_helpers import (
    VIEWPORT,
    LabNotebook,
    animation_frames,
    canvas_rgb,
    cell_with_output,
    changed_pixels,
    data_url_rgb,
    live_views,
    pixel_stats,
    poll,
    rerun_cell,
    show,
    shown_frame,
    view_eval,
)

pytestmark = pytest.mark.browser

NOTEBOOK = "robustness.ipynb"
READY = "READY Player("
KEEP = ".test-keep"
BATCH = ".test-batch"
TOO_MANY = "Too many active WebGL contexts"
LOST_MESSAGE = "lost its WebGL context"


@pytest.fixture(scope="module", autouse=True)
def tall_page(nb: LabNotebook) -> Iterator[None]:
    """Tall enough for ``keep`` and the batch cell to be in sight together."""
    nb.page.set_viewport_size({"width": VIEWPORT["width"], "height": 1600})
    nb.page.wait_for_function(f"() => document.querySelectorAll('{BATCH} .cleo-player[data-frame]').length === 4")
    yield
    nb.page.set_viewport_size(VIEWPORT)


def draws_grid(page: Any, sel: str, nth: int = 0) -> bool:
    """The grid's 100 resting neurons are on the canvas (each covers a few 16 px tiles)."""
    show(page, sel, nth)
    url = view_eval(page, sel, "(v) => v.renderer.domElement.toDataURL('image/png')", nth=nth)
    stats = pixel_stats(data_url_rgb(url))
    h = view_eval(page, sel, "(v) => v.renderer.domElement.height", nth=nth)
    # a 160 px view frames the box with all its labels (and beside the legend): a smaller grid
    return stats.red_tiles >= (80 if h >= 400 else 20)


OLD_CONTEXTS_LOST = "() => window.__oldGl.length === 4 && window.__oldGl.every((gl) => gl.isContextLost())"


def keep_state(page: Any) -> dict:
    return view_eval(
        page, KEEP,
        "(v) => ({ lost: v.renderer.getContext().isContextLost(),"
        " message: getComputedStyle(v.root.querySelector('.cleo-overlay')).display !== 'none',"
        " text: v.root.querySelector('.cleo-overlay').textContent, renders: v.renders })",
    )  # fmt: skip


def test_rerun_replaces_views_and_frees_their_contexts(nb: LabNotebook) -> None:
    """Re-running the four-player cell five times makes 20 players over time (25 with the
    others, more than Chromium's 16 active WebGL contexts): each run's views free their
    contexts, so the browser never has to take one, and ``keep`` draws throughout."""
    page = nb.page
    show(page, KEEP)
    assert live_views(page) == 5
    warnings_before = sum(TOO_MANY in m for m in nb.log.console_all)
    cell = cell_with_output(page, BATCH)
    for run in range(5):
        page.evaluate(
            "(sel) => { window.__oldGl = [...window.__cleoPlayers].filter((v) => v.root.closest(sel))"
            ".map((v) => v.renderer.getContext()); }",
            BATCH,
        )
        rerun_cell(page, cell)
        page.wait_for_function(f"() => document.querySelectorAll('{BATCH} .cleo-player[data-frame]').length === 4")
        poll(lambda: live_views(page) == 5, 60, what=f"run {run}: 5 live views ({live_views(page)})")
        poll(lambda: page.evaluate(OLD_CONTEXTS_LOST), 60, what=f"run {run}: the replaced views' contexts to go")
    assert sum(TOO_MANY in m for m in nb.log.console_all) == warnings_before, "Chromium had to take a context"
    state = keep_state(page)
    assert not state["lost"] and not state["message"], state
    assert draws_grid(page, KEEP)
    for nth in range(4):
        assert draws_grid(page, BATCH, nth), f"batch view {nth} does not draw"
    page.locator(BATCH).first.scroll_into_view_if_needed()
    nb.page_shot("1-after-reruns")


def test_cleared_output_frees_its_views(nb: LabNotebook) -> None:
    page = nb.page
    cells = page.locator(f"{NOTEBOOK_SEL} .jp-Cell")
    index = cells.evaluate_all("(cs, sel) => cs.findIndex((c) => c.querySelector(sel))", BATCH)
    cell = cells.nth(index)  # (a locator that still finds the cell once its output is gone)
    page.evaluate(
        "(sel) => { window.__oldGl = [...window.__cleoPlayers].filter((v) => v.root.closest(sel))"
        ".map((v) => v.renderer.getContext()); }",
        BATCH,
    )
    cell.locator(".jp-InputPrompt").click()
    page.keyboard.press("Escape")
    page.locator(".lm-MenuBar-itemLabel", has_text="Edit").first.click()
    page.locator(".lm-Menu-itemLabel", has_text="Clear Cell Output").first.click()
    poll(lambda: live_views(page) == 1, 10, what="the cleared cell's four views to be disposed")
    assert page.locator(f"{BATCH} canvas").count() == 0
    poll(lambda: page.evaluate(OLD_CONTEXTS_LOST), 60, what="the cleared views' WebGL contexts to go")
    assert draws_grid(page, KEEP)
    rerun_cell(page, cell)  # back to five views for the next tests
    page.wait_for_function(f"() => document.querySelectorAll('{BATCH} .cleo-player[data-frame]').length === 4")
    poll(lambda: live_views(page) == 5, 60, what="five live views again")


def lose_keep_context(nb: LabNotebook, frame: int) -> np.ndarray:
    """Show ``keep`` at ``frame`` (default camera), lose its WebGL context (WEBGL_lose_context
    kept in ``window.__ext``); the picture before. The message must show."""
    page = nb.page
    nb.py(f"keep.frame = {frame}")
    show(page, KEEP, reset_camera=True)
    poll(lambda: shown_frame(page, KEEP) == frame, 5, what=f"frame {frame}")
    before = canvas_rgb(page, KEEP)
    view_eval(
        page,
        KEEP,
        "(v) => { window.__ext = v.renderer.getContext().getExtension('WEBGL_lose_context');"
        " window.__ext.loseContext(); }",
    )
    overlay = page.locator(f"{KEEP} .cleo-overlay")
    overlay.wait_for(state="visible")
    assert LOST_MESSAGE in (overlay.text_content() or "")
    return before


def test_restored_context_draws_the_same_picture(nb: LabNotebook) -> None:
    page = nb.page
    before = lose_keep_context(nb, 20)
    page.evaluate("() => window.__ext.restoreContext()")
    page.locator(f"{KEEP} .cleo-overlay").wait_for(state="hidden")
    show(page, KEEP, reset_camera=True)
    after = canvas_rgb(page, KEEP)
    assert list(before[0, 0]) == [17, 19, 24], "the picture before the loss is not on the player's background"
    assert changed_pixels(before, after, threshold=0) == 0, (
        f"frame 20 looks different after the restore: corner {after[0, 0]}"
    )


VIEW_STATES = """() => [...window.__cleoPlayers].map((v) => {
    const overlay = v.root.querySelector('.cleo-overlay');
    const message = getComputedStyle(overlay).display !== 'none'
      && overlay.textContent.includes('lost its WebGL context');
    const snapshot = !!v.root.querySelector('img.cleo-snapshot');
    const canvas = !!v.root.querySelector('canvas.cleo-canvas') && !v.renderer.getContext().isContextLost();
    return { keep: !!v.root.closest('.test-keep'), many: !!v.root.closest('.test-many'),
             state: canvas && !message ? 'drawing' : message ? 'message' : snapshot ? 'snapshot' : 'BLANK' };
  })"""


def test_more_views_at_once_than_webgl_contexts(nb: LabNotebook) -> None:
    """14 more players at once make 19 views, over Chromium's 16 active contexts. No view may
    be left blank without a word: each draws, shows its snapshot (out of sight) or says it lost
    its context; ``keep`` draws again (after a click if the browser took its context); closing
    the 14 frees them."""
    page = nb.page
    warnings_before = sum(TOO_MANY in m for m in nb.log.console_all)
    nb.py('many = [Player(grid_rec, height=80, **plotargs) for _ in range(14)]\n'
          'for p in many:\n    p.add_class("test-many")\n'
          'ipw.GridBox(many, layout=ipw.Layout(grid_template_columns="repeat(4, 1fr)"))')  # fmt: skip
    page.wait_for_function("() => document.querySelectorAll('.test-many .cleo-player[data-frame]').length === 14")
    poll(lambda: live_views(page) == 19, 60, what=f"19 live views ({live_views(page)})")
    # the browser reports its context losses asynchronously: a view may be blank for a moment
    seen: list = []

    def none_blank() -> bool:
        seen[:] = page.evaluate(VIEW_STATES)
        return all(s["state"] != "BLANK" for s in seen)

    try:
        poll(none_blank, 60, what="every view to draw, show its snapshot or say it lost its context")
    except AssertionError as e:
        raise AssertionError(f"{e}: views left blank without a message: {seen}") from None
    states = list(seen)
    nb.page_shot("6-many-at-once")
    taken = sum(TOO_MANY in m for m in nb.log.console_all) - warnings_before
    (nb.shots / f"{nb.prefix}-6-many-at-once.txt").write_text(
        f"{taken} 'Too many active WebGL contexts' warnings\n" + "\n".join(str(s) for s in states) + "\n"
    )
    assert all(s["state"] != "BLANK" for s in states), f"views left blank without a message: {states}"
    show_keep = page.locator(KEEP)
    show_keep.scroll_into_view_if_needed()
    overlay = page.locator(f"{KEEP} .cleo-overlay")
    if overlay.is_visible() and LOST_MESSAGE in (overlay.text_content() or ""):
        overlay.click()
    show(page, KEEP)
    assert draws_grid(page, KEEP)
    nb.py("for p in many:\n    p.close()")
    poll(lambda: live_views(page) == 5, 10, what="the 14 closed players' views to go")


def test_lost_context_shows_a_message_and_recovers(nb: LabNotebook) -> None:
    page = nb.page
    lose_keep_context(nb, 20)
    nb.shot("2-context-lost", KEEP)
    # while lost, a step does not draw (and throws nothing)
    renders = keep_state(page)["renders"]
    page.locator(f"{KEEP} .cleo-next").click()
    page.wait_for_selector(f"{KEEP} .cleo-controls[data-frame='21']")
    animation_frames(page)  # a render would have happened by then
    assert keep_state(page)["renders"] == renders and shown_frame(page, KEEP) == 20
    # the browser gives the context back: the message goes and the view draws the current frame
    page.evaluate("() => window.__ext.restoreContext()")
    page.locator(f"{KEEP} .cleo-overlay").wait_for(state="hidden")
    poll(lambda: shown_frame(page, KEEP) == 21, 5, what="a render of frame 21 after the restore")
    assert draws_grid(page, KEEP)
    page.locator(f"{KEEP} .cleo-prev").click()
    poll(lambda: shown_frame(page, KEEP) == 20, 5, what="frame 20 again")
    assert draws_grid(page, KEEP)
    nb.shot("3-context-restored", KEEP)


def test_context_taken_for_good_comes_back_on_a_click(nb: LabNotebook) -> None:
    page = nb.page
    show(page, KEEP)
    view_eval(page, KEEP, "(v) => v.renderer.getContext().getExtension('WEBGL_lose_context').loseContext()")
    overlay = page.locator(f"{KEEP} .cleo-overlay")
    overlay.wait_for(state="visible")
    assert "Click to restore" in (overlay.text_content() or "")
    overlay.click()
    overlay.wait_for(state="hidden")
    state = keep_state(page)
    assert not state["lost"], state
    assert draws_grid(page, KEEP)


def _scroll_keep_out_of_sight(page: Any) -> None:
    """A short page, scrolled to the bottom: ``keep`` (the first output) is out of sight."""
    page.set_viewport_size({"width": VIEWPORT["width"], "height": 500})
    page.evaluate(
        f"() => {{ const o = document.querySelector('{NOTEBOOK_SEL} .jp-WindowedPanel-outer');"
        " o.scrollTop = o.scrollHeight; }"
    )


def test_out_of_sight_gives_the_context_back_keeping_a_picture(nb: LabNotebook) -> None:
    page = nb.page
    nb.py("keep.frame = 30")
    show(page, KEEP, reset_camera=True)
    poll(lambda: shown_frame(page, KEEP) == 30, 5, what="frame 30")
    before = canvas_rgb(page, KEEP)
    page.evaluate(
        "(sel) => { const v = [...window.__cleoPlayers].find((v) => v.root.closest(sel));"
        " window.__keepGl = v.renderer.getContext(); }",
        KEEP,
    )
    try:
        _scroll_keep_out_of_sight(page)
        page.wait_for_selector(f"{KEEP} img.cleo-snapshot", state="attached")
        assert page.locator(f"{KEEP} canvas.cleo-canvas").count() == 0  # the WebGL one (the timeline keeps its own)
        assert page.evaluate("() => window.__keepGl.isContextLost()"), "the view out of sight kept its context"
        snap = page.locator(f"{KEEP} img.cleo-snapshot").get_attribute("src")
        assert changed_pixels(before, data_url_rgb(snap), threshold=0) == 0, "the snapshot is not the last picture"
        assert live_views(page) == 5
    finally:
        page.set_viewport_size({"width": VIEWPORT["width"], "height": 1600})
    show(page, KEEP)
    assert page.locator(f"{KEEP} img.cleo-snapshot").count() == 0
    assert draws_grid(page, KEEP)
    # the player still plays and steps
    page.locator(f"{KEEP} .cleo-next").click()
    poll(lambda: shown_frame(page, KEEP) == 31, 5, what="frame 31 after coming back")


def test_back_in_sight_shows_the_same_picture(nb: LabNotebook) -> None:
    page = nb.page
    nb.py("keep.frame = 30")
    show(page, KEEP, reset_camera=True)
    poll(lambda: shown_frame(page, KEEP) == 30, 5, what="frame 30")
    before = canvas_rgb(page, KEEP)
    try:
        _scroll_keep_out_of_sight(page)
        page.wait_for_selector(f"{KEEP} img.cleo-snapshot", state="attached")
    finally:
        page.set_viewport_size({"width": VIEWPORT["width"], "height": 1600})
    show(page, KEEP)
    after = canvas_rgb(page, KEEP)
    nb.shot("4-back-in-sight", KEEP)
    assert changed_pixels(before, after, threshold=0) == 0, "the view looks different after coming back in sight"


def test_canvas_follows_its_container(nb: LabNotebook) -> None:
    page = nb.page
    size = "(v) => [v.renderer.domElement.width, v.renderer.domElement.height, v.stage.clientWidth, v.root.clientWidth]"
    show(page, KEEP)
    w0, h0, stage0, _ = view_eval(page, KEEP, size)
    assert (w0, h0) == (stage0, 480)
    # a narrower window: the notebook and the canvas get narrower
    page.set_viewport_size({"width": 1000, "height": 1600})
    try:

        def narrower() -> int | None:
            s = view_eval(page, KEEP, size)
            return s[0] if s[0] == s[2] and s[0] < w0 - 200 else None

        w1 = poll(narrower, 5, what="the canvas to follow a narrower window")
        assert view_eval(page, KEEP, size)[1] == 480
        assert draws_grid(page, KEEP)
    finally:
        page.set_viewport_size({"width": VIEWPORT["width"], "height": 1600})
    poll(lambda: view_eval(page, KEEP, size)[0] == w0, 5, what="the canvas to widen again")
    assert w1 < w0

    # player.height
    nb.py("keep.height = 300")
    show(page, KEEP)
    poll(lambda: view_eval(page, KEEP, size)[:2] == [w0, 300], 5, what="a 300 px high canvas")
    assert page.locator(f"{KEEP} .cleo-stage").evaluate("e => e.clientHeight") == 300
    assert draws_grid(page, KEEP)
    nb.py("keep.height = 480")
    show(page, KEEP)
    poll(lambda: view_eval(page, KEEP, size)[:2] == [w0, 480], 5, what="a 480 px high canvas again")


def test_canvas_follows_a_box_width(nb: LabNotebook) -> None:
    page = nb.page
    size = "(v) => [v.renderer.domElement.width, v.renderer.domElement.height, v.stage.clientWidth, v.root.clientWidth]"
    nb.py('boxed = Player(grid_rec, **plotargs)\nboxed.add_class("test-boxed")\n'
          'box = ipw.Box([boxed], layout=ipw.Layout(width="400px"))\nbox')  # fmt: skip
    sel = ".test-boxed"
    try:
        page.locator(f"{sel} .cleo-player[data-frame]").wait_for(state="attached")
        show(page, sel)
        nb.shot("5-in-a-400px-box", sel)
        w, h, stage, root = view_eval(page, sel, size)
        assert 380 <= w <= 400 and w == stage == root and h == 480, (
            f"in a 400 px box: canvas {w}x{h}, stage {stage}, root {root}"
        )
        assert draws_grid(page, sel)
        nb.py('box.layout.width = "300px"')
        show(page, sel)

        def boxed() -> bool:
            s = view_eval(page, sel, size)
            return 280 <= s[0] <= 300 and s[0] == s[2]

        poll(boxed, 5, what="the canvas to follow its box to 300 px")
    finally:
        nb.py("box.close()\nboxed.close()")
