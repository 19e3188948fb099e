"""A player's controls in the JupyterLab sidebar (``sidecar``), one tab per cell and player.

Running ``player.show_controls()`` again (the same cell re-run, or another call for the same
player) replaces the tab it opened before instead of adding one more. Where there is no sidebar
(Notebook 7, VS Code, Colab, an exported page: sidecar's front end only works in JupyterLab), the
controls show inline in the cell's output with a one-line notice: the cell also shows a
``PlayerControls`` view in "fallback" role, which the front end keeps hidden while a sidebar view
of the same player is on the page.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Callable

    from cleo_player.recording import Recording


@dataclass
class _Tab:
    cell: str | None
    player_uid: str
    sidecar: Any
    controls: Any


_tabs: list[_Tab] = []


def current_cell_id() -> str | None:
    """The id of the notebook cell being run (JupyterLab and Notebook 7 send it with each
    execution request), or None outside such a cell.
    """
    try:
        from IPython import get_ipython

        kernel = getattr(get_ipython(), "kernel", None)
        parent = kernel.get_parent() if kernel is not None else None
    except Exception:  # noqa: BLE001 - no IPython kernel, or one of another shape: no cell id
        return None
    cell = (parent or {}).get("metadata", {}).get("cellId")
    return cell if isinstance(cell, str) and cell else None


TITLE_GROUPS = 4  # group names a default title lists before "and N more"


def default_title(recording: Recording) -> str:
    """A title naming a player by its groups (the first few) and duration."""
    names = [g.name for g in recording.groups]
    shown = (
        names
        if len(names) <= TITLE_GROUPS
        else [*names[: TITLE_GROUPS - 1], f"and {len(names) - TITLE_GROUPS + 1} more"]
    )
    groups = ", ".join(shown) or "empty"
    return f"cleo-player: {groups} ({recording.t_end * 1e3:g} ms)"


def show_in_sidebar(player_id: str, title: str, make_controls: Callable[[str], Any]) -> Any:
    """Open (or reopen) the sidebar tab of a player's controls and show the inline stand-in;
    returns the Sidecar. ``make_controls(role)`` makes a controls view of the player (``player_id``
    is its model id).
    """
    from IPython.display import display
    from sidecar import Sidecar

    cell = current_cell_id()
    for tab in [t for t in _tabs if t.player_uid == player_id or (cell is not None and t.cell == cell)]:
        _tabs.remove(tab)
        tab.sidecar.close()  # its tab goes away with it
        tab.controls.close()
    sidecar = Sidecar(title=title)
    controls = make_controls("sidebar")
    with sidecar:
        display(controls)
    _tabs.append(_Tab(cell, player_id, sidecar, controls))
    display(make_controls("sidebar-fallback"))
    return sidecar
