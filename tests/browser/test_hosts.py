"""The host matrix: one player in each host users meet it in, in a real browser. Each host test
opens a player and checks that it renders (pixels), plays (the frame advances), its keys step it,
and its styles are applied (host_checks.py); then what is particular to the host:

- JupyterLab 4, light theme (the session's server) and dark theme (a server of its own): the
  player's colours are its own in both; nothing of the host's theme bleeds into its text.
- Notebook 7: keys from every control stay in the player (← / → never stepped there, → folded
  the next heading); the wheel scrolls the page past an unfocused player;
  ``show_controls(sidebar=True)`` shows the controls inline with a notice (no sidebar there).
- marimo (``marimo edit``; ``marimo run`` cannot import brian2): the styles reach the shadow root marimo
  renders widgets in; the legend is off the controls; fullscreen fills the screen.
- the exported notebook (``python -m cleo_player.export --execute``), offline.
- the standalone page (``save_html``): the player fills the window and follows its size.

VS Code and Colab run the same anywidget front end; they are not tested here.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from browser_helpers import NOTEBOOK, VIEWPORT, LabNotebook, PageLog, bar_control, poll, wait_for_render
from host_checks import (
    PLAYER_BG,
    assert_keys_step,
    assert_plays,
    assert_renders,
    assert_styled,
    check_keys_from_every_control,
    focus_ring,
    notebook_state,
    player,
)
from servers import DARK, Server, jupyter, marimo_app

if TYPE_CHECKING:
    from collections.abc import Iterator

pytestmark = pytest.mark.browser

HERE = Path(__file__).resolve().parent
NOTEBOOK_NAME = "hosts.ipynb"  # the grid player between two headings
READY = "READY Player("
GRID = ".test-grid"
# Notebook 7.6 itself raises this on every page load (its shortcuts plugin reads the schema of a
# settings plugin that has none), with or without any widget on the page.
NOTEBOOK7_OWN_ERROR = "Cannot read properties of undefined (reading 'schema')"
# marimo's front end waits 10 s for a widget model's "open" message and logs this when the wait
# times out; on a loaded machine it sometimes does, then renders the widget when the model
# arrives (the test still requires the player to render, play and step).
MARIMO_SLOW_MODEL = "Error: Model not found for key: "


def host_checks(page: Any, sel: str, what: str, shots: Path, name: str) -> None:
    """Renders, styled, plays, keys step; a screenshot of the player for people to look at."""
    wait_for_render(page, sel, 60_000)
    player(page, sel).scroll_into_view_if_needed()
    assert_renders(page, sel, what)
    assert_styled(page, sel, what)
    assert_plays(page, sel, what)
    assert_keys_step(page, sel, what)
    player(page, sel).screenshot(path=str(shots / f"host-{name}.png"))


def new_logged_page(chromium: Any, **kwargs: Any) -> tuple[Any, Any, PageLog]:
    context = chromium.new_context(viewport=kwargs.pop("viewport", VIEWPORT), **kwargs)
    context.set_default_timeout(30_000)
    page = context.new_page()
    return context, page, PageLog().attach(page)


def assert_no_errors(log: PageLog, allowed: tuple[str, ...] = ()) -> None:
    problems = [p for p in log.page_errors + log.console_errors if not any(a in p for a in allowed)]
    assert not problems, "the page reported errors:\n" + "\n".join(problems)


def run_all(page: Any, ready: str) -> None:
    """Run every cell (the Run menu of JupyterLab and Notebook 7) and wait for ``ready``."""
    page.locator(".lm-MenuBar-itemLabel", has_text="Run").first.click()
    page.locator(".lm-Menu-itemLabel", has_text="Run All Cells").first.click()
    page.wait_for_selector(f".jp-OutputArea-output:has-text({ready!r})", timeout=180_000)


# --- JupyterLab ------------------------------------------------------------------------------
def test_jupyterlab_light(lab_notebooks: Any, artifacts_dir: Path) -> None:
    nb: LabNotebook = lab_notebooks.get(NOTEBOOK_NAME, READY)
    page = nb.page
    assert page.evaluate("() => document.body.dataset.jpThemeLight") == "true"
    host_checks(page, GRID, "JupyterLab light", artifacts_dir, "jupyterlab-light")
    page.screenshot(path=str(artifacts_dir / "host-jupyterlab-light-page.png"))
    assert_no_errors(nb.log)


@pytest.fixture(scope="module")
def notebooks_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("hosts-root")
    (root / NOTEBOOK_NAME).write_bytes((HERE / "notebooks" / NOTEBOOK_NAME).read_bytes())
    return root


def test_jupyterlab_dark(chromium: Any, notebooks_root: Path, tmp_path_factory: Any, artifacts_dir: Path) -> None:
    with jupyter("jupyterlab", notebooks_root, tmp_path_factory.mktemp("lab-dark"), DARK) as server:
        context, page, log = new_logged_page(chromium)
        try:
            page.goto(f"{server.url}/lab/workspaces/dark/tree/{NOTEBOOK_NAME}")
            page.wait_for_selector(f"{NOTEBOOK} .jp-Cell", timeout=90_000)
            page.wait_for_selector("#jp-main-statusbar >> text=Idle", timeout=90_000)
            assert page.evaluate("() => document.body.dataset.jpThemeLight") == "false"  # the dark theme is on
            run_all(page, READY)
            host_checks(page, GRID, "JupyterLab dark", artifacts_dir, "jupyterlab-dark")
            # the host's text is light on dark here, the player's colours are its own (host_checks)
            host_text = player(page, GRID).evaluate("e => getComputedStyle(e.closest('.jp-OutputArea-output')).color")
            assert host_text != player(page, GRID).evaluate("e => getComputedStyle(e).color"), host_text
            assert player(page, GRID).evaluate("e => getComputedStyle(e).backgroundColor") == PLAYER_BG
            page.screenshot(path=str(artifacts_dir / "host-jupyterlab-dark-page.png"))
            assert_no_errors(log)
        finally:
            context.close()


# --- Notebook 7 ------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def notebook7(notebooks_root: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with jupyter("notebook", notebooks_root, tmp_path_factory.mktemp("notebook7")) as server:
        yield server


@pytest.fixture(scope="module")
def nb7_page(chromium: Any, notebook7: Server, artifacts_dir: Path) -> Iterator[tuple[Any, PageLog]]:
    context, page, log = new_logged_page(chromium)
    try:
        page.goto(f"{notebook7.url}/notebooks/{NOTEBOOK_NAME}")
        page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=90_000)
        # the execution indicator reads "idle" before the kernel is connected: ask the app
        page.wait_for_function(
            "() => { const k = window.jupyterapp?.shell?.currentWidget?.sessionContext?.session?.kernel;"
            " return !!k && k.connectionStatus === 'connected' && k.status === 'idle'; }",
            timeout=120_000,
        )
        run_all(page, READY)
        yield page, log
    except Exception:
        page.screenshot(path=str(artifacts_dir / "host-notebook7-setup-failed.png"), full_page=True)
        raise
    finally:
        context.close()


def test_notebook7(nb7_page: tuple[Any, PageLog], artifacts_dir: Path) -> None:
    page, log = nb7_page
    assert page.evaluate("() => document.body.dataset.notebook") == "notebooks"  # Notebook 7's shell
    host_checks(page, GRID, "Notebook 7", artifacts_dir, "notebook7")
    page.click(f"{GRID} canvas.cleo-canvas")
    before = notebook_state(page)
    assert before["headings"] >= 2, before
    check_keys_from_every_control(page, GRID, shots=artifacts_dir, prefix="host-notebook7")
    after = notebook_state(page)
    assert after == before, (before, after)  # Notebook 7 acted on none of the keys
    page.screenshot(path=str(artifacts_dir / "host-notebook7-page.png"))
    assert_no_errors(log, (NOTEBOOK7_OWN_ERROR,))


def test_notebook7_wheel_scrolls_past_the_player(nb7_page: tuple[Any, PageLog]) -> None:
    page, log = nb7_page
    page.locator(".jp-MarkdownCell", has_text="Section A").first.click()
    assert not focus_ring(page, GRID)
    canvas = page.locator(f"{GRID} canvas.cleo-canvas")
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    y0 = box["y"]
    page.mouse.wheel(0, 150)
    poll(lambda: canvas.bounding_box()["y"] < y0 - 20, 5, what="the page to scroll under the wheel")
    assert page.locator(f"{GRID} .cleo-hint.cleo-hint-shown").count() == 1
    assert_no_errors(log, (NOTEBOOK7_OWN_ERROR,))


def test_notebook7_sidebar_falls_back_inline(nb7_page: tuple[Any, PageLog], artifacts_dir: Path) -> None:
    page, log = nb7_page
    from browser_helpers import run_cell  # JupyterLab's cell helpers work in Notebook 7's notebook too

    out = run_cell(page, "sc = grid.show_controls(sidebar=True)\nprint('SHOWN', sc)")
    assert "SHOWN" in out
    inline = page.locator(".jp-Notebook .cleo-sidebar-fallback")
    inline.wait_for(state="visible", timeout=15_000)
    notice = inline.locator(".cleo-notice")
    assert "sidebar" in (notice.text_content() or "")
    bar = inline.locator(".cleo-controls")
    bar.locator(".cleo-next").click()
    start = int(page.locator(f"{GRID} .cleo-controls").get_attribute("data-frame"))
    poll(lambda: int(bar.get_attribute("data-frame")) == start, 5, what="the inline controls to follow the player")
    inline.screenshot(path=str(artifacts_dir / "host-notebook7-sidebar-fallback.png"))
    assert_no_errors(log, (NOTEBOOK7_OWN_ERROR, "Could not create a view for model id"))


# --- marimo ----------------------------------------------------------------------------------
def test_marimo(chromium: Any, tmp_path_factory: pytest.TempPathFactory, artifacts_dir: Path) -> None:
    base = tmp_path_factory.mktemp("marimo")
    app = base / "player_app.py"  # a copy: marimo writes its session cache beside the file
    app.write_bytes((HERE / "marimo" / "player_app.py").read_bytes())
    with marimo_app(app, base / "home") as server:
        context, page, log = new_logged_page(chromium)
        try:
            page.goto(server.url)
            sel = "body"
            # run the notebook's cells (marimo edit shows them stale until run); a click before
            # its kernel is connected does nothing, so click again until the cells run
            run = page.locator('[data-testid="chrome-controls-bottom-right"] [data-testid="run-button"]')

            def started() -> bool:
                if page.locator(f"{sel} .cleo-player").count():
                    return True
                if run.is_enabled():  # stale cells left: not run yet
                    run.click()
                return False

            poll(started, 120, interval_s=3, what="marimo to run the cells and show the player")
            wait_for_render(page, sel, 120_000)
            # the player lives in a shadow root (marimo's widget output): styles must be adopted there
            in_shadow = player(page, sel).evaluate("e => e.getRootNode() instanceof ShadowRoot")
            assert in_shadow
            host_checks(page, sel, "marimo", artifacts_dir, "marimo")
            page.screenshot(path=str(artifacts_dir / "host-marimo-page.png"))
            # fullscreen fills the screen (the document sees the shadow host as fullscreen)
            bar_control(page, sel, "cleo-fullscreen").click()  # (in the bar's menu when it is narrow)
            vw, vh = page.evaluate("() => [innerWidth, innerHeight]")

            def filled() -> Any:
                box = player(page, sel).bounding_box()
                return box if box and abs(box["width"] - vw) < 2 and abs(box["height"] - vh) < 2 else None

            poll(filled, 10, what="the player to fill the screen")
            canvas_h = page.locator(".cleo-canvas").first.evaluate("e => e.getBoundingClientRect().height")
            bar_h = page.locator(".cleo-controls").first.bounding_box()["height"]
            timeline_h = page.locator(".cleo-timeline").first.bounding_box()["height"]
            assert abs(canvas_h + timeline_h + bar_h - vh) < 2, (canvas_h, timeline_h, bar_h, vh)
            page.screenshot(path=str(artifacts_dir / "host-marimo-fullscreen.png"))
            bar_control(page, sel, "cleo-fullscreen").click()
            poll(lambda: page.evaluate("() => document.fullscreenElement === null"), 5, what="leaving fullscreen")
            assert_no_errors(log, (MARIMO_SLOW_MODEL,))
        finally:
            context.close()


# --- exported notebook and standalone page ---------------------------------------------------
def test_exported_notebook(new_page: Any, tmp_path: Path, artifacts_dir: Path) -> None:
    src = tmp_path / NOTEBOOK_NAME
    src.write_bytes((HERE / "notebooks" / NOTEBOOK_NAME).read_bytes())
    out = tmp_path / "hosts.html"
    r = subprocess.run(
        [sys.executable, "-m", "cleo_player.export", str(src), "-o", str(out), "--execute"],
        capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    assert r.returncode == 0, r.stderr
    lp = new_page()
    lp.page.goto(out.as_uri())
    host_checks(lp.page, GRID, "exported notebook", artifacts_dir, "exported-notebook")
    remote = [u for u in lp.log.requests if not u.startswith(("file:", "data:", "blob:"))]
    assert not remote, remote


def test_standalone_page_fills_the_window(new_page: Any, tmp_path: Path, artifacts_dir: Path) -> None:
    import numpy as np

    from cleo_player import Player
    from cleo_player.recording import GroupData, Recording

    dt = 1e-3
    frame_t = np.arange(100) * dt
    ij = np.stack(np.meshgrid(np.arange(10), np.arange(10), indexing="ij"), -1).reshape(-1, 2)
    positions = np.column_stack([ij * 100e-6, np.full(100, 300e-6)])
    group = GroupData.from_spikes("grid", positions, np.arange(100), frame_t + 0.3 * dt, frame_t, dt)
    grid = Player(Recording(dt, frame_t, 100 * dt, (group,)), colors=["xkcd:tomato"], scatterargs={"s": 40},
                  xlim=(-50, 950), ylim=(-50, 950), zlim=(0, 600))  # fmt: skip
    path = grid.save_html(tmp_path / "grid.html")
    lp = new_page()
    page = lp.page
    page.goto(path.as_uri())
    sel = "#cleo-player-root"
    host_checks(page, sel, "standalone page", artifacts_dir, "standalone")

    def fills(width: int, height: int) -> Any:
        root = player(page, sel).bounding_box()
        canvas = page.locator(f"{sel} canvas.cleo-canvas").bounding_box()
        size = page.locator(f"{sel} canvas.cleo-canvas").evaluate("c => [c.width, c.height]")
        timeline = page.locator(f"{sel} .cleo-timeline").bounding_box()
        bar = page.locator(f"{sel} .cleo-controls").bounding_box()
        ok = (
            root is not None
            and canvas is not None
            and timeline is not None
            and bar is not None
            and abs(root["y"] + root["height"] - (height - 16)) < 2  # down to the page's bottom padding
            and abs(root["width"] - (width - 32)) < 2
            # the 3D view takes three quarters of the room the bar leaves, the timeline the rest
            and abs(canvas["height"] + timeline["height"] + bar["height"] - root["height"]) < 3
            and abs(timeline["height"] - canvas["height"] / 3) < 2
            and size[1] == round(canvas["height"])  # the drawing buffer follows (pixel ratio 1)
        )
        return (root, canvas) if ok else None

    poll(lambda: fills(VIEWPORT["width"], VIEWPORT["height"]), 10, what="the player to fill the window")
    assert page.evaluate("() => document.scrollingElement.scrollHeight <= innerHeight")  # nothing below it
    page.screenshot(path=str(artifacts_dir / "host-standalone-page.png"))
    for w, h in ((900, 600), (1400, 1100), (520, 700)):
        page.set_viewport_size({"width": w, "height": h})
        poll(lambda w=w, h=h: fills(w, h), 10, what=f"the player to follow the window to {w} x {h}")
    page.screenshot(path=str(artifacts_dir / "host-standalone-narrow.png"))
    assert_renders(page, sel, "standalone page after resizes")
