"""The timeline in real JupyterLab (notebook ``timeline.ipynb``): its raster against the one the
kernel computes from the recording, a click seeking Python's ``player.frame``, ``add_trace`` /
``remove_trace`` from Python, ``player.timeline`` / ``timeline_height`` from Python, the
playhead on the 3D view's frame while playing, and a live run drawn into it as it streams.
"""

from __future__ import annotations

import hashlib
import time
from typing import Any

import numpy as np
import pytest
from browser_helpers import EXEC_DONE, VIEWPORT, LabNotebook, poll, show, start_cell, wait_cell, wait_for_render
from timeline_helpers import TIMELINE, box, canvas_rgba, check_playhead_samples, sample_playback, state

pytestmark = pytest.mark.browser

NOTEBOOK = "timeline.ipynb"
READY = "READY Player("
SEED = ".test-tl"
LIVE = ".test-tl-live"
N_FRAMES = 100
MAGENTA = np.array([255, 0, 255])


@pytest.fixture(scope="module", autouse=True)
def rendered(nb: LabNotebook) -> Any:
    nb.page.set_viewport_size({"width": VIEWPORT["width"], "height": 1600})
    wait_for_render(nb.page, SEED)
    wait_for_render(nb.page, LIVE)
    yield
    nb.page.set_viewport_size(VIEWPORT)


def raster_sha(nb: LabNotebook, sel: str) -> tuple[str, tuple[int, int]]:
    img = canvas_rgba(nb.page, sel, "raster")
    return hashlib.sha256(np.ascontiguousarray(img).tobytes()).hexdigest(), img.shape[:2]


def kernel_sha(nb: LabNotebook, var: str, shape: tuple[int, int]) -> str:
    return nb.py_json(f"raster_hash({var}, {shape[1]}, {shape[0]})")


def magenta_px(nb: LabNotebook) -> int:
    img = canvas_rgba(nb.page, SEED, "traces")
    return int(((np.abs(img[..., :3].astype(int) - MAGENTA).max(-1) <= 40) & (img[..., 3] > 30)).sum())


def test_raster_in_lab_is_the_recordings(nb: LabNotebook) -> None:
    show(nb.page, SEED)
    nb.page.wait_for_selector(f"{SEED} {TIMELINE}[data-frame]")
    sha, shape = raster_sha(nb, SEED)
    assert shape[1] == state(nb.page, SEED)["width"] and shape[0] > 50
    assert sha == kernel_sha(nb, "player", shape)
    assert nb.page.get_attribute(f"{SEED} {TIMELINE}", "aria-label") == "timeline"
    nb.shot("timeline-1-lab", SEED)


def test_click_on_the_timeline_sets_python_frame(nb: LabNotebook) -> None:
    b = box(nb.page, SEED)
    nb.page.mouse.click(b["x"] + 0.373 * b["width"], b["y"] + 30)
    poll(lambda: state(nb.page, SEED)["frame"] == 37, 10, what="the click to move the playhead to frame 37")
    poll(lambda: nb.py_json("player.frame") == 37, 20, interval_s=0.3, what="Python to see frame 37")
    assert state(nb.page, SEED)["viewFrame"] == 37


def test_add_trace_from_python_appears_and_goes(nb: LabNotebook) -> None:
    page = nb.page
    assert magenta_px(nb) == 0
    nb.py(
        "r = player.recording\n"
        "g = r.groups[1]\n"
        "player.add_trace('inh rate', r.frame_t * b2.second, np.diff(g.frame_ptr) / (g.size * r.dt), "
        "unit='Hz', color='magenta')"
    )
    labels = page.locator(f"{SEED} .cleo-timeline-trace-label")
    poll(lambda: any("inh rate" in t for t in labels.all_text_contents()), 10, what="the trace's label")
    poll(lambda: magenta_px(nb) > 300, 10, what="the trace drawn in magenta")
    show(page, SEED)
    nb.shot("timeline-2-add-trace", SEED)
    nb.py("player.remove_trace('inh rate')")
    poll(lambda: magenta_px(nb) == 0, 10, what="the removed trace to go")
    assert not any("inh rate" in t for t in labels.all_text_contents())


def test_timeline_switched_and_sized_from_python(nb: LabNotebook) -> None:
    page = nb.page
    tl = page.locator(f"{SEED} {TIMELINE}")
    stage_h = page.locator(f"{SEED} .cleo-stage").bounding_box()["height"]
    nb.py("player.timeline = False")
    tl.wait_for(state="hidden")
    assert page.locator(f"{SEED} .cleo-stage").bounding_box()["height"] == stage_h  # the 3D view keeps its size
    nb.py("player.timeline = True\nplayer.timeline_height = 120")
    tl.wait_for(state="visible")
    poll(lambda: state(page, SEED)["height"] == 120, 10, what="timeline_height = 120")
    nb.py("player.timeline_height = None")
    poll(lambda: state(page, SEED)["height"] == 160, 10, what="the default height, a third of 480")
    sha, shape = raster_sha(nb, SEED)
    assert sha == kernel_sha(nb, "player", shape)


def test_playhead_follows_playback_in_lab(nb: LabNotebook) -> None:
    show(nb.page, SEED)
    samples = sample_playback(nb.page, SEED, min_frames=8)
    check_playhead_samples(samples, state(nb.page, SEED)["width"], N_FRAMES, min_frames=8)


def test_live_run_is_drawn_as_it_streams(nb: LabNotebook) -> None:
    page = nb.page
    show(page, LIVE)
    before = state(page, LIVE)
    cell = start_cell(page, "live.run(60 * b2.ms, progress=False)")
    prompt = cell.locator(".jp-InputArea-prompt")
    seen: list[dict] = []
    deadline = time.monotonic() + 90
    while not EXEC_DONE.match(prompt.inner_text().strip()):
        assert time.monotonic() < deadline, "live.run(60 ms) did not finish in 90 s"
        seen.append(state(page, LIVE))
        time.sleep(0.05)
    wait_cell(cell, what="live.run")
    grew = [s for s in seen if s["appends"] > before["appends"]]
    assert grew, f"no frames were drawn into the timeline while the run streamed: {seen[-3:]}"
    # at the end the player holds the whole run: the raster is the recording's
    n = nb.py_json("live.n_frames")
    assert n == 60
    page.wait_for_function(
        "(sel) => document.querySelector(sel + ' .cleo-controls')?.dataset.frame === '59'",
        arg=LIVE,
    )

    def matches() -> bool:
        sha, shape = raster_sha(nb, LIVE)
        return sha == kernel_sha(nb, "live", shape)

    poll(matches, 20, interval_s=0.5, what="the live player's raster to be the whole recording's")
    assert state(page, LIVE)["range"] == [0.0, 60.0]
    nb.shot("timeline-3-after-live-run", LIVE)
