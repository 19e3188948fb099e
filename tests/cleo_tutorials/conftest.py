"""Fixtures of the tutorial tier: each tutorial script run once per entry point (cached for the
session, so the spike, scene and browser tests of a run share it), and the browser fixtures of
``tests/browser`` (pages that record their errors, screenshots) for the browser checks."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

HERE = Path(__file__).resolve().parent
BROWSER = HERE.parent / "browser"
for _path in (HERE, BROWSER):  # the scripts import tutorial_harness; the tests browser_helpers
    if str(_path) not in sys.path:
        sys.path.insert(0, str(_path))

from tutorial_harness import TutorialRun, run_tutorial  # noqa: E402

if TYPE_CHECKING:
    from collections.abc import Callable


def _browser_conftest():
    """tests/browser/conftest.py as a module of its own name (pytest imports it as "conftest")."""
    spec = importlib.util.spec_from_file_location("cleo_browser_conftest", BROWSER / "conftest.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


_bc = _browser_conftest()
# the browser tier's page fixtures, and the hook that tells new_page whether the test passed
# (they use the session's one Chromium, the ``chromium`` fixture of tests/conftest.py)
new_page = _bc.new_page
artifacts_dir = _bc.artifacts_dir
pytest_runtest_makereport = _bc.pytest_runtest_makereport

_runs: dict[tuple[str, str], TutorialRun] = {}


@pytest.fixture(scope="session")
def tutorial_run() -> Callable[[str, str], TutorialRun]:
    """``tutorial_run(name, entry)``: the outcome of ``tut_<name>.py`` run with that entry
    point (run on first use, then shared)."""

    def get(name: str, entry: str) -> TutorialRun:
        key = (name, entry)
        if key not in _runs:
            _runs[key] = run_tutorial(name, entry)
        return _runs[key]

    return get
