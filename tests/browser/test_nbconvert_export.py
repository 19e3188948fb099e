"""A notebook exported to HTML keeps its players interactive when its widget state is saved,
with no CDN: ``cleo_player.export_notebook`` (one self-contained file, opened from file://
offline) and stock ``jupyter nbconvert --to html`` pointed at local copies of require.js and
``@jupyter-widgets/html-manager`` (served from 127.0.0.1, or beside the page on file://).

The notebook is made here and run with nbclient (``store_widget_state=True``, as ``jupyter
execute`` and JupyterLab's "Save Widget State Automatically" do): the seed tutorial for 40 ms,
the Player as a cell's last expression, then its controls-only view in a second cell.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from browser_helpers import (
    assert_draws_network,
    bar_state,
    canvas_rgb,
    changed_pixels,
    pixel_stats,
    poll,
    readout,
    renders,
    save_stage,
    shown_frame,
    wait_for_render,
)

pytestmark = pytest.mark.browser

PLAYER = ".nbx-player"  # the Player's widget element (player.add_class)
CONTROLS = ".nbx-controls"  # its controls-only view
T_END_MS = 40.0
LOCAL_SCHEMES = ("file:", "blob:", "data:")
STATE_MIME = "application/vnd.jupyter.widget-state+json"
VIEW_MIME = "application/vnd.jupyter.widget-view+json"

CELLS = [
    ("markdown", "# Exported player\nThe seed tutorial's network, 40 ms."),
    (
        "code",
        "import brian2 as b2\n"
        "from cleo_player import Player, Recorder\n"
        "from cleo_player.examples import seed_tutorial\n"
        "s = seed_tutorial()\n"
        "rec = Recorder(dt=1 * b2.ms, devices='all')\n"
        "s.sim.inject(rec, s.exc, s.inh)\n"
        f"s.sim.run({T_END_MS:g} * b2.ms)\n"
        "player = Player(s.sim, **s.plotargs)\n"
        "player.add_class('nbx-player')\n"
        "player",
    ),
    ("code", "player.controls.add_class('nbx-controls')\nplayer.controls"),
]


@pytest.fixture(scope="module")
def executed_notebook(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The notebook above, run with nbclient with its widget state stored, saved to disk."""
    import nbformat
    from nbclient import NotebookClient
    from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

    d = tmp_path_factory.mktemp("nbconvert")
    nb = new_notebook(cells=[new_code_cell(s) if kind == "code" else new_markdown_cell(s) for kind, s in CELLS])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    NotebookClient(nb, timeout=300, kernel_name="python3", store_widget_state=True,
                   resources={"metadata": {"path": str(d)}}).execute()  # fmt: skip
    path = d / "player.ipynb"
    nbformat.write(nb, path)
    state = nb.metadata["widgets"][STATE_MIME]["state"]
    views = [o["data"][VIEW_MIME]["model_id"] for c in nb.cells if c.cell_type == "code"
             for o in c.outputs if VIEW_MIME in o.get("data", {})]  # fmt: skip
    assert len(views) == 2 and all(state[v]["model_module"] == "anywidget" for v in views)
    return path


# --- pages and what they fetched -------------------------------------------------------------
@dataclass
class Fetches:
    page: Any
    log: Any  # browser_helpers.PageLog
    blocked: list[str]  # requests the route aborted (the network is cut off)


def open_cut_off(new_page: Any, url: str, allowed: tuple[str, ...], offline: bool) -> Fetches:
    """Open ``url`` in a fresh context where every request not starting with ``allowed`` is
    recorded and aborted; ``offline`` also puts the context offline (not for pages served
    from 127.0.0.1, which offline mode would cut off too)."""
    lp = new_page()
    blocked: list[str] = []

    def route(r: Any) -> None:
        if r.request.url.startswith(allowed):
            r.continue_()
        else:
            blocked.append(r.request.url)
            r.abort("internetdisconnected")

    lp.context.route("**/*", route)
    if offline:
        lp.context.set_offline(True)
    lp.page.goto(url)
    return Fetches(lp.page, lp.log, blocked)


def plays(page: Any, sel: str, artifacts: Path, name: str) -> None:
    """The player inside ``sel`` draws the network, plays (readout and picture change),
    pauses on a frame it shows, and scrubs."""
    wait_for_render(page, sel)
    legend = page.inner_text(f"{sel} .cleo-legend")
    for label in ("exc", "inh", "Light"):
        assert label in legend, legend
    assert readout(page, sel) == (0.0, T_END_MS)
    assert bar_state(page, sel) == (0, False)
    before = canvas_rgb(page, sel)
    stats = pixel_stats(before)
    save_stage(page, sel, artifacts, f"{name}-1-loaded", stats)
    assert_draws_network(stats, f"{name}, frame 0")
    assert stats.light >= 100 and stats.light_tiles >= 2, stats.summary()  # the 473 nm fibre's light

    renders_before = renders(page, sel)
    page.click(f"{sel} .cleo-play")
    page.wait_for_selector(f"{sel} .cleo-controls[data-playing='true']")

    def moved() -> Any:
        t, _ = readout(page, sel)
        if t == 0.0:
            return None
        n = changed_pixels(before, canvas_rgb(page, sel))
        return (t, n) if n >= 200 else None

    poll(moved, timeout_s=15, what="the readout and the picture to change while playing")
    save_stage(page, sel, artifacts, f"{name}-2-playing")
    assert renders(page, sel) > renders_before + 1
    page.click(f"{sel} .cleo-play")
    page.wait_for_selector(f"{sel} .cleo-controls[data-playing='false']")
    frame, _ = bar_state(page, sel)
    assert readout(page, sel) == (pytest.approx(frame * 1.0), T_END_MS)
    poll(lambda: shown_frame(page, sel) == frame, 5, what="the canvas to show the paused frame")

    page.fill(f"{sel} .cleo-scrub", "30")
    poll(lambda: shown_frame(page, sel) == 30, 5, what="frame 30 after scrubbing")
    assert readout(page, sel) == (30.0, T_END_MS)
    after = pixel_stats(canvas_rgb(page, sel))
    save_stage(page, sel, artifacts, f"{name}-3-frame30", after)
    assert_draws_network(after, f"{name}, frame 30")


# --- cleo_player.export_notebook: one file, file://, offline ---------------------------------
def test_export_notebook_plays_offline(executed_notebook, new_page, tmp_path, artifacts_dir):
    from cleo_player.export import export_notebook, remote_resources

    out = export_notebook(executed_notebook, tmp_path / "exported.html")
    html = out.read_text(encoding="utf-8")
    size = out.stat().st_size
    print(f"export_notebook: {out.name} is {size / 1e6:.2f} MB")
    assert 3_500_000 < size < 8_000_000, size  # html-manager (3.6 MB) + the player's bundle + data
    assert remote_resources(html) == []
    assert 'define("@jupyter-widgets/html-manager"' in html and "RequireJS 2.3.8" in html

    lp = open_cut_off(new_page, out.as_uri(), LOCAL_SCHEMES, offline=True)
    page = lp.page
    plays(page, PLAYER, artifacts_dir, "nbconvert-export")
    page.screenshot(path=str(artifacts_dir / "nbconvert-export-page.png"), full_page=True)

    # the controls-only view (its own widget model) drives the same player
    page.fill(f"{PLAYER} .cleo-scrub", "0")
    poll(lambda: shown_frame(page, PLAYER) == 0, 5, what="frame 0")
    page.click(f"{CONTROLS} .cleo-play")
    poll(lambda: readout(page, PLAYER)[0] > 0, 15, what="the player to play from its controls-only view")
    page.click(f"{CONTROLS} .cleo-play")
    page.wait_for_selector(f"{PLAYER} .cleo-controls[data-playing='false']")
    poll(lambda: bar_state(page, CONTROLS) == bar_state(page, PLAYER), 5, what="both bars to agree")

    # nothing but the file itself (and blob:/data: URLs) was asked for
    remote = [u for u in lp.log.requests if not u.startswith(LOCAL_SCHEMES)]
    assert not remote and not lp.blocked, f"the page tried the network: {remote + lp.blocked}"
    assert [u for u in lp.log.requests if u.startswith("file:")] == [out.as_uri()], lp.log.requests


# --- stock `jupyter nbconvert --to html`, its scripts served locally or beside the page -------
def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Served:
    url: str  # http://127.0.0.1:PORT/
    root: Path


@pytest.fixture
def served_dir(tmp_path: Path) -> Iterator[Served]:
    """``python -m http.server`` on a free 127.0.0.1 port serving a temp dir; stopped by PID."""
    root = tmp_path / "served"
    root.mkdir()
    port = _free_port()
    log = open(tmp_path / "http.log", "wb")
    proc = subprocess.Popen(
        [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1", "--directory", str(root)],
        stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                urllib.request.urlopen(url, timeout=1).close()
                break
            except (urllib.error.URLError, ConnectionError, OSError):
                if proc.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"http.server did not start: {(tmp_path / 'http.log').read_text()}")
                time.sleep(0.1)
        yield Served(url, root)
    finally:
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGTERM)
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                os.kill(proc.pid, signal.SIGKILL)
                proc.wait(10)
        log.close()


def stock_nbconvert(notebook: Path, root: Path, base: str, with_anywidget: bool) -> Path:
    """Copy the vendored files into ``root`` and run stock nbconvert there with its
    ``require_js_url`` and ``widget_renderer_url`` set to ``base`` + the file names (``base``
    "" makes them relative to the page); the page's path."""
    from cleo_player.export import VENDOR

    names = ["require.js", "embed-amd.js"] + (["anywidget.js"] if with_anywidget else [])
    for name in names:
        (root / name).write_bytes((VENDOR / name).read_bytes())
    subprocess.run(
        [sys.executable, "-m", "nbconvert", "--to", "html",
         f"--HTMLExporter.require_js_url={base}require.js",
         f"--HTMLExporter.widget_renderer_url={base}embed-amd.js",
         "--output-dir", str(root), "--output", "stock", str(notebook)],
        check=True, capture_output=True, timeout=120,
    )  # fmt: skip
    page = root / "stock.html"
    html = page.read_text(encoding="utf-8")
    assert f'<script src="{base}require.js">' in html and f"'{base}embed-amd.js'" in html
    return page


def _mathjax_only(blocked: list[str]) -> bool:
    return bool(blocked) and all(u.startswith("https://cdnjs.cloudflare.com/ajax/libs/mathjax/") for u in blocked)


def _anywidget_version(notebook: Path) -> str:
    """The anywidget module version the notebook's saved state asks for (e.g. ``~0.11.*``)."""
    import nbformat

    state = nbformat.read(notebook, as_version=4).metadata["widgets"][STATE_MIME]["state"]
    (version,) = {m["model_module_version"] for m in state.values() if m["model_module"] == "anywidget"}
    return version


def _drop_load_errors(log: Any, n: int) -> None:
    """Remove the ``n`` console errors Chromium logs for the requests the test aborted on
    purpose (they name no URL), so the fixture's no-console-error check sees only the rest."""
    failed = [e for e in log.console_errors if "Failed to load resource: net::ERR_INTERNET_DISCONNECTED" in e]
    assert len(failed) == n, log.console_errors
    for e in failed:
        log.console_errors.remove(e)


@pytest.mark.parametrize("where", ["http", "file"])
def test_stock_nbconvert_with_local_html_manager_plays(
    where, executed_notebook, new_page, tmp_path, artifacts_dir, request
):
    """Stock nbconvert output plays with no CDN when its two script URLs point at the vendored
    copies: served from 127.0.0.1 (``http``: absolute URLs; the context only reaches that
    server), or beside the page opened from file:// (``file``: relative URLs; offline).

    anywidget needs no ``require.config``: the html-manager first asks requirejs for the module
    "anywidget", which requirejs (no baseUrl configured) looks for as ``anywidget.js`` beside
    the page, here in the same dir; only when that fails does the html-manager fall back to
    jsdelivr (next test). The one request that leaves is the lab template's MathJax <script>
    (cdnjs), which the stock template always writes; it is aborted and the page works without
    it (export_notebook leaves it out)."""
    if where == "http":
        served: Served = request.getfixturevalue("served_dir")
        root, base, allowed = served.root, served.url, (served.url, "blob:", "data:")
        url = served.url + "stock.html"
    else:
        root, base, allowed = tmp_path / "site", "", LOCAL_SCHEMES
        root.mkdir()
        url = (root / "stock.html").as_uri()
    stock_nbconvert(executed_notebook, root, base, with_anywidget=True)
    lp = open_cut_off(new_page, url, allowed, offline=where == "file")
    plays(lp.page, PLAYER, artifacts_dir, f"nbconvert-stock-{where}")
    lp.page.screenshot(path=str(artifacts_dir / f"nbconvert-stock-{where}-page.png"), full_page=True)

    page_dir = url.rsplit("/", 1)[0] + "/"
    fetched = {u for u in lp.log.requests if u.startswith(page_dir)}
    assert {page_dir + f for f in ("stock.html", "require.js", "embed-amd.js", "anywidget.js")} == fetched
    assert _mathjax_only(lp.blocked), f"requests besides MathJax's that left the page's folder: {lp.blocked}"
    assert [u for u in lp.log.requests if not u.startswith(allowed)] == lp.blocked
    _drop_load_errors(lp.log, len(lp.blocked))


def test_stock_nbconvert_without_local_anywidget_tries_cdn(executed_notebook, served_dir, new_page):
    """Why anywidget.js must sit beside a stock page: without it, the html-manager falls back
    to ``https://cdn.jsdelivr.net/npm/anywidget@<saved version>/dist/index.js``, which cannot
    load offline, and no player appears."""
    stock_nbconvert(executed_notebook, served_dir.root, served_dir.url, with_anywidget=False)
    url = served_dir.url + "stock.html"
    lp = open_cut_off(new_page, url, (served_dir.url, "blob:", "data:"), offline=False)
    cdn = "https://cdn.jsdelivr.net/npm/anywidget@"

    def seen(cond: Any) -> Any:  # Playwright dispatches route and console events only in its calls
        return lambda: lp.page.wait_for_timeout(50) or cond()

    poll(seen(lambda: sum('Script error for "anywidget"' in e for e in lp.log.console_errors) == 2), 30,
         what="requirejs to give up on anywidget, for both anywidget models")  # fmt: skip
    assert lp.page.locator(".cleo-player").count() == 0
    assert f"{served_dir.url}anywidget.js" in lp.log.requests  # looked for beside the page first
    saved = _anywidget_version(executed_notebook)
    assert [u for u in lp.blocked if not _mathjax_only([u])] == [f"{cdn}{saved}/dist/index.js"], lp.blocked
    # the errors this page is expected to log, and no other: the two aborted loads (MathJax,
    # jsdelivr), the 404 of anywidget.js, and requirejs giving up once per anywidget model
    _drop_load_errors(lp.log, len(lp.blocked))
    rest = lp.log.console_errors
    assert sum("404 (File not found)" in e for e in rest) == 1, rest
    assert sum('Script error for "anywidget"' in e for e in rest) == 2, rest
    assert len(rest) == 3, rest
    rest.clear()
