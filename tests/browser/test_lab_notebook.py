"""The player in real JupyterLab: the test notebook (seed tutorial + Player) is opened in the
session's server, run with "Run All Cells", then driven from the browser and from new cells.

The tests of this module share one page and one kernel and run in file order: each one leaves
the main player paused, and checks the state it starts from.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from browser_helpers import (
    NOTEBOOK,
    PAGE_TIMEOUT_MS,
    VIEWPORT,
    WAIT_S,
    PageLog,
    assert_draws_network,
    bar_state,
    canvas_rgb,
    changed_pixels,
    open_notebook,
    pixel_stats,
    poll,
    readout,
    run_all_cells,
    run_cell,
    save_stage,
    shown_frame,
    wait_for_render,
)

pytestmark = pytest.mark.browser

MAIN = ".test-main-player"  # the Player after sim.run (cell 3)
EMPTY = ".test-empty-player"  # the Player made before sim.run (cell 2)
N_FRAMES = 100
# console errors JupyterLab itself may log on this machine and that say nothing about us
CONSOLE_ALLOW: tuple[re.Pattern, ...] = ()


@dataclass
class Lab:
    page: Any
    log: PageLog
    shots: Path

    def py(self, code: str) -> str:
        """Run ``code`` in a new cell of the notebook; its output text."""
        return run_cell(self.page, code)

    def py_value(self, expr: str) -> str:
        """``repr`` of a Python expression, evaluated in the notebook's kernel."""
        out = self.py(f"print('VALUE', repr({expr}))")
        m = re.search(r"^VALUE (.*)$", out, re.MULTILINE)
        assert m, f"no VALUE line in the output of {expr!r}: {out!r}"
        return m.group(1)

    def wait_value(self, expr: str, expected: str, what: str = "") -> None:
        """Until ``repr(expr)`` in the kernel is ``expected``: what the browser did reaches
        Python later than the page shows it, so Python state is never read just once."""
        poll(lambda: self.py_value(expr) == expected, WAIT_S, interval_s=0.2,
             what=what or f"{expr} == {expected} in Python")  # fmt: skip

    def shot(self, name: str, sel: str = MAIN, stats: Any = None) -> None:
        save_stage(self.page, sel, self.shots, f"lab-{name}", stats)


@pytest.fixture(scope="module")
def lab(chromium: Any, jupyter_lab: Any, artifacts_dir: Path) -> Iterator[Lab]:
    context = chromium.new_context(viewport=VIEWPORT)
    context.set_default_timeout(PAGE_TIMEOUT_MS)
    page = context.new_page()
    log = PageLog().attach(page)
    try:
        try:
            open_notebook(page, jupyter_lab.url, "seed_player.ipynb")
            run_all_cells(page)
            page.wait_for_selector(f"{NOTEBOOK} .jp-OutputArea-output:has-text('READY Player(')", timeout=300_000)
            wait_for_render(page, MAIN)
            wait_for_render(page, EMPTY)
        except Exception:
            page.screenshot(path=str(artifacts_dir / "lab-setup-failed.png"), full_page=True)
            print(f"JupyterLab log (tail):\n{jupyter_lab.log_tail()}")
            raise
        page.screenshot(path=str(artifacts_dir / "lab-0-notebook.png"))
        yield Lab(page, log, artifacts_dir)
    finally:
        context.close()


@pytest.fixture(autouse=True)
def no_page_errors(lab: Lab, jupyter_lab: Any, request: pytest.FixtureRequest) -> Iterator[None]:
    """Fail a test during which the JupyterLab page raised an error, logged one, or sent a
    request anywhere but to our server."""
    n_page, n_console, n_requests = lab.log.mark()
    yield
    rep = getattr(request.node, "_cleo_rep_call", None)
    if rep is None or not rep.passed:
        return
    new = lab.log.page_errors[n_page:] + [
        e for e in lab.log.console_errors[n_console:] if not any(p.search(e) for p in CONSOLE_ALLOW)
    ]
    assert not new, "the JupyterLab page reported errors:\n" + "\n".join(new)
    remote = [u for u in lab.log.requests[n_requests:] if not u.startswith((jupyter_lab.url + "/", "data:", "blob:"))]
    assert not remote, f"the JupyterLab page sent requests off the server: {remote}"


def test_notebook_runs_in_this_venv(lab: Lab, jupyter_lab: Any) -> None:
    # loading JupyterLab and running the notebook needed nothing but our server
    remote = [u for u in lab.log.requests if not u.startswith((jupyter_lab.url + "/", "data:", "blob:"))]
    assert not remote, f"requests off the server while loading: {remote}"
    assert not lab.log.page_errors and not lab.log.console_errors, lab.log.page_errors + lab.log.console_errors
    out = lab.page.locator(f"{NOTEBOOK} .jp-OutputArea-output:has-text('READY Player(')").inner_text()
    assert f"PYTHON {sys.executable}" in out
    assert "READY Player(exc: 400 neurons, inh: 100 neurons; 100 frames of 1 ms; devices: Light)" in out
    import cleo_player

    assert f"PACKAGE {cleo_player.__file__}" in out  # the kernel runs this checkout (editable install)


def test_empty_player_shows_message_and_draws_neurons(lab: Lab) -> None:
    page = lab.page
    page.locator(EMPTY).scroll_into_view_if_needed()
    overlay = page.locator(f"{EMPTY} .cleo-overlay")
    assert overlay.is_visible()
    assert "Nothing recorded yet" in overlay.inner_text()
    assert page.inner_text(f"{EMPTY} .cleo-time").strip() == "t = – / – ms"
    assert page.is_disabled(f"{EMPTY} .cleo-play") and page.is_disabled(f"{EMPTY} .cleo-scrub")
    legend = page.inner_text(f"{EMPTY} .cleo-legend")
    assert "exc" in legend and "inh" in legend
    stats = pixel_stats(canvas_rgb(page, EMPTY))
    lab.shot("1-empty-player", EMPTY, stats)
    assert_draws_network(stats, "empty player")
    assert stats.light_tiles == 0, f"no light was recorded, yet light is drawn: {stats.summary()}"


def test_player_draws_the_network(lab: Lab) -> None:
    page = lab.page
    page.locator(MAIN).scroll_into_view_if_needed()
    assert not page.locator(f"{MAIN} .cleo-overlay").is_visible()
    legend = page.inner_text(f"{MAIN} .cleo-legend")
    for name in ("exc", "inh", "Light"):
        assert name in legend, legend
    assert readout(page, MAIN) == (0.0, 100.0)
    assert bar_state(page, MAIN) == (0, False)
    assert shown_frame(page, MAIN) == 0
    stats = pixel_stats(canvas_rgb(page, MAIN))
    lab.shot("2-player-frame0", stats=stats)
    assert_draws_network(stats, "player at frame 0")
    assert stats.light >= 100 and stats.light_tiles >= 2, f"fibre light at frame 0: {stats.summary()}"


def test_play_button_moves_time_and_picture(lab: Lab) -> None:
    page = lab.page
    assert bar_state(page, MAIN) == (0, False)
    before = canvas_rgb(page, MAIN)
    page.click(f"{MAIN} .cleo-play")
    page.wait_for_selector(f"{MAIN} .cleo-controls[data-playing='true']")

    def moved() -> Any:
        t, _ = readout(page, MAIN)
        if t == 0.0:
            return None
        n = changed_pixels(before, canvas_rgb(page, MAIN))
        return (t, n) if n >= 200 else None

    poll(moved, timeout_s=15, what="readout and picture to change while playing")
    lab.shot("3-playing")
    lab.wait_value("player.playing", "True", "the click to reach Python")

    page.click(f"{MAIN} .cleo-play")
    page.wait_for_selector(f"{MAIN} .cleo-controls[data-playing='false']")
    frame, _ = bar_state(page, MAIN)
    assert readout(page, MAIN)[0] == pytest.approx(frame * 1.0)
    # pausing sends the exact frame
    lab.wait_value("(player.playing, player.frame)", f"(False, {frame})")


def test_scrubbing_reaches_python(lab: Lab) -> None:
    page = lab.page
    scrub = page.locator(f"{MAIN} .cleo-scrub")
    scrub.scroll_into_view_if_needed()
    box = scrub.bounding_box()
    assert box is not None
    y = box["y"] + box["height"] / 2

    # drag the slider with the mouse: press at 20 % of its width, release at 70 %
    page.mouse.move(box["x"] + 0.2 * box["width"], y)
    page.mouse.down()
    page.mouse.move(box["x"] + 0.45 * box["width"], y, steps=5)
    page.mouse.move(box["x"] + 0.7 * box["width"], y, steps=5)
    page.mouse.up()
    frame, playing = bar_state(page, MAIN)
    assert not playing
    assert abs(frame - 0.7 * (N_FRAMES - 1)) <= 4, f"dragged to 70 % but the frame is {frame}"
    poll(lambda: shown_frame(page, MAIN) == frame, 5, what=f"the canvas to render frame {frame}")
    assert readout(page, MAIN) == (frame * 1.0, 100.0)
    assert int(scrub.input_value()) == frame
    lab.shot("4-scrubbed")
    lab.wait_value("(player.frame, float(player.time / b2.ms))", f"({frame}, {float(frame)!r})")

    # keys on the focused player (the drag left the focus on the slider): → ×3, then ←
    page.focus(f"{MAIN} .cleo-player")
    for _ in range(3):
        page.keyboard.press("ArrowRight")
    page.wait_for_selector(f"{MAIN} .cleo-controls[data-frame='{frame + 3}']")
    page.keyboard.press("ArrowLeft")
    page.wait_for_selector(f"{MAIN} .cleo-controls[data-frame='{frame + 2}']")
    lab.wait_value("player.frame", str(frame + 2))
    page.focus(f"{MAIN} .cleo-player")
    page.keyboard.press("End")
    page.wait_for_selector(f"{MAIN} .cleo-controls[data-frame='{N_FRAMES - 1}']")
    assert readout(page, MAIN) == (99.0, 100.0)
    lab.wait_value("player.frame", str(N_FRAMES - 1))
    # and the buttons
    page.click(f"{MAIN} .cleo-first")
    page.wait_for_selector(f"{MAIN} .cleo-controls[data-frame='0']")
    page.click(f"{MAIN} .cleo-next")
    page.wait_for_selector(f"{MAIN} .cleo-controls[data-frame='1']")
    lab.wait_value("player.frame", "1")
    # typing those cells (spaces included) did not reach the player: still paused at frame 1
    assert bar_state(page, MAIN) == (1, False)


def test_python_drives_the_browser(lab: Lab) -> None:
    page = lab.page
    frame0 = canvas_rgb(page, MAIN)
    lab.py("player.frame = 37")
    page.wait_for_selector(f"{MAIN} .cleo-controls[data-frame='37']")
    poll(lambda: shown_frame(page, MAIN) == 37, 5, what="the canvas to render frame 37")
    assert readout(page, MAIN) == (37.0, 100.0)
    assert int(page.locator(f"{MAIN} .cleo-scrub").input_value()) == 37
    assert changed_pixels(frame0, canvas_rgb(page, MAIN)) > 0
    lab.shot("5-frame37-from-python")

    lab.py("player.seek(62.5 * b2.ms)")
    page.wait_for_selector(f"{MAIN} .cleo-controls[data-frame='62']")
    assert readout(page, MAIN) == (62.0, 100.0)

    # slow enough that the frame only grows while we sample it, however slowly the cells run
    # (from frame 1 at 1/1000x: 98 s before playback wraps)
    lab.py("player.speed = 0.001\nplayer.frame = 1\nplayer.play()")
    page.wait_for_selector(f"{MAIN} .cleo-controls[data-playing='true']")
    assert page.locator(f"{MAIN} .cleo-speed").input_value() == "0.001"
    poll(lambda: bar_state(page, MAIN)[0] > 1, 10, what="playback started from Python to advance")
    lab.shot("6-playing-from-python")
    # while it plays, the browser keeps Python's frame up to date (throttled)
    first = int(lab.py_value("player.frame"))

    def advanced() -> Any:
        f = int(lab.py_value("player.frame"))
        return f if f > first else None

    second = poll(advanced, 10, interval_s=0.2, what="player.frame in Python to advance while playing")
    assert 1 <= first < second < N_FRAMES

    lab.py("player.pause()")
    page.wait_for_selector(f"{MAIN} .cleo-controls[data-playing='false']")
    # paused from Python: the view goes to the frame Python holds, and they agree
    poll(lambda: bar_state(page, MAIN) == (int(lab.py_value("player.frame")), False), 30, interval_s=0.2,
         what="player.frame in Python to equal the paused frame")  # fmt: skip
    lab.py("player.speed = 0.1")
    poll(lambda: page.locator(f"{MAIN} .cleo-speed").input_value() == "0.1", 5, what="speed 1/10x in the browser")


def test_refresh_fills_the_empty_player(lab: Lab) -> None:
    page = lab.page
    lab.py("empty.refresh()")
    page.wait_for_selector(f"{EMPTY} .cleo-overlay", state="hidden")
    poll(lambda: page.inner_text(f"{EMPTY} .cleo-time").strip() == "t = 0.0–1.0 / 100.0 ms", 10,
         what="the refreshed player's readout")  # fmt: skip
    assert not page.is_disabled(f"{EMPTY} .cleo-play")
    page.locator(EMPTY).scroll_into_view_if_needed()
    stats = pixel_stats(canvas_rgb(page, EMPTY))
    lab.shot("7-empty-after-refresh", EMPTY, stats)
    assert_draws_network(stats, "refreshed player")
    assert stats.light >= 100, f"the refreshed player shows no light: {stats.summary()}"
