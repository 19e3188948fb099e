"""Host servers for the host matrix (tests/browser/test_hosts.py): JupyterLab with a theme of our
choosing, Notebook 7 and marimo, each on a free 127.0.0.1 port with every directory it writes in
a temporary one, started with this venv's Python and stopped by PID (with any kernel it started).
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Iterator

START_TIMEOUT_S = 90


@dataclass
class Server:
    url: str
    root: Path
    log_path: Path
    pid: int

    def log_tail(self, n: int = 60) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-n:])
        except OSError:
            return "(no log)"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _descendants(pid: int) -> list[int]:
    """PIDs of ``pid``'s children and their children (kernels), read from /proc."""
    parents: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[-1].split()
        except OSError:
            continue
        parents.setdefault(int(fields[1]), []).append(int(entry.name))
    out, todo = [], [pid]
    while todo:
        for kid in parents.get(todo.pop(), []):
            out.append(kid)
            todo.append(kid)
    return out


def _stop(proc: subprocess.Popen, timeout_s: float = 20) -> None:
    """SIGTERM the server by PID, wait, SIGKILL if needed; then any descendant left, by PID."""
    kids = _descendants(proc.pid)
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout_s)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(10)
    for kid in kids:
        with suppress(ProcessLookupError, PermissionError):
            os.kill(kid, signal.SIGKILL)


@contextmanager
def _serve(
    cmd: list[str], root: Path, log_path: Path, url: str, ready: str, env: dict[str, str], start_timeout_s: float
) -> Iterator[Server]:
    with log_path.open("wb") as log:
        proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env, cwd=root)
    server = Server(url=url, root=root, log_path=log_path, pid=proc.pid)
    try:
        deadline = time.monotonic() + start_timeout_s
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"{cmd[2]} exited with code {proc.returncode} while starting:\n{server.log_tail()}")
            try:
                with urllib.request.urlopen(f"{url}{ready}", timeout=2) as r:  # noqa: S310 (our own server)
                    if r.status == 200:
                        break
            except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"{cmd[2]} not ready after {start_timeout_s} s:\n{server.log_tail()}")
            time.sleep(0.2)
        yield server
    finally:
        _stop(proc)


def _jupyter_env(base: Path, settings: dict[str, Any]) -> dict[str, str]:
    dirs = {name: base / name for name in ("config", "runtime", "data", "settings", "workspaces", "ipython")}
    for d in dirs.values():
        d.mkdir(parents=True, exist_ok=True)
    for rel, value in settings.items():
        path = dirs["settings"] / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(value))
    env = dict(
        os.environ,
        JUPYTER_CONFIG_DIR=str(dirs["config"]),
        JUPYTER_RUNTIME_DIR=str(dirs["runtime"]),
        JUPYTER_DATA_DIR=str(dirs["data"]),
        JUPYTERLAB_SETTINGS_DIR=str(dirs["settings"]),
        JUPYTERLAB_WORKSPACES_DIR=str(dirs["workspaces"]),
        IPYTHONDIR=str(dirs["ipython"]),
        PYTHONUNBUFFERED="1",
    )
    env.pop("JUPYTER_PATH", None)
    return env


NO_NEWS = {
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {"fetchNews": "false", "checkForUpdates": False}
}
DARK = {"@jupyterlab/apputils-extension/themes.jupyterlab-settings": {"theme": "JupyterLab Dark"}}


@contextmanager
def jupyter(
    app: str,
    root: Path,
    base: Path,
    settings: dict[str, Any] | None = None,
    start_timeout_s: float = START_TIMEOUT_S,
) -> Iterator[Server]:
    """A Jupyter server of ``app`` ("jupyterlab" or "notebook" for Notebook 7) serving ``root``."""
    env = _jupyter_env(base, {**NO_NEWS, **(settings or {})})
    port = free_port()
    cmd = [
        sys.executable, "-m", app,
        "--allow-root", "--no-browser",
        "--IdentityProvider.token=", "--ServerApp.password=",
        "--ServerApp.ip=127.0.0.1", f"--port={port}", "--ServerApp.port_retries=0",
        f"--ServerApp.root_dir={root}",
    ]  # fmt: skip
    if app == "notebook":  # window.jupyterapp: the tests wait on its kernel's state
        cmd.append("--JupyterNotebookApp.expose_app_in_browser=True")
    url = f"http://127.0.0.1:{port}"
    with _serve(cmd, root, base / f"{app}.log", url, "/api/status", env, start_timeout_s) as server:
        yield server


@contextmanager
def marimo_app(app: Path, base: Path) -> Iterator[Server]:
    """``marimo edit app --headless`` (no token): the notebook runs on opening, its kernel in a
    process of its own. (``marimo run`` runs apps in threads, where brian2 cannot be imported:
    it installs a SIGINT handler on import, which only the main thread may do.)"""
    base.mkdir(parents=True, exist_ok=True)
    # a user config of our own: the cells run when the test clicks "run", never on their own too
    config = base / ".config" / "marimo" / "marimo.toml"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text("[runtime]\nauto_instantiate = false\n")
    env = dict(os.environ, PYTHONUNBUFFERED="1", MARIMO_SKIP_UPDATE_CHECK="1", HOME=str(base))
    port = free_port()
    cmd = [
        sys.executable, "-m", "marimo", "edit", str(app),
        "--headless", "--host", "127.0.0.1", f"--port={port}", "--no-token",
    ]  # fmt: skip
    with _serve(
        cmd, app.parent, base / "marimo.log", f"http://127.0.0.1:{port}", "/health", env, START_TIMEOUT_S
    ) as server:
        yield server
