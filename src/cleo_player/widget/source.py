"""Where a Player's frames come from: the Recorder in a simulator (injected if need be), a
Recorder, a Recording, or a file (a player file with its scene, or a saved Recording).

Which neuron groups ``Player(sim)`` shows, and in which order:

- ``neuron_groups=[...]``: those, in that order;
- a Recorder already in the simulator: its groups, in injection order;
- otherwise every neuron group of the network that has coordinates, each split into the
  subgroups (``exc = ng[:n]``) that the user's devices were injected into or record from, as
  cleo keeps track of them (``sim.registry`` for lights and opsins, ``device.neuron_groups``,
  the groups devices' monitors watch), or that the network holds itself. Every neuron is shown
  once: a subgroup overlapping one that starts earlier (or as early, and is longer) is left
  out, and the neurons no subgroup covers form subgroups of their own. Groups come in the
  order they were created (brian2's device registers a group's arrays when it is made), the
  pieces of one group by their first neuron. When the ``colors`` plot argument fits the whole
  groups but not those pieces (one colour per group, or a dict naming whole groups, e.g.
  ``colors=[c]`` for a network whose devices act on one neuron of it), the whole groups are
  shown.

Nothing is injected until everything else (groups, plot arguments, devices) has been checked, so
a ``Player(...)`` that fails leaves the simulator as it was.
"""

from __future__ import annotations

import copy
import os
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from brian2 import Group, NeuronGroup, Subgroup, second

from cleo_player import scene_file
from cleo_player.recording import GroupData, Recording
from cleo_player.scene import Scene

if TYPE_CHECKING:
    from cleo_player.recorder import Recorder

MONITOR_TYPES = ("SpikeMonitor", "EventMonitor", "StateMonitor", "PopulationRateMonitor")
CHOOSE = "choose them with Player(sim, neuron_groups=[...])"


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


# --- groups ---------------------------------------------------------------------------------
def root_group(ng: Any) -> Any:
    """The group a subgroup is cut from (the group itself if it is none)."""
    return ng.source if isinstance(ng, Subgroup) else ng


def neuron_range(ng: Any) -> tuple[Any, int, int]:
    """``(id of the root group, first neuron, stop)``: which neurons a group or subgroup holds."""
    if isinstance(ng, Subgroup):
        return ng.source.id, int(ng.start), int(ng.stop)
    return ng.id, 0, len(ng)


def has_coordinates(ng: Any) -> bool:
    """Whether a group has x/y/z (cleo.coords gives them; a subgroup has its group's)."""
    return all(hasattr(ng, d) for d in "xyz")


def _is_neuron_group(obj: Any) -> bool:
    # a subgroup's source is a weak proxy: its __class__ is the group's class, its type() is not
    return type(obj) is NeuronGroup or (isinstance(obj, Subgroup) and obj.source.__class__ is NeuronGroup)


def _helper_ids(sim: Any) -> set:
    """Ids of the brian2 objects devices made for themselves (opsin states, light sources...)."""
    objs: set = set()
    for device in sim.devices:
        objs |= set(device.brian_objects)
    objs |= set(getattr(sim.registry, "brian_objects", ()))
    return {o.id for o in objs}


def device_groups(sim: Any) -> list[Any]:
    """The neuron groups and subgroups cleo's devices act on or record from, where cleo keeps
    track of them: ``sim.registry`` (lights, opsins, indicators), ``device.neuron_groups``
    (stimulators, scopes, visualizers), ``device.neuron_group`` and the sources of the
    devices' monitors (recorders, probe signals). Our own Recorders are not counted.
    """
    found: list[Any] = []
    registry = sim.registry
    found += list(getattr(registry, "lights_for_ng", {}))
    found += list(getattr(registry, "ldds_for_ng", {}))
    for device in sorted(sim.devices, key=lambda d: d.name):
        if is_recorder(device):
            continue
        found += list(getattr(device, "neuron_groups", None) or ())
        found += [getattr(device, "neuron_group", None)]
        for obj in sorted(device.brian_objects, key=lambda o: o.name):
            if type(obj).__name__ in MONITOR_TYPES:
                found.append(getattr(obj, "source", None))
    return [g for g in found if g is not None and _is_neuron_group(g)]


def creation_ranks() -> dict[Any, int]:
    """Each live group's place in creation order, by id: brian2's device registers a group's
    arrays when the group is created, in a dict that keeps insertion order.
    """
    from brian2 import get_device

    ranks: dict[Any, int] = {}
    for var in list(getattr(get_device(), "arrays", {})):
        owner_id = _owner_id(var)
        if owner_id is not None:
            ranks.setdefault(owner_id, len(ranks))
    return ranks


def _owner_id(var: Any) -> Any:
    try:
        return var.owner.id
    except (AttributeError, ReferenceError):  # a variable without owner, or of a deleted group
        return None


def _partition(root: Any, pieces: list[Any]) -> list[Any]:
    """``root`` cut into ``pieces`` (subgroups of it) without overlaps, plus a subgroup for each
    run of neurons no piece covers; ordered by first neuron.
    """
    n = len(root)
    by_range: dict[tuple[int, int], Any] = {}
    for ng in pieces:
        _, start, stop = neuron_range(ng)
        if (start, stop) != (0, n) and start < stop:
            by_range.setdefault((start, stop), ng)
    if not by_range:
        return [root]
    chosen: list[tuple[int, int, Any]] = []
    end = 0
    for (start, stop), ng in sorted(by_range.items(), key=lambda kv: (kv[0][0], -kv[0][1])):
        if start >= end:
            chosen.append((start, stop, ng))
            end = stop
    out: list[Any] = []
    pos = 0
    for start, stop, ng in chosen:
        if start > pos:
            out.append(root[pos:start])
        out.append(ng)
        pos = stop
    if pos < n:
        out.append(root[pos:n])
    return out


def auto_groups(sim: Any, colors: Any = None) -> list[Any]:
    """The groups ``Player(sim)`` shows when not told (see the module's docstring); ``colors``
    is the ``colors`` plot argument, if any.
    """
    helpers = _helper_ids(sim)
    network = [o for o in sim.network.objects if _is_neuron_group(o) and o.id not in helpers]
    roots = {o.id: o for o in network if type(o) is NeuronGroup}
    candidates = [g for g in device_groups(sim) if root_group(g).id not in helpers]
    candidates += sorted((o for o in network if isinstance(o, Subgroup)), key=lambda o: o.name)
    pieces: dict[Any, list[Any]] = {rid: [] for rid in roots}
    for g in candidates:
        root = root_group(g)
        if root.id in roots:
            pieces[root.id].append(g)
    drawable = [r for r in roots.values() if has_coordinates(r)]
    if not drawable:
        names = sorted(r.name for r in roots.values())
        detail = f" (groups without coordinates: {', '.join(names)})" if names else ""
        raise ValueError(
            f"The simulator has no neuron group with x/y/z coordinates to show{detail}. Assign "
            "coordinates with cleo.coords (e.g. cleo.coords.assign_coords_rand_rect_prism(ng, xlim, "
            f"ylim, zlim)), or {CHOOSE}, or inject a cleo_player.Recorder yourself: sim.inject(Recorder(), ng)."
        )
    ranks = creation_ranks()
    drawable.sort(key=lambda r: (ranks.get(r.id, len(ranks)), r.name))
    split = [piece for r in drawable for piece in _partition(r, pieces[r.id])]
    if _colors_fit(colors, drawable) and not _colors_fit(colors, split):
        return drawable
    return split


def _colors_fit(colors: Any, groups: list[Any]) -> bool:
    """Whether a ``colors`` plot argument (a list, or a dict by name) fits these groups."""
    if isinstance(colors, dict):
        names = {g.name for g in groups}
        return bool(colors) and all(k in names for k in colors)
    if isinstance(colors, (list, tuple, np.ndarray)):
        return len(colors) == len(groups)
    return False


def check_groups(sim: Any, neuron_groups: Any) -> list[Any]:
    """``neuron_groups=`` as a list, each a group (or subgroup) of ``sim``'s network with
    coordinates, none twice; a clear error naming ``neuron_groups=`` otherwise.
    """
    if isinstance(neuron_groups, (NeuronGroup, Subgroup)) or not isinstance(neuron_groups, Sequence):
        raise ValueError(  # noqa: TRY004 (bad argument)
            f"neuron_groups= must be a list of neuron groups, e.g. neuron_groups=[exc, inh]; got {neuron_groups!r}."
        )
    groups = list(neuron_groups)
    if not groups:
        raise ValueError("neuron_groups= is empty: name at least one group to show, e.g. neuron_groups=[exc, inh].")
    in_network = {o.id for o in sim.network.objects}
    seen: dict[tuple, str] = {}
    for ng in groups:
        if not isinstance(ng, Group):
            raise ValueError(  # noqa: TRY004 (bad argument)
                f"neuron_groups= must hold brian2 neuron groups or subgroups; got {ng!r}."
            )
        if root_group(ng).id not in in_network:
            raise ValueError(
                f"neuron_groups=: {ng.name!r} is not part of the simulator's network "
                "(add its group to the brian2 Network the CLSimulator was made from)."
            )
        if not has_coordinates(ng):
            raise ValueError(
                f"neuron_groups=: {ng.name!r} has no x/y/z coordinates, so it cannot be drawn. Assign "
                "them first, e.g. cleo.coords.assign_coords_rand_rect_prism(ng, xlim, ylim, zlim)."
            )
        key = neuron_range(ng)
        if key in seen:
            raise ValueError(f"neuron_groups=: {ng.name!r} holds the same neurons as {seen[key]!r}; give each once.")
        seen[key] = ng.name
    return groups


def preview_recording(groups: Iterable[Any], dt: float) -> Recording:
    """What a Recorder injected for ``groups`` holds before any run: positions, no frames."""
    frame_t = np.zeros(0)
    data = []
    for ng in groups:
        positions = np.stack([ng.x_[:], ng.y_[:], ng.z_[:]], axis=1).astype(np.float64)
        empty_i, empty_t = np.zeros(0, np.uint32), np.zeros(0, np.float64)
        data.append(GroupData.from_spikes(ng.name, positions, empty_i, empty_t, frame_t, dt))
    return Recording(dt=dt, frame_t=frame_t, t_end=0.0, groups=tuple(data))


class PendingRecorder:
    """A Recorder to inject into ``sim`` for ``groups``, once the rest has been checked."""

    def __init__(self, sim: Any, groups: list[Any]) -> None:
        self.sim = sim
        self.groups = groups
        from cleo_player.recorder import Recorder  # (cleo is loaded: sim is a CLSimulator)

        self.recorder = Recorder()
        self.name = self.recorder.name
        self.neuron_groups = groups

    @property
    def recording(self) -> Recording:
        """What the Recorder would hold before any run: the groups at rest."""
        return preview_recording(self.groups, float(self.recorder.dt / second))

    @property
    def device_entries(self) -> list:
        """The devices the Recorder would draw once injected."""
        return self.recorder.entries_in(self.sim)

    def inject(self) -> Recorder:
        """Inject the Recorder (everything checked) and return it."""
        self.sim.inject(self.recorder, *self.groups)
        return self.recorder


def recorder_for(source: Any, neuron_groups: Any = None, colors: Any = None) -> Any:
    """What a Player plays for ``source`` (a simulator, a Recorder, a Recording or a file's
    path): a Recorder, a :class:`RecordingSource`, a :class:`SavedSceneSource`, or a
    :class:`PendingRecorder` to inject once checked. ``colors`` (the plot argument) helps choose
    the groups, as the module's docstring says.
    """
    if isinstance(source, (Recording, str, os.PathLike)):
        if neuron_groups is not None:
            what = "a Recording" if isinstance(source, Recording) else "a file"
            raise ValueError(f"neuron_groups= chooses the groups of Player(sim); {what} holds its own.")
        return _stored_source(source)
    if is_recorder(source):
        if neuron_groups is not None:
            raise ValueError(
                "neuron_groups= chooses the groups of Player(sim); a Recorder shows the groups it was "
                "injected into (sim.inject(rec, exc, inh))."
            )
        rec = source
    elif hasattr(source, "network") and hasattr(source, "devices"):
        rec = _simulator_recorder(source, neuron_groups, colors)
        if isinstance(rec, PendingRecorder):
            return rec
    else:
        raise TypeError(
            "Player takes a cleo CLSimulator, a cleo_player.Recorder or a Recording, or the path of a file "
            f"written by player.save('run.npz'); got {type(source).__name__}."
        )
    if not rec.neuron_groups:
        raise ValueError(
            f"Recorder {rec.name!r} has no neuron groups: inject it into the simulator with the "
            "groups to show, e.g. sim.inject(rec, exc, inh), or let Player(sim, neuron_groups=[exc, inh]) do it."
        )
    return rec


def _stored_source(source: Recording | str | os.PathLike) -> Any:
    """A Recording, or a file: a player file (with its scene) or a saved Recording."""
    if isinstance(source, Recording):
        return RecordingSource(source)
    saved = scene_file.load(source)
    if saved.scene is None:
        return RecordingSource(saved.recording, name=Path(source).name)
    return SavedSceneSource(saved.scene, saved.view, name=Path(source).name)


def _simulator_recorder(sim: Any, neuron_groups: Any, colors: Any) -> Any:
    """The Recorder in ``sim`` (which ``neuron_groups``, if given, must match), or one to inject."""
    rec = find_recorder(sim)
    if rec is None:
        groups = auto_groups(sim, colors) if neuron_groups is None else check_groups(sim, neuron_groups)
        return PendingRecorder(sim, groups)
    if neuron_groups is not None:
        wanted = [neuron_range(g) for g in check_groups(sim, neuron_groups)]
        if wanted != [neuron_range(g) for g in rec.neuron_groups]:
            shown = [g.name for g in rec.neuron_groups]
            raise ValueError(
                f"The simulator already has Recorder {rec.name!r} showing {shown}; neuron_groups= "
                "cannot change them. Play it with Player(rec), or inject a Recorder for the groups "
                "you want into a fresh simulator."
            )
    return rec


class RecordingSource:
    """Stands in for a Recorder when a Player plays a Recording (no device geometry)."""

    def __init__(self, recording: Recording, name: str = "recording") -> None:
        recording.validate()
        if not recording.groups:
            raise ValueError(
                "This Recording holds no neuron groups, so there is nothing to draw: a Recording needs "
                "at least one GroupData (neuron positions and spikes), as a Recorder injected with "
                "groups makes (sim.inject(rec, exc, inh); rec.recording)."
            )
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
        return [*(d.name for d in s.lights), *(d.name for d in s.probes), *(d.name for d in s.scopes), *s.skipped]
    return [d.name for d, _ in source.device_entries]
