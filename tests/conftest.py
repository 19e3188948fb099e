"""Shared fixtures: the seed tutorial's simulation, recorded with a Recorder (numpy target)."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import matplotlib as mpl
import pytest

mpl.use("Agg")

# notebooks the browser tests open (no stored outputs): not nbval's business
collect_ignore_glob = ["browser/notebooks/*.ipynb"]


@pytest.fixture(scope="session")
def seed_run():
    """The tutorial network run for 100 ms with a Recorder(dt=1 ms, devices="all")."""
    import brian2 as b2
    import numpy as np

    from cleo_player import Recorder
    from cleo_player.examples import seed_tutorial

    s = seed_tutorial()
    rec = Recorder(dt=1 * b2.ms, devices="all")
    s.sim.inject(rec, s.exc, s.inh)
    s.sim.run(100 * b2.ms)
    s.fibers.max_value_viz = np.max(s.fibers.irradiance)
    return s, rec


@pytest.fixture(scope="session")
def chromium() -> Iterator[Any]:
    """Debian's Chromium, headless, WebGL2 through ANGLE + SwiftShader (no GPU needed).

    One for the whole session, shared by tests/browser and tests/cleo_tutorials: Playwright's
    sync API runs one instance per thread, so a second one would fail to start."""
    browser_dir = str(Path(__file__).resolve().parent / "browser")
    if browser_dir not in sys.path:
        sys.path.insert(0, browser_dir)
    from browser_helpers import CHROMIUM, CHROMIUM_ARGS

    if not Path(CHROMIUM).exists():
        msg = f"Chromium not found at {CHROMIUM} (set CLEO_CHROMIUM, or apt-get install chromium)"
        if os.environ.get("CI"):
            pytest.fail(msg)
        pytest.skip(msg)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()
