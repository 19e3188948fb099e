"""cleo-player: interactive 3D playback of cleo / brian2 simulations in Jupyter.

Importing the package loads only the data side (Recording, Scene, on brian2). ``Recorder`` (a
cleo device: imports cleo), ``Player`` (the widget: imports ipywidgets and anywidget) and
``export_notebook`` (nbconvert) load on first use, so a script that only reads monitors or
files, e.g. on a cluster, does not pay for them, and replaying a file never imports cleo.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from cleo_player.recording import DeviceTrack, GroupData, Recording
from cleo_player.scene import Scene

if TYPE_CHECKING:
    from cleo_player.export import export_notebook
    from cleo_player.recorder import Recorder
    from cleo_player.widget import Player

__all__ = ["DeviceTrack", "GroupData", "Player", "Recorder", "Recording", "Scene", "export_notebook"]
__version__ = "0.1.0"

# attributes loaded on first use, and the module holding each (`python -m cleo_player.export`
# must also not find its module imported already)
_LAZY = {"Recorder": "cleo_player.recorder", "Player": "cleo_player.widget", "export_notebook": "cleo_player.export"}


def __getattr__(name: str) -> Any:
    """``Recorder``, ``Player`` and ``export_notebook``, imported when first asked for."""
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'cleo_player' has no attribute {name!r}")
