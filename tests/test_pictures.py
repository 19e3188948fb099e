"""Pictures of a Player outside the 3D view: the PNG preview in its MIME bundle (shown where
widgets are not) and screenshot()'s request / answer with the browser (the browser side is in
tests/browser/test_screenshot.py)."""

from __future__ import annotations

import asyncio
import base64
import io
import threading
import time
from collections.abc import Coroutine
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import brian2 as b2
import numpy as np
import pytest
from PIL import Image

from cleo_player import Player
from cleo_player.video import still_png

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def run(coro: Coroutine[Any, Any, Any]) -> Any:
    """``asyncio.run`` on a thread of its own: the browser tests' Playwright (sync API) keeps
    an event loop running on this thread for the rest of the session."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coro).result()


@pytest.fixture(scope="module")
def player(seed_run):
    s, rec = seed_run
    return Player(rec, **s.plotargs)


def decode(png: bytes) -> np.ndarray:
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB"))


def test_mime_bundle_has_the_widget_and_a_png_preview(player):
    data, metadata = player._repr_mimebundle_()
    assert data[WIDGET_VIEW]["model_id"] == player.model_id  # live front ends: the widget
    assert data["text/plain"].startswith("Player(exc: 400 neurons, inh: 100 neurons")
    png = base64.b64decode(data["image/png"])
    img = decode(png)
    assert img.shape == (360, 480, 3) and metadata["image/png"] == {"width": 480, "height": 360}
    assert len(png) < 60_000, len(png)  # small: many players in a notebook stay light
    # matplotlib's picture of the scene: a white figure with both populations' colours on it
    assert (img.reshape(-1, 3) >= 245).all(axis=1).mean() > 0.4  # (white, within the colour reduction)
    red = (img[..., 0] > 150) & (img[..., 1] < 140) & (img[..., 2] < 140)
    blue = (img[..., 2] > 150) & (img[..., 0] < 120)
    assert red.sum() > 200 and blue.sum() > 50, (red.sum(), blue.sum())


def test_a_big_player_has_no_preview_to_wait_for():
    """Above PREVIEW_MAX_NEURONS the output is the widget and its text alone: drawing the
    preview would delay the player by seconds."""
    from cleo_player.recording import GroupData, Recording
    from cleo_player.widget import player as player_module

    n = player_module.PREVIEW_MAX_NEURONS + 1
    pos = np.random.default_rng(0).uniform(0, 1e-3, (n, 3))
    frame_t = np.arange(3) * 1e-3
    group = GroupData.from_spikes("big", pos, np.array([0, 1]), np.array([0.0, 1e-3]), frame_t, 1e-3)
    big = Player(Recording(1e-3, frame_t, 3e-3, (group,)))
    bundle = big._repr_mimebundle_()
    data = bundle[0] if isinstance(bundle, tuple) else bundle
    assert WIDGET_VIEW in data and "image/png" not in data


def test_preview_shows_the_current_frame(player):
    player.frame = 0
    first = player._repr_mimebundle_()[0]["image/png"]
    assert player._repr_mimebundle_()[0]["image/png"] == first  # cached while nothing changes
    busiest = int(np.argmax(np.diff(player.recording.span().frame_ptr[0])))  # most exc spikes
    player.frame = busiest
    later = decode(base64.b64decode(player._repr_mimebundle_()[0]["image/png"]))
    direct = decode(still_png(player.scene, busiest))
    np.testing.assert_array_equal(later, direct)
    assert np.abs(later.astype(int) - decode(base64.b64decode(first)).astype(int)).max(axis=2).astype(bool).sum() > 30
    player.frame = 0


def test_preview_before_any_run_draws_the_scene_at_rest():
    from cleo_player import Recorder
    from cleo_player.examples import seed_tutorial

    s = seed_tutorial(n_e=40)
    rec = Recorder(dt=1 * b2.ms)
    s.sim.inject(rec, s.exc, s.inh)
    empty = Player(rec, **s.plotargs)
    assert empty.n_frames == 0
    img = decode(base64.b64decode(empty._repr_mimebundle_()[0]["image/png"]))
    assert img.shape == (360, 480, 3)


def test_a_failing_preview_leaves_the_widget(player, monkeypatch):
    def broken(*_, **__):
        raise RuntimeError("no matplotlib today")

    monkeypatch.setattr(Player, "_preview_png", broken)
    with pytest.warns(UserWarning, match="no static preview"):
        data, _ = player._repr_mimebundle_()
    assert WIDGET_VIEW in data and "image/png" not in data


# --- screenshot(): the request and the answer ----------------------------------------------
def answer_with(player, monkeypatch, reply):
    """Stand in for the browser: answer each request sent with ``reply(request) -> (content,
    buffers)``, from another thread (a kernel would deliver it while the cell awaits)."""
    sent = []

    def send(content, buffers=None):  # noqa: ARG001 (Widget.send's signature)
        sent.append(content)

        def later():
            time.sleep(0.05)
            msg_content, msg_buffers = reply(content)
            player._handle_custom_msg(msg_content, msg_buffers)

        threading.Thread(target=later, daemon=True).start()

    monkeypatch.setattr(player, "send", send)
    return sent


def test_screenshot_returns_the_browsers_png(player, monkeypatch):
    png = still_png(player.scene, 3)
    sent = answer_with(
        player, monkeypatch, lambda req: ({"type": "screenshot", "id": req["id"], "ok": True}, [memoryview(png)])
    )
    assert run(player.screenshot(scale=2)) == png
    assert sent[0]["type"] == "screenshot" and sent[0]["scale"] == 2.0 and len(sent[0]["id"]) == 32
    assert player._screenshots == {}  # nothing left behind


def test_screenshot_reports_the_browsers_error(player, monkeypatch):
    answer_with(
        player,
        monkeypatch,
        lambda req: ({"type": "screenshot", "id": req["id"], "ok": False, "error": "too big for this browser"}, []),
    )
    with pytest.raises(RuntimeError, match="could not take the screenshot: too big for this browser"):
        run(player.screenshot())
    # an answer that is not a PNG is an error too
    answer_with(player, monkeypatch, lambda req: ({"type": "screenshot", "id": req["id"], "ok": True}, [b"GIF89a..."]))
    with pytest.raises(RuntimeError, match="not a PNG"):
        run(player.screenshot())


def test_screenshot_without_a_browser_times_out_with_advice(player, monkeypatch):
    monkeypatch.setattr(player, "send", lambda *_, **__: None)  # nobody listens
    t0 = time.monotonic()
    with pytest.raises(TimeoutError, match="display the player in a running notebook"):
        run(player.screenshot(timeout=0.3))
    assert time.monotonic() - t0 < 3


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"scale": 0}, ValueError),
        ({"scale": -1}, ValueError),
        ({"scale": float("inf")}, ValueError),
        ({"scale": float("nan")}, ValueError),
        ({"scale": 9}, ValueError),
        ({"scale": "2"}, TypeError),
        ({"scale": True}, TypeError),
        ({"timeout": 0}, ValueError),
        ({"timeout": float("nan")}, ValueError),
    ],
)
def test_screenshot_rejects_bad_arguments(player, kwargs, error):
    with pytest.raises(error, match=r"scale|timeout"):
        run(player.screenshot(**kwargs))


def test_screenshot_in_an_older_kernel_explains(player, monkeypatch):
    """Before ipykernel 7.4 a cell that awaits does not receive widget messages: say so at once."""
    import ipykernel

    from cleo_player.widget import player as player_module

    monkeypatch.setattr(player_module, "_kernel_shell", object)  # "a kernel is running"
    monkeypatch.setattr(ipykernel, "__version__", "6.29.5")
    with pytest.raises(RuntimeError, match=r"needs ipykernel >= 7\.4 \(this kernel runs 6\.29\.5\)"):
        run(player.screenshot())


# --- where the preview shows ----------------------------------------------------------------------
def saved_notebook(player, *, with_state: bool):
    import nbformat

    data, metadata = player._repr_mimebundle_()
    cell = nbformat.v4.new_code_cell("player", execution_count=1)
    cell.outputs = [nbformat.v4.new_output("execute_result", data=data, metadata=metadata, execution_count=1)]
    nb = nbformat.v4.new_notebook(cells=[cell])
    if with_state:
        state = player.get_manager_state(widgets=[player])
        nb.metadata["widgets"] = {"application/vnd.jupyter.widget-state+json": state}
    return nb


def test_preview_shows_where_no_widget_can(player):
    """nbconvert's HTML (what nbviewer and many CI previews show) of a notebook saved without
    widget state: the PNG preview, not the bare ``Player(...)`` text."""
    from nbconvert import HTMLExporter

    page, _ = HTMLExporter().from_notebook_node(saved_notebook(player, with_state=False))
    assert page.count('src="data:image/png;base64,') == 1
    assert "application/vnd.jupyter.widget-view+json" not in page


def test_exported_page_shows_the_player_not_the_preview(player):
    """The offline export (saved widget state) draws the interactive player in its place."""
    from cleo_player.export import _render, vendor_sources

    page = _render(saved_notebook(player, with_state=True), "saved", vendor_sources())
    assert page.count('<script type="application/vnd.jupyter.widget-view+json">') == 1
    assert 'src="data:image/png;base64,' not in page
