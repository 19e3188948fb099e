"""The committed tutorials are small, hold their outputs (nbval compares them) but no widget
state, show their players, and carry no errors or brian2 log noise."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest

NOTEBOOKS = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("*.ipynb"))
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
EXPECTED = {
    "devices_gallery",
    "interactive_playback",
    "live_run",
    "sharing",
    "standalone_and_files",
    "video_visualization",
}


def test_all_tutorials_are_there():
    assert {p.stem for p in NOTEBOOKS} == EXPECTED


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_tutorial_is_small_executed_and_clean(path: Path) -> None:
    assert path.stat().st_size < 200_000, "keep committed notebooks small"
    nb = nbformat.read(path, as_version=4)
    assert "widgets" not in nb.metadata, "widget state embeds the whole JS bundle: strip it"
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(c.get("execution_count") for c in code), "every code cell ran (nbval compares outputs)"
    outputs = [o for c in code for o in c.get("outputs", [])]
    assert not [o for o in outputs if o.output_type == "error"]
    players = [o for o in outputs if WIDGET_VIEW in o.get("data", {}) and o["data"]["text/plain"].startswith("Player(")]
    assert players, "the tutorial shows a Player"
    text = "".join(o.get("text", "") for o in outputs if o.output_type == "stream")
    assert "INFO" not in text and "WARNING" not in text and "brian2" not in text, "brian2 logging leaks"
    plain = "".join(o.get("data", {}).get("text/plain", "") for o in outputs)
    assert not re.search(r"\b0x[0-9a-fA-F]{6,}", plain), "memory address in an output"
