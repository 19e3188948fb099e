"""Keys, wheel and right-drag belong to the player while it has focus, in real JupyterLab
(notebook ``hosts.ipynb``: the grid player between two headings, and text below it so the
notebook scrolls).

- keys: with the focus on any part of the player (canvas, scrubber, buttons, selects), space,
  ← / →, Home and End act on the player and never reach JupyterLab's shortcuts (← / → moved the
  cell selection and folded the heading section holding the player); a focus ring shows.
- wheel: zooms only when the player has focus, or with Ctrl held (a hint says so); otherwise
  the notebook scrolls past the player.
- right-drag pans without JupyterLab's context menu; shift + right-click is left to the browser.
"""

from __future__ import annotations

from typing import Any

import pytest
from browser_helpers import NOTEBOOK as LAB_NOTEBOOK
from browser_helpers import LabNotebook, poll, show, view_eval, wait_for_render
from host_checks import (
    CONTEXT_MENU_PROBE,
    camera_state,
    check_keys_from_every_control,
    context_menu_events,
    focus_ring,
    notebook_state,
)

pytestmark = pytest.mark.browser

NOTEBOOK = "hosts.ipynb"
READY = "READY Player("
GRID = ".test-grid"


@pytest.fixture(scope="module", autouse=True)
def rendered(nb: LabNotebook) -> None:
    wait_for_render(nb.page, GRID)


def scroller_top(page: Any) -> float:
    """How far the page around the player is scrolled: the nearest scrolling ancestor of the
    player (JupyterLab: the notebook's windowed panel)."""
    return page.locator(f"{GRID} .cleo-player").first.evaluate(
        """(el) => { for (let e = el.parentElement; e; e = e.parentElement) {
               const o = getComputedStyle(e).overflowY;
               if ((o === 'auto' || o === 'scroll') && e.scrollHeight > e.clientHeight + 1) return e.scrollTop; }
             return document.scrollingElement.scrollTop; }"""
    )


def test_keys_from_every_control_stay_in_the_player(nb: LabNotebook) -> None:
    page = nb.page
    show(page, GRID)
    page.click(f"{GRID} canvas.cleo-canvas")  # makes the player's cell the active one
    before = notebook_state(page)
    assert before["headings"] >= 2 and before["active"] == 3, before  # the player between two headings
    check_keys_from_every_control(page, GRID, shots=nb.shots, prefix=nb.prefix)
    # JupyterLab acted on none of the keys: same active cell, nothing folded or hidden
    after = notebook_state(page)
    assert after == before, (before, after)
    assert nb.py_json("[grid.frame, grid.playing]")[1] is False


def test_escape_hands_the_keys_back_to_the_notebook(nb: LabNotebook) -> None:
    page = nb.page
    show(page, GRID)
    page.click(f"{GRID} canvas.cleo-canvas")
    assert focus_ring(page, GRID)
    page.keyboard.press("Escape")
    poll(lambda: not focus_ring(page, GRID), 5, what="Escape to take the focus out of the player")
    frame = int(page.locator(f"{GRID} .cleo-controls").get_attribute("data-frame"))
    active = notebook_state(page)["active"]
    page.keyboard.press("ArrowDown")  # JupyterLab's command mode: the next cell
    poll(lambda: notebook_state(page)["active"] == active + 1, 5, what="↓ to select the next cell after Escape")
    assert int(page.locator(f"{GRID} .cleo-controls").get_attribute("data-frame")) == frame


def test_wheel_scrolls_the_page_unless_the_player_has_focus(nb: LabNotebook) -> None:
    page = nb.page
    show(page, GRID)
    # focus elsewhere: the heading above the player
    page.locator(f"{LAB_NOTEBOOK} .jp-MarkdownCell", has_text="Section A").first.click()
    assert not focus_ring(page, GRID)
    box = page.locator(f"{GRID} canvas.cleo-canvas").bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    cam0 = camera_state(page, GRID)
    top0 = scroller_top(page)
    page.mouse.wheel(0, 120)
    poll(lambda: scroller_top(page) > top0 + 20, 5, what="the notebook to scroll under the wheel")
    poll(lambda: page.locator(f"{GRID} .cleo-hint.cleo-hint-shown").count() == 1, 5, what="the zoom hint")
    nb.shot("wheel-hint", GRID)
    assert camera_state(page, GRID)["distance"] == pytest.approx(cam0["distance"], rel=1e-9)
    poll(lambda: page.locator(f"{GRID} .cleo-hint.cleo-hint-shown").count() == 0, 5, what="the hint to go")

    # Ctrl + wheel zooms without focus, and the page stays put
    show(page, GRID)
    box = page.locator(f"{GRID} canvas.cleo-canvas").bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    cam1 = camera_state(page, GRID)
    top1 = scroller_top(page)
    page.keyboard.down("Control")
    try:
        page.mouse.wheel(0, 120)
        poll(lambda: camera_state(page, GRID)["distance"] > cam1["distance"] * 1.01, 5, what="Ctrl + wheel to zoom out")
    finally:
        page.keyboard.up("Control")
    assert scroller_top(page) == top1

    # with focus (a click on the canvas), the wheel zooms and the page stays put
    page.click(f"{GRID} canvas.cleo-canvas")
    assert focus_ring(page, GRID)
    cam2 = camera_state(page, GRID)
    top2 = scroller_top(page)
    page.mouse.wheel(0, -120)
    poll(lambda: camera_state(page, GRID)["distance"] < cam2["distance"] * 0.99, 5, what="the wheel to zoom in")
    assert scroller_top(page) == top2
    assert page.locator(f"{GRID} .cleo-hint.cleo-hint-shown").count() == 0
    show(page, GRID, reset_camera=True)


def test_right_drag_pans_without_a_context_menu(nb: LabNotebook) -> None:
    page = nb.page
    show(page, GRID, reset_camera=True)
    page.evaluate(CONTEXT_MENU_PROBE)
    box = page.locator(f"{GRID} canvas.cleo-canvas").bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    target0 = camera_state(page, GRID)["target"]
    page.mouse.move(x, y)
    page.mouse.down(button="right")
    page.mouse.move(x + 60, y + 30, steps=6)
    page.mouse.up(button="right")
    poll(lambda: camera_state(page, GRID)["target"] != target0, 5, what="right-drag to pan the camera")
    events = poll(lambda: context_menu_events(page), 5, what="the contextmenu event of the right click")
    assert events[-1] == {"prevented": True, "shift": False}, events
    assert page.locator(".lm-Menu").count() == 0 or not page.locator(".lm-Menu").first.is_visible()
    nb.shot("right-drag", GRID)
    # shift + right-click: the browser's menu (nothing cancels the event), not JupyterLab's
    page.keyboard.down("Shift")
    try:
        page.mouse.click(x, y, button="right")
    finally:
        page.keyboard.up("Shift")
    events = poll(lambda: (e := context_menu_events(page)) and len(e) >= 2 and e, 5, what="shift + right-click")
    assert events[-1] == {"prevented": False, "shift": True}, events
    assert page.locator(".lm-Menu").count() == 0 or not page.locator(".lm-Menu").first.is_visible()
    page.keyboard.press("Escape")
    show(page, GRID, reset_camera=True)
    assert view_eval(page, GRID, "(v) => v.orbit.enableZoom") is True
