"""The timeline in a notebook exported with ``python -m cleo_player.export`` and opened from
file:// offline: it is drawn from the saved widget state (raster = the recording's, the custom
trace added in the notebook, the timeline height set there), and clicking it seeks.
"""

from __future__ import annotations

import subprocess
import sys
from typing import TYPE_CHECKING, Any

import numpy as np
import pytest
from browser_helpers import assert_stayed_offline, open_offline, poll
from timeline_helpers import TIMELINE, box, canvas_rgba, state

from cleo_player.recording import Recording
from cleo_player.video.timeline import raster_rgba

if TYPE_CHECKING:
    from pathlib import Path

pytestmark = pytest.mark.browser

PLAYER = ".tlx-player"
T_END_MS = 40.0

CELLS = [
    (
        "code",
        (
            "import brian2 as b2\n"
            "import numpy as np\n"
            "from cleo_player import Player, Recorder\n"
            "from cleo_player.examples import seed_tutorial\n"
            "s = seed_tutorial()\n"
            "rec = Recorder(dt=1 * b2.ms, devices='all')\n"
            "s.sim.inject(rec, s.exc, s.inh)\n"
            f"s.sim.run({T_END_MS:g} * b2.ms)\n"
            "player = Player(s.sim, timeline_height=140, **s.plotargs)\n"
            "r = player.recording\n"
            "g = r.groups[0]\n"
            "player.add_trace('exc rate', r.frame_t * b2.second, np.diff(g.frame_ptr) / (g.size * r.dt), unit='Hz')\n"
            "r.save('recording.npz')\n"
            "player.add_class('tlx-player')\n"
            "player"
        ),
    ),
]


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Recording, list]:
    """The notebook run with nbclient (widget state stored) and exported by the CLI; the
    recording it played, and the groups' colours."""
    import nbformat
    from matplotlib.colors import to_rgb
    from nbclient import NotebookClient
    from nbformat.v4 import new_code_cell, new_notebook

    from cleo_player.examples import C_EXC, C_INH

    d = tmp_path_factory.mktemp("tl-export")
    nb = new_notebook(cells=[new_code_cell(src) for _, src in CELLS])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    NotebookClient(nb, timeout=300, kernel_name="python3", store_widget_state=True,
                   resources={"metadata": {"path": str(d)}}).execute()  # fmt: skip
    path = d / "timeline.ipynb"
    nbformat.write(nb, path)
    out = d / "timeline.html"
    cmd = [sys.executable, "-m", "cleo_player.export", str(path), "-o", str(out)]
    subprocess.run(cmd, check=True, timeout=300)
    return out, Recording.load(d / "recording.npz"), [to_rgb(C_EXC), to_rgb(C_INH)]


def test_exported_notebook_shows_the_timeline(exported: Any, new_page: Any, artifacts_dir: Path) -> None:
    out, rec, colors = exported
    lp = open_offline(new_page, out, PLAYER)
    page = lp.page
    page.wait_for_selector(f"{PLAYER} {TIMELINE}[data-frame]")
    s = state(page, PLAYER)
    assert s["height"] == 140 and s["range"] == [0.0, T_END_MS]
    assert page.get_attribute(f"{PLAYER} {TIMELINE}", "aria-label") == "timeline"
    raster = canvas_rgba(page, PLAYER, "raster")
    expected = raster_rgba(rec, colors, raster.shape[1], raster.shape[0])
    assert (expected[..., 3] > 0).sum() > 200
    np.testing.assert_array_equal(raster, expected)
    labels = page.locator(f"{PLAYER} .cleo-timeline-trace-label").all_text_contents()
    assert any("exc rate" in t and "Hz" in t for t in labels), labels
    page.locator(f"{PLAYER} .cleo-player").screenshot(path=str(artifacts_dir / "timeline-export.png"))
    b = box(page, PLAYER)
    page.mouse.click(b["x"] + 0.6 * b["width"], b["y"] + 30)
    poll(lambda: state(page, PLAYER)["frame"] == state(page, PLAYER)["viewFrame"] == 24, 10,
         what="a click at 0.6 of the timeline to show frame 24 of 40")  # fmt: skip
    assert_stayed_offline(lp)
