"""cleo-player: interactive 3D playback of cleo / brian2 simulations in Jupyter.

Importing the package does not import cleo: ``Recorder`` (a cleo device) loads it on first use,
so replaying a saved file works without cleo's start-up cost.
"""

from typing import Any

from cleo_player.recording import DeviceTrack, GroupData, Recording
from cleo_player.scene import Scene
from cleo_player.widget import Player

__all__ = ["DeviceTrack", "GroupData", "Player", "Recorder", "Recording", "Scene", "export_notebook"]
__version__ = "0.1.0"


def __getattr__(name: str) -> Any:
    """Attributes loaded on first use: ``Recorder`` (imports cleo) and ``export_notebook``
    (nbconvert is slow to import, and ``python -m cleo_player.export`` must not find its module
    imported already).
    """
    if name == "Recorder":
        from cleo_player.recorder import Recorder

        return Recorder
    if name == "export_notebook":
        from cleo_player.export import export_notebook

        return export_notebook
    raise AttributeError(f"module 'cleo_player' has no attribute {name!r}")
