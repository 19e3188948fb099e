"""A big recording in windows, in real JupyterLab: the browser fetches chunks of spikes from the
kernel around the playhead, holds no more than its budget, and never shows a frame without its
spikes (at the first frame, while playing across chunks, after far seeks, through a loop wrap).
A page with no kernel behind a windowed player says so and shows no frame.

The notebook (``window.ipynb``) makes the windows small: 20,000 neurons, 400 frames, 400,000
spikes (800 kB) in 40 kB chunks, at most 160 kB held. ``distinct[k]`` (from the kernel) is the
number of neurons spiking in frame k: while frame k is shown, exactly those neurons have their
last spike at k (playback applies no frame after the one it shows).
"""

from __future__ import annotations

import time
from typing import Any

import pytest
from browser_helpers import poll, show, shown_frame, view_eval, wait_for_render, watch_frames

pytestmark = pytest.mark.browser

NOTEBOOK = "window.ipynb"
READY = "READY Player("
SEL = ".test-window"

LIT = (
    "((v, f) => { const s = v.pb.spikes.lastSpike; let c = 0;"
    " for (let i = 0; i < s.length; i++) if (s[i] === f) c++; return c; })"
)
STATE = """(v) => { const w = v.pb.data.window; return { missed: v.pb.spikes.missed, held: w.heldBytes,
  maxBytes: w.maxBytes, budget: w.meta.budget_bytes, chunks: w.nChunks, requested: w.requested, received: w.received,
  ready: v.pb.ready }; }"""
# per drawn frame: neurons lit at it, frames applied without their spikes, bytes held
RECORD = f"(rec.lit = {LIT}(v, rec.frame), rec.missed = v.pb.spikes.missed, rec.held = v.pb.data.window.heldBytes, "


@pytest.fixture(scope="module")
def distinct(nb: Any) -> list[int]:
    return nb.py_json("distinct")


def state(page: Any) -> dict:
    return view_eval(page, SEL, STATE)


def check_records(records: list[dict], distinct: list[int], budget: int) -> None:
    wrong = [(r["frame"], r["lit"], distinct[r["frame"]]) for r in records if r["lit"] != distinct[r["frame"]]]
    assert not wrong, f"frames shown without all their spikes (frame, lit, expected): {wrong[:10]}"
    assert all(r["missed"] == 0 for r in records), "a frame was applied while its spikes were not in the browser"
    assert max(r["held"] for r in records) <= budget


def test_first_frame_comes_with_its_spikes(nb, distinct):
    page = nb.page
    wait_for_render(page, SEL)
    assert shown_frame(page, SEL) == 0
    s = state(page)
    assert s["ready"] and s["missed"] == 0 and s["chunks"] >= 15, s
    assert s["maxBytes"] <= s["budget"] < 800_000, s  # less than the recording's 800 kB of spikes
    assert view_eval(page, SEL, LIT, 0) == distinct[0] > 0


def test_playing_across_chunks_shows_every_frame_with_its_spikes(nb, distinct):
    page = nb.page
    nb.py("player.speed = 0.05\nplayer.loop = 'once'\nplayer.frame = 0")
    show(page, SEL)  # a new cell scrolled the notebook: a view out of sight does not draw
    poll(lambda: shown_frame(page, SEL) == 0, 10, what="frame 0")
    before = state(page)
    w = watch_frames(page, SEL, RECORD + "rec.frame >= 300)", timeout_ms=90_000)
    assert not w.timed_out, w.frames[-5:]
    assert w.frames == sorted(w.frames) and len(w.frames) >= 15, w.frames  # software WebGL: a few fps
    after = state(page)
    check_records(w.records, distinct, after["budget"])
    assert after["received"] - before["received"] >= 10, (before, after)  # chunks were fetched as it played
    assert after["maxBytes"] <= after["budget"], after


@pytest.mark.parametrize(("target", "how"), [(350, "scrubber"), (20, "python"), (210, "scrubber"), (399, "python")])
def test_a_far_seek_shows_the_frame_with_its_spikes(nb, distinct, target, how):
    page = nb.page
    t0 = time.monotonic()
    if how == "python":
        nb.py(f"player.frame = {target}")
        show(page, SEL)
    else:
        page.locator(f"{SEL} .cleo-scrub").fill(str(target))
    poll(lambda: shown_frame(page, SEL) == target, 15, what=f"frame {target} after a seek ({how})")
    elapsed = time.monotonic() - t0
    print(f"seek to {target} ({how}): shown after {elapsed:.2f} s")
    assert view_eval(page, SEL, LIT, target) == distinct[target]
    s = state(page)
    assert s["missed"] == 0 and s["maxBytes"] <= s["budget"], s


def test_a_loop_wrap_fetches_the_start_again(nb, distinct):
    page = nb.page
    nb.py("player.loop = 'loop'\nplayer.speed = 0.05\nplayer.frame = 360")
    show(page, SEL)
    poll(lambda: shown_frame(page, SEL) == 360, 15, what="frame 360")
    w = watch_frames(page, SEL, RECORD + "recs.some((r) => r.frame >= 395) && rec.frame >= 60 && rec.frame < 300)",
                     timeout_ms=90_000)  # fmt: skip
    assert not w.timed_out, w.frames[-5:]
    wrap = next(i for i, r in enumerate(w.records) if i and r["frame"] < w.records[i - 1]["frame"])
    check_records(w.records[wrap:], distinct, state(page)["budget"])
    assert state(page)["missed"] == 0


def test_decay_change_waits_for_the_frames_it_needs(nb, distinct):
    page = nb.page
    nb.py("player.frame = 100\nplayer.decay = 30.0")  # the flash now spans 31 frames: maybe another chunk
    show(page, SEL)
    poll(lambda: view_eval(page, SEL, "(v) => v.pb.decayMs") == 30.0, 10, what="the new decay")
    poll(lambda: shown_frame(page, SEL) == 100 and view_eval(page, SEL, "(v) => v.pb.ready"), 15, what="frame 100")
    lit = view_eval(page, SEL, f"(v) => [...Array(31).keys()].map((k) => {LIT}(v, 70 + k))")
    assert lit[-1] == distinct[100] and all(x > 0 for x in lit), lit  # every frame of the window applied
    nb.py("player.decay = 4.0")


def test_a_page_without_a_kernel_says_so_and_shows_no_frame(new_page, tmp_path, monkeypatch):
    import numpy as np

    from cleo_player import Player
    from cleo_player.recording import GroupData, Recording
    from cleo_player.widget.bundle import bundle_source
    from cleo_player.widget.html import standalone_html

    monkeypatch.setattr(Player, "window_threshold", 1000)
    monkeypatch.setattr(Player, "window_chunk_bytes", 1000)
    rng = np.random.default_rng(0)
    frame_t = np.arange(50) * 1e-3
    g = GroupData.from_spikes(
        "g",
        rng.uniform(0, 1e-3, (300, 3)),
        rng.integers(0, 300, 5000),
        np.sort(rng.uniform(0, 0.05, 5000)),
        frame_t,
        1e-3,
    )
    player = Player(Recording(1e-3, frame_t, 0.05, (g,)))
    # what a notebook saved with its widget state holds: the windowed traits, and no kernel
    # (the front end travels in the page itself, not as a reference to the kernel's)
    state = {name: getattr(player, name) for name in Player.class_own_traits(sync=True) if name != "_frontend"}
    assert state["_meta"]["window"] is not None
    path = tmp_path / "windowed.html"
    path.write_text(standalone_html(state, bundle_source(), "windowed"), encoding="utf-8")
    lp = new_page()
    lp.page.goto(path.as_uri())
    root = "#cleo-player-root"
    lp.page.wait_for_selector(f"{root} .cleo-overlay:has-text('does not answer')", timeout=40_000)
    assert lp.page.get_attribute(f"{root} .cleo-player", "data-frame") is None  # no frame shown
