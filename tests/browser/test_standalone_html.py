"""``Player.save_html``: the file opens from file:// with the network cut off, draws the network
and plays. The players are built in this process (no Jupyter)."""

from __future__ import annotations

from typing import Any

import pytest
from browser_helpers import (
    assert_draws_network,
    assert_stayed_offline,
    bar_state,
    canvas_rgb,
    changed_pixels,
    open_offline,
    pixel_stats,
    poll,
    readout,
    renders,
    save_stage,
    shown_frame,
)

pytestmark = pytest.mark.browser

ROOT = "#cleo-player-root"  # the element the exported page renders the player into


@pytest.fixture(scope="module")
def seed_players() -> dict[str, Any]:
    """The seed tutorial with a Recorder: a Player before running, and one after 100 ms."""
    import brian2 as b2
    import numpy as np

    from cleo_player import Player, Recorder
    from cleo_player.examples import seed_tutorial

    s = seed_tutorial()
    rec = Recorder(dt=1 * b2.ms, devices="all")
    s.sim.inject(rec, s.exc, s.inh)
    empty = Player(s.sim, **s.plotargs)
    s.sim.run(100 * b2.ms)
    s.fibers.max_value_viz = np.max(s.fibers.irradiance)
    return {"empty": empty, "player": Player(s.sim, **s.plotargs)}


def test_save_html_draws_and_plays_offline(seed_players, new_page, tmp_path, artifacts_dir):
    player = seed_players["player"]
    path = player.save_html(tmp_path / "run.html")
    assert path.stat().st_size > 100_000  # bundle + data inlined

    lp = open_offline(new_page, path, ROOT)
    page = lp.page
    assert page.inner_text(f"{ROOT} .cleo-overlay").strip() == ""
    assert not page.locator(f"{ROOT} .cleo-overlay").is_visible()
    legend = page.inner_text(f"{ROOT} .cleo-legend")
    for name in ("exc", "inh", "Light"):
        assert name in legend, legend
    assert readout(page, ROOT) == (0.0, 100.0)
    assert bar_state(page, ROOT) == (0, False)

    before = canvas_rgb(page, ROOT)
    stats = pixel_stats(before)
    save_stage(page, ROOT, artifacts_dir, "html-1-loaded", stats)
    assert_draws_network(stats, "save_html page, frame 0")
    # the 473 nm light of the first fibre (~4.2 mW/mm2 at frame 0) is drawn
    assert stats.light >= 100 and stats.light_tiles >= 2, stats.summary()

    renders_before = renders(page, ROOT)
    page.click(f"{ROOT} .cleo-play")
    page.wait_for_selector(f"{ROOT} .cleo-controls[data-playing='true']")
    assert page.get_attribute(f"{ROOT} .cleo-play", "title").startswith("pause")

    # playing: the readout moves on and the picture changes (spikes flash, the light varies)
    def moved() -> Any:
        t, _ = readout(page, ROOT)
        if t == 0.0:
            return None
        now = canvas_rgb(page, ROOT)
        n = changed_pixels(before, now)
        return (t, n) if n >= 200 else None

    poll(moved, timeout_s=15, what="readout and picture to change while playing")
    save_stage(page, ROOT, artifacts_dir, "html-2-playing")
    assert renders(page, ROOT) > renders_before + 1

    page.click(f"{ROOT} .cleo-play")
    page.wait_for_selector(f"{ROOT} .cleo-controls[data-playing='false']")
    frame, _ = bar_state(page, ROOT)
    t, t_end = readout(page, ROOT)
    assert t == pytest.approx(frame * 1.0) and t_end == 100.0
    poll(lambda: shown_frame(page, ROOT) == frame, 5, what="the canvas to render the paused frame")

    # the exported page also steps and scrubs (no kernel behind it)
    page.fill(f"{ROOT} .cleo-scrub", "80")
    poll(lambda: shown_frame(page, ROOT) == 80, 5, what="frame 80 after scrubbing")
    assert readout(page, ROOT) == (80.0, 100.0)
    page.click(f"{ROOT} .cleo-next")
    poll(lambda: shown_frame(page, ROOT) == 81, 5, what="frame 81 after 'next'")
    assert readout(page, ROOT) == (81.0, 100.0)
    after = pixel_stats(canvas_rgb(page, ROOT))
    save_stage(page, ROOT, artifacts_dir, "html-3-frame81", after)
    assert_draws_network(after, "save_html page, frame 81")
    # after 50 ms the second fibre (700 um away) carries the light
    assert after.light >= 100, after.summary()
    assert_stayed_offline(lp)


def test_save_html_before_run_shows_message(seed_players, new_page, tmp_path, artifacts_dir):
    empty = seed_players["empty"]
    assert empty.n_frames == 0
    lp = open_offline(new_page, empty.save_html(tmp_path / "empty.html"), ROOT)
    page = lp.page
    overlay = page.locator(f"{ROOT} .cleo-overlay")
    assert overlay.is_visible()
    assert "Nothing was recorded" in overlay.inner_text()
    assert page.inner_text(f"{ROOT} .cleo-time").strip() == "t = – / – ms"
    assert page.is_disabled(f"{ROOT} .cleo-play") and page.is_disabled(f"{ROOT} .cleo-scrub")
    stats = pixel_stats(canvas_rgb(page, ROOT))
    save_stage(page, ROOT, artifacts_dir, "html-empty", stats)
    assert_draws_network(stats, "save_html page before any run")
    assert stats.light_tiles == 0, f"no light was recorded, yet light is drawn: {stats.summary()}"
    # keys on an empty player do nothing and throw nothing
    page.focus(f"{ROOT} .cleo-player")
    for key in (" ", "ArrowRight", "End", "Home"):
        page.keyboard.press(key)
    assert bar_state(page, ROOT) == (0, False)
    assert_stayed_offline(lp)
