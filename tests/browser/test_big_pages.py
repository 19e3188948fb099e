"""Big standalone pages: ``save_html`` of a recording with more than 150 MB of data (200k
neurons, 38M spikes, built synthetically) opens from file:// offline, decodes every byte,
draws its neurons and plays; the decoder without the browser's native base64 (older
browsers: ``atob`` in slices) gives the same bytes.

The page marks its stages (``performance.mark``: ``cleo-player:start`` when its script starts,
``:decoded`` when the data is decoded, ``:rendered`` when the player is built); the test
prints them with the first frame drawn. Measured on a 2-core machine, the big page (207 MB):
the file read and parsed by 2.0 s, decoded in 0.2 s (native base64; 1.5 s with ``atob``
slices), first frame at 2.3 s.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

import numpy as np
import pytest
from browser_helpers import (
    LOCAL_SCHEMES,
    OfflinePage,
    assert_stayed_offline,
    canvas_rgb,
    changed_pixels,
    classify,
    pixel_stats,
    poll,
    save_stage,
    shown_frame,
    view_eval,
    wait_for_render,
)

if TYPE_CHECKING:
    from pathlib import Path

pytestmark = pytest.mark.browser

ROOT = "#cleo-player-root"
N_NEURONS = 200_000
N_FRAMES = 1000
SPIKES_PER_FRAME = 38_000  # 38M spikes: 152 MB of uint32 indices
DT = 1e-3
OPEN_TIMEOUT_MS = 240_000  # reading a 200 MB file on a busy CI machine


def big_recording(n_neurons: int, n_frames: int, per_frame: int, seed: int = 0) -> Any:
    """One group of ``n_neurons`` in a 2 mm cube firing ``per_frame`` random spikes in every
    frame: built directly in the Recording's layout (no sort), in a few seconds."""
    from cleo_player.recording import GroupData, Recording

    rng = np.random.default_rng(seed)
    frame_t = np.arange(n_frames) * DT
    positions = rng.uniform(-1e-3, 1e-3, (n_neurons, 3))
    spike_i = rng.integers(0, n_neurons, n_frames * per_frame, dtype=np.uint32)
    spike_t = np.repeat(frame_t + 0.5 * DT, per_frame)
    frame_ptr = np.arange(n_frames + 1, dtype=np.int64) * per_frame
    group = GroupData("big", positions, spike_i, spike_t, frame_ptr)
    return Recording(DT, frame_t, n_frames * DT, (group,))


def open_page(new_page: Any, path: Path, init_script: str | None = None) -> OfflinePage:
    """``path`` from file:// with the network off (as browser_helpers.open_offline), with a
    generous deadline for the first render."""
    lp = new_page()
    blocked: list[str] = []

    def route(r: Any) -> None:
        if r.request.url.startswith(LOCAL_SCHEMES):
            r.continue_()
        else:
            blocked.append(r.request.url)
            r.abort("internetdisconnected")

    lp.context.route("**/*", route)
    lp.context.set_offline(True)
    if init_script:
        lp.page.add_init_script(init_script)
    # the time the first frame is drawn (render() sets data-frame on the player's root)
    lp.page.add_init_script(
        "new MutationObserver((_, o) => { if (document.querySelector('.cleo-player[data-frame]')) {"
        " window.__firstFrameAt = performance.now(); o.disconnect(); } })"
        ".observe(document, { subtree: true, childList: true, attributes: true });"
    )
    lp.page.goto(path.as_uri(), timeout=OPEN_TIMEOUT_MS, wait_until="commit")
    wait_for_render(lp.page, ROOT, timeout_ms=OPEN_TIMEOUT_MS)
    return OfflinePage(lp.page, lp.log, blocked)


def stages(page: Any) -> dict[str, float]:
    """When (ms since navigation) the page reached each stage."""
    return page.evaluate(
        """() => {
          const m = (n) => performance.getEntriesByName(n)[0]?.startTime;
          const nav = performance.getEntriesByType("navigation")[0];
          return { read: nav.responseEnd, start: m("cleo-player:start"), decoded: m("cleo-player:decoded"),
                   built: m("cleo-player:rendered"), first_frame: window.__firstFrameAt };
        }"""
    )


def sampled(values: np.ndarray, n: int = 4001) -> tuple[list[int], list[int]]:
    at = np.linspace(0, len(values) - 1, n).astype(np.int64)
    return at.tolist(), values[at].astype(np.int64).tolist()


@pytest.fixture(scope="module")
def big_page(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    from cleo_player import Player

    rec = big_recording(N_NEURONS, N_FRAMES, SPIKES_PER_FRAME)
    player = Player(rec, colors=["tomato"])
    # (the kernel holds the spikes of so big a recording, windowed; the page holds them all)
    data = sum(len(b) for b in player.page_state()["_data"].values())
    assert data > 150e6, data
    path = player.save_html(tmp_path_factory.mktemp("big") / "big.html")
    return {"path": path, "data_bytes": data, "spike_i": rec.groups[0].spike_i}


def test_big_page_opens_draws_and_plays(big_page, new_page, artifacts_dir: Path) -> None:
    path = big_page["path"]
    size = path.stat().st_size
    t0 = time.monotonic()
    lp = open_page(new_page, path)
    page = lp.page
    at = stages(page)
    print(
        f"{path.name}: {size / 1e6:.0f} MB file, {big_page['data_bytes'] / 1e6:.0f} MB of data; first frame "
        f"after {time.monotonic() - t0:.1f} s (page: read {at['read']:.0f} ms, decoded "
        f"{at['decoded'] - at['start']:.0f} ms, first frame at {at['first_frame']:.0f} ms)"
    )
    # every byte arrived: the counts, and spike indices sampled over the whole array
    where, expected = sampled(big_page["spike_i"])
    got = view_eval(
        page,
        ROOT,
        "(v, at) => ({ n_neurons: v.pb.data.meta.n_neurons, n_spikes: v.pb.data.spike_idx.length,"
        " n_positions: v.pb.data.positions.length, idx: at.map((k) => v.pb.data.spike_idx[k]) })",
        where,
    )
    assert got["n_neurons"] == N_NEURONS and got["n_positions"] == 3 * N_NEURONS
    assert got["n_spikes"] == N_FRAMES * SPIKES_PER_FRAME
    assert got["idx"] == expected
    # the decoded text is let go (the page keeps the arrays only)
    assert page.locator("script[data-cleo-bytes]").count() == 0

    before = canvas_rgb(page, ROOT)
    stats = pixel_stats(before)
    save_stage(page, ROOT, artifacts_dir, "big-page-1-loaded", stats)
    # 200k neurons fill the box: red over a large part of the canvas
    assert stats.red > 50_000 and stats.red_tiles > 400, stats.summary()

    page.click(f"{ROOT} .cleo-play")
    poll(lambda: shown_frame(page, ROOT) >= 3, 60, interval_s=0.2, what="the big page to play a few frames")
    page.click(f"{ROOT} .cleo-play")
    page.wait_for_selector(f"{ROOT} .cleo-controls[data-playing='false']")
    after = canvas_rgb(page, ROOT)
    save_stage(page, ROOT, artifacts_dir, "big-page-2-played", pixel_stats(after))
    # 38k of the 200k neurons flash in every frame
    assert changed_pixels(before, after) > 2000
    assert classify(after)["red"].sum() > 50_000
    assert_stayed_offline(lp)


# --- the decoder without native base64, on a small page ----------------------------------
@pytest.fixture
def small_player() -> Any:
    from cleo_player import Player

    return Player(big_recording(70_000, 40, 500, seed=3), colors=["tomato"])  # uint32 indices


@pytest.mark.parametrize("native", [True, False], ids=["setFromBase64", "atob-slices"])
def test_small_chunks_decode_exactly(native, small_player, new_page, tmp_path, monkeypatch) -> None:
    """Values split over many elements (a tiny chunk size) arrive byte for byte, with the
    browser's base64 decoder and with the ``atob`` fallback."""
    from cleo_player.widget import html

    monkeypatch.setattr(html, "CHUNK_CHARS", 4096)
    path = small_player.save_html(tmp_path / "small.html")
    n_blocks = path.read_text().count("data-cleo-bytes=")
    assert n_blocks > 20, n_blocks  # spike_idx (80 kB) alone takes 27 elements
    lp = open_page(new_page, path, None if native else "delete Uint8Array.prototype.setFromBase64;")
    page = lp.page
    assert page.evaluate("() => typeof Uint8Array.prototype.setFromBase64") == ("function" if native else "undefined")
    got = view_eval(
        page,
        ROOT,
        "(v) => ({ idx: Array.from(v.pb.data.spike_idx), pos: Array.from(v.pb.data.positions),"
        " ptr: Array.from(v.pb.data.spike_ptr) })",
    )
    data = small_player._data
    assert got["idx"] == np.frombuffer(data["spike_idx"], np.uint32).tolist()
    assert got["ptr"] == np.frombuffer(data["spike_ptr"], np.uint32).tolist()
    np.testing.assert_array_equal(np.float32(got["pos"]), np.frombuffer(data["positions"], np.float32))
    assert pixel_stats(canvas_rgb(page, ROOT)).red > 1000
    assert_stayed_offline(lp)
