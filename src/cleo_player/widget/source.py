"""Where a Player's frames come from: the Recorder in a simulator (injected if need be), a
Recorder, a Recording, or a file (a player file with its scene, or a saved Recording).
"""

from __future__ import annotations

import copy
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from brian2 import NeuronGroup

from cleo_player import scene_file
from cleo_player.recording import Recording
from cleo_player.scene import Scene

if TYPE_CHECKING:
    from cleo_player.recorder import Recorder


def loaded_class(module: str, name: str) -> type | None:
    """The class ``module.name`` if that module is imported already, else None: an object can
    only be an instance of a class whose module is loaded, so checking ``isinstance`` this way
    never imports cleo (slow) for objects that cannot be cleo's.
    """
    mod = sys.modules.get(module)
    return getattr(mod, name, None) if mod is not None else None


def is_recorder(obj: Any) -> bool:
    """Whether ``obj`` is a cleo_player Recorder (without importing cleo)."""
    cls = loaded_class("cleo_player.recorder", "Recorder")
    return cls is not None and isinstance(obj, cls)


def find_recorder(sim: Any) -> Recorder | None:
    """The Recorder injected in a cleo CLSimulator, or None."""
    found = [d for d in getattr(sim, "devices", ()) if is_recorder(d)]
    if len(found) > 1:
        names = sorted(d.name for d in found)
        raise ValueError(f"The simulator has several Recorders {names}: pass the one to play, Player(rec, ...).")
    return found[0] if found else None


def drawable_groups(sim: Any) -> tuple[list[NeuronGroup], list[str]]:
    """The simulator's own neuron groups (not devices' helper groups), split into those
    with coordinates and the names of those without.
    """
    helper_objs: set = set()
    for device in sim.devices:
        helper_objs |= set(device.brian_objects)
    registry = getattr(sim, "registry", None)
    if registry is not None:
        helper_objs |= set(getattr(registry, "brian_objects", ()))
    groups = [o for o in sim.network.objects if type(o) is NeuronGroup and o not in helper_objs]
    groups.sort(key=lambda g: g.name)
    with_xyz = [g for g in groups if all(hasattr(g, d) for d in "xyz")]
    without = [g.name for g in groups if g not in with_xyz]
    return with_xyz, without


def inject_recorder(sim: Any, neuron_groups: list[NeuronGroup] | None = None, **recorder_kwargs: Any) -> Recorder:
    """Inject a Recorder into ``sim`` (after its existing devices) for the given groups,
    or for every neuron group that has coordinates.
    """
    if neuron_groups is None:
        neuron_groups, without = drawable_groups(sim)
        if not neuron_groups:
            detail = f" (groups without coordinates: {', '.join(without)})" if without else ""
            raise ValueError(
                "The simulator has no neuron group with x/y/z coordinates to show"
                f"{detail}. Assign coordinates with cleo.coords (e.g. "
                "cleo.coords.assign_coords_rand_rect_prism(ng, xlim, ylim, zlim)), or inject a "
                "cleo_player.Recorder yourself: sim.inject(Recorder(), ng)."
            )
    from cleo_player.recorder import Recorder

    rec = Recorder(**recorder_kwargs)
    sim.inject(rec, *neuron_groups)
    return rec


def recorder_for(source: Any, neuron_groups: list[NeuronGroup] | None = None) -> Any:
    """The Recorder (or stand-in) a Player plays for ``source``: a simulator, a Recorder or a
    Recording.
    """
    if isinstance(source, Recording):
        return RecordingSource(source)
    if isinstance(source, (str, os.PathLike)):
        saved = scene_file.load(source)
        if saved.scene is None:
            return RecordingSource(saved.recording, name=Path(source).name)
        return SavedSceneSource(saved.scene, saved.view, name=Path(source).name)
    if is_recorder(source):
        rec = source
    elif hasattr(source, "network") and hasattr(source, "devices"):
        rec = find_recorder(source) or inject_recorder(source, neuron_groups)
    else:
        raise TypeError(
            "Player takes a cleo CLSimulator, a cleo_player.Recorder or a Recording, or the path of a file "
            f"written by player.save('run.npz'); got {type(source).__name__}."
        )
    if not rec.neuron_groups:
        raise ValueError(
            f"Recorder {rec.name!r} has no neuron groups: inject it into the simulator with the "
            "groups to show, e.g. sim.inject(rec, exc, inh)."
        )
    return rec


class RecordingSource:
    """Stands in for a Recorder when a Player plays a Recording (no device geometry)."""

    def __init__(self, recording: Recording, name: str = "recording") -> None:
        self.recording = recording
        self.name = name
        self.neuron_groups = list(recording.groups)
        self.device_entries: list = []
        self.sim = None
        self.dt_ms = recording.dt * 1e3


class SavedSceneSource(RecordingSource):
    """Stands in for a Recorder when a Player plays a player file: its scene, as it was saved."""

    def __init__(self, scene: Scene, view: dict[str, Any], name: str) -> None:
        super().__init__(scene.recording, name)
        self.scene = scene
        self.view = view  # the player's speed, loop, decay, height when it was saved


def scene_for(source: Any, plotargs: dict[str, Any]) -> Scene:
    """The scene a Player draws for its source: a file's saved scene (a copy, whose extras the
    Player sets), or one built from the source's recording and devices, styled by ``plotargs``.
    """
    if isinstance(source, SavedSceneSource):
        return copy.copy(source.scene)
    return Scene.from_recorder(source, **plotargs)


def device_names(source: Any) -> list[str]:
    """The names of the devices a source shows (for the Player's repr)."""
    if isinstance(source, SavedSceneSource):
        s = source.scene
        return [d.name for d in (*s.lights, *s.probes, *s.scopes)] + list(s.skipped)
    return [d.name for d, _ in source.device_entries]
