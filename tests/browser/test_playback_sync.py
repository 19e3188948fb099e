"""Pause, then seek: after a pause from Python (or from the page's model), Python's ``frame`` is
the frame on screen, and ``frame = k`` shows frame k, even k = the value Python last held.
While playing, the browser tells the kernel the frame at most every 100 ms, so the view runs
ahead of the model; a pause from outside used to leave it there, and setting the model's own
value again changed nothing. Tested in JupyterLab (the ``grid`` player of ``controls.ipynb``,
whose neuron k spikes in frame k) and in a standalone page (the page's model stands in for
Python). Also: a one-frame recording does not redraw while "playing".
"""

from __future__ import annotations

from typing import Any

import pytest
from browser_helpers import (
    LabNotebook,
    animation_frames,
    bar_state,
    open_offline,
    poll,
    show,
    shown_frame,
    view_eval,
    wait_for_render,
)

pytestmark = pytest.mark.browser

NOTEBOOK = "controls.ipynb"
READY = "READY Player("
GRID = ".test-grid"  # 100 frames of 1 ms
ROOT = "#cleo-player-root"
FAST = 1.0  # playback rate: 1000 frames/s: the view runs far ahead of the 100 ms frame sync


def grid_recording(n_frames: int = 100) -> Any:
    """100 neurons on a grid; neuron k spikes in frame k (as in controls.ipynb)."""
    import numpy as np

    from cleo_player.recording import GroupData, Recording

    dt = 1e-3
    frame_t = np.arange(n_frames) * dt
    ij = np.stack(np.meshgrid(np.arange(10), np.arange(10), indexing="ij"), -1).reshape(-1, 2)
    positions = np.column_stack([ij * 100e-6, np.full(100, 300e-6)])
    spikes = np.arange(n_frames) % 100
    group = GroupData.from_spikes("grid", positions, spikes, frame_t + 0.3 * dt, frame_t, dt)
    return Recording(dt, frame_t, n_frames * dt, (group,))


# --- JupyterLab -------------------------------------------------------------------------------
def play_grid(nb: LabNotebook) -> None:
    """Play ``grid`` fast from Python, until the view has moved well past the start."""
    nb.py(f"grid.loop = 'loop'\ngrid.speed = {FAST}\ngrid.frame = 0\ngrid.play()")
    show(nb.page, GRID)
    poll(lambda: view_eval(nb.page, GRID, "(v) => v.pb.playing && v.renders > 30"), 15, what="grid to play")


def paused_view(nb: LabNotebook) -> int:
    """Wait until the grid's view is paused; the frame on its canvas once drawn (the view is
    scrolled into sight first: running a cell scrolls the notebook to it)."""
    page = nb.page
    show(page, GRID)
    poll(lambda: bar_state(page, GRID)[1] is False, 15, what="the grid's view to pause")

    def drawn() -> int | None:
        f = shown_frame(page, GRID)
        return f + 1 if f == bar_state(page, GRID)[0] else None  # + 1: frame 0 is falsy

    return poll(drawn, 15, what="the paused frame on the canvas") - 1


def test_lab_pause_from_python_agrees_with_the_screen(nb: LabNotebook) -> None:
    play_grid(nb)
    nb.py("grid.pause()")

    def agreed() -> int | None:
        frame = nb.py_json("grid.frame")
        return frame + 1 if paused_view(nb) == frame else None  # + 1: frame 0 is falsy

    frame = poll(agreed, 60, interval_s=0.3, what="Python's grid.frame to equal the frame on screen") - 1
    animation_frames(nb.page)
    assert nb.py_json("grid.frame") == frame == shown_frame(nb.page, GRID)  # and they stay there


def test_lab_pause_then_seek_to_the_last_value_python_held(nb: LabNotebook) -> None:
    """In one cell: remember Python's frame, pause, set it back: the view shows it."""
    for _ in range(3):  # the lag differs from run to run; each must end on the remembered frame
        play_grid(nb)
        out = nb.py("_f = grid.frame\ngrid.pause()\ngrid.frame = _f\nprint('HELD', _f)")
        held = int(out.split("HELD", 1)[1].split()[0])
        poll(lambda: paused_view(nb) == held, 20, interval_s=0.3, what=f"the view at the held frame {held}")  # noqa: B023
        poll(lambda: nb.py_json("[grid.frame, grid.playing]") == [held, False], 20, interval_s=0.3,  # noqa: B023
             what=f"Python at the held frame {held}")  # fmt: skip


def test_lab_pause_then_seek_anywhere(nb: LabNotebook) -> None:
    for target in (37, 0, 99):
        play_grid(nb)
        nb.py(f"grid.pause()\ngrid.frame = {target}")
        poll(lambda: paused_view(nb) == target, 20, interval_s=0.3, what=f"the view at frame {target}")  # noqa: B023
        poll(lambda: nb.py_json("grid.frame") == target, 20, interval_s=0.3, what=f"Python at frame {target}")  # noqa: B023
    nb.py("grid.speed = 0.1")
    poll(lambda: view_eval(nb.page, GRID, "(v) => v.pb.speed") == 0.1, 15, what="grid back to 1/10x")


# --- standalone page --------------------------------------------------------------------------
# (v, action) => run `action` (JS, with m = the model, f = its frame) at the first animation
# frame where the view shows another frame than the model holds (it runs ahead while playing)
AT_LAG = """(v, action) => new Promise((resolve, reject) => {
  const m = window.cleoPlayerModel, t0 = performance.now();
  const step = () => {
    const f = m.get('frame');
    if (v.pb.playing && v.pb.frame !== f) { new Function('m', 'f', action)(m, f); resolve(f); }
    else if (performance.now() - t0 > 20000) reject(new Error('the view never ran ahead of the model'));
    else requestAnimationFrame(step);
  };
  step();
})"""


def test_page_pause_then_seek(new_page, tmp_path) -> None:
    """The page's model stands in for Python: pause through it, set its last frame again."""
    from cleo_player import Player

    path = Player(grid_recording(), speed=FAST).save_html(tmp_path / "grid.html")
    page = open_offline(new_page, path, ROOT).page
    for k in range(3):
        page.click(f"{ROOT} .cleo-play")
        poll(lambda: view_eval(page, ROOT, "(v) => v.pb.playing && v.pb.frame > 20"), 15, what="the page to play")
        # at an animation frame where the view has run ahead of the model (the case that
        # failed), in one task: remember the model's frame, pause, set that frame again
        held = view_eval(page, ROOT, AT_LAG, "m.set('playing', false); m.set('frame', f);")
        poll(lambda: bar_state(page, ROOT) == (held, False) and shown_frame(page, ROOT) == held, 15,  # noqa: B023
             what=f"run {k}: the view at the model's frame {held}")  # fmt: skip
        assert page.evaluate("() => window.cleoPlayerModel.get('frame')") == held
    # a pause alone: the model's frame is the frame on screen
    page.click(f"{ROOT} .cleo-play")
    poll(lambda: view_eval(page, ROOT, "(v) => v.pb.playing && v.pb.frame > 20"), 15, what="the page to play")
    view_eval(page, ROOT, AT_LAG, "m.set('playing', false);")
    poll(lambda: bar_state(page, ROOT)[1] is False, 15, what="the view to pause")
    poll(lambda: shown_frame(page, ROOT) == page.evaluate("() => window.cleoPlayerModel.get('frame')"), 15,
         what="the model's frame on screen")  # fmt: skip
    for target in (42, 7):
        page.evaluate("(k) => window.cleoPlayerModel.set('frame', k)", target)
        poll(lambda: shown_frame(page, ROOT) == target, 15, what=f"frame {target} on screen")  # noqa: B023


def test_one_frame_recording_does_not_redraw_while_playing(new_page, tmp_path) -> None:
    from cleo_player import Player

    path = Player(grid_recording(1)).save_html(tmp_path / "one.html")
    page = open_offline(new_page, path, ROOT).page
    wait_for_render(page, ROOT)
    page.click(f"{ROOT} .cleo-play")
    poll(lambda: view_eval(page, ROOT, "(v) => v.pb.playing"), 15, what="the page to play")
    before = view_eval(page, ROOT, "(v) => v.renders")
    # let 60 animation frames go by (a second at 60 Hz): a clock running would draw each one
    page.evaluate(
        "() => new Promise((resolve) => { let n = 0;"
        " const f = () => (++n >= 60 ? resolve() : requestAnimationFrame(f)); requestAnimationFrame(f); })"
    )
    after = view_eval(page, ROOT, "(v) => v.renders")
    assert after - before <= 2, f"{after - before} renders of one frame in 60 animation frames while playing"
    assert bar_state(page, ROOT) == (0, True)
    page.click(f"{ROOT} .cleo-play")
    poll(lambda: bar_state(page, ROOT) == (0, False), 15, what="the page to pause")
