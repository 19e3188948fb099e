"""One copy of the front end per page (issue 11.15), each figure printed against its target.

1. Saved notebook size: a notebook showing 20 small players, run with nbclient keeping the widget
   state (as JupyterLab's "save widget state" does). Target: at most 1 MB plus the players' data.
2. JS memory over 10 re-runs of a cell showing 4 players in JupyterLab: ``JSHeapUsedSize``
   (Chrome DevTools Protocol ``Performance.getMetrics``) after a forced garbage collection
   (``HeapProfiler.collectGarbage``) following each re-run. Target: flat (no growth per re-run
   beyond noise).

Each figure is measured twice: with the shared front end (the default: each widget's ``_esm`` is
a small loader, the code travels once per kernel) and with the whole front end in every widget's
``_esm`` (as before; today what anywidget's hot reload, ``ANYWIDGET_HMR=1``, does).

Run: ``.venv/bin/python benchmarks/frontend_copies.py`` (needs ``make setup`` and Chromium).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGET_BYTES = 1e6  # a saved notebook with 20 players: at most this besides their data
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
    "--js-flags=--expose-gc",
]

SETUP = """\
import numpy as np
from IPython.display import display
from cleo_player import Player
from cleo_player.recording import GroupData, Recording

def small_recording(seed):
    rng = np.random.default_rng(seed)
    dt = 1e-3
    frame_t = np.arange(50) * dt
    pos = rng.uniform(0, 500e-6, (50, 3))
    t = np.sort(rng.uniform(0, 0.05, 200))
    return Recording(dt, frame_t, 0.05, (GroupData.from_spikes("g", pos, rng.integers(0, 50, 200), t, frame_t, dt),))
"""


def players_cell(n: int, close_old: bool = False) -> str:
    """A cell showing ``n`` new players (after closing those of its previous run if ``close_old``)."""
    close = 'for p in globals().get("players", []):\n    p.close()\n' if close_old else ""
    make = f"players = [Player(small_recording(k), height=160) for k in range({n})]\n"
    show = "for p in players:\n    display(p)\n"
    return close + make + show


def notebook(cells: list[str]) -> object:
    """A notebook of these code cells."""
    import nbformat

    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    return nb


def data_bytes(state: dict) -> int:
    """Bytes of the players' data in a saved widget state: their binary buffers (base64, as
    saved) and scene descriptions.
    """
    total = 0
    for model in state.values():
        if model.get("model_module") != "anywidget":
            continue
        s = model["state"]
        total += len(json.dumps(s.get("_meta", {})))
        for buf in model.get("buffers", []):
            total += len(buf.get("data", ""))
    return total


def saved_notebook_size(per_widget: bool, n: int = 20) -> tuple[int, int, int]:
    """(file size, data bytes, number of saved models) of the executed notebook."""
    import nbformat
    from nbclient import NotebookClient

    env = {"ANYWIDGET_HMR": "1"} if per_widget else {}
    old = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        nb = notebook([SETUP, players_cell(n)])
        with tempfile.TemporaryDirectory() as d:
            NotebookClient(
                nb, timeout=300, kernel_name="python3", store_widget_state=True, resources={"metadata": {"path": d}}
            ).execute()
            path = Path(d) / "twenty.ipynb"
            nbformat.write(nb, path)
            size = path.stat().st_size
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    state = nb.metadata["widgets"]["application/vnd.jupyter.widget-state+json"]["state"]
    return size, data_bytes(state), len(state)


# --- JupyterLab -----------------------------------------------------------------------------
def free_port() -> int:
    """A free TCP port on 127.0.0.1."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_lab(root: Path, base: Path, env_extra: dict[str, str]) -> tuple[subprocess.Popen, str]:
    """A JupyterLab of this venv on ``root``, with its settings under ``base``; waits until it answers."""
    dirs = {k: base / k for k in ("config", "runtime", "data", "settings", "workspaces", "ipython")}
    for d in dirs.values():
        d.mkdir(parents=True, exist_ok=True)
    news = dirs["settings"] / "@jupyterlab/apputils-extension/notification.jupyterlab-settings"
    news.parent.mkdir(parents=True, exist_ok=True)
    news.write_text(json.dumps({"fetchNews": "false", "checkForUpdates": False}))
    env = dict(
        os.environ,
        JUPYTER_CONFIG_DIR=str(dirs["config"]),
        JUPYTER_RUNTIME_DIR=str(dirs["runtime"]),
        JUPYTER_DATA_DIR=str(dirs["data"]),
        JUPYTERLAB_SETTINGS_DIR=str(dirs["settings"]),
        JUPYTERLAB_WORKSPACES_DIR=str(dirs["workspaces"]),
        IPYTHONDIR=str(dirs["ipython"]),
        **env_extra,
    )
    env.pop("JUPYTER_PATH", None)
    port = free_port()
    cmd = [
        sys.executable, "-m", "jupyterlab", "--allow-root", "--no-browser", "--IdentityProvider.token=",
        "--ServerApp.password=", "--ServerApp.ip=127.0.0.1", f"--port={port}", "--ServerApp.port_retries=0",
        f"--ServerApp.root_dir={root}",
    ]  # fmt: skip
    log = (base / "lab.log").open("wb")  # closed with the process
    proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env, cwd=root)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if _answers(f"{url}/api/status"):
            return proc, url
        time.sleep(0.3)
    proc.send_signal(signal.SIGTERM)
    raise RuntimeError("JupyterLab did not start")


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2):  # noqa: S310 (our own server on 127.0.0.1)
            return True
    except OSError:
        return False


def stop(proc: subprocess.Popen) -> None:
    """Stop a server by its PID: SIGTERM, then SIGKILL."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            proc.kill()


def heap_after_gc(cdp: object) -> float:
    """JSHeapUsedSize (MB) after two forced collections."""
    for _ in range(2):
        cdp.send("HeapProfiler.collectGarbage")
    metrics = {m["name"]: m["value"] for m in cdp.send("Performance.getMetrics")["metrics"]}
    return metrics["JSHeapUsedSize"] / 1e6


def memory_over_reruns(per_widget: bool, reruns: int, n_players: int, close_old: bool = False) -> list[float]:
    """JS heap (MB, after GC) before the first run and after each of ``reruns`` runs of the cell."""
    import nbformat
    from playwright.sync_api import sync_playwright

    base = Path(tempfile.mkdtemp(prefix="cleo-bench-"))
    root = base / "root"
    root.mkdir()
    nbformat.write(notebook([SETUP, players_cell(n_players, close_old)]), root / "rerun.ipynb")
    proc, url = start_lab(root, base / "lab", {"ANYWIDGET_HMR": "1"} if per_widget else {})
    heaps: list[float] = []
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1200, "height": 900})
            page.goto(f"{url}/lab/tree/rerun.ipynb")
            page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=90_000)
            page.wait_for_selector("#jp-main-statusbar >> text=Idle", timeout=90_000)
            cdp = page.context.new_cdp_session(page)
            cdp.send("Performance.enable")
            cdp.send("HeapProfiler.enable")
            cells = page.locator(".jp-Notebook .jp-Cell")
            # the setup cell once
            cells.nth(0).locator(".jp-InputPrompt").click()
            page.keyboard.press("Escape")
            page.keyboard.press("Control+Enter")
            first_prompt = "document.querySelectorAll('.jp-Cell')[0].querySelector('.jp-InputArea-prompt')"
            page.wait_for_function(f"() => /\\[1\\]/.test({first_prompt}.textContent)", timeout=120_000)
            heaps.append(heap_after_gc(cdp))
            for k in range(reruns):
                cells.nth(1).locator(".jp-InputPrompt").click()
                page.keyboard.press("Escape")
                page.keyboard.press("Control+Enter")
                page.wait_for_function(
                    "([n, k]) => { const c = document.querySelectorAll('.jp-Cell')[1];"
                    " return c.querySelector('.jp-InputArea-prompt').textContent.includes(`[${k}]`)"
                    " && c.querySelectorAll('.cleo-player[data-frame]').length === n; }",
                    arg=[n_players, k + 2],
                    timeout=120_000,
                )
                heaps.append(heap_after_gc(cdp))
            browser.close()
    finally:
        stop(proc)
        shutil.rmtree(base, ignore_errors=True)
    return heaps


def slope(ys: list[float]) -> float:
    """Least-squares growth per step."""
    n = len(ys)
    mx, my = (n - 1) / 2, sum(ys) / n
    return sum((i - mx) * (y - my) for i, y in enumerate(ys)) / sum((i - mx) ** 2 for i in range(n))


def main() -> None:
    """Print the saved notebook's size and the memory growth over re-runs."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reruns", type=int, default=10)
    parser.add_argument("--players", type=int, default=4, help="players shown by the re-run cell")
    parser.add_argument("--skip-memory", action="store_true")
    parser.add_argument(
        "--only-closed", action="store_true", help="only the memory run whose cell closes the old players"
    )
    args = parser.parse_args()
    bundle = (ROOT / "src/cleo_player/static/widget.js").stat().st_size
    print(f"front end (static/widget.js): {bundle / 1e3:.0f} kB")

    if args.only_closed:
        args.skip_memory = False
    print("\n1. Saved notebook with 20 players (target: at most 1 MB plus the players' data)")
    for label, per_widget in (("shared front end", False), ("front end in every _esm", True)):
        size, data, models = saved_notebook_size(per_widget)
        verdict = "meets the target" if size - data <= TARGET_BYTES else "misses the target"
        print(
            f"  {label:24s} {size / 1e6:6.2f} MB file, {data / 1e6:5.2f} MB of it data, "
            f"{(size - data) / 1e6:5.2f} MB besides ({models} models): {verdict}"
        )

    if args.skip_memory:
        return
    print(f"\n2. JS heap after GC over {args.reruns} re-runs of a cell showing {args.players} players (target: flat)")
    variants = [("shared front end", False, False), ("front end in every _esm", True, False),
                ("shared, old players closed", False, True)]  # fmt: skip
    for label, per_widget, close_old in variants[2:] if args.only_closed else variants:
        heaps = memory_over_reruns(per_widget, args.reruns, args.players, close_old)
        runs = heaps[1:]
        growth = slope(runs)
        print(f"  {label:24s} MB after each run: {' '.join(f'{h:.1f}' for h in runs)}")
        print(
            f"  {'':24s} growth {growth:+.2f} MB per re-run ({growth / args.players * 1e3:+.0f} kB per player per "
            f"re-run); first run {runs[0]:.1f} MB, last {runs[-1]:.1f} MB"
        )


if __name__ == "__main__":
    main()
