"""Every control of the player, its keyboard shortcuts, and Python <-> browser sync, in real
JupyterLab (notebook ``controls.ipynb``: the seed tutorial's player ``player`` and a synthetic
"grid" player ``grid``, whose neuron k spikes once, in frame k).

The tests share one page and one kernel (with ``test_spikes.py``) and run in file order; each
leaves both players paused.
"""

from __future__ import annotations

from itertools import pairwise
from typing import Any

import numpy as np
import pytest
from browser_helpers import (
    VIEWPORT,
    LabNotebook,
    animation_frames,
    assert_draws_network,
    bar_control,
    bar_state,
    canvas_rgb,
    changed_pixels,
    pixel_stats,
    poll,
    readout,
    readout_text,
    show,
    shown_frame,
    start_cell,
    view_eval,
    wait_for_render,
    watch_frames,
)

pytestmark = pytest.mark.browser

NOTEBOOK = "controls.ipynb"
READY = "READY Player("
SEED = ".test-seed"  # the seed tutorial's player: 100 frames of 1 ms
GRID = ".test-grid"  # the grid player: 100 frames of 1 ms, neuron k spikes in frame k
N_FRAMES = 100
SPEED_PRESETS = [("1", "1×"), ("0.1", "1/10×"), ("0.01", "1/100×"), ("0.001", "1/1000×")]


@pytest.fixture(scope="module", autouse=True)
def rendered(nb: LabNotebook) -> None:
    wait_for_render(nb.page, SEED)
    wait_for_render(nb.page, GRID)


def seek_py(nb: LabNotebook, sel: str, var: str, frame: int) -> None:
    """Set ``var.frame`` from Python and wait until the canvas shows it."""
    nb.py(f"{var}.frame = {frame}")
    show(nb.page, sel)
    poll(lambda: shown_frame(nb.page, sel) == frame, 10, what=f"{var} to show frame {frame}")


def wait_frame(nb: LabNotebook, sel: str, frame: int, what: str = "") -> None:
    """Wait until the player (scrolled into view) shows ``frame`` in its bar and on its canvas."""
    show(nb.page, sel)
    poll(lambda: shown_frame(nb.page, sel) == frame and bar_state(nb.page, sel)[0] == frame, 10,
         what=what or f"the view to show frame {frame}")  # fmt: skip


def grab(nb: LabNotebook, sel: str) -> np.ndarray:
    """The canvas, seen from the default camera (see browser_helpers.show)."""
    show(nb.page, sel, reset_camera=True)
    return canvas_rgb(nb.page, sel)


def poll_image(page: Any, sel: str, pred: Any, what: str, timeout_s: float = 5) -> np.ndarray:
    """The canvas of ``sel`` once ``pred(image)`` holds."""

    def check() -> Any:
        img = canvas_rgb(page, sel)
        return (img,) if pred(img) else None

    return poll(check, timeout_s, what=what)[0]


def text(nb: LabNotebook, sel: str) -> str:
    return (nb.page.locator(f"{sel} .cleo-time").text_content() or "").strip()


# --- the two players ---------------------------------------------------------------------------
def test_both_players_draw(nb: LabNotebook) -> None:
    page = nb.page
    assert text(nb, SEED) == readout_text(0)
    assert text(nb, GRID) == readout_text(0)
    assert bar_state(page, SEED) == (0, False) and bar_state(page, GRID) == (0, False)
    seed = pixel_stats(canvas_rgb(page, SEED))
    nb.shot("1-seed-frame0", SEED, seed)
    assert_draws_network(seed, "seed player at frame 0")
    show(page, GRID)
    grid = pixel_stats(canvas_rgb(page, GRID))
    nb.shot("1-grid-frame0", GRID, grid)
    # 100 neurons at rest, well apart: each covers a few tiles of its own
    assert grid.red >= 1500 and grid.red_tiles >= 80, grid.summary()
    show(page, SEED)


# --- every control -------------------------------------------------------------------------
def test_play_pause_button(nb: LabNotebook) -> None:
    page = nb.page
    before = canvas_rgb(page, SEED)
    play = page.locator(f"{SEED} .cleo-play")
    assert play.get_attribute("title") == "play (space)"
    play.click()
    page.wait_for_selector(f"{SEED} .cleo-controls[data-playing='true']")
    assert play.get_attribute("title") == "pause (space)"
    poll(lambda: readout(page, SEED)[0] >= 3.0 and changed_pixels(before, canvas_rgb(page, SEED)) >= 200, 10,
         what="the readout and the picture to move while playing")  # fmt: skip
    nb.wait_py("player.playing", expected=True, what="the click on play to reach Python")
    play.click()
    page.wait_for_selector(f"{SEED} .cleo-controls[data-playing='false']")
    frame, _ = bar_state(page, SEED)
    wait_frame(nb, SEED, frame)
    assert text(nb, SEED) == readout_text(frame)
    nb.wait_py("[player.playing, player.frame]", [False, frame], "pause to sync the exact frame")


def test_step_first_last_buttons(nb: LabNotebook) -> None:
    page = nb.page

    def click(cls: str, expect: int) -> None:
        page.click(f"{SEED} .{cls}")
        wait_frame(nb, SEED, expect, f"frame {expect} after clicking .{cls}")
        assert text(nb, SEED) == readout_text(expect)
        assert page.locator(f"{SEED} .cleo-scrub").input_value() == str(expect)

    click("cleo-first", 0)
    click("cleo-prev", 0)  # clamped at the first frame
    click("cleo-next", 1)
    click("cleo-next", 2)
    click("cleo-prev", 1)
    nb.wait_py("player.frame", 1)
    click("cleo-last", N_FRAMES - 1)
    click("cleo-next", N_FRAMES - 1)  # clamped at the last frame
    nb.wait_py("player.frame", N_FRAMES - 1)
    click("cleo-prev", N_FRAMES - 2)
    # a step while playing pauses, then steps from where playback was
    page.click(f"{SEED} .cleo-first")
    wait_frame(nb, SEED, 0)
    page.click(f"{SEED} .cleo-play")
    poll(lambda: bar_state(page, SEED)[0] >= 2, 10, what="playback to advance")
    page.click(f"{SEED} .cleo-next")
    page.wait_for_selector(f"{SEED} .cleo-controls[data-playing='false']")
    frame, _ = bar_state(page, SEED)
    assert frame >= 3
    nb.wait_py("[player.playing, player.frame]", [False, frame])
    click("cleo-first", 0)


def test_scrubber_and_time_readout(nb: LabNotebook) -> None:
    page = nb.page
    scrub = page.locator(f"{SEED} .cleo-scrub")
    assert (scrub.get_attribute("min"), scrub.get_attribute("max"), scrub.get_attribute("step")) == ("0", "99", "1")
    for frame in (42, 7, 99, 0, 42):
        scrub.fill(str(frame))  # sets the value and fires "input", as a drag does
        wait_frame(nb, SEED, frame, f"frame {frame} after scrubbing")
        assert text(nb, SEED) == readout_text(frame)
    assert text(nb, SEED) == "t = 42.0–43.0 / 100.0 ms"  # the frame's window, then the run's end
    nb.wait_py("[player.frame, float(player.time / b2.ms)]", [42, 42.0])
    # a click on the track jumps there (about 1/4 of the way)
    scrub.scroll_into_view_if_needed()
    box = scrub.bounding_box()
    assert box is not None
    page.mouse.click(box["x"] + 0.25 * box["width"], box["y"] + box["height"] / 2)

    def moved() -> int | None:
        f = bar_state(page, SEED)[0]
        return f if f != 42 else None

    frame = poll(moved, 5, what="the click to move the frame")
    assert abs(frame - 0.25 * (N_FRAMES - 1)) <= 4, frame
    wait_frame(nb, SEED, frame)
    t, t_end = readout(page, SEED)
    assert (t, t_end) == (float(frame), 100.0)
    nb.wait_py("float(player.time / b2.ms)", t)


def test_speed_presets_set_python_and_the_rate(nb: LabNotebook) -> None:
    """Each preset reaches Python, and frames advance per second of wall time in proportion
    to it (measured in the page: loop mode, frames counted across wraps)."""
    page = nb.page
    sel = page.locator(f"{SEED} .cleo-speed")
    options = sel.evaluate("s => [...s.options].map(o => [o.value, o.textContent])")
    assert options == [list(o) for o in SPEED_PRESETS]
    assert sel.input_value() == "0.1"  # the Player's default speed
    nb.py("_speeds = []\nplayer.observe(lambda ch: _speeds.append(ch['new']), names='speed')\nplayer.loop = 'loop'")
    rates = {}
    # The clock advances by at most 250 ms per animation frame (a hidden tab must not jump far),
    # so on a machine too busy to draw for longer than that, playback runs late by design: the
    # page records such stalls (animation frames more than 250 ms apart) and the time they
    # cost is left out. Frames are counted between consecutive drawn frames, in loop mode; a
    # pair of drawn frames so far apart that the loop may have gone round unseen (100 frames)
    # is left out too.
    page.evaluate(
        "() => { const g = (window.__gaps = { on: true, last: null, stalls: [] });"
        " const f = (ts) => { if (g.last !== null && ts - g.last > 250) g.stalls.push([g.last, ts]);"
        " g.last = ts; if (g.on) requestAnimationFrame(f); }; requestAnimationFrame(f); }"
    )
    # (preset, ms of measured playback): 0.6 to 1.2 s, at least one frame
    for value, window_ms in (("1", 600), ("0.1", 600), ("0.01", 1200), ("0.001", 1900)):
        page.click(f"{SEED} .cleo-first")
        wait_frame(nb, SEED, 0)
        bar_control(page, SEED, "cleo-speed").select_option(value)  # (in the menu when the bar is narrow)
        assert sel.input_value() == value
        fpm = float(value)  # frames per ms of wall time
        w = watch_frames(
            page, SEED,
            "(() => { const p = recs.length > 2 ? recs[recs.length - 2] : null; rec.dt = p ? p.dt : 0;"
            " if (p && (rec.now - p.now) * a.fpm * 1.25 < 100) rec.dt += rec.now - p.now; return rec.dt >= a.ms; })()",
            arg={"fpm": fpm, "ms": window_ms}, capture="(rec.now = performance.now(), false)",
        )  # fmt: skip
        assert not w.timed_out, f"speed {value}: only {w.frames}"
        stalls = page.evaluate("() => window.__gaps.stalls")
        frames = elapsed = 0.0
        # (from the second drawn frame: the first was drawn before the clock's first tick)
        for a, b in pairwise(w.records[1:]):
            gap = b["now"] - a["now"]
            if gap * fpm * 1.25 >= 100:
                continue
            frames += (b["frame"] - a["frame"]) % 100
            elapsed += gap - sum(t1 - t0 - 250 for t0, t1 in stalls if a["now"] < t1 <= b["now"])
        rates[value] = frames / (elapsed / 1000)
    page.evaluate("() => { window.__gaps.on = false; }")
    page.wait_for_selector(f"{SEED} .cleo-controls[data-playing='false']")
    nb.wait_py("_speeds", [1.0, 0.1, 0.01, 0.001], "every speed preset to reach Python")
    nb.py("player.unobserve_all('speed')\nplayer.speed = 0.1")
    poll(lambda: sel.input_value() == "0.1", 5, what="speed 1/10x again")
    summary = ", ".join(f"{k}x: {r:.1f} frames/s" for k, r in rates.items())
    (nb.shots / f"{nb.prefix}-speed-rates.txt").write_text(summary + "\n")
    for value, rate in rates.items():
        expected = 1000 * float(value)  # 1 ms frames
        # each measured pair of drawn frames ends on a frame drawn a little after its tick
        assert 0.6 * expected <= rate <= 1.25 * expected, f"rates not proportional to the speed: {summary}"


def test_loop_modes(nb: LabNotebook) -> None:
    page = nb.page
    loop = page.locator(f"{SEED} .cleo-loop")
    options = loop.evaluate("s => [...s.options].map(o => [o.value, o.textContent])")
    assert options == [["loop", "loop"], ["once", "once"], ["pingpong", "ping-pong"]]
    nb.py("player.speed = 0.01\nplayer.frame = 96")  # 10 frames per second
    wait_frame(nb, SEED, 96)

    # loop: wraps to the start and keeps playing
    bar_control(page, SEED, "cleo-loop").select_option("loop")
    w = watch_frames(page, SEED, "rec.frame >= 3 && recs.some((r, i) => i > 0 && r.frame < recs[i - 1].frame)",
                     timeout_ms=5000)  # fmt: skip
    assert not w.timed_out, w.frames
    k = next(i for i in range(1, len(w.frames)) if w.frames[i] < w.frames[i - 1])
    assert w.frames[k - 1] >= 98 and w.frames[k] <= 1, f"no wrap from the end to the start: {w.frames}"
    assert all(r["playing"] for r in w.records), w.records
    nb.wait_py("player.loop", "loop")

    # once: stops at the last frame, and Python hears that playback stopped
    seek_py(nb, SEED, "player", 96)
    bar_control(page, SEED, "cleo-loop").select_option("once")
    w = watch_frames(page, SEED, "!v.pb.playing", pause=False, timeout_ms=5000)
    assert not w.timed_out, w.frames
    assert w.frames[-1] == N_FRAMES - 1 and w.frames == sorted(w.frames), w.frames
    page.wait_for_selector(f"{SEED} .cleo-controls[data-playing='false']")
    assert text(nb, SEED) == "t = 99.0–100.0 / 100.0 ms"  # the last frame ends at 100 ms
    poll(lambda: nb.py_json("[player.loop, player.playing, player.frame]") == ["once", False, 99], 5, interval_s=0.2,
         what="Python to see playback stopped at frame 99")  # fmt: skip
    # play again at the end of "once": starts over from frame 0
    w = watch_frames(page, SEED, "recs.length >= 3", timeout_ms=5000)
    assert w.frames[0] in (0, 1) and w.frames == sorted(w.frames), w.frames

    # ping-pong: reaches the end, then the frame decreases
    seek_py(nb, SEED, "player", 96)
    bar_control(page, SEED, "cleo-loop").select_option("pingpong")
    falling = "recs.length > 5 && recs.slice(-5).every((r, i, s) => i === 0 || r.frame < s[i - 1].frame)"
    w = watch_frames(page, SEED, falling, timeout_ms=5000)
    assert not w.timed_out, w.frames
    top = w.frames.index(max(w.frames))
    assert max(w.frames) == N_FRAMES - 1, w.frames
    assert w.frames[: top + 1] == sorted(w.frames[: top + 1]), w.frames
    assert all(b < a for a, b in zip(w.frames[top:-1], w.frames[top + 1 :], strict=True)), f"no reversal: {w.frames}"
    assert all(r["playing"] for r in w.records), w.records
    nb.wait_py("player.loop", "pingpong")
    nb.py("player.loop = 'loop'\nplayer.speed = 0.1")
    poll(lambda: loop.input_value() == "loop", 5, what="loop mode back to 'loop'")
    page.wait_for_selector(f"{SEED} .cleo-controls[data-playing='false']")


def test_reset_camera_restores_the_picture(nb: LabNotebook) -> None:
    page = nb.page
    seek_py(nb, SEED, "player", 20)
    show(page, SEED, reset_camera=True)  # the default view to start from
    original = canvas_rgb(page, SEED)
    canvas = page.locator(f"{SEED} canvas.cleo-canvas")
    box = canvas.bounding_box()
    assert box is not None
    cx, cy = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    renders_before = view_eval(page, SEED, "(v) => v.renders")
    page.mouse.move(cx, cy)
    page.mouse.down()
    page.mouse.move(cx + 80, cy + 10, steps=4)
    page.mouse.move(cx + 160, cy + 30, steps=4)
    page.mouse.up()
    poll(lambda: view_eval(page, SEED, "(v) => v.renders") > renders_before, 5, what="a render after the drag")
    dragged = poll_image(
        page, SEED, lambda img: changed_pixels(original, img) > 2000, "the orbit drag to change the picture"
    )
    nb.shot("2-orbited", SEED)
    assert shown_frame(page, SEED) == 20
    bar_control(page, SEED, "cleo-reset-camera").click()

    def restored() -> bool:
        return np.array_equal(canvas_rgb(page, SEED), original)

    poll(restored, 5, what="reset camera to restore the original picture pixel for pixel")
    assert changed_pixels(original, dragged) > 2000
    nb.shot("3-camera-reset", SEED)


def test_fullscreen(nb: LabNotebook) -> None:
    page = nb.page
    show(page, SEED)
    size = "(v) => [v.renderer.domElement.width, v.renderer.domElement.height, document.fullscreenElement === v.root]"
    w0, h0, full = view_eval(page, SEED, size)
    stage_w = page.locator(f"{SEED} .cleo-stage").evaluate("e => e.clientWidth")
    assert not full and (w0, h0) == (stage_w, 480), (w0, h0, stage_w)  # player.height = 480
    bar_control(page, SEED, "cleo-fullscreen").click()
    page.wait_for_function("() => document.fullscreenElement?.classList.contains('cleo-player')")
    vw, vh = page.evaluate("() => [window.innerWidth, window.innerHeight]")

    def grown() -> Any:
        w, h, f = view_eval(page, SEED, size)
        return (w, h) if f and w == vw and h > h0 + 200 else None

    _w1, h1 = poll(grown, 5, what="the canvas to fill the screen")
    bar_h = page.locator(f"{SEED} .cleo-controls").bounding_box()["height"]
    timeline_h = page.locator(f"{SEED} .cleo-timeline").bounding_box()["height"]  # shown under the view
    assert h1 == vh - round(bar_h) - round(timeline_h), (h1, vh, bar_h, timeline_h)
    stats = pixel_stats(canvas_rgb(page, SEED))
    page.screenshot(path=str(nb.shots / f"{nb.prefix}-4-fullscreen.png"))
    assert_draws_network(stats, "fullscreen")
    # a second click exits (the button is still on screen, in the player's own bar)
    bar_control(page, SEED, "cleo-fullscreen").click()
    page.wait_for_function("() => document.fullscreenElement === null")
    poll(lambda: view_eval(page, SEED, size) == [w0, h0, False], 5, what="the canvas to shrink back")


# --- keyboard --------------------------------------------------------------------------------
def test_keyboard_on_the_focused_player(nb: LabNotebook) -> None:
    page = nb.page
    show(page, SEED)
    page.click(f"{SEED} canvas.cleo-canvas")  # a click on the canvas focuses the player
    assert page.evaluate("() => document.activeElement?.classList.contains('cleo-player')")
    page.keyboard.press("Home")
    wait_frame(nb, SEED, 0)
    page.keyboard.press(" ")
    page.wait_for_selector(f"{SEED} .cleo-controls[data-playing='true']")
    poll(lambda: bar_state(page, SEED)[0] >= 2, 10, what="space to start playback")
    page.keyboard.press(" ")
    page.wait_for_selector(f"{SEED} .cleo-controls[data-playing='false']")
    frame, _ = bar_state(page, SEED)
    for key, expect in (("ArrowRight", frame + 1), ("ArrowRight", frame + 2), ("ArrowLeft", frame + 1),
                        ("End", N_FRAMES - 1), ("ArrowRight", N_FRAMES - 1), ("ArrowLeft", N_FRAMES - 2),
                        ("Home", 0), ("ArrowLeft", 0), ("ArrowRight", 1)):  # fmt: skip
        page.keyboard.press(key)
        wait_frame(nb, SEED, expect, f"frame {expect} after {key}")
    assert text(nb, SEED) == readout_text(1)
    nb.wait_py("[player.frame, player.playing]", [1, False])


def test_keys_in_a_cell_editor_do_not_reach_the_player(nb: LabNotebook) -> None:
    page = nb.page
    seek_py(nb, SEED, "player", 10)
    cell = start_cell(page, "pass  # typed: space, arrows, Home, End")  # runs it, leaves the editor focused
    cell.locator(".jp-InputArea-editor").click()
    assert cell.locator(".cm-editor.cm-focused").count() == 1
    for key in (" ", "ArrowLeft", "ArrowRight", "Home", "End", " ", "ArrowLeft", "End"):
        page.keyboard.press(key)
    page.keyboard.type(" x y")
    animation_frames(page)  # a key that reached the player would have acted by now
    assert bar_state(page, SEED) == (10, False) and bar_state(page, GRID) == (0, False)
    assert shown_frame(page, SEED) == 10 and shown_frame(page, GRID) == 0
    assert "x y" in cell.locator(".jp-InputArea-editor").inner_text()  # the keys went to the editor
    assert nb.py_json("[player.frame, player.playing, grid.frame, grid.playing]") == [10, False, 0, False]


# --- Python <-> browser ------------------------------------------------------------------------
def test_python_sets_every_trait(nb: LabNotebook) -> None:
    page = nb.page
    seek_py(nb, SEED, "player", 0)
    frame0 = grab(nb, SEED)
    seek_py(nb, SEED, "player", 37)
    assert text(nb, SEED) == readout_text(37)
    assert page.locator(f"{SEED} .cleo-scrub").input_value() == "37"
    at37 = grab(nb, SEED)
    assert changed_pixels(frame0, at37) >= 100  # other spikes, other light

    nb.py("player.seek(62.5 * b2.ms)")
    wait_frame(nb, SEED, 62)
    assert text(nb, SEED) == readout_text(62)

    # decay: 0 leaves only this frame's spikes lit (the picture changes); back to 4 ms restores it
    seek_py(nb, SEED, "player", 37)
    nb.py("player.decay = 0")
    poll(lambda: view_eval(page, SEED, "(v) => v.pb.decayMs") == 0, 5, what="decay 0 in the browser")
    show(page, SEED, reset_camera=True)
    no_decay = poll_image(page, SEED, lambda img: changed_pixels(at37, img) >= 50, "decay = 0 to change the picture")
    nb.py("player.decay = 4")
    poll(lambda: np.array_equal(grab(nb, SEED), at37), 5, what="decay = 4 ms to restore the picture")
    assert pixel_stats(no_decay).red < pixel_stats(at37).red

    speed = page.locator(f"{SEED} .cleo-speed")
    for value in ("0.001", "1", "0.01"):
        nb.py(f"player.speed = {value}")
        poll(lambda value=value: speed.input_value() == value, 5, what=f"speed {value} in the select")
    nb.py("player.speed = 0.25")  # not a preset: an extra option, in order, written as the presets
    poll(lambda: speed.input_value() == "0.25", 5, what="speed 0.25 in the select")
    assert speed.evaluate("s => s.options[s.selectedIndex].textContent") == "1/4×"
    assert speed.evaluate("s => [...s.options].map(o => o.textContent)") == ["1×", "1/4×", "1/10×", "1/100×", "1/1000×"]
    nb.py("player.speed = 2")
    poll(lambda: speed.input_value() == "2", 5, what="speed 2 in the select")
    assert speed.evaluate("s => [...s.options].map(o => o.textContent)") == ["2×", "1×", "1/10×", "1/100×", "1/1000×"]
    nb.py("player.speed = 0.1")
    poll(lambda: speed.input_value() == "0.1", 5, what="speed back to 1/10x")

    loop = page.locator(f"{SEED} .cleo-loop")
    for value in ("once", "pingpong", "loop"):
        nb.py(f"player.loop = {value!r}")
        poll(lambda value=value: loop.input_value() == value, 5, what=f"loop {value} in the select")

    nb.py("player.play()")
    page.wait_for_selector(f"{SEED} .cleo-controls[data-playing='true']")
    poll(lambda: bar_state(page, SEED)[0] > 40, 10, what="player.play() to start playback")
    nb.py("player.playing = False")
    page.wait_for_selector(f"{SEED} .cleo-controls[data-playing='false']")

    def agreed() -> int | None:  # Python's frame in the view (see test_playback_sync.py)
        py = int(nb.py_value("player.frame"))
        return py + 1 if bar_state(page, SEED) == (py, False) else None  # + 1: frame 0 is falsy

    frame = poll(agreed, 30, interval_s=0.2, what="Python's frame and the view's to agree after pausing") - 1
    wait_frame(nb, SEED, frame)
    assert text(nb, SEED) == readout_text(frame)


def test_browser_changes_reach_python(nb: LabNotebook) -> None:
    page = nb.page
    bar_control(page, SEED, "cleo-speed").select_option("0.01")
    bar_control(page, SEED, "cleo-loop").select_option("once")
    page.locator(f"{SEED} .cleo-scrub").fill("58")
    wait_frame(nb, SEED, 58)
    expr = "[player.speed, player.loop, player.frame, float(player.time / b2.ms), player.playing]"
    nb.wait_py(expr, [0.01, "once", 58, 58.0, False])
    assert readout(page, SEED) == (58.0, 100.0)
    bar_control(page, SEED, "cleo-speed").select_option("0.1")
    bar_control(page, SEED, "cleo-loop").select_option("loop")
    nb.wait_py("[player.speed, player.loop]", [0.1, "loop"])


def test_frame_sync_is_throttled_while_playing_and_exact_on_pause(nb: LabNotebook) -> None:
    """Over ~2 s of playback at 1/10x (100 frames/s) Python hears the frame about 10 times a
    second, far fewer times than the browser draws a new one; after pause, the exact frame."""
    page = nb.page
    nb.py("_frames = []\nplayer.observe(lambda ch: _frames.append(ch['new']), names='frame')")
    w = watch_frames(page, SEED, "rec.t >= 2000", timeout_ms=10_000)
    assert not w.timed_out
    page.wait_for_selector(f"{SEED} .cleo-controls[data-playing='false']")
    paused = bar_state(page, SEED)[0]
    assert paused == w.frames[-1]
    drawn = len(w.records) - 1

    def synced() -> list[int] | None:
        f = nb.py_json("_frames")
        return f if f and f[-1] == paused else None

    got = poll(synced, 5, interval_s=0.2, what=f"Python's frame to end at the paused frame {paused}")
    nb.py("player.unobserve_all('frame')")
    n = len(got) - 1  # the last one is the exact frame sent on pause
    (nb.shots / f"{nb.prefix}-frame-sync.txt").write_text(
        f"{n} throttled updates (+1 on pause) reached Python in {w.records[-1]['t']:.0f} ms; "
        f"the view drew {drawn} new frames\n"
    )
    # at most one per 100 ms (+ the first); at least a few, or one per drawn frame on a machine
    # too busy to draw ten a second
    elapsed_ms = w.records[-1]["t"]
    assert min(5, drawn) <= n <= 2 + elapsed_ms / 100, f"{n} updates in {elapsed_ms:.0f} ms, {drawn} drawn: {got}"
    if drawn >= 40:  # drawing faster than the sync: the sync is the slower
        assert n < drawn / 2, f"not throttled: {n} updates for {drawn} drawn frames"


# --- two players on one page -------------------------------------------------------------------
def test_two_players_play_independently(nb: LabNotebook) -> None:
    page = nb.page
    seek_py(nb, SEED, "player", 5)
    seek_py(nb, GRID, "grid", 0)
    # a viewport tall enough for both players at once: both stay in sight (and draw)
    page.set_viewport_size({"width": VIEWPORT["width"], "height": 1600})
    try:
        _two_players(nb)
    finally:
        page.set_viewport_size(VIEWPORT)


def _two_players(nb: LabNotebook) -> None:
    page = nb.page
    page.locator(SEED).scroll_into_view_if_needed()
    show(page, GRID, reset_camera=True)
    show(page, SEED, reset_camera=True)
    seed_renders = view_eval(page, SEED, "(v) => v.renders")
    # play the grid: it advances, the seed player stays where it is
    w = watch_frames(page, GRID, "rec.frame >= 30")
    assert not w.timed_out, w.frames
    grid_frame = bar_state(page, GRID)[0]
    assert bar_state(page, SEED) == (5, False) and shown_frame(page, SEED) == 5
    assert view_eval(page, SEED, "(v) => v.renders") == seed_renders
    grid_stats = pixel_stats(canvas_rgb(page, GRID))
    nb.shot("5-grid-after-play", GRID, grid_stats)
    assert grid_stats.red >= 1500 and grid_stats.red_tiles >= 80, grid_stats.summary()
    # and the other way round
    grid_renders = view_eval(page, GRID, "(v) => v.renders")
    w = watch_frames(page, SEED, "rec.frame >= 25")
    assert not w.timed_out, w.frames
    assert bar_state(page, GRID) == (grid_frame, False) and shown_frame(page, GRID) == grid_frame
    assert view_eval(page, GRID, "(v) => v.renders") == grid_renders
    nb.page_shot("6-two-players")
    assert_draws_network(pixel_stats(canvas_rgb(page, SEED)), "seed player after playing")
    seed_frame = bar_state(page, SEED)[0]
    nb.wait_py("[player.frame, player.playing, grid.frame, grid.playing]", [seed_frame, False, grid_frame, False])
