"""Helpers for the browser tier: Chromium launch settings, page error capture, canvas pixel
analysis and a few waits on the player's DOM.

Colour analysis is done on what the WebGL canvas really holds (``canvas.toDataURL``; the
renderer keeps its drawing buffer), decoded with Pillow. The background is #111318; neurons
rest at low opacity, so an excitatory (tomato) neuron at rest reads about (61, 28, 27) and an
inhibitory (cerulean blue) one about (15, 37, 67); the 473 nm light is cyan-blue and additive.
Pixels are sorted by hue, and for neurons also by how widely they spread over the canvas (a
network of hundreds of neurons covers many 16x16 tiles; a stray blob does not).
"""

from __future__ import annotations

import base64
import io
import os
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

CHROMIUM = os.environ.get("CLEO_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--use-angle=swiftshader",
    "--enable-unsafe-swiftshader",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
VIEWPORT = {"width": 1280, "height": 1000}

BACKGROUND = np.array([17, 19, 24], dtype=np.int16)  # #111318, the player's clear colour
TILE = 16  # px, for the "spread over the canvas" measure

# Deadlines of the waits: generous, as CI machines are slower and busier than ours (a wait
# ends as soon as its condition holds; only a failing test waits this long).
WAIT_S = 60.0  # any poll() waits at least this long for its condition
PAGE_TIMEOUT_MS = 60_000  # Playwright's default timeout in our pages (wait_for_selector, clicks...)

# A view sets data-frame on its root each time it renders, so this is "has rendered once".
# (Not window.__cleoPlayers: in JupyterLab each Player model imports its own copy of the
# bundle, and each copy replaces that global with its own Set.)
PLAYER_RENDERED = "{sel} .cleo-player[data-frame]"


# --- page errors ------------------------------------------------------------------------------
@dataclass
class PageLog:
    """Everything a page reported that a test may want to fail on."""

    page_errors: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    console_all: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)

    def attach(self, page: Any) -> PageLog:
        page.on("pageerror", lambda e: self.page_errors.append(e.stack or f"{e.name}: {e.message}"))
        page.on("console", self._on_console)
        page.on("request", lambda r: self.requests.append(r.url))
        return self

    def _on_console(self, msg: Any) -> None:
        text = f"[{msg.type}] {msg.text}"
        self.console_all.append(text)
        if msg.type == "error":
            self.console_errors.append(text)

    def mark(self) -> tuple[int, int, int]:
        return len(self.page_errors), len(self.console_errors), len(self.requests)


# --- canvas pixels ----------------------------------------------------------------------------
def canvas_png(page: Any, selector: str) -> bytes:
    """The PNG bytes of the (first) WebGL canvas inside ``selector``.

    A player out of sight for a while gives its WebGL context back (only a picture stays);
    scrolling it into view makes it draw on a new canvas, which we wait for."""
    page.locator(selector).first.scroll_into_view_if_needed()
    page.wait_for_selector(f"{selector} canvas.cleo-canvas", state="attached")
    url = page.eval_on_selector(f"{selector} canvas.cleo-canvas", "c => c.toDataURL('image/png')")
    assert url.startswith("data:image/png;base64,"), url[:60]
    return base64.b64decode(url.split(",", 1)[1])


def canvas_rgb(page: Any, selector: str) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(canvas_png(page, selector))).convert("RGB"))


def _hue_sat_val(rgb: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    x = rgb.astype(np.float32) / 255.0
    r, g, b = x[..., 0], x[..., 1], x[..., 2]
    mx = x.max(-1)
    mn = x.min(-1)
    d = mx - mn
    safe = np.where(d > 0, d, 1.0)
    h = np.where(mx == r, ((g - b) / safe) % 6.0, np.where(mx == g, (b - r) / safe + 2.0, (r - g) / safe + 4.0))
    h = np.where(d > 0, h * 60.0, -1.0)
    s = np.where(mx > 0, d / np.where(mx > 0, mx, 1.0), 0.0)
    return h, s, mx


@dataclass
class PixelStats:
    """Counts of canvas pixels by what they most likely show."""

    width: int
    height: int
    drawn: int  # anything that differs clearly from the background
    red: int  # excitatory neurons (tomato), resting or flashing
    blue: int  # inhibitory neurons (cerulean blue)
    light: int  # the 473 nm light (cyan-blue, brighter than resting neurons' blue)
    grey: int  # axes box, ticks, labels
    red_tiles: int  # TILE x TILE tiles holding >= 3 red pixels
    blue_tiles: int
    light_tiles: int

    def summary(self) -> str:
        return ", ".join(f"{k}={v}" for k, v in self.__dict__.items())


def _tiles(mask: np.ndarray, min_px: int = 3) -> int:
    h, w = mask.shape
    hh, ww = h - h % TILE, w - w % TILE
    t = mask[:hh, :ww].reshape(hh // TILE, TILE, ww // TILE, TILE).sum(axis=(1, 3))
    return int((t >= min_px).sum())


def classify(rgb: np.ndarray) -> dict[str, np.ndarray]:
    """Boolean masks: drawn, red, blue, light, grey."""
    diff = np.abs(rgb.astype(np.int16) - BACKGROUND).max(-1)
    drawn = diff > 24
    h, s, _ = _hue_sat_val(rgb)
    coloured = drawn & (s > 0.35)
    red = coloured & ((h >= 340) | (h <= 30))
    blue = coloured & (h > 207) & (h <= 240)
    light = coloured & (h >= 180) & (h <= 207)
    grey = drawn & (s < 0.2)
    return {"drawn": drawn, "red": red, "blue": blue, "light": light, "grey": grey}


def pixel_stats(rgb: np.ndarray) -> PixelStats:
    m = classify(rgb)
    return PixelStats(
        width=int(rgb.shape[1]),
        height=int(rgb.shape[0]),
        drawn=int(m["drawn"].sum()),
        red=int(m["red"].sum()),
        blue=int(m["blue"].sum()),
        light=int(m["light"].sum()),
        grey=int(m["grey"].sum()),
        red_tiles=_tiles(m["red"]),
        blue_tiles=_tiles(m["blue"]),
        light_tiles=_tiles(m["light"]),
    )


def changed_pixels(a: np.ndarray, b: np.ndarray, threshold: int = 40) -> int:
    """Pixels whose colour differs by more than ``threshold`` in some channel."""
    assert a.shape == b.shape, (a.shape, b.shape)
    return int((np.abs(a.astype(np.int16) - b.astype(np.int16)).max(-1) > threshold).sum())


# The scene as the seed tutorial draws it (500 neurons, 400 exc : 100 inh) must cover this
# much of the canvas. Measured (SwiftShader is deterministic: same counts every run, and the
# same on the 1248x480 standalone canvas as on the 848x480 one in JupyterLab, the view being
# height-bound): 7500-8700 red px over 220-240 tiles, 2080-2250 blue px over 120-137 tiles,
# 4900-5200 grey px. With the neurons hidden (mutation check): 0 red, 39 blue px in 5 tiles
# (light edges). The floors are about 40 % of the measured values.
MIN_RED_PX, MIN_RED_TILES = 3000, 60
MIN_BLUE_PX, MIN_BLUE_TILES = 700, 45
MIN_GREY_PX = 1200


def assert_draws_network(stats: PixelStats, what: str) -> None:
    """Both populations and the axes are drawn, spread over the canvas."""
    summary = stats.summary()
    assert stats.red >= MIN_RED_PX and stats.red_tiles >= MIN_RED_TILES, f"{what}: too few exc (red) pixels: {summary}"
    assert stats.blue >= MIN_BLUE_PX and stats.blue_tiles >= MIN_BLUE_TILES, f"{what}: too few inh (blue) px: {summary}"
    assert stats.grey >= MIN_GREY_PX, f"{what}: no axes box / labels (grey pixels): {stats.summary()}"


# --- waits ------------------------------------------------------------------------------------
def wait_for_render(page: Any, selector: str, timeout_ms: float = 120_000) -> None:
    """Until the cleo-player view inside ``selector`` has rendered at least once."""
    page.wait_for_selector(PLAYER_RENDERED.format(sel=selector), state="attached", timeout=timeout_ms)


def renders(page: Any, selector: str) -> int:
    """``view.renders`` of the view inside ``selector``, from ``window.__cleoPlayers``
    (-1 if that Set does not hold the view)."""
    return page.evaluate(
        "(sel) => { const el = document.querySelector(sel);"
        " for (const v of window.__cleoPlayers || []) if (el && el.contains(v.root)) return v.renders;"
        " return -1; }",
        selector,
    )


def poll(fn: Callable[[], Any], timeout_s: float, interval_s: float = 0.05, what: str = "condition") -> Any:
    """Call ``fn`` until it returns something truthy; return that, or fail after the timeout
    (at least :data:`WAIT_S`: a deadline, not a delay; a busy machine may need all of it)."""
    timeout_s = max(timeout_s, WAIT_S)
    deadline = time.monotonic() + timeout_s
    last = None
    while True:
        last = fn()
        if last:
            return last
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout_s} s waiting for {what} (last: {last!r})")
        time.sleep(interval_s)


READOUT = re.compile(r"^t = (?P<t>-?\d+(?:\.\d+)?)–(?P<t1>-?\d+(?:\.\d+)?) / (?P<end>\d+(?:\.\d+)?) ms$")


def readout_text(frame: int, n_frames: int = 100, dt_ms: float = 1.0) -> str:
    """The readout of frame ``frame`` of a uniform run: its window, then the run's end."""
    return f"t = {frame * dt_ms:.1f}–{(frame + 1) * dt_ms:.1f} / {n_frames * dt_ms:.1f} ms"


def animation_frames(page: Any, n: int = 5) -> None:
    """Return once the page has run ``n`` more animation frames: anything a view scheduled
    before (a render, a clock tick) has run by then, however slow the machine. For checking
    that something did *not* happen, instead of a fixed sleep."""
    page.evaluate(
        "(n) => new Promise((resolve) => { let k = 0;"
        " const f = () => (++k >= n ? resolve() : requestAnimationFrame(f)); requestAnimationFrame(f); })",
        n,
    )


def readout(page: Any, selector: str) -> tuple[float, float]:
    """The time readout as (t, t_end) in ms: the start of the frame's window (Python's
    ``player.time``) and the run's end; fails unless it reads ``t = a–b / c ms``."""
    # textContent, not innerText: JupyterLab skips rendering cells out of sight
    # (content-visibility), and innerText of an unrendered element is ""
    text = (page.locator(f"{selector} .cleo-time").first.text_content() or "").strip()
    m = READOUT.match(text)
    assert m, f"unexpected time readout {text!r}"
    return float(m["t"]), float(m["end"])


def shown_frame(page: Any, selector: str) -> int:
    """The frame the canvas last rendered (root data-frame, set in render())."""
    return int(page.get_attribute(f"{selector} .cleo-player", "data-frame"))


def bar_state(page: Any, selector: str) -> tuple[int, bool]:
    bar = page.locator(f"{selector} .cleo-controls")
    return int(bar.get_attribute("data-frame")), bar.get_attribute("data-playing") == "true"


def save_stage(page: Any, selector: str, directory: Path | None, name: str, stats: PixelStats | None = None) -> None:
    """Element screenshot of the player (canvas, legend, overlay, controls) for people to look
    at, and the pixel counts the test measured beside it (``name.txt``)."""
    if directory is None:
        return
    page.locator(f"{selector} .cleo-player").first.screenshot(path=str(directory / f"{name}.png"))
    if stats is not None:
        (directory / f"{name}.txt").write_text(stats.summary() + "\n")


# --- JupyterLab -------------------------------------------------------------------------------
KERNEL_IDLE = "#jp-main-statusbar >> text=Idle"
NOTEBOOK = ".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook"
EXEC_DONE = re.compile(r"^\[\d+\]:$")


def open_notebook(page: Any, base_url: str, name: str, timeout_ms: float = 180_000) -> None:
    """Open a notebook and wait until its kernel is idle (the status bar's "Idle" text; the
    execution indicator's data-status proved flaky, see reference/browser-testing.md).

    Each notebook opens in a JupyterLab workspace of its own: the default one would reopen the
    notebooks other pages have open (a second front end on their kernels, and a "File Changed"
    dialog that blocks "Run All Cells")."""
    workspace = "test-" + re.sub(r"[^A-Za-z0-9_-]", "-", Path(name).stem)
    page.goto(f"{base_url}/lab/workspaces/{workspace}/tree/{name}")
    page.wait_for_selector(f"{NOTEBOOK} .jp-Cell", timeout=timeout_ms)
    page.wait_for_selector(KERNEL_IDLE, timeout=timeout_ms)


def run_all_cells(page: Any) -> None:
    page.locator(".lm-MenuBar-itemLabel", has_text="Run").first.click()
    page.locator(".lm-Menu-itemLabel", has_text="Run All Cells").first.click()


def cell_output_text(cell: Any) -> str:
    outs = cell.locator(".jp-OutputArea-output")
    return "\n".join(outs.nth(i).inner_text() for i in range(outs.count()))


def run_cell(page: Any, code: str, timeout_ms: float = 180_000) -> str:
    """Add a code cell at the end of the notebook, run it, and return its output text.

    Fails if the cell raised (an error output), so a broken Python side cannot pass silently.
    """
    return wait_cell(start_cell(page, code), timeout_ms, what=f"cell {code!r}")


# --- notebook cells beyond "append and run" ---------------------------------------------------
def _append_cell(page: Any, code: str) -> Any:
    """Append a code cell holding ``code`` (typed into its editor); returns its locator."""
    cells = page.locator(f"{NOTEBOOK} .jp-Cell")
    n = cells.count()
    last = cells.nth(n - 1)
    last.scroll_into_view_if_needed()
    last.locator(".jp-InputPrompt").click()  # selects the cell
    page.keyboard.press("Escape")  # command mode
    page.keyboard.press("b")  # insert a cell below, selected
    new = cells.nth(n)
    new.wait_for()
    page.wait_for_function(
        "([sel, n]) => document.querySelectorAll(sel)[n]?.classList.contains('jp-mod-selected')",
        arg=[f"{NOTEBOOK} .jp-Cell", n],
    )
    page.keyboard.press("Enter")  # edit mode
    new.locator(".cm-editor.cm-focused").wait_for()
    page.keyboard.insert_text(code)
    return new


def start_cell(page: Any, code: str) -> Any:
    """Append a code cell and start it (Ctrl+Enter) without waiting; returns its locator."""
    new = _append_cell(page, code)
    page.keyboard.press("Control+Enter")
    return new


def wait_cell(cell: Any, timeout_ms: float = 180_000, what: str = "cell", after: str | None = None) -> str:
    """Wait until ``cell`` shows an execution count (other than ``after``, its prompt before a
    re-run); returns its output text, failing if it shows a traceback."""
    prompt = cell.locator(".jp-InputArea-prompt")
    deadline = time.monotonic() + timeout_ms / 1000
    while True:
        text = prompt.inner_text().strip()
        if EXEC_DONE.match(text) and text != after:
            break
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} did not finish in {timeout_ms / 1000} s ({text!r})")
        time.sleep(0.05)
    out = cell_output_text(cell)
    if "Traceback (most recent call last)" in out:
        raise AssertionError(f"{what} raised:\n{out}")
    return out


def rerun_cell(page: Any, cell: Any, timeout_ms: float = 180_000) -> str:
    """Run an existing cell again (select it, Ctrl+Enter in command mode) and wait for it."""
    before = cell.locator(".jp-InputArea-prompt").inner_text().strip()
    cell.scroll_into_view_if_needed()
    cell.locator(".jp-InputPrompt").click()
    page.keyboard.press("Escape")
    page.keyboard.press("Control+Enter")
    return wait_cell(cell, timeout_ms, what="re-run of a cell", after=before)


def cell_with_output(page: Any, selector: str) -> Any:
    """The notebook cell whose output holds ``selector``."""
    return page.locator(f"{NOTEBOOK} .jp-Cell").filter(has=page.locator(selector)).first


# --- the views, through window.__cleoPlayers --------------------------------------------------
# Finds the PlayerView whose root lies inside the nth element matching a selector. Fields that
# TypeScript marks private (pb, objects, ...) are ordinary properties at runtime.
_FIND_VIEW = """
(sel, nth) => {
  const el = document.querySelectorAll(sel)[nth];
  if (!el) throw new Error(`no element matches ${sel} [${nth}]`);
  for (const v of window.__cleoPlayers || []) if (el.contains(v.root)) return v;
  throw new Error(`no live PlayerView inside ${sel} [${nth}]`);
}
"""


def view_eval(page: Any, selector: str, fn: str, arg: Any = None, nth: int = 0) -> Any:
    """Evaluate the JS function ``fn`` = ``(view, arg) => ...`` on the view inside ``selector``
    (may be async)."""
    return page.evaluate(
        f"async ([sel, nth, arg]) => {{ const v = ({_FIND_VIEW})(sel, nth); return await ({fn})(v, arg); }}",
        [selector, nth, arg],
    )


def live_views(page: Any) -> int:
    return page.evaluate("() => (window.__cleoPlayers || new Set()).size")


def decode_png(png: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB"))


def data_url_rgb(url: str) -> np.ndarray:
    assert url.startswith("data:image/png;base64,"), url[:60]
    return decode_png(base64.b64decode(url.split(",", 1)[1]))


def save_rgb(rgb: np.ndarray, path: Path) -> None:
    Image.fromarray(rgb).save(path)


# --- a notebook opened in JupyterLab, with the kernel behind it --------------------------------
@dataclass
class LabNotebook:
    """One notebook page in JupyterLab (a browser context of its own) and helpers to run
    Python in its kernel."""

    page: Any
    log: PageLog
    shots: Path
    prefix: str

    def py(self, code: str, timeout_ms: float = 180_000) -> str:
        """Run ``code`` in a new cell of the notebook; its output text."""
        return run_cell(self.page, code, timeout_ms)

    def py_value(self, expr: str) -> str:
        """``repr`` of a Python expression, evaluated in the notebook's kernel."""
        out = self.py(f"print('VALUE', repr({expr}))")
        m = re.search(r"^VALUE (.*)$", out, re.MULTILINE)
        assert m, f"no VALUE line in the output of {expr!r}: {out!r}"
        return m.group(1)

    def py_json(self, expr: str) -> Any:
        """A JSON-able Python expression's value, evaluated in the kernel."""
        import json

        out = self.py(f"import json as _json\nprint('JSON', _json.dumps({expr}))")
        m = re.search(r"^JSON (.*)$", out, re.MULTILINE)
        assert m, f"no JSON line in the output of {expr!r}: {out!r}"
        return json.loads(m.group(1))

    def wait_py(self, expr: str, expected: Any, what: str = "") -> None:
        """Until the kernel's ``expr`` (JSON-able) equals ``expected``: what the browser did
        reaches Python later than the page shows it (the front end sends an update only once
        the kernel has answered the previous one), so Python state is never read just once."""
        seen: list = []

        def ok() -> bool:
            seen[:] = [self.py_json(expr)]
            return seen[0] == expected

        try:
            poll(ok, WAIT_S, interval_s=0.2, what=what or f"{expr} == {expected!r} in Python")
        except AssertionError as e:
            raise AssertionError(f"{e}; Python has {expr} = {seen[0] if seen else None!r}") from None

    def shot(self, name: str, sel: str, stats: PixelStats | None = None) -> None:
        save_stage(self.page, sel, self.shots, f"{self.prefix}-{name}", stats)

    def page_shot(self, name: str) -> None:
        self.page.screenshot(path=str(self.shots / f"{self.prefix}-{name}.png"))


# --- watching playback frame by frame, inside the page -----------------------------------------
def show(page: Any, selector: str, nth: int = 0, timeout_ms: float = 60_000, reset_camera: bool = False) -> None:
    """Scroll the player inside ``selector`` into view and wait until it draws on a live canvas.

    A view out of sight for a while gives its WebGL context back and shows a snapshot; it
    neither draws nor updates ``data-frame`` until it is back in sight (on a new canvas).
    ``reset_camera`` clicks the view's reset-camera button and waits for the render: tests
    that compare pictures taken at different times use it, as a view that got its context
    back may look from another angle (product bug reported: test_robustness)."""
    page.locator(selector).nth(nth).scroll_into_view_if_needed()
    page.wait_for_function(
        "([sel, nth]) => { const el = document.querySelectorAll(sel)[nth];"
        " return !!el && !!el.querySelector('canvas.cleo-canvas') && !el.querySelector('img.cleo-snapshot'); }",
        arg=[selector, nth],
        timeout=timeout_ms,
    )
    if reset_camera:
        renders = view_eval(page, selector, "(v) => v.renders", nth=nth)
        bar_control(page, selector, "cleo-reset-camera", nth).click()
        page.wait_for_function(
            f"([sel, nth, n]) => ({_FIND_VIEW})(sel, nth).renders > n", arg=[selector, nth, renders], timeout=timeout_ms
        )


def bar_control(page: Any, selector: str, cls: str, nth: int = 0) -> Any:
    """The control ``.cls`` of the bar inside ``selector``, ready to use: when a narrow bar has
    folded it into its menu, the menu is opened first."""
    control = page.locator(f"{selector} .cleo-controls").nth(nth).locator(f".{cls}")
    menu = page.locator(f"{selector} .cleo-controls").nth(nth).locator(".cleo-menu")
    if menu.locator(f".{cls}").count() and not menu.is_visible():
        page.locator(f"{selector} .cleo-controls").nth(nth).locator(".cleo-menu-btn").click()
        menu.wait_for(state="visible")
    return control


@dataclass
class Watch:
    """What a view drew while :func:`watch_frames` watched it: one record per drawn frame
    (``t`` ms since the start, ``frame``, ``step`` = frames the spike state advanced by,
    ``playing`` (and ``playing0``, ``direction``: when the frame was first drawn), and ``url``
    when captured)."""

    records: list[dict]
    timed_out: bool

    @property
    def frames(self) -> list[int]:
        return [r["frame"] for r in self.records]


def watch_frames(
    page: Any,
    selector: str,
    until: str,
    *,
    timeout_ms: float = 15_000,
    click_play: bool = True,
    pause: bool = True,
    capture: str = "false",
    arg: Any = None,
    nth: int = 0,
) -> Watch:
    """Record every frame the view inside ``selector`` draws (a MutationObserver on its root's
    ``data-frame``, which render() sets after drawing, so the canvas then holds that frame; a
    frame drawn again updates its record's ``playing``),
    after clicking its play button when ``click_play``, until the JS expression ``until`` is
    true; then click pause (in the same task, so the frame stays put) when ``pause``.

    ``until`` and ``capture`` are JS expressions over ``rec`` (this record), ``recs`` (all so
    far), ``v`` (the PlayerView) and ``a`` (``arg``); when ``capture`` is true the canvas is
    grabbed into ``rec.url``. The player is scrolled into view first (see :func:`show`).
    ``timeout_ms`` is at least ``WAIT_S``: a deadline for ``until``, not a delay."""
    timeout_ms = max(timeout_ms, WAIT_S * 1000)
    show(page, selector, nth)
    fn = f"""(v, a) => new Promise((resolve) => {{
      const root = v.root;
      const recs = [];
      const t0 = performance.now();
      let done = false;
      let obs = null;
      let timer = null;
      const finish = (timedOut) => {{
        if (done) return;
        done = true;
        obs.disconnect();
        clearTimeout(timer);
        if ({"true" if pause else "false"} && v.pb.playing) root.querySelector('.cleo-controls .cleo-play').click();
        resolve({{ records: recs, timedOut }});
      }};
      obs = new MutationObserver(() => {{
        if (done) return;
        const frame = Number(root.dataset.frame);
        let rec = recs[recs.length - 1];
        if (rec && rec.frame === frame) {{
          rec.playing = v.pb.playing;  // drawn again (e.g. on pause): same record, new state
        }} else {{
          rec = {{ t: performance.now() - t0, frame, step: v.pb.spikes.step, playing: v.pb.playing,
                  playing0: v.pb.playing, direction: v.pb.direction }};
          recs.push(rec);
          if ({capture}) rec.url = v.renderer.domElement.toDataURL('image/png');
        }}
        if ({until}) finish(false);
      }});
      obs.observe(root, {{ attributes: true, attributeFilter: ['data-frame'] }});
      timer = setTimeout(() => finish(true), {float(timeout_ms)});
      if ({"true" if click_play else "false"}) root.querySelector('.cleo-controls .cleo-play').click();
    }})"""
    out = view_eval(page, selector, fn, arg, nth)
    return Watch(out["records"], out["timedOut"])


def project_neurons(page: Any, selector: str, nth: int = 0) -> np.ndarray:
    """Each neuron's position on the canvas (drawing-buffer pixels, x right, y down), computed
    from the view's camera and the neurons' world matrix as last rendered."""
    xy = view_eval(
        page,
        selector,
        """(v) => {
          const pts = v.objects.neurons;
          const M = pts.matrixWorld.elements, V = v.camera.matrixWorldInverse.elements,
                P = v.camera.projectionMatrix.elements;
          const mul = (A, x) => [0, 1, 2, 3].map(
            (r) => A[r] * x[0] + A[4 + r] * x[1] + A[8 + r] * x[2] + A[12 + r] * x[3]);
          const pos = pts.geometry.attributes.position.array;
          const W = v.renderer.domElement.width, H = v.renderer.domElement.height;
          const out = [];
          for (let i = 0; i < pos.length / 3; i++) {
            const c = mul(P, mul(V, mul(M, [pos[3 * i], pos[3 * i + 1], pos[3 * i + 2], 1])));
            out.push([((c[0] / c[3] + 1) / 2) * W, ((1 - c[1] / c[3]) / 2) * H]);
          }
          return out;
        }""",
        nth=nth,
    )
    return np.asarray(xy, dtype=float)


def spot(rgb: np.ndarray, xy: np.ndarray, r: int = 1) -> np.ndarray:
    """Mean colour of the (2r+1)² pixels around each position: (N, 3) floats."""
    h, w = rgb.shape[:2]
    out = np.zeros((len(xy), 3))
    for k, (x, y) in enumerate(np.round(xy).astype(int)):
        x0, x1 = max(x - r, 0), min(x + r + 1, w)
        y0, y1 = max(y - r, 0), min(y + r + 1, h)
        out[k] = rgb[y0:y1, x0:x1].reshape(-1, 3).mean(0)
    return out


# --- known product bugs ---------------------------------------------------------------------------
class KnownBug(AssertionError):  # noqa: N818 names the bug: xfail(raises=KnownBug) reads as meant
    """The symptom of a reported product bug. Tests marked
    ``xfail(strict=True, raises=KnownBug)`` fail with it while the bug is there; any other
    failure (a timeout, a setup error, another assertion) still fails the test, and once the
    bug is fixed the strict xfail turns into a failure that asks for the marker's removal."""


def expect_fixed(ok: bool, symptom: str) -> None:
    """Raise :class:`KnownBug` with ``symptom`` unless ``ok``."""
    if not ok:
        raise KnownBug(symptom)


# --- standalone pages opened offline ------------------------------------------------------
LOCAL_SCHEMES = ("file:", "blob:", "data:")


@dataclass
class OfflinePage:
    page: Any
    log: Any  # browser_helpers.PageLog: errors and every request the page made
    blocked: list[str]  # requests the route aborted


def open_offline(new_page: Any, path: Path, root: str) -> OfflinePage:
    """Open ``path`` from file:// in a context with the network off; every request that is
    not local is recorded and aborted."""
    lp = new_page()
    blocked: list[str] = []

    def route(r: Any) -> None:
        if r.request.url.startswith(LOCAL_SCHEMES):
            r.continue_()
        else:
            blocked.append(r.request.url)
            r.abort("internetdisconnected")

    lp.context.route("**/*", route)
    lp.context.set_offline(True)
    lp.page.goto(path.as_uri())
    wait_for_render(lp.page, root)
    return OfflinePage(lp.page, lp.log, blocked)


def assert_stayed_offline(lp: OfflinePage) -> None:
    remote = [u for u in lp.log.requests if not u.startswith(LOCAL_SCHEMES)]
    assert not remote and not lp.blocked, f"the page tried the network: {remote + lp.blocked}"
    # the page itself was seen by the recorder (its bundle is imported from a blob: URL, which
    # Chromium does not always report as a request once routing is on)
    assert any(u.startswith("file:") for u in lp.log.requests), lp.log.requests
