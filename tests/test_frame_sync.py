"""Python's side of the frame sync (the browser side is in tests/browser/test_playback_sync.py):
a frame the browser sent before it applied Python's last seek or pause is stale and does not
override Python's frame; setting ``frame`` to the value Python already holds is still sent."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import brian2 as b2
import numpy as np
import pytest

from cleo_player import Player
from cleo_player.recording import GroupData, Recording


@pytest.fixture
def player() -> tuple[Player, list[dict[str, Any]]]:
    dt, n = 1e-3, 100
    frame_t = np.arange(n) * dt
    g = GroupData.from_spikes("g", np.zeros((4, 3)), np.zeros(n, np.uint32), frame_t, frame_t, dt)
    p = Player(Recording(dt, frame_t, n * dt, (g,)))
    sent: list[dict[str, Any]] = []
    p._send = lambda msg, buffers=None: sent.append(msg)  # noqa: ARG005  # type: ignore[method-assign]
    p.comm = SimpleNamespace(comm_id="test", kernel="test", on_msg=lambda _: None)  # a front end is attached
    return p, sent


def states(sent: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [m["state"] for m in sent if m.get("method") in (None, "update")]


def test_setting_the_same_frame_is_sent(player):
    p, sent = player
    p.frame = 0
    assert states(sent) == [{"frame": 0}, {"_epoch": 1}]


def test_a_frame_sent_before_the_view_applied_a_pause_is_stale(player):
    p, sent = player
    p.set_state({"playing": True})
    p.set_state({"frame": 30})  # the view reports while playing
    assert p.frame == 30 and p._epoch == 0
    p.pause()
    assert p._epoch == 1
    p.frame = 30  # the value Python holds: sent anyway
    assert states(sent)[-2:] == [{"frame": 30}, {"_epoch": 2}]
    sent.clear()
    p.set_state({"frame": 41})  # sent by the view before it saw the pause
    assert p.frame == 30
    assert sent == [{"method": "echo_update", "state": {"frame": 30}, "buffer_paths": []}]  # the view is told
    p.set_state({"_ack": 2})  # the view has applied Python's seek
    p.set_state({"frame": 42})  # the user scrubs
    assert p.frame == 42 and p._epoch == 2


def test_python_seeks_and_pauses_count_view_changes_do_not(player):
    p, _ = player
    p.set_state({"frame": 5, "playing": True})
    assert p._epoch == 0
    p.seek(20 * b2.ms)
    p.playing = False
    assert (p.frame, p._epoch) == (20, 2)
