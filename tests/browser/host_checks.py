"""Checks of one player that every host runs (JupyterLab light and dark, Notebook 7, marimo, the
exported notebook, the standalone page): it renders (pixels), plays (the frame advances), its
keys step it from any of its controls, and its styles are applied (sizes, colours, layout).

Everything goes through Playwright locators, which reach into open shadow roots (marimo renders
each widget in one), never through ``document.querySelector``, which does not.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from browser_helpers import canvas_rgb, pixel_stats, poll

# The player's own colours (js/styles.ts), fixed whatever the host's theme.
BUTTON_BG = "rgb(42, 47, 58)"
BUTTON_FG = "rgb(238, 238, 238)"
PLAYER_FG = "rgb(221, 221, 221)"
PLAYER_BG = "rgb(17, 19, 24)"
BUTTON_HEIGHT = 26.0
FOCUS_RING = "rgb(74, 144, 217)"

# Records every contextmenu event (on window, capture: before anything else sees it) and whether
# it was cancelled once dispatched.
CONTEXT_MENU_PROBE = """() => {
  window.__cleoContextMenus = [];
  if (window.__cleoContextMenuProbe) return;
  window.__cleoContextMenuProbe = true;
  window.addEventListener('contextmenu', (e) => {
    setTimeout(() => window.__cleoContextMenus.push({ prevented: e.defaultPrevented, shift: e.shiftKey }), 0);
  }, true);
}"""


def context_menu_events(page: Any) -> list[dict]:
    return page.evaluate("() => window.__cleoContextMenus || []")


def player(page: Any, sel: str) -> Any:
    """The player's root element (``.cleo-player``, not the controls-only kind) inside ``sel``."""
    return page.locator(f"{sel} .cleo-player:not(.cleo-controls-only)").first


def bar_frame(page: Any, sel: str) -> int:
    return int(page.locator(f"{sel} .cleo-controls").first.get_attribute("data-frame"))


def bar_playing(page: Any, sel: str) -> bool:
    return page.locator(f"{sel} .cleo-controls").first.get_attribute("data-playing") == "true"


def wait_frame(page: Any, sel: str, frame: int, what: str) -> None:
    """Until the bar and the canvas (root ``data-frame``) both show ``frame``."""
    poll(
        lambda: bar_frame(page, sel) == frame and player(page, sel).get_attribute("data-frame") == str(frame),
        10,
        what=f"{what} (want frame {frame}, bar at {bar_frame(page, sel)})",
    )


def focus_ring(page: Any, sel: str) -> bool:
    """Whether the player shows its focus ring (its outline in the ring colour)."""
    style = player(page, sel).evaluate(
        "e => { const s = getComputedStyle(e); return [s.outlineStyle, s.outlineColor]; }"
    )
    return style == ["solid", FOCUS_RING]


def camera_state(page: Any, sel: str) -> dict:
    """The view's camera distance to its orbit target, and the target."""
    return player(page, sel).evaluate(
        """(root) => { for (const v of window.__cleoPlayers || []) if (v.root === root) {
             const t = v.orbit.target; return { distance: v.camera.position.distanceTo(t), target: [t.x, t.y, t.z] }; }
           throw new Error('no live view for this player'); }"""
    )


def notebook_state(page: Any) -> dict:
    """What JupyterLab's / Notebook 7's keys would change: the active cell, folded headings,
    hidden cells, and the number of headings."""
    return page.evaluate(
        """() => { const nb = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook');
             const cells = [...nb.querySelectorAll('.jp-Cell')];
             return { active: cells.findIndex((c) => c.classList.contains('jp-mod-active')),
                      selected: cells.filter((c) => c.classList.contains('jp-mod-selected')).length,
                      folded: nb.querySelectorAll('.jp-collapseHeadingButton.jp-mod-collapsed').length,
                      hidden: nb.querySelectorAll('.jp-showHiddenCellsButton').length,
                      headings: nb.querySelectorAll('.jp-MarkdownCell h1, .jp-MarkdownCell h2').length }; }"""
    )


def assert_renders(page: Any, sel: str, what: str, min_red: int = 300) -> None:
    """The canvas shows the grid player's neurons (tomato red) and its axes."""

    def drawn() -> Any:
        stats = pixel_stats(canvas_rgb(page, sel))
        return stats if stats.red >= min_red and stats.grey >= 200 else None

    poll(drawn, 20, what=f"{what}: the canvas to show the neurons and the axes")


def assert_plays(page: Any, sel: str, what: str) -> None:
    """Play: the frame advances on the bar and on the canvas; pause."""
    start = bar_frame(page, sel)
    page.locator(f"{sel} .cleo-play").first.click()
    poll(lambda: bar_playing(page, sel), 5, what=f"{what}: the play button to start playback")
    poll(
        lambda: bar_frame(page, sel) != start and player(page, sel).get_attribute("data-frame") != str(start),
        15,
        what=f"{what}: the frame to advance while playing",
    )
    page.locator(f"{sel} .cleo-play").first.click()
    poll(lambda: not bar_playing(page, sel), 5, what=f"{what}: pause")


def assert_keys_step(page: Any, sel: str, what: str) -> None:
    """After a click on the canvas: Home, →, →, ←, End step the player; space plays / pauses."""
    canvas = page.locator(f"{sel} canvas.cleo-canvas").first
    box = canvas.bounding_box()
    # (scrolled into view first: a host may show a tall output in a scrolling box, as marimo does)
    canvas.click(position={"x": box["width"] / 2, "y": 10})
    try:
        poll(lambda: focus_ring(page, sel), 5, what=f"{what}: a click on the canvas to focus the player")
    except AssertionError:
        shots = Path(os.environ.get("CLEO_BROWSER_ARTIFACTS", Path(__file__).parent / "artifacts"))
        page.screenshot(path=str(shots / f"focus-failed-{what.replace(' ', '-')}.png"))
        raise
    steps = [("Home", 0), ("ArrowRight", 1), ("ArrowRight", 2), ("ArrowLeft", 1), ("End", None), ("Home", 0)]
    for key, frame in steps:
        page.keyboard.press(key)
        if frame is None:
            poll(lambda: bar_frame(page, sel) > 50, 10, what=f"{what}: End to show the last frame")
        else:
            wait_frame(page, sel, frame, f"{what}: {key}")
    page.keyboard.press(" ")
    poll(lambda: bar_playing(page, sel), 5, what=f"{what}: space to play")
    page.keyboard.press(" ")
    poll(lambda: not bar_playing(page, sel), 5, what=f"{what}: space to pause")


def assert_styled(page: Any, sel: str, what: str) -> None:
    """The player's own styles reached it: sized, coloured buttons; the legend over the canvas
    (not over the controls), its text readable; the time readout readable."""
    btn = page.locator(f"{sel} .cleo-btn").first
    s = btn.evaluate(
        "e => { const s = getComputedStyle(e); return [s.backgroundColor, s.color, e.getBoundingClientRect().height]; }"
    )
    assert s[0] == BUTTON_BG and s[1] == BUTTON_FG and abs(s[2] - BUTTON_HEIGHT) < 0.5, f"{what}: button style {s}"
    root = player(page, sel).evaluate("e => { const s = getComputedStyle(e); return [s.color, s.backgroundColor]; }")
    assert root == [PLAYER_FG, PLAYER_BG], f"{what}: player colours {root}"
    legend = page.locator(f"{sel} .cleo-legend").first
    pos, colour = legend.evaluate("e => [getComputedStyle(e).position, getComputedStyle(e).color]")
    assert pos == "absolute" and colour == PLAYER_FG, f"{what}: legend {pos} {colour}"
    lb = legend.bounding_box()
    stage = page.locator(f"{sel} .cleo-stage").first.bounding_box()
    bar = page.locator(f"{sel} .cleo-controls").first.bounding_box()
    assert lb and stage and bar
    assert lb["y"] >= stage["y"] and lb["y"] + lb["height"] <= stage["y"] + stage["height"], f"{what}: legend {lb}"
    assert lb["y"] + lb["height"] <= bar["y"], f"{what}: the legend covers the controls {lb} {bar}"
    time_colour = page.locator(f"{sel} .cleo-time").first.evaluate("e => getComputedStyle(e).color")
    assert time_colour == PLAYER_FG, f"{what}: readout colour {time_colour}"
    for select in ("cleo-speed", "cleo-loop"):
        c = page.locator(f"{sel} .{select}").first.evaluate(
            "e => [getComputedStyle(e).color, getComputedStyle(e).backgroundColor]"
        )
        assert c == [BUTTON_FG, BUTTON_BG], f"{what}: {select} colours {c}"


# the controls a user may click or drag before pressing a key, and how to focus each by mouse
_CONTROLS = ("canvas.cleo-canvas", ".cleo-scrub", ".cleo-play", ".cleo-next", ".cleo-speed", ".cleo-loop")


def check_keys_from_every_control(page: Any, sel: str, shots: Path | None = None, prefix: str = "") -> None:
    """For each control: focus it the way a user would (a click; the scrubber dragged; a select
    clicked, then its popup closed), see the focus ring, then →, ←, End, Home and space act on the
    player. Leaves the player paused at frame 0."""
    for control in _CONTROLS:
        loc = page.locator(f"{sel} {control}").first
        loc.scroll_into_view_if_needed()
        box = loc.bounding_box()
        assert box, control
        value = loc.input_value() if control in (".cleo-speed", ".cleo-loop") else None
        if control == ".cleo-scrub":
            y = box["y"] + box["height"] / 2
            page.mouse.move(box["x"] + box["width"] * 0.2, y)
            page.mouse.down()
            page.mouse.move(box["x"] + box["width"] * 0.3, y, steps=4)
            page.mouse.up()
        elif control in (".cleo-speed", ".cleo-loop"):
            loc.focus()  # a click opens the select's popup, which then takes the keys
        elif control == ".cleo-play":
            loc.click()
            loc.click()  # play, then pause again
            poll(lambda: not bar_playing(page, sel), 5, what="pause after the play click")
        else:
            loc.click()
        poll(lambda: focus_ring(page, sel), 5, what=f"the focus ring after clicking {control}")
        focused = loc.evaluate("e => e.matches(':focus') || e.closest('.cleo-player').matches(':focus')")
        assert focused, f"{control}: the focus left the player"
        if shots is not None and control in ("canvas.cleo-canvas", ".cleo-scrub"):
            player(page, sel).screenshot(path=str(shots / f"{prefix}-focus-{control.strip('.').split('.')[0]}.png"))
        page.keyboard.press("Home")
        wait_frame(page, sel, 0, f"Home after {control}")
        page.keyboard.press("ArrowRight")
        wait_frame(page, sel, 1, f"→ after {control}")
        page.keyboard.press("ArrowRight")
        wait_frame(page, sel, 2, f"second → after {control}")
        page.keyboard.press("ArrowLeft")
        wait_frame(page, sel, 1, f"← after {control}")
        page.keyboard.press("End")
        poll(lambda: bar_frame(page, sel) > 50, 10, what=f"End after {control}")
        page.keyboard.press("Home")
        wait_frame(page, sel, 0, f"Home again after {control}")
        page.keyboard.press(" ")
        poll(lambda: bar_playing(page, sel), 5, what=f"space to play after {control}")
        page.keyboard.press(" ")
        poll(lambda: not bar_playing(page, sel), 5, what=f"space to pause after {control}")
        page.keyboard.press("Home")
        wait_frame(page, sel, 0, f"Home to rewind after {control}")
        if control in (".cleo-speed", ".cleo-loop"):
            assert loc.input_value() == value, f"{control}: the arrows changed the select"
