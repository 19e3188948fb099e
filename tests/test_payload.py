"""The wire payload (payload.py): the scene's buffers decode to exactly the recording."""

from __future__ import annotations

import numpy as np
import pytest

from cleo_player import Scene
from cleo_player.payload import scene_payload
from cleo_player.recording import GroupData, Recording


@pytest.fixture(scope="module")
def seed_payload(seed_run):
    """The seed run's recording, and the payload of its scene (as a Player sends it)."""
    s, rec = seed_run
    scene = Scene.from_recorder(rec, **s.plotargs)
    meta, data = scene_payload(scene)
    return scene.recording, meta, data


def decode_spikes(meta: dict, data: dict) -> tuple[np.ndarray, np.ndarray]:
    dtype = np.uint16 if meta["index_bytes"] == 2 else np.uint32
    return np.frombuffer(data["spike_ptr"], np.uint32), np.frombuffer(data["spike_idx"], dtype)


def test_payload_spikes_are_exact(seed_payload):
    rec, meta, data = seed_payload
    ptr, idx = decode_spikes(meta, data)
    assert len(ptr) == rec.n_frames + 1 and ptr[-1] == rec.n_spikes
    for k in (0, 17, 50, 99):
        expected = np.sort(
            np.concatenate([rec.groups[0].spikes_in_frame(k), rec.groups[1].spikes_in_frame(k) + rec.groups[0].size])
        )
        np.testing.assert_array_equal(np.sort(idx[ptr[k] : ptr[k + 1]]), expected)


def test_payload_light_values_per_frame(seed_payload):
    rec, meta, data = seed_payload
    values = np.frombuffer(data["values"], np.float32).reshape(meta["n_frames"], meta["n_channels"])
    np.testing.assert_allclose(values, rec.track("Light").values, rtol=1e-6)


def test_payload_budget(seed_payload):
    rec, meta, data = seed_payload
    per_spike = len(data["spike_idx"]) / rec.n_spikes
    per_neuron = (len(data["positions"]) + len(data["visible"])) / rec.n_neurons
    per_channel_frame = len(data["values"]) / (meta["n_channels"] * rec.n_frames)
    assert per_spike <= 4.5 and per_neuron <= 16 and per_channel_frame <= 4


def test_uint32_indices_beyond_65535_neurons():
    n = 70000
    frame_t = np.arange(3) * 1e-3
    spike_i = np.array([5, n - 1, 7], dtype=np.uint32)
    spike_t = np.array([0.0, 1.2e-3, 2.5e-3])
    g = GroupData.from_spikes("big", np.zeros((n, 3)), spike_i, spike_t, frame_t, 1e-3)
    rec = Recording(1e-3, frame_t, 3e-3, (g,))
    meta, data = scene_payload(Scene.build(rec))
    ptr, idx = decode_spikes(meta, data)
    assert meta["index_bytes"] == 4
    np.testing.assert_array_equal(idx, [5, n - 1, 7])
    np.testing.assert_array_equal(ptr, [0, 1, 2, 3])
