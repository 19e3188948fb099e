"""Inspection in real JupyterLab (notebook ``timeline.ipynb``, shared with test_timeline_lab.py):
``player.selected`` and ``player.hidden`` both ways between Python and the browser (a click on a
neuron or a legend entry reaches Python and its observers; values set in Python show in the 3D
view, the legend and the timeline), and a bad value from Python is a clear ValueError.
Each test leaves nothing selected or hidden.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from browser_helpers import LabNotebook, animation_frames, poll, show, wait_for_render
from inspection_helpers import canvas_box, group_and_index, inspection, isolated_neurons, page_point, screen_positions
from timeline_helpers import canvas_rgba

pytestmark = pytest.mark.browser

NOTEBOOK = "timeline.ipynb"
READY = "READY Player("
SEED = ".test-tl"


@pytest.fixture(scope="module", autouse=True)
def rendered(nb: LabNotebook) -> Any:
    wait_for_render(nb.page, SEED)
    yield
    nb.py("player.selected, player.hidden = [], []")


def kernel_neurons(nb: LabNotebook) -> tuple[np.ndarray, list[tuple[str, int]]]:
    """The notebook player's neuron positions (axis units) and its groups' (name, size)."""
    pos = np.asarray(nb.py_json("[p for g in player.scene.groups for p in g.positions.tolist()]"))
    sizes = [tuple(s) for s in nb.py_json("[(g.name, len(g.positions)) for g in player.scene.groups]")]
    return pos, sizes


def isolated(nb: LabNotebook, pos: np.ndarray, sizes: list) -> tuple[np.ndarray, np.ndarray, list[tuple[str, int]]]:
    """With the player in sight (running a cell scrolls it away, and a view out of sight gives
    its canvas up): canvas coordinates of isolated neurons, and their (group, index)."""
    show(nb.page, SEED)
    x, y, rect = screen_positions(nb.page, SEED, pos)
    iso = isolated_neurons(x, y, rect, avoid=[canvas_box(nb.page, SEED, ".cleo-legend")])
    return x[iso], y[iso], [group_and_index(sizes, int(n))[1:] for n in iso]


def test_selected_from_python_shows_in_the_view(nb: LabNotebook) -> None:
    show(nb.page, SEED)
    nb.py("player.selected = [('inh', 3), ('exc', 10)]")
    poll(lambda: inspection(nb.page, SEED)["selected"] == [403, 10], 20, what="the selection from Python")
    assert inspection(nb.page, SEED)["rings"] == 2
    marks = canvas_rgba(nb.page, SEED, "marks")
    assert marks[..., 3].any()  # their raster rows emphasised
    nb.shot("inspect-1-selected-from-python", SEED)
    nb.py("player.selected = []")
    poll(lambda: inspection(nb.page, SEED)["rings"] == 0, 20, what="the selection cleared from Python")
    assert not canvas_rgba(nb.page, SEED, "marks")[..., 3].any()


def test_click_reaches_python_and_its_observers(nb: LabNotebook) -> None:
    nb.py("seen = []\nplayer.observe(lambda c: seen.append([list(p) for p in c['new']]), 'selected')")
    pos, sizes = kernel_neurons(nb)
    x, y, named = isolated(nb, pos, sizes)
    assert len(named) >= 2, "too few isolated neurons to click"
    first, last = named[0], named[-1]
    nb.page.mouse.click(*page_point(nb.page, SEED, x[0], y[0]))
    nb.wait_py("player.selected", [list(first)], what="Python to see the clicked neuron")
    x, y, named = isolated(nb, pos, sizes)
    k = named.index(last)
    nb.page.keyboard.down("Shift")
    nb.page.mouse.click(*page_point(nb.page, SEED, x[k], y[k]))
    nb.page.keyboard.up("Shift")
    nb.wait_py("player.selected", [list(first), list(last)], what="Python to see the shift-clicked neuron added")
    nb.wait_py("seen", [[list(first)], [list(first), list(last)]], what="the observer to see both changes")
    nb.page.mouse.move(5, 5)
    animation_frames(nb.page)
    nb.py("player.selected = []\nplayer.unobserve_all('selected')")
    poll(lambda: inspection(nb.page, SEED)["selected"] == [], 20, what="the selection cleared")


def test_legend_click_reaches_python_and_python_shows_the_group_again(nb: LabNotebook) -> None:
    show(nb.page, SEED)
    button = nb.page.locator(f'{SEED} .cleo-legend button[data-group="inh"]')
    button.click()
    nb.wait_py("player.hidden", ["inh"], what="Python to see inh hidden")
    assert button.get_attribute("aria-pressed") == "false"
    nb.shot("inspect-2-inh-hidden", SEED)
    nb.py("player.hidden = []")
    poll(lambda: button.get_attribute("aria-pressed") == "true", 20, what="inh shown again from Python")
    assert inspection(nb.page, SEED)["hidden"] == []
    nb.py("player.hidden = ['exc', 'inh']")
    poll(lambda: inspection(nb.page, SEED)["hidden"] == ["exc", "inh"], 20, what="both hidden from Python")
    nb.py("player.hidden = []")
    poll(lambda: inspection(nb.page, SEED)["hidden"] == [], 20, what="both shown again")


def test_bad_values_from_python_are_clear_errors(nb: LabNotebook) -> None:
    out = nb.py(
        "for bad in ([('inh', 100)], [('nope', 0)]):\n"
        "    try:\n"
        "        player.selected = bad\n"
        "    except ValueError as e:\n"
        "        print('ERR', e)\n"
        "try:\n"
        "    player.hidden = ['Light']\n"
        "except ValueError as e:\n"
        "    print('ERR', e)\n"
    )
    errors = [line for line in out.splitlines() if line.startswith("ERR")]
    assert len(errors) == 3, out
    assert "index 100 is out of range for group 'inh' of 100 neurons" in errors[0]
    assert "no group named 'nope'" in errors[1] and "'exc' (indices 0..399)" in errors[1]
    assert "hidden: no group named 'Light'" in errors[2]
    assert nb.py_json("[player.selected, player.hidden]") == [[], []]
