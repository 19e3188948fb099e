"""``save_html`` / :mod:`cleo_player.widget.html`: the page's embedding round-trips every byte
(values split over several elements), names cannot break out of the JSON, the file size is
printed, and data beyond the documented limit is refused before anything is written. (The
browser tier opens such pages: tests/browser/test_big_pages.py, test_standalone_html.py.)"""

from __future__ import annotations

import re

import numpy as np
import pytest

from cleo_player import Player
from cleo_player.recording import GroupData, Recording
from cleo_player.widget import html


def small_recording(name: str = "exc") -> Recording:
    frame_t = np.arange(4) * 1e-3
    pos = np.random.default_rng(0).uniform(-1e-4, 1e-4, (30, 3))
    spikes = np.arange(12, dtype=np.uint32)
    g = GroupData.from_spikes(name, pos, spikes, np.repeat(frame_t, 3) + 1e-4, frame_t, 1e-3)
    return Recording(1e-3, frame_t, 4e-3, (g,))


@pytest.fixture
def player() -> Player:
    return Player(small_recording())


def test_bytes_anywhere_round_trip_over_several_elements(monkeypatch):
    monkeypatch.setattr(html, "CHUNK_CHARS", 8)  # 6 bytes per element
    blob = bytes(range(256)) * 3
    traits = {"a": blob, "nested": {"list": [b"", b"x", memoryview(b"hello world")], "n": 1}, "s": "text"}
    page = html.standalone_html(traits, "export default {}", "t")
    assert page.count('data-cleo-bytes="0"') == 128  # 768 bytes in 6-byte pieces
    back = html.read_state(page)
    assert back == {"a": blob, "nested": {"list": [b"", b"x", b"hello world"], "n": 1}, "s": "text"}


def test_save_html_prints_the_size_and_makes_folders(player, tmp_path, capsys):
    path = player.save_html(tmp_path / "new" / "dir" / "run.html")
    out = capsys.readouterr().out
    size = path.stat().st_size
    assert re.fullmatch(rf"Wrote {re.escape(str(path))} \({size / 1e3:.0f} kB\); it plays offline.*\n", out), out
    state = html.read_state(path.read_text(encoding="utf-8"))
    assert state["_data"] == player._data and state["_meta"] == player._meta


def test_too_much_data_is_refused_before_anything_is_written(player, tmp_path, monkeypatch, capsys):
    n = html.data_bytes(player.page_state())
    assert n == sum(len(b) for b in player._data.values())
    monkeypatch.setattr(html, "MAX_DATA_BYTES", n - 1)
    target = tmp_path / "missing" / "run.html"
    with pytest.raises(html.PageTooLargeError, match=rf"holds {n:,} bytes.*MAX_DATA_BYTES = {n - 1:,}") as err:
        player.save_html(target)
    assert isinstance(err.value, ValueError)
    assert not target.parent.exists()  # not even the folder
    assert capsys.readouterr().out == ""
    monkeypatch.setattr(html, "MAX_DATA_BYTES", n)  # at the limit: written
    assert player.save_html(target).is_file()


def test_the_limit_is_below_what_chromium_allocates():
    # Chromium 150 allocates an ArrayBuffer of 2_145_124_352 bytes, not one of 2_145_910_784
    assert html.MAX_DATA_BYTES < 2**31 - 2**21
    assert html.CHUNK_CHARS % 4 == 0 and html.CHUNK_CHARS < 2**29 - 24  # V8's longest string


def test_a_failed_write_leaves_no_file(player, tmp_path, monkeypatch):
    def broken(*_args, **_kwargs):
        yield "<!DOCTYPE html>"
        raise OSError("disk full")

    monkeypatch.setattr(html, "page_parts", broken)
    with pytest.raises(OSError, match="disk full"):
        player.save_html(tmp_path / "run.html")
    assert list(tmp_path.iterdir()) == []


HOSTILE = "<!--<script>x</script><img src=x onerror=\"window.__pwned=1\">&amp; 'q' \u2028 ünï"


def test_names_cannot_leave_the_state_element(tmp_path):
    page = Player(small_recording(HOSTILE)).save_html(tmp_path / "p.html").read_text(encoding="utf-8")
    state_text = re.search(r'id="cleo-player-state">(.*?)</script>', page, re.DOTALL).group(1)
    assert "<" not in state_text  # so neither </script> nor <!-- can end or change the element
    assert html.read_state(page)["_meta"]["groups"][0]["name"] == HOSTILE
    assert "<title>cleo-player: &lt;!--&lt;script&gt;" in page
