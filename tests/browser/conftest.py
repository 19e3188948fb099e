"""Fixtures of the browser tier: system Chromium through Playwright, a JupyterLab server of our
own on 127.0.0.1, pages that record their errors, and a directory of screenshots.

Everything lives in pytest's temporary directories: the server's root dir (the test notebooks
are copied there), its config / runtime / data dirs, JupyterLab's user settings and workspaces,
and IPython's profile dir. The server is stopped by PID at the end of the session.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:  # for `import browser_helpers` under any --import-mode
    sys.path.insert(0, str(HERE))

from browser_helpers import (  # noqa: E402
    NOTEBOOK,
    PAGE_TIMEOUT_MS,
    VIEWPORT,
    LabNotebook,
    PageLog,
    open_notebook,
    run_all_cells,
)
from servers import Server, jupyter  # noqa: E402

NOTEBOOKS = HERE / "notebooks"
LAB_START_TIMEOUT_S = 240  # a busy machine starts JupyterLab slowly

# JupyterLab asks "Would you like to receive official Jupyter news?" in a toast that covers part
# of the page; answering in the (temporary) user settings keeps it away.
# Widget state is saved with the notebook (test_live_run checks what a saved notebook holds).
LAB_USER_SETTINGS = {
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {
        "fetchNews": "false",
        "checkForUpdates": False,
    },
    "@jupyter-widgets/jupyterlab-manager/plugin.jupyterlab-settings": {"saveState": True},
}


# --- outcome of each test, for fixtures that check pages after a passing test ---------------
@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item) -> Any:
    report = yield
    setattr(item, f"_cleo_rep_{report.when}", report)
    return report


def _passed(request: pytest.FixtureRequest) -> bool:
    rep = getattr(request.node, "_cleo_rep_call", None)
    return rep is not None and rep.passed


# --- artifacts ------------------------------------------------------------------------------
@pytest.fixture(scope="session")
def artifacts_dir() -> Path:
    """Screenshots of each stage, for people to look at (git-ignored)."""
    d = Path(os.environ.get("CLEO_BROWSER_ARTIFACTS", HERE / "artifacts"))
    d.mkdir(parents=True, exist_ok=True)
    return d


# --- pages --------------------------------------------------------------------------------------
# (the session's Chromium, ``chromium``, is in tests/conftest.py: tests/cleo_tutorials uses it too)
@dataclass
class LoggedPage:
    page: Any
    log: PageLog
    context: Any


@pytest.fixture
def new_page(chromium: Any, request: pytest.FixtureRequest) -> Iterator[Callable[..., LoggedPage]]:
    """Factory of fresh pages (one browser context each) that record errors and requests.

    After a passing test, fails if any page raised an uncaught error or logged a console error.
    """
    made: list[LoggedPage] = []

    def make(**context_kwargs: Any) -> LoggedPage:
        context_kwargs.setdefault("viewport", VIEWPORT)
        context = chromium.new_context(**context_kwargs)
        context.set_default_timeout(PAGE_TIMEOUT_MS)
        page = context.new_page()
        lp = LoggedPage(page, PageLog().attach(page), context)
        made.append(lp)
        return lp

    yield make
    problems = []
    for lp in made:
        problems += lp.log.page_errors + lp.log.console_errors
        lp.context.close()
    if _passed(request):
        assert not problems, "the page reported errors:\n" + "\n".join(problems)


# --- JupyterLab -----------------------------------------------------------------------------
LabServer = Server  # (the name the notebook fixtures below use)


@pytest.fixture(scope="session")
def jupyter_lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A JupyterLab server of this session on a free 127.0.0.1 port, started with this venv's
    Python, serving a temporary root dir that holds copies of ``tests/browser/notebooks``;
    stopped by PID with its kernels (servers.jupyter)."""
    base = tmp_path_factory.mktemp("jupyter")
    root = base / "root"
    shutil.copytree(NOTEBOOKS, root, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    with jupyter("jupyterlab", root, base, LAB_USER_SETTINGS, start_timeout_s=LAB_START_TIMEOUT_S) as server:
        yield server


# --- notebooks opened in JupyterLab, shared by the modules that name them ----------------------
class _Notebooks:
    """Opens each notebook once per session (a browser context of its own), on first use."""

    def __init__(self, chromium: Any, server: LabServer, artifacts: Path) -> None:
        self.chromium, self.server, self.artifacts = chromium, server, artifacts
        self.open: dict[str, LabNotebook] = {}
        self.contexts: list[Any] = []

    def get(self, name: str, ready: str) -> LabNotebook:
        if name in self.open:
            return self.open[name]
        prefix = Path(name).stem
        context = self.chromium.new_context(viewport=VIEWPORT)
        self.contexts.append(context)
        context.set_default_timeout(PAGE_TIMEOUT_MS)
        page = context.new_page()
        log = PageLog().attach(page)
        try:
            open_notebook(page, self.server.url, name)
            run_all_cells(page)
            page.wait_for_selector(f"{NOTEBOOK} .jp-OutputArea-output:has-text({json.dumps(ready)})", timeout=300_000)
        except Exception:
            page.screenshot(path=str(self.artifacts / f"{prefix}-setup-failed.png"), full_page=True)
            print(f"JupyterLab log (tail):\n{self.server.log_tail()}")
            raise
        self.open[name] = LabNotebook(page, log, self.artifacts, prefix)
        return self.open[name]

    def close(self) -> None:
        for context in self.contexts:
            context.close()


@pytest.fixture(scope="session")
def lab_notebooks(chromium: Any, jupyter_lab: LabServer, artifacts_dir: Path) -> Iterator[_Notebooks]:
    books = _Notebooks(chromium, jupyter_lab, artifacts_dir)
    try:
        yield books
    finally:
        books.close()


@pytest.fixture(scope="module")
def nb(lab_notebooks: _Notebooks, request: pytest.FixtureRequest) -> LabNotebook:
    """The notebook named by the module's ``NOTEBOOK``, opened in JupyterLab and run with "Run
    All Cells" until an output shows the module's ``READY`` text. Modules naming the same
    notebook share its page and kernel (tests run in file order and leave players paused)."""
    return lab_notebooks.get(request.module.NOTEBOOK, request.module.READY)


@pytest.fixture(autouse=True)
def _nb_reports_no_errors(request: pytest.FixtureRequest) -> Iterator[None]:
    """For tests that use ``nb``: fail a passing test during which the page raised an error,
    logged one, or sent a request anywhere but to our server."""
    if "nb" not in request.fixturenames:
        yield
        return
    notebook: LabNotebook = request.getfixturevalue("nb")
    server: LabServer = request.getfixturevalue("jupyter_lab")
    n_page, n_console, n_requests = notebook.log.mark()
    yield
    if not _passed(request):
        return
    new = notebook.log.page_errors[n_page:] + notebook.log.console_errors[n_console:]
    assert not new, "the JupyterLab page reported errors:\n" + "\n".join(new)
    remote = [u for u in notebook.log.requests[n_requests:] if not u.startswith((server.url + "/", "data:", "blob:"))]
    assert not remote, f"the JupyterLab page sent requests off the server: {remote}"
