"""Several views of one player stay in sync, in real JupyterLab (notebook ``views.ipynb``): the
grid player ``grid`` shown twice (two canvases), its ``controls`` in another cell, and the
controls in the JupyterLab sidebar (``grid.show_controls()``, a Sidecar).

The page is made tall enough for every view to stay in sight (views out of sight stop drawing).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from browser_helpers import (
    VIEWPORT,
    LabNotebook,
    bar_control,
    changed_pixels,
    data_url_rgb,
    pixel_stats,
    poll,
    readout_text,
    show,
    view_eval,
)

pytestmark = pytest.mark.browser

NOTEBOOK = "views.ipynb"
READY = "READY PlayerControls("
VIEW = ".test-view"  # the player's views: nth 0 and nth 1
CONTROLS = ".jp-Notebook .test-controls"  # player.controls displayed in a cell
SIDECAR = "#jp-right-stack .jupyterlab-sidecar"  # the Sidecar(anchor="right") in JupyterLab's right sidebar
N_FRAMES = 100


@pytest.fixture(scope="module", autouse=True)
def tall_page(nb: LabNotebook) -> Iterator[None]:
    page = nb.page
    page.set_viewport_size({"width": VIEWPORT["width"], "height": 2100})  # both views, with their timelines
    for nth in (0, 1):
        page.locator(f"{VIEW} .cleo-player[data-frame]").nth(nth).wait_for(state="attached")
    yield
    page.set_viewport_size(VIEWPORT)


def canvas(page: Any, nth: int) -> Any:
    """The nth view's canvas (scrolled into view, drawing)."""
    show(page, VIEW, nth)
    return data_url_rgb(view_eval(page, VIEW, "(v) => v.renderer.domElement.toDataURL('image/png')", nth=nth))


def everything(page: Any, extra: str = "") -> list[list[str]]:
    """[data-frame, data-playing, readout] of every control bar of the player (views, the
    controls cell, the sidebar), plus each view's last drawn frame, read in one go."""
    return page.evaluate(
        """(sels) => [...document.querySelectorAll(sels)].map((el) => {
             const bar = el.querySelector('.cleo-controls');
             const root = el.querySelector('.cleo-player');
             return [bar.dataset.frame, bar.dataset.playing, bar.querySelector('.cleo-time').textContent,
                     root.classList.contains('cleo-controls-only') ? 'bar' : root.dataset.frame];
           })""",
        ", ".join(s for s in (VIEW, CONTROLS, extra) if s),
    )


def in_sync(page: Any, frame: int, playing: bool = False, extra: str = "", n: int = 3) -> bool:
    rows = everything(page, extra)
    want = [str(frame), str(playing).lower(), readout_text(frame)]
    return len(rows) == n and all(r[:3] == want and r[3] in ("bar", str(frame)) for r in rows)


def wait_sync(page: Any, frame: int, extra: str = "", n: int = 3, what: str = "") -> None:
    try:
        poll(lambda: in_sync(page, frame, extra=extra, n=n), 60, what=what or f"every view at frame {frame}, paused")
    except AssertionError as e:
        raise AssertionError(f"{e}: {everything(page, extra)}") from None


def test_the_same_player_twice_draws_two_canvases_in_sync(nb: LabNotebook) -> None:
    page = nb.page
    show(page, VIEW, 0)
    show(page, VIEW, 1)
    assert page.locator(f"{VIEW} canvas.cleo-canvas").count() == 2
    for nth in (0, 1):
        stats = pixel_stats(canvas(page, nth))
        page.locator(f"{VIEW} .cleo-player").nth(nth).screenshot(path=str(nb.shots / f"{nb.prefix}-1-view{nth}.png"))
        assert stats.red >= 1500 and stats.red_tiles >= 80, f"view {nth}: {stats.summary()}"
    # play from the first view, pause from the second: all views stop at the same frame
    page.locator(f"{VIEW} .cleo-play").nth(0).click()
    poll(lambda: int(page.locator(f"{VIEW} .cleo-player").nth(1).get_attribute("data-frame")) >= 5, 10,
         what="the second view to advance when the first plays")  # fmt: skip
    page.locator(f"{VIEW} .cleo-play").nth(1).click()
    frame = int(page.locator(f"{VIEW} .cleo-controls").nth(0).get_attribute("data-frame"))
    wait_sync(page, frame)
    # scrub the second view: the first follows
    page.locator(f"{VIEW} .cleo-scrub").nth(1).fill("64")
    wait_sync(page, 64)
    a, b = canvas(page, 0), canvas(page, 1)
    assert changed_pixels(a, b, threshold=0) == 0, "two views of one player at one frame differ"
    nb.wait_py("[grid.frame, grid.playing]", [64, False])


def test_controls_view_drives_the_player_and_follows_it(nb: LabNotebook) -> None:
    page = nb.page
    bar = page.locator(f"{CONTROLS} .cleo-controls-only")
    bar.scroll_into_view_if_needed()
    assert bar.locator("canvas").count() == 0 and bar.locator(".cleo-reset-camera").count() == 0
    for cls in (
        "cleo-first",
        "cleo-prev",
        "cleo-play",
        "cleo-next",
        "cleo-last",
        "cleo-scrub",
        "cleo-time",
        "cleo-speed",
        "cleo-loop",
    ):
        assert bar.locator(f".{cls}").count() == 1, cls
    bar.locator(".cleo-first").click()
    wait_sync(page, 0)
    bar.locator(".cleo-next").click()
    bar.locator(".cleo-next").click()
    wait_sync(page, 2)
    bar.locator(".cleo-scrub").fill("30")
    wait_sync(page, 30)
    # play in the controls cell: the player's canvases advance
    bar.locator(".cleo-play").click()
    poll(
        lambda: all(int(r[3]) >= 36 for r in everything(page) if r[3] != "bar"),
        10,
        what=f"the canvases to advance when the controls view plays: {everything(page)}",
    )
    # pause in the player: the controls view shows it
    page.locator(f"{VIEW} .cleo-play").nth(0).click()
    frame = int(page.locator(f"{VIEW} .cleo-controls").nth(0).get_attribute("data-frame"))
    wait_sync(page, frame)
    # keyboard on the focused controls view
    bar.focus()
    page.keyboard.press("End")
    wait_sync(page, N_FRAMES - 1)
    page.keyboard.press("ArrowLeft")
    wait_sync(page, N_FRAMES - 2)
    page.keyboard.press("Home")
    wait_sync(page, 0)
    # the speed and loop selects are shared too
    bar_control(page, CONTROLS, "cleo-speed").select_option("0.01")
    bar_control(page, CONTROLS, "cleo-loop").select_option("pingpong")

    def selects() -> list[str]:
        return [page.locator(f"{VIEW} .cleo-{name}").nth(i).input_value() for name in ("speed", "loop") for i in (0, 1)]

    poll(lambda: selects() == ["0.01", "0.01", "pingpong", "pingpong"], 30, what="1/100x, ping-pong in both views")
    nb.wait_py("[grid.frame, grid.speed, grid.loop]", [0, 0.01, "pingpong"])
    nb.py("grid.speed = 0.1\ngrid.loop = 'loop'\ngrid.frame = 55")
    show(page, VIEW, 0)
    show(page, VIEW, 1)
    wait_sync(page, 55, what="grid.frame = 55 from Python in every view")
    poll(
        lambda: bar.locator(".cleo-speed").input_value() == "0.1" and bar.locator(".cleo-loop").input_value() == "loop",
        30,
        what="the controls view at 1/10x, loop",
    )


def test_sidebar_controls(nb: LabNotebook) -> None:
    page = nb.page
    nb.py("sc = grid.show_controls(sidebar=True)")
    side = page.locator(f"{SIDECAR} .cleo-controls-only")
    side.wait_for(state="visible")
    page.screenshot(path=str(nb.shots / f"{nb.prefix}-2-sidebar.png"))
    show(page, VIEW, 0)
    show(page, VIEW, 1)
    wait_sync(page, 55, extra=SIDECAR, n=4, what="the sidebar at the player's frame")
    # play from the sidebar: the canvases in the notebook advance; pause from a view
    side.locator(".cleo-play").click()
    poll(
        lambda: all(int(r[3]) >= 62 for r in everything(page) if r[3] != "bar"),
        10,
        what=f"the canvases to advance when the sidebar plays: {everything(page)}",
    )
    page.locator(f"{VIEW} .cleo-play").nth(1).click()
    frame = int(page.locator(f"{VIEW} .cleo-controls").nth(1).get_attribute("data-frame"))
    extra = SIDECAR
    wait_sync(page, frame, extra=extra, n=4)
    # scrub in the sidebar, step in a view
    side.locator(".cleo-scrub").fill("12")
    wait_sync(page, 12, extra=extra, n=4)
    page.locator(f"{VIEW} .cleo-next").nth(0).click()
    wait_sync(page, 13, extra=extra, n=4)
    nb.wait_py("[grid.frame, grid.playing]", [13, False])
    # closing the Sidecar removes the panel; the player's views stay
    nb.py("sc.close()")
    page.locator(f"{SIDECAR} .cleo-controls-only").wait_for(state="detached")
    wait_sync(page, 13)


def test_views_show_the_same_frame_while_playing(nb: LabNotebook) -> None:
    """Sampled while playing: both canvases show one frame, and every control bar (both views'
    and the controls cell's) reads one frame. A canvas draws in the animation frame after its
    bar updates, so canvases are compared with canvases and bars with bars."""
    page = nb.page
    show(page, VIEW, 0)
    show(page, VIEW, 1)
    page.locator(f"{CONTROLS} .cleo-controls-only").scroll_into_view_if_needed()
    same_playback = page.evaluate(
        "() => { const vs = [...window.__cleoPlayers].filter((v) => v.root.closest('.test-view'));"
        " return vs.length === 2 && vs[0].pb === vs[1].pb; }"
    )
    page.locator(f"{CONTROLS} .cleo-play").click()
    samples: list = []

    def sampled_enough() -> bool:  # one sample per round trip, until playback moved on 4 times
        samples.append(page.evaluate(
            """() => [[...document.querySelectorAll('.test-view .cleo-player')].map((r) => r.dataset.frame),
                      [...document.querySelectorAll(
                        '.test-view .cleo-controls, .jp-Notebook .test-controls .cleo-controls')]
                        .map((b) => b.dataset.frame)]"""
        ))  # fmt: skip
        return len(samples) >= 15 and len({s[0][0] for s in samples}) >= 4

    try:
        poll(sampled_enough, 60, interval_s=0.04, what="playback to advance through 4 frames while sampled")
    finally:
        page.locator(f"{CONTROLS} .cleo-play").click()
    canvases = [c for c, _ in samples]
    bars = [b for _, b in samples]
    assert all(len(b) == 3 for b in bars), bars
    assert same_playback, "the two views of one player have two Playbacks"
    assert all(len(set(c)) == 1 for c in canvases), f"the canvases showed different frames: {canvases}"
    assert all(len(set(b)) == 1 for b in bars), f"the control bars showed different frames: {bars}"
