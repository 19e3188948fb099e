"""A live run in real JupyterLab (notebook ``live_run.ipynb``): ``Player(sim)`` on a simulator
without a Recorder is displayed, then ``player.run(100 * b2.ms)`` runs in a cell of its own
(a network operation makes the 100 ms last ~2.5 s of wall time). While the cell runs, the
scene fills in frame by frame through custom messages and a progress bar moves; afterwards the
player holds the full recording, and so does the notebook saved with its widget state.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import time
from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest
from browser_helpers import (
    EXEC_DONE,
    VIEWPORT,
    LabNotebook,
    assert_draws_network,
    canvas_rgb,
    changed_pixels,
    pixel_stats,
    poll,
    readout,
    show,
    start_cell,
    view_eval,
    wait_cell,
)
from browser_helpers import (
    NOTEBOOK as NOTEBOOK_SEL,
)

pytestmark = pytest.mark.browser

NOTEBOOK = "live_run.ipynb"
READY = "READY Player("
LIVE = ".test-live"
N_FRAMES = 100


@pytest.fixture(scope="module", autouse=True)
def tall_page(nb: LabNotebook) -> Iterator[None]:
    """Tall enough for the player and the running cell to be in sight together."""
    nb.page.set_viewport_size({"width": VIEWPORT["width"], "height": 1600})
    yield
    nb.page.set_viewport_size(VIEWPORT)


def test_live_run_streams_into_the_scene(nb: LabNotebook, jupyter_lab: Any) -> None:  # noqa: PLR0915 one run, step by step
    page = nb.page
    show(page, LIVE)
    overlay = page.locator(f"{LIVE} .cleo-overlay")
    assert overlay.is_visible() and "Nothing recorded yet" in (overlay.text_content() or "")
    assert (page.locator(f"{LIVE} .cleo-time").text_content() or "").strip() == "t = – / – ms"
    empty = canvas_rgb(page, LIVE)
    # count what reaches the model while the cell runs: streamed frames vs whole-state updates
    view_eval(page, LIVE, """(v) => {
        window.__live = { appends: [], data: 0 };
        v.model.on('msg:custom', (m) => window.__live.appends.push([m.first_frame, m.n_frames]));
        v.model.on('change:_data', () => window.__live.data++);
      }""")  # fmt: skip

    cell = start_cell(page, "player.run(100 * b2.ms)")
    cell_idx = page.locator(f"{NOTEBOOK_SEL} .jp-Cell").count() - 1
    prompt = cell.locator(".jp-InputArea-prompt")
    samples: list[dict] = []
    pictures: list[np.ndarray] = []
    deadline = time.monotonic() + 300
    while not EXEC_DONE.match(prompt.inner_text().strip()):
        assert time.monotonic() < deadline, "player.run(100 ms) did not finish in 300 s"
        s = page.evaluate(
            """([sel, cells, cellIdx]) => {
                 const el = document.querySelector(sel);
                 const cell = document.querySelectorAll(cells)[cellIdx];
                 const bar = cell.querySelector('.widget-hprogress .progress-bar');
                 const label = cell.querySelector('.widget-html-content');
                 return { readout: el.querySelector('.cleo-time').textContent,
                          max: +el.querySelector('.cleo-scrub').max,
                          frame: el.querySelector('.cleo-player').dataset.frame,
                          overlay: getComputedStyle(el.querySelector('.cleo-overlay')).display,
                          progress: bar ? parseFloat(bar.style.width) : null, label: label ? label.textContent : null,
                          running: /\\[\\*\\]/.test(cell.querySelector('.jp-InputArea-prompt').textContent) };
               }""",
            [LIVE, f"{NOTEBOOK_SEL} .jp-Cell", cell_idx],
        )
        if s["running"] and s["max"] > 0 and (not samples or s["max"] != samples[-1]["max"]):
            pictures.append(canvas_rgb(page, LIVE))
        samples.append(s)
        time.sleep(0.1)
    wait_cell(cell, what="player.run(100 ms)")
    # the run ended with the whole recording (one state update); the page applies it a bit later
    poll(lambda: page.evaluate("() => window.__live.data") >= 1, 60, what="the final state to reach the page")

    during = [s for s in samples if s["running"]]
    counts = sorted({s["max"] + 1 for s in during if s["max"] > 0 and s["readout"] != "t = – / – ms"})
    assert len([c for c in counts if c < N_FRAMES]) >= 2, (
        f"fewer than 2 intermediate frame counts while running: {counts}"
    )
    for s in during:  # the readout's end time grows with the frames received
        m = re.match(r"^t = (\d+\.\d)–\d+\.\d / (\d+\.\d) ms$", s["readout"])
        if m:
            assert float(m[2]) == pytest.approx(s["max"] + 1), s
    assert len(pictures) >= 2 and changed_pixels(pictures[0], pictures[-1]) >= 50, (
        "the picture did not change while running"
    )
    assert changed_pixels(empty, pictures[-1]) >= 50
    assert all(s["overlay"] == "none" for s in during if s["max"] > 0), "the 'nothing recorded' message stayed up"
    widths = sorted({s["progress"] for s in during if s["progress"] is not None})
    assert any(s["label"] and s["label"].startswith("Simulating") for s in during), "no progress bar while running"
    assert len([w for w in widths if 0 < w < 100]) >= 2, f"the progress bar did not move while running: {widths}"
    nb.page_shot("1-after-run")

    live = page.evaluate("() => window.__live")
    assert len(live["appends"]) >= 3, f"frames were not streamed: {live}"
    assert [a[0] for a in live["appends"][1:]] == [a[1] for a in live["appends"][:-1]], (
        "streamed frames overlap or skip"
    )
    assert live["data"] == 1, f"the whole state was sent {live['data']} times (once, at the end, expected)"

    # afterwards: the full recording, in Python and in the browser
    show(page, LIVE)
    poll(lambda: readout(page, LIVE)[1] == 100.0 and page.locator(f"{LIVE} .cleo-scrub").get_attribute("max") == "99",
         60, what="the player to hold 100 frames after the run")  # fmt: skip
    py = nb.py_json(
        "{'n_frames': player.n_frames, 'n_spikes': player.recording.n_spikes, 'bytes': player._meta['index_bytes'],"
        " 'idx': np.frombuffer(player._data['spike_idx'], 'u%d' % player._meta['index_bytes']).tolist(),"
        " 'ptr': np.frombuffer(player._data['spike_ptr'], 'u4').tolist(),"
        " 'sha': hashlib.sha256(player._data['spike_idx']).hexdigest()}"
    )
    assert py["n_frames"] == N_FRAMES and len(py["idx"]) == py["n_spikes"] > 100
    js = view_eval(page, LIVE, """(v) => ({ n_frames: v.pb.data.meta.n_frames, n_spikes: v.pb.data.meta.n_spikes,
        idx: Array.from(v.pb.data.spike_idx), ptr: Array.from(v.pb.data.spike_ptr) })""")  # fmt: skip
    assert (js["n_frames"], js["n_spikes"]) == (N_FRAMES, py["n_spikes"])
    assert js["idx"] == py["idx"] and js["ptr"] == py["ptr"], "the browser's spikes differ from the recording's"
    # ... the same as a Player built from the finished run would send
    assert nb.py_json("Player(player.recorder, **s.plotargs)._data['spike_idx'] == player._data['spike_idx']") is True
    stats = pixel_stats(canvas_rgb(page, LIVE))
    nb.shot("2-after-run", LIVE, stats)
    assert_draws_network(stats, "live player after the run")

    # the notebook saved with its widget state holds the full recording
    path = jupyter_lab.root / NOTEBOOK
    before = path.stat().st_mtime_ns
    page.locator(f"{NOTEBOOK_SEL} .jp-Cell").first.locator(".jp-InputPrompt").click()
    page.keyboard.press("Escape")
    page.keyboard.press("Control+s")
    poll(lambda: path.stat().st_mtime_ns != before and _player_state(path) is not None, 15, interval_s=0.2,
         what="the notebook to be saved with the player's widget state")  # fmt: skip
    state, buffers = _player_state(path)
    assert state["_meta"]["n_frames"] == N_FRAMES and state["_meta"]["n_spikes"] == py["n_spikes"]
    assert hashlib.sha256(buffers["spike_idx"]).hexdigest() == py["sha"], "the saved spikes differ from the recording"
    assert len(buffers["spike_ptr"]) == 4 * (N_FRAMES + 1)


def _player_state(path: Any) -> Any:
    """(state, {buffer name: bytes}) of the Player model saved in the notebook's widget state
    (the one whose _meta says 100 frames), or None."""
    try:
        doc = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    saved = doc.get("metadata", {}).get("widgets", {}).get("application/vnd.jupyter.widget-state+json", {})
    for model in saved.get("state", {}).values():
        st = model.get("state", {})
        if st.get("_meta", {}).get("n_frames") == N_FRAMES:
            buffers = {}
            for b in model.get("buffers", []):
                if b.get("path", [None])[0] == "_data":
                    assert b.get("encoding") == "base64", b.get("encoding")
                    buffers[b["path"][1]] = base64.b64decode(b["data"])
            return st, buffers
    return None
