"""Big recordings in windows (payload.windowed_payload, Player's chunk requests): the chunks
cover every frame once, their spikes are exactly the payload's, the Player answers requests for
its current data only, and a standalone page still holds every spike. The browser side is in
tests/browser/test_window_lab.py."""

from __future__ import annotations

import numpy as np
import pytest

from cleo_player import Player
from cleo_player.payload import index_dtype, scene_payload, window_chunks, windowed_payload
from cleo_player.recording import GroupData, Recording
from cleo_player.scene import Scene


def recording(n_neurons: int = 3000, n_spikes: int = 60_000, n_frames: int = 200, seed: int = 1) -> Recording:
    rng = np.random.default_rng(seed)
    dt, frame_t = 1e-3, np.arange(n_frames) * 1e-3
    groups = []
    for name, n, ns in (("exc", n_neurons * 4 // 5, n_spikes * 4 // 5), ("inh", n_neurons // 5, n_spikes // 5)):
        t = np.sort(rng.gamma(2.0, n_frames * dt / 4, ns) % (n_frames * dt))  # uneven over time
        groups.append(GroupData.from_spikes(name, rng.uniform(0, 1e-3, (n, 3)), rng.integers(0, n, ns), t, frame_t, dt))
    return Recording(dt, frame_t, n_frames * dt, tuple(groups))


def test_chunks_cover_the_frames_once_with_about_the_bytes_asked():
    rec = recording()
    meta, buffers = scene_payload(Scene.build(rec))
    ptr = np.frombuffer(buffers["spike_ptr"], np.uint32)
    chunks = window_chunks(ptr, meta["index_bytes"], 20_000)
    assert chunks[0] == 0 and chunks[-1] == rec.n_frames and (np.diff(chunks) > 0).all()
    sizes = np.diff(ptr[chunks].astype(np.int64)) * meta["index_bytes"]
    frame_bytes = np.diff(ptr.astype(np.int64)) * meta["index_bytes"]
    assert sizes.sum() == len(buffers["spike_idx"])
    assert ((sizes <= 20_000) | (np.diff(chunks) == 1)).all()  # at most the bytes asked, or one frame
    assert frame_bytes.max() < 20_000 and (sizes[:-1] + frame_bytes[chunks[1:-1]] > 20_000).all()  # full
    assert len(chunks) - 1 >= len(buffers["spike_idx"]) // 20_000 // 2
    # one frame bigger than a chunk is a chunk of its own
    big = np.array([0, 5, 100_005, 100_010], np.uint32)
    np.testing.assert_array_equal(window_chunks(big, 4, 1000), [0, 1, 2, 3])


def test_small_payloads_are_not_windowed():
    meta, buffers = scene_payload(Scene.build(recording(n_spikes=100)))
    same = windowed_payload(meta, buffers, threshold=10**6, chunk_bytes=100, budget_bytes=1000)
    assert same == (meta, buffers, None) and meta["window"] is None


def test_chunk_messages_carry_exactly_the_payloads_spikes():
    meta, buffers = scene_payload(Scene.build(recording()))
    wmeta, wbuffers, store = windowed_payload(meta, buffers, threshold=1000, chunk_bytes=20_000, budget_bytes=50_000)
    assert store is not None and wbuffers["spike_idx"] == b""
    assert {k: v for k, v in wbuffers.items() if k != "spike_idx"} == {
        k: v for k, v in buffers.items() if k != "spike_idx"
    }
    window = wmeta.pop("window")
    assert wmeta == {k: v for k, v in meta.items() if k != "window"}
    assert window["chunk_frames"] == store.chunk_frames.tolist() and len(window["key"]) == 16
    assert window["budget_bytes"] >= 50_000
    parts = []
    for c in range(store.n_chunks):
        msg, bufs = store.chunk_message(c)
        assert msg == {
            "type": "spike_chunk",
            "key": window["key"],
            "chunk": c,
            "first_frame": window["chunk_frames"][c],
            "stop_frame": window["chunk_frames"][c + 1],
            "buffers": ["spike_idx"],
        }
        parts.append(bufs[0])
    assert b"".join(parts) == buffers["spike_idx"]
    with pytest.raises(ValueError, match="chunk must be in"):
        store.chunk_message(store.n_chunks)


def test_the_budget_holds_at_least_four_of_the_largest_chunks():
    meta, buffers = scene_payload(Scene.build(recording()))
    wmeta, _, store = windowed_payload(meta, buffers, threshold=1000, chunk_bytes=30_000, budget_bytes=10)
    ptr = store.spike_ptr.astype(np.int64)
    largest = np.diff(ptr[store.chunk_frames]).max() * meta["index_bytes"]
    assert wmeta["window"]["budget_bytes"] == 4 * largest


class Sent:
    """What a Player sent to the browser (custom messages)."""

    def __init__(self, player: Player) -> None:
        self.messages: list[tuple[dict, list]] = []
        player.send = lambda msg, buffers=None: self.messages.append((msg, buffers))  # type: ignore[method-assign]


@pytest.fixture(autouse=True)
def small_windows(monkeypatch):
    monkeypatch.setattr(Player, "window_threshold", 50_000)
    monkeypatch.setattr(Player, "window_chunk_bytes", 16_000)
    monkeypatch.setattr(Player, "window_budget_bytes", 64_000)


def test_player_answers_chunk_requests_of_its_current_data():
    rec = recording()
    player = Player(rec)
    window = player._meta["window"]
    assert window is not None and player._data["spike_idx"] == b""
    full = scene_payload(Scene.build(rec))[1]["spike_idx"]
    sent = Sent(player)
    player._on_front_message(player, {"type": "spike_chunks", "key": window["key"], "chunks": [2, 0]}, [])
    assert [m["chunk"] for m, _ in sent.messages] == [2, 0]
    ptr = np.frombuffer(player._data["spike_ptr"], np.uint32).astype(np.int64)
    ib = player._meta["index_bytes"]
    for msg, bufs in sent.messages:
        a, b = msg["first_frame"], msg["stop_frame"]
        assert bufs[0] == full[ptr[a] * ib : ptr[b] * ib]
    # stale keys, unknown types and chunks out of range are ignored
    for content in (
        {"type": "spike_chunks", "key": "old", "chunks": [0]},
        {"type": "other", "key": window["key"], "chunks": [0]},
        {"type": "spike_chunks", "key": window["key"], "chunks": [-1, 10**6, "x"]},
        "nonsense",
    ):
        player._on_front_message(player, content, [])
    assert len(sent.messages) == 2
    player.refresh()  # new data, new key: requests for the old one go unanswered
    assert player._meta["window"]["key"] != window["key"]
    player._on_front_message(player, {"type": "spike_chunks", "key": window["key"], "chunks": [0]}, [])
    assert len(sent.messages) == 2


def test_the_standalone_page_holds_every_spike():
    rec = recording()
    player = Player(rec)
    state = player.page_state()
    assert state["_meta"]["window"] is None
    assert state["_data"]["spike_idx"] == scene_payload(Scene.build(rec))[1]["spike_idx"]
    assert player._data["spike_idx"] == b""  # the widget itself stays windowed


def test_uint16_indices_are_windowed_too():
    rec = recording(n_neurons=500, n_spikes=40_000)
    player = Player(rec)
    assert player._meta["index_bytes"] == 2 and index_dtype(500) is np.uint16
    assert player._meta["window"] is not None
