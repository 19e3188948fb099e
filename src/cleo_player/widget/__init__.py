"""The widgets: the Player (3D view and controls) and its controls-only view, their live
streaming, the built front end and the standalone page.
"""

from cleo_player.widget.player import Player, PlayerControls

__all__ = ["Player", "PlayerControls"]
