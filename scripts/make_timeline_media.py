"""Make the README's screenshot of the timeline (docs/timeline.png).

Runs the tutorial simulation (``cleo_player.examples.seed_tutorial``, 100 ms), builds a Player
with the excitatory population rate as a custom trace, opens its standalone HTML in headless
Chromium and takes a picture of the player at frame 42.
Run: .venv/bin/python scripts/make_timeline_media.py
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
sys.path.insert(0, str(ROOT / "tests" / "browser"))

from browser_helpers import CHROMIUM, CHROMIUM_ARGS  # noqa: E402 (the tests' Chromium and flags)


def main() -> None:
    """Write docs/timeline.png."""
    import brian2 as b2
    import numpy as np
    from playwright.sync_api import sync_playwright

    from cleo_player import Player, Recorder
    from cleo_player.examples import seed_tutorial

    s = seed_tutorial()
    rec = Recorder(dt=1 * b2.ms, devices="all")
    s.sim.inject(rec, s.exc, s.inh)
    s.sim.run(100 * b2.ms)
    s.fibers.max_value_viz = np.max(s.fibers.irradiance)
    player = Player(rec, height=420, **s.plotargs)
    r = player.recording
    g = r.groups[0]
    player.add_trace("exc rate", r.frame_t * b2.second, np.diff(g.frame_ptr) / (g.size * r.dt), unit="Hz")
    with tempfile.TemporaryDirectory() as tmp:
        html = player.save_html(Path(tmp) / "timeline.html")
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 892, "height": 800}, device_scale_factor=1)
            page.goto(html.as_uri())
            page.wait_for_function("() => [...(window.__cleoPlayers || [])][0]?.timeline.redraws > 0")
            page.evaluate("() => window.cleoPlayerModel.set('frame', 42)")
            page.wait_for_function("() => document.querySelector('.cleo-player').dataset.frame === '42'")
            page.wait_for_function("() => document.querySelector('.cleo-timeline').dataset.frame === '42'")
            page.locator(".cleo-player").screenshot(path=str(DOCS / "timeline.png"))
            browser.close()
    out = DOCS / "timeline.png"
    print(out, f"{out.stat().st_size / 1024:.0f} KiB")


if __name__ == "__main__":
    main()
