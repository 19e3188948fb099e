"""A model in the style of cleo's tutorials (``tests/scripts/tutorial_style_run.py``: module
variables read by the equations, subgroups, several runs, ``sim.reset()``) played through
``player.run``, both where users run such code: as a script and as a notebook.

The script checks every run's spikes against a brian2 SpikeMonitor itself; these tests check
that it ran through and what it reports.
"""

from __future__ import annotations

import json
import re
import runpy
from pathlib import Path
from typing import TYPE_CHECKING

import nbformat

if TYPE_CHECKING:
    import pytest

SCRIPT = Path(__file__).resolve().parent / "scripts" / "tutorial_style_run.py"


def check_summary(text: str) -> None:
    m = re.search(r"^SUMMARY (.*)$", text, re.MULTILINE)
    assert m, text[-2000:]
    summary = json.loads(m.group(1))
    assert summary["sizes"] == [45, 15]  # exc and inh (brian2 names them after what exists already)
    assert summary["frames_before_reset"] == 35 and summary["frames_after_reset"] == 10
    (e1, i1), (e2, i2), (e3, _) = summary["spikes"]
    assert e1 > 0 and i1 > 0  # both subgroups spiked in the first run
    assert e2 > e1 and i2 >= i1  # the second run added to the first
    assert 0 < e3 < e2  # the reset started the recording afresh


def test_as_a_script(capsys: pytest.CaptureFixture[str]) -> None:
    runpy.run_path(str(SCRIPT), run_name="__main__")
    check_summary(capsys.readouterr().out)


def test_as_a_notebook(tmp_path: Path) -> None:
    from nbclient import NotebookClient

    source = SCRIPT.read_text()
    cells = [c.strip() for c in re.split(r"^# %%$", source, flags=re.MULTILINE)[1:]]
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
    NotebookClient(nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}).execute()
    outputs = [o for c in nb.cells for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    check_summary("".join(o.get("text", "") for o in outputs if o.output_type == "stream"))
