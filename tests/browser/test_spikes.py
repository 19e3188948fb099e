"""Spikes over time, in real JupyterLab: a seek shows exactly what continuous playback shows,
``decay=0`` is a one-frame flash, and no spike is lost when playback skips frames.

Shares the page and kernel of ``controls.ipynb`` with ``test_controls.py``: ``player`` (the
seed tutorial) and ``grid`` (100 neurons on a 10 x 10 grid, neuron k spikes once, in frame k).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from browser_helpers import (
    LabNotebook,
    bar_state,
    canvas_rgb,
    changed_pixels,
    data_url_rgb,
    poll,
    project_neurons,
    save_rgb,
    show,
    shown_frame,
    spot,
    view_eval,
    watch_frames,
)

pytestmark = pytest.mark.browser

NOTEBOOK = "controls.ipynb"
READY = "READY Player("
SEED = ".test-seed"
GRID = ".test-grid"
N_FRAMES = 100
DEFAULT_DECAY_MS = 4.0  # Player's default: 4 frames of 1 ms

# What a grid neuron's centre (3x3 mean) looks like. xkcd:tomato is (239, 64, 38); at rest a
# neuron is drawn at 20 % opacity on #111318: (61, 28, 28), up to (92, 71, 70) where a tick
# label lies over it; a flash is opaque and 35 % whiter: (245, 131, 114); a flash faded to
# 75 % (one frame later with decay = 4 frames) has a green of about 95.
FULL_FLASH_MIN_G = 115  # fully bright (b = 1), not a faded flash (b <= 0.75: green <= 100)
LIT_MIN_R = 120  # lit at all


def seek(nb: LabNotebook, sel: str, var: str, frame: int, how: str = "python") -> np.ndarray:
    """Seek from Python or with the scrubber; the canvas once it shows that frame (seen from
    the default camera)."""
    if how == "python":
        nb.py(f"{var}.frame = {frame}")
    else:
        show(nb.page, sel)
        nb.page.locator(f"{sel} .cleo-scrub").fill(str(frame))
    show(nb.page, sel, reset_camera=True)
    poll(lambda: shown_frame(nb.page, sel) == frame and bar_state(nb.page, sel) == (frame, False), 10,
         what=f"{var} to show frame {frame}")  # fmt: skip
    return canvas_rgb(nb.page, sel)


# --- (a) seeking shows what playback shows ------------------------------------------------------
_continuous: dict[float, np.ndarray] = {}


def _busy_frame(nb: LabNotebook) -> int:
    """A frame of the seed run in 30..70 with many spikes in it and in the frames before."""
    return nb.py_json(
        "(lambda c: int(30 + np.argmax([c[f] + c[f - 4:f].sum() for f in range(30, 70)])))"
        "(sum(np.diff(g.frame_ptr) for g in player.recording.groups))"
    )


@pytest.mark.parametrize("decay", [DEFAULT_DECAY_MS, 0.0], ids=["decay-default", "decay-0"])
def test_seek_shows_what_playback_shows(nb: LabNotebook, decay: float) -> None:
    page = nb.page
    f = _busy_frame(nb)
    nb.py(f"player.decay = {decay}\nplayer.speed = 0.01\nplayer.loop = 'loop'\nplayer.frame = {f - 7}")
    poll(lambda: view_eval(page, SEED, "(v) => v.pb.decayMs") == decay, 5, what="the decay in the browser")
    tag = "decay0" if decay == 0 else "decay4"

    # continuous playback at 1/100x (10 frames/s: one frame per drawn frame) from f - 7 to f,
    # the canvas grabbed in the very render that first shows f, then paused there
    continuous: np.ndarray | None = None
    for _attempt in range(3):
        seek(nb, SEED, "player", f - 7)  # leaves the camera reset
        w = watch_frames(page, SEED, "rec.frame >= a", capture="rec.frame === a || rec.frame === a - 1", arg=f,
                         timeout_ms=5000)  # fmt: skip
        assert not w.timed_out, w.frames
        assert w.frames[-1] == f and w.frames == sorted(w.frames), w.frames
        last, before = w.records[-1], w.records[-2]
        if last["step"] == 1 and before["frame"] == f - 1:  # else a slow tick skipped f - 1: again
            continuous, previous = data_url_rgb(last["url"]), data_url_rgb(before["url"])
            break
    assert continuous is not None, f"playback at 1/100x never stepped f - 1 -> f in 3 attempts: {w.records}"
    save_rgb(continuous, nb.shots / f"spikes-a-{tag}-continuous-f{f}.png")
    assert changed_pixels(previous, continuous) >= 20, "frame f looks like frame f - 1: nothing to compare"
    page.wait_for_selector(f"{SEED} .cleo-controls[data-playing='false']")
    assert bar_state(page, SEED) == (f, False)
    assert np.array_equal(canvas_rgb(page, SEED), continuous), "pausing at f changed the picture"

    # forward and backward seeks, from Python and with the scrubber
    forward, backward = ("python", "scrubber") if decay else ("scrubber", "python")
    seek(nb, SEED, "player", f - 30)
    fwd = seek(nb, SEED, "player", f, forward)
    seek(nb, SEED, "player", f + 30)
    bwd = seek(nb, SEED, "player", f, backward)
    save_rgb(fwd, nb.shots / f"spikes-a-{tag}-forward-{forward}-f{f}.png")
    save_rgb(bwd, nb.shots / f"spikes-a-{tag}-backward-{backward}-f{f}.png")
    assert changed_pixels(continuous, fwd, threshold=0) == 0, f"forward seek ({forward}) to {f} differs from playback"
    assert changed_pixels(continuous, bwd, threshold=0) == 0, f"backward seek ({backward}) to {f} differs from playback"
    _continuous[decay] = continuous
    if len(_continuous) == 2:  # the decay matters, so the equalities above are not trivial
        assert changed_pixels(_continuous[DEFAULT_DECAY_MS], _continuous[0.0]) >= 20
    nb.py(f"player.decay = {DEFAULT_DECAY_MS}\nplayer.speed = 0.1")


# --- (b) decay = 0: a one-frame flash -------------------------------------------------------------
def grid_view(nb: LabNotebook) -> np.ndarray:
    """Show the grid player with its camera reset; its neurons' canvas positions."""
    show(nb.page, GRID, reset_camera=True)
    xy = project_neurons(nb.page, GRID)
    assert xy.shape == (N_FRAMES, 2)
    w, h = view_eval(nb.page, GRID, "(v) => [v.renderer.domElement.width, v.renderer.domElement.height]")
    assert (xy > 10).all() and (xy[:, 0] < w - 10).all() and (xy[:, 1] < h - 10).all(), "grid neurons off the canvas"
    d = np.hypot(*(xy[:, None, :] - xy[None, :, :]).transpose(2, 0, 1))
    d[np.arange(N_FRAMES), np.arange(N_FRAMES)] = np.inf
    # a flash is ~15 px wide: neurons farther apart than that can be told apart by their centres
    assert d.min() >= 12, f"grid neurons too close on screen ({d.min():.1f} px)"
    return xy


def lit(rgb: np.ndarray, xy: np.ndarray) -> np.ndarray:
    return spot(rgb, xy)[:, 0] >= LIT_MIN_R


def full(rgb: np.ndarray, xy: np.ndarray) -> np.ndarray:
    return spot(rgb, xy)[:, 1] >= FULL_FLASH_MIN_G


def set_grid(nb: LabNotebook, decay: float, speed: float = 0.1, loop: str = "loop") -> None:
    nb.py(f"grid.decay = {decay}\ngrid.speed = {speed}\ngrid.loop = {loop!r}")
    seen: list = []

    def arrived() -> bool:
        seen[:] = [view_eval(nb.page, GRID, "(v) => [v.pb.decayMs, v.pb.speed, v.pb.loop]")]
        return seen[0] == [decay, speed, loop]

    try:
        poll(arrived, 10, what=f"decay {decay}, speed {speed}, loop {loop} in the browser")
    except AssertionError as e:
        raise AssertionError(f"{e}; the browser has [decay, speed, loop] = {seen}") from None


def test_decay_zero_is_a_one_frame_flash(nb: LabNotebook) -> None:
    f = 40
    set_grid(nb, 0.0)
    seek(nb, GRID, "grid", f)
    xy = grid_view(nb)
    at_f = canvas_rgb(nb.page, GRID)
    at_next = seek(nb, GRID, "grid", f + 1)
    at_late = seek(nb, GRID, "grid", 90)
    save_rgb(at_f, nb.shots / f"spikes-b-decay0-f{f}.png")
    save_rgb(at_next, nb.shots / f"spikes-b-decay0-f{f + 1}.png")
    assert list(np.flatnonzero(full(at_f, xy))) == [f], "at frame f exactly neuron f flashes"
    assert list(np.flatnonzero(lit(at_f, xy))) == [f]
    assert list(np.flatnonzero(lit(at_next, xy))) == [f + 1], "at f + 1 neuron f is at rest again"
    # at rest exactly as 49 frames after its spike
    assert np.abs(spot(at_next, xy)[f] - spot(at_late, xy)[f]).max() <= 2

    # with the default decay the same neuron is still lit one frame later (fading): the check
    # above can fail
    seek(nb, GRID, "grid", f + 1)
    nb.py(f"grid.decay = {DEFAULT_DECAY_MS}")
    show(nb.page, GRID, reset_camera=True)
    fading = poll(lambda: (lambda img: (img,) if lit(img, xy)[f] else None)(canvas_rgb(nb.page, GRID)), 5,
                  what="neuron f lit at f + 1 with the default decay")[0]  # fmt: skip
    assert shown_frame(nb.page, GRID) == f + 1
    assert not full(fading, xy)[f], "a flash one frame old is fading, not full"
    assert list(np.flatnonzero(full(fading, xy))) == [f + 1]


# --- (c) no spike lost at high speed --------------------------------------------------------------
def flashes(w: Any, xy: np.ndarray, i: int) -> list[int]:
    return [int(k) for k in np.flatnonzero(full(data_url_rgb(w.records[i]["url"]), xy))]


@pytest.mark.parametrize("decay", [0.0, DEFAULT_DECAY_MS], ids=["decay-0", "decay-default"])
def test_no_spike_lost_at_full_speed(nb: LabNotebook, decay: float) -> None:
    """At 1x (1000 frames/s) each drawn frame skips several 1 ms frames; every neuron whose
    (only) spike lies in the frames since the previous drawn frame flashes at full brightness,
    and no other neuron does (with decay 0 no other neuron is lit at all). The step into the
    last frame is test_no_spike_lost_at_the_end's."""
    page = nb.page
    set_grid(nb, decay, speed=1.0, loop="once")
    seek(nb, GRID, "grid", 0)
    xy = grid_view(nb)
    w = watch_frames(page, GRID, "!v.pb.playing", pause=False, capture="true", timeout_ms=10_000)
    assert not w.timed_out, w.frames
    frames = w.frames
    assert frames[0] == 0 and frames[-1] == N_FRAMES - 1 and frames == sorted(frames), frames
    steps = np.diff(frames)
    assert steps[:-1].max() >= 3, f"playback at 1x skipped no frames, nothing tested: {frames}"
    seen: list[int] = []
    problems: list[str] = []
    for i, rec in enumerate(w.records[:-1]):
        img = data_url_rgb(rec["url"])
        prev = frames[i - 1] if i else -1
        expected = list(range(prev + 1, rec["frame"] + 1))  # neuron k spikes in frame k
        got = flashes(w, xy, i)
        if got != expected:
            problems.append(
                f"drawn frame {rec['frame']} (after {prev}, step {rec['step']}): flashing {got}, expected {expected}"
            )
            save_rgb(img, nb.shots / f"spikes-c-decay{decay:g}-frame{rec['frame']}-FAILED.png")
        if decay == 0:
            stray = sorted(set(np.flatnonzero(lit(img, xy))) - set(expected))
            if stray:
                problems.append(f"drawn frame {rec['frame']}: neurons {stray} still lit with decay 0")
        seen += got
    mid = w.records[len(w.records) // 2]
    save_rgb(data_url_rgb(mid["url"]), nb.shots / f"spikes-c-decay{decay:g}-frame{mid['frame']}.png")
    assert not problems, "\n".join(problems) + f"\ndrawn frames: {frames}"
    assert sorted(seen) == list(range(frames[-2] + 1)), "some spikes never flashed"
    assert [r["step"] for r in w.records[1:-1]] == list(steps[:-1]), "the spike state's step is not the frames skipped"
    set_grid(nb, DEFAULT_DECAY_MS)
    page.wait_for_selector(f"{GRID} .cleo-controls[data-playing='false']")


@pytest.mark.parametrize("loop", ["once", "pingpong", "loop"])
def test_no_spike_lost_at_the_end(nb: LabNotebook, loop: str) -> None:
    """At 1x the drawn frame that reaches the end (or the first one after a wrap) flashes every
    spike since the previous drawn frame: (p, 99], and for a wrap also [0, f]."""
    page = nb.page
    set_grid(nb, 0.0, speed=1.0, loop=loop)
    until = {
        "once": "!v.pb.playing",
        "pingpong": "rec.frame === 99",
        "loop": "recs.length > 1 && rec.frame < recs[recs.length - 2].frame",
    }[loop]
    # the end reached by a jump: "once" stopped in the very tick that drew 99, "pingpong"
    # turned in it (a tick may instead land on 99 before the end and stop or turn in the next)
    jumped = {
        "once": lambda r: not r["playing0"],
        "pingpong": lambda r: r["direction"] < 0,
        "loop": lambda r: True,
    }[loop]
    try:
        for _attempt in range(6):
            seek(nb, GRID, "grid", 50)
            xy = grid_view(nb)
            w = watch_frames(page, GRID, until, capture="true", timeout_ms=5000)
            assert not w.timed_out, w.frames
            p, f = w.frames[-2], w.frames[-1]
            expected = list(range(p + 1, N_FRAMES)) + (list(range(f + 1)) if loop == "loop" else [])
            if len(expected) >= 3 and jumped(w.records[-1]):
                break
        got = flashes(w, xy, len(w.records) - 1)
        save_rgb(data_url_rgb(w.records[-1]["url"]), nb.shots / f"spikes-c-end-{loop}-{p}-to-{f}.png")
        assert len(expected) >= 3 and jumped(w.records[-1]), f"the end was never jumped to: {w.records}"
        assert sorted(got) == sorted(expected), (
            f"{loop}: drawn frame {f} after {p}: flashing {got}, expected {expected}"
        )
    finally:
        set_grid(nb, DEFAULT_DECAY_MS)
        page.wait_for_selector(f"{GRID} .cleo-controls[data-playing='false']")
