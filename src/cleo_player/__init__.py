"""cleo-player: interactive 3D playback of cleo / brian2 simulations in Jupyter."""

from cleo_player.player import Player
from cleo_player.recorder import Recorder
from cleo_player.recording import DeviceTrack, GroupData, Recording
from cleo_player.scene import Scene

__all__ = ["DeviceTrack", "GroupData", "Player", "Recorder", "Recording", "Scene"]
__version__ = "0.1.0"
