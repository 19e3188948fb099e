"""Player files: a Recording and the Scene drawn from it in one ``.npz`` file, so that
``Player("run.npz")`` replays a run as it was shown, without cleo and without the simulation.

Layout (a NumPy ``.npz``, i.e. a zip of ``.npy`` arrays):

* the Recording exactly as :meth:`Recording.save` writes it (``meta``, ``frame_t``,
  ``g{k}_positions``, ``g{k}_spike_i``, ``g{k}_spike_t``, ``g{k}_frame_ptr``, ``t{k}_values``):
  ``Recording.load`` reads the recording of a player file, and a file written by
  ``Recording.save`` plays as a recording without a scene;
* ``player``: one JSON string ``{"format": "cleo-player-file", "version": 1, "written_by": ...,
  "sections": {name: content}}``;
* ``section.<name>.<n>``: the arrays of a section, each referenced in its content as
  ``{"$array": "section.<name>.<n>"}``.

Sections are named so that later versions add new ones without changing these:

==========  ===================================================================================
``scene``   axes (limits, unit, invert_z); per group its colour, marker area, resting alpha and
            which neurons are inside the limits; light clouds (points, transmittance, source,
            colour, wavelength, brightness scale), probe contacts, scopes; devices not drawn
``extras``  scene extras (pythreejs objects as described by :func:`cleo_player.extras.describe`)
``view``    the player's speed, loop mode, flash decay (ms), height (px), selected neurons
            ([group name, index] pairs) and hidden groups (names)
==========  ===================================================================================

Neuron positions are not repeated in the scene: they are the recording's, in axis units.

Compatibility: a file records the format version it was written in (:data:`FILE_VERSION`).
Every later cleo-player reads it; a file of a newer version is refused with a message saying so.
Sections a reader does not know (written by a newer cleo-player) are left out with a warning.
"""

from __future__ import annotations

import copy
import json
import os
import tempfile
import warnings
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from cleo_player.defaults import LOOP_MODES
from cleo_player.extras import wire
from cleo_player.recording import Recording
from cleo_player.scene import Axes, GroupStyle, LightCloud, ProbeMarkers, Scene, ScopeView

if TYPE_CHECKING:
    from collections.abc import Callable

FILE_FORMAT = "cleo-player-file"
FILE_VERSION = 1
PLAYER_KEY = "player"
ARRAY = "$array"  # {"$array": key} in a section's content stands for the array stored under key
SECTIONS = ("scene", "extras", "view")  # the sections this version reads
VIEW_KEYS = ("speed", "loop", "decay", "height", "selected", "hidden")


@dataclass
class PlayerFile:
    """What a file holds: the recording, the scene (None for a file of ``Recording.save``),
    the player's view settings and every section as read (arrays in place).
    """

    recording: Recording
    scene: Scene | None
    view: dict[str, Any] = field(default_factory=dict)
    sections: dict[str, Any] = field(default_factory=dict)


# --- writing --------------------------------------------------------------------------------
def save(
    path: str | os.PathLike, scene: Scene, *, view: dict[str, Any] | None = None, sections: dict[str, Any] | None = None
) -> Path:
    """Write ``scene`` (and its recording) to ``path`` (``.npz``), with the player's ``view``
    settings and any further named ``sections`` (JSON-like content, numpy arrays anywhere).
    The file is written next to ``path`` and moved there once complete.
    """
    path = Path(path)
    if path.suffix.lower() != ".npz":
        raise ValueError(f"A player file is an .npz file: got {str(path)!r}; name it e.g. 'run.npz'.")
    content = {**scene_sections(scene), "view": _check_view(dict(view or {}), "view")}
    for name, value in (sections or {}).items():
        if name in content:
            raise ValueError(f"Section {name!r} is written by cleo-player itself; name yours differently.")
        content[str(name)] = value
    arrays: dict[str, np.ndarray] = {}
    encoded = {name: _encode(value, name, arrays) for name, value in content.items()}
    header = {"format": FILE_FORMAT, "version": FILE_VERSION, "written_by": f"cleo-player {_package_version()}"}
    header["sections"] = encoded
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(suffix=".npz", prefix=f".{path.stem}-", dir=path.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        tmp.chmod(0o666 & ~_umask())  # mkstemp makes the file private; give it the usual mode
        scene.recording.save(tmp)
        with zipfile.ZipFile(tmp, mode="a", compression=zipfile.ZIP_DEFLATED) as zf:
            _write_npy(zf, PLAYER_KEY, np.array(json.dumps(header)))
            for key, arr in arrays.items():
                _write_npy(zf, key, arr)
        tmp.replace(path)
    finally:
        tmp.unlink(missing_ok=True)
    return path


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _package_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("cleo-player")
    except PackageNotFoundError:  # running from a source tree that is not installed
        return "unknown"


def _write_npy(zf: zipfile.ZipFile, key: str, arr: np.ndarray) -> None:
    if key + ".npy" in zf.namelist():
        raise ValueError(f"{key!r} is already in the file.")
    with zf.open(key + ".npy", mode="w", force_zip64=True) as f:
        np.lib.format.write_array(f, np.asanyarray(arr), allow_pickle=False)  # type: ignore[no-untyped-call]


def _encode(value: Any, key: str, arrays: dict[str, np.ndarray]) -> Any:
    """JSON-able content, with every numpy array moved to ``arrays`` under a key of its own."""
    if isinstance(value, np.ndarray):
        if value.dtype.kind not in "biuf":
            raise TypeError(f"{key}: only arrays of numbers or booleans are stored, got dtype {value.dtype}.")
        name = f"section.{key.split('.', 1)[0]}.{len(arrays)}"
        arrays[name] = value
        return {ARRAY: name}
    if isinstance(value, dict):
        if ARRAY in value:
            raise ValueError(f"{key}: the key {ARRAY!r} is reserved in player files.")
        return {str(k): _encode(v, f"{key}.{k}", arrays) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_encode(v, f"{key}.{i}", arrays) for i, v in enumerate(value)]
    return _scalar(value, key)


def _scalar(value: Any, key: str) -> Any:
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        if not np.isfinite(value):
            raise ValueError(f"{key}: {value} is not finite; player files hold finite numbers only.")
        return float(value)
    raise TypeError(f"{key}: a {type(value).__name__} cannot be stored in a player file.")


def scene_sections(scene: Scene) -> dict[str, Any]:
    """The ``scene`` and ``extras`` sections of a scene (numpy arrays in place)."""
    ax = scene.axes
    return {
        "scene": {
            "axes": {
                "unit": ax.unit,
                "unit_m": ax.unit_m,
                "xlim": list(ax.xlim),
                "ylim": list(ax.ylim),
                "zlim": list(ax.zlim),
                "invert_z": ax.invert_z,
            },
            "groups": [
                {
                    "name": g.name,
                    "color": list(g.color),
                    "marker_area": g.marker_area,
                    "alpha": g.alpha,
                    "visible": np.asarray(g.visible, dtype=bool),
                }
                for g in scene.groups
            ],
            "lights": [
                {
                    "name": light.name,
                    "track": light.track,
                    "color": list(light.color),
                    "wavelength_nm": light.wavelength_nm,
                    "model": light.model,
                    "points": light.points,
                    "transmittance": light.transmittance,
                    "source": light.source,
                    "n_sources": light.n_sources,
                    "marker_size": light.marker_size,
                    "marker_scale": light.marker_scale,
                    "max_value": light.max_value,
                    "source_coords": light.source_coords,
                    "source_direction": light.source_direction,
                    "intensity_scale": light.intensity_scale,
                }
                for light in scene.lights
            ],
            "probes": [{"name": p.name, "contacts": p.contacts, "color": list(p.color)} for p in scene.probes],
            "scopes": [
                {
                    "name": s.name,
                    "location": s.location,
                    "direction": s.direction,
                    "focus_depth": s.focus_depth,
                    "img_width": s.img_width,
                    "rois": s.rois,
                    "color": list(s.color),
                    "sensor": s.sensor,
                }
                for s in scene.scopes
            ],
            "skipped": list(scene.skipped),
        },
        "extras": copy.deepcopy(list(scene.extras)),
    }


# --- reading --------------------------------------------------------------------------------
def load(path: str | os.PathLike) -> PlayerFile:
    """Read a player file (or a file of ``Recording.save``: then ``scene`` is None); raise
    ValueError saying what is wrong with a file that is not one, is damaged or too new.
    """
    path = Path(path)
    where = str(path)
    if not path.is_file():
        raise FileNotFoundError(f"No such file: {where!r} (a player file written by player.save('run.npz')).")
    if not zipfile.is_zipfile(path):
        raise ValueError(f"{where} is not a cleo-player file (an .npz written by player.save('run.npz')).")
    try:
        with np.load(path, allow_pickle=False) as data:
            keys = set(data.files)
            if "meta" not in keys:
                raise ValueError(
                    f"{where} is not a cleo-player file: it has no recording (written by player.save('run.npz') "
                    "or Recording.save)."
                )
            header = _header(data[PLAYER_KEY], where) if PLAYER_KEY in keys else None
            arrays = {k: data[k] for k in keys if k.startswith("section.")} if header is not None else {}
    except (OSError, EOFError, zipfile.BadZipFile) as err:
        raise ValueError(f"{where} is not a cleo-player file (an .npz written by player.save): {err}") from err
    recording = _load_recording(path)
    if header is None:
        return PlayerFile(recording, None)
    sections = header["sections"]
    unknown = sorted(set(sections) - set(SECTIONS))
    if unknown:
        warnings.warn(
            f"{where} holds sections this cleo-player does not know ({', '.join(unknown)}), written by a "
            f"newer one ({header.get('written_by', 'unknown')}); they are not shown.",
            stacklevel=2,
        )
    decoded = {name: _decode(content, arrays, f"{where}: section {name!r}") for name, content in sections.items()}
    for name in ("scene", "extras", "view"):
        if name not in decoded:
            raise ValueError(f"{where}: the player file has no {name!r} section; it is damaged.")
    scene = scene_from_sections(recording, decoded, where)
    view = _check_view(decoded["view"], f"{where}: section 'view'")
    return PlayerFile(recording, scene, view, decoded)


def _header(value: np.ndarray, where: str) -> dict[str, Any]:
    try:
        header = json.loads(str(value))
    except (TypeError, ValueError) as err:
        raise ValueError(f"{where}: the player header is not readable JSON ({err}); the file is damaged.") from err
    if not isinstance(header, dict) or header.get("format") != FILE_FORMAT:
        raise ValueError(f"{where}: the 'player' entry is not a cleo-player header; the file is damaged.")
    version = header.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise ValueError(f"{where}: the file format version {version!r} is not a version number; the file is damaged.")
    if version > FILE_VERSION:
        raise ValueError(
            f"{where} was written by a newer cleo-player ({header.get('written_by', 'unknown')}, file format "
            f"{version}); this one reads formats up to {FILE_VERSION}: upgrade cleo-player to play it."
        )
    if not isinstance(header.get("sections"), dict):
        raise ValueError(  # noqa: TRY004 (a damaged file is a bad value whatever is wrong in it)
            f"{where}: the player header has no sections; the file is damaged."
        )
    return header


def _load_recording(path: Path) -> Recording:
    try:
        recording = Recording.load(path)
    except ValueError:
        raise
    except (KeyError, TypeError, IndexError, OSError, zipfile.BadZipFile) as err:
        raise ValueError(f"{path}: the recording in the file cannot be read ({type(err).__name__}: {err}).") from err
    return recording.validate(str(path))


def _decode(content: Any, arrays: dict[str, np.ndarray], where: str) -> Any:
    if isinstance(content, dict):
        if ARRAY in content:
            key = content[ARRAY]
            if key not in arrays:
                raise ValueError(f"{where}: the array {key!r} is missing; the file is damaged.")
            return arrays[key]
        return {k: _decode(v, arrays, where) for k, v in content.items()}
    if isinstance(content, list):
        return [_decode(v, arrays, where) for v in content]
    return content


class _Table:
    """Typed reads from one decoded table of a section; errors name the file and the entry."""

    def __init__(self, value: Any, where: str) -> None:
        if not isinstance(value, dict):
            raise ValueError(  # noqa: TRY004 (a damaged file is a bad value whatever is wrong in it)
                f"{where} must be a table, got {type(value).__name__}; the file is damaged."
            )
        self.value, self.where = value, where

    def get(self, key: str) -> Any:
        if key not in self.value:
            raise ValueError(f"{self.where}: {key!r} is missing; the file is damaged.")
        return self.value[key]

    def fail(self, key: str, what: str) -> ValueError:
        return ValueError(f"{self.where}.{key} must be {what}, got {self.value.get(key)!r:.80}; the file is damaged.")

    def text(self, key: str, *, optional: bool = False) -> str | None:
        v = self.get(key)
        if isinstance(v, str) or (optional and v is None):
            return v
        raise self.fail(key, "a string")

    def number(self, key: str, check: Callable[[float], bool] = lambda _: True, what: str = "a number") -> float:
        v = self.get(key)
        if isinstance(v, (int, float)) and not isinstance(v, bool) and np.isfinite(v) and check(float(v)):
            return float(v)
        raise self.fail(key, what)

    def integer(self, key: str, minimum: int = 0) -> int:
        v = self.get(key)
        if isinstance(v, int) and not isinstance(v, bool) and v >= minimum:
            return v
        raise self.fail(key, f"an integer >= {minimum}")

    def flag(self, key: str) -> bool:
        v = self.get(key)
        if isinstance(v, bool):
            return v
        raise self.fail(key, "true or false")

    def pair(self, key: str) -> tuple[float, float]:
        v = self.get(key)
        if isinstance(v, list) and len(v) == len(("min", "max")) and all(_is_number(x) for x in v) and v[0] < v[1]:
            return (float(v[0]), float(v[1]))
        raise self.fail(key, "a (min, max) pair of numbers with min < max")

    def rgb(self, key: str) -> tuple[float, float, float]:
        v = self.get(key)
        if isinstance(v, list) and len(v) == len("rgb") and all(_is_number(x) and 0 <= x <= 1 for x in v):
            return (float(v[0]), float(v[1]), float(v[2]))
        raise self.fail(key, "an RGB triple in [0, 1]")

    def array(self, key: str, kinds: str, shape: tuple[int | None, ...]) -> np.ndarray:
        v = self.get(key)
        ok = isinstance(v, np.ndarray) and v.dtype.kind in kinds and v.ndim == len(shape)
        ok = ok and all(want is None or want == got for want, got in zip(shape, v.shape, strict=True))
        if ok and v.dtype.kind == "f":
            ok = bool(np.isfinite(v).all())
        if ok:
            checked: np.ndarray = v
            return checked
        dims = ", ".join("n" if n is None else str(n) for n in shape)
        got = f"shape {v.shape}, dtype {v.dtype}" if isinstance(v, np.ndarray) else type(v).__name__
        raise ValueError(
            f"{self.where}.{key} must be a finite ({dims}) array ({_kinds(kinds)}), got {got}; the file is damaged."
        )

    def tables(self, key: str) -> list[_Table]:
        v = self.get(key)
        if not isinstance(v, list):
            raise self.fail(key, "a list")
        return [_Table(item, f"{self.where}.{key}[{i}]") for i, item in enumerate(v)]


def _is_number(x: Any) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool) and bool(np.isfinite(x))


def _kinds(kinds: str) -> str:
    names = {"b": "booleans", "u": "unsigned integers", "i": "integers", "f": "floats"}
    return " or ".join(names[k] for k in kinds)


def _positive(x: float) -> bool:
    return x > 0


def _non_negative(x: float) -> bool:
    return x >= 0


def scene_from_sections(recording: Recording, sections: dict[str, Any], where: str = "file") -> Scene:
    """The Scene of decoded ``scene`` and ``extras`` sections, checked against ``recording``."""
    s = _Table(sections["scene"], f"{where}: scene")
    a = _Table(s.get("axes"), f"{where}: scene.axes")
    axes = Axes(
        unit=a.text("unit") or "",
        unit_m=a.number("unit_m", _positive, "a positive length in metres"),
        xlim=a.pair("xlim"),
        ylim=a.pair("ylim"),
        zlim=a.pair("zlim"),
        invert_z=a.flag("invert_z"),
    )
    group_tables = s.tables("groups")
    if [t.text("name") for t in group_tables] != [g.name for g in recording.groups]:
        raise ValueError(
            f"{where}: the scene's groups {[t.value.get('name') for t in group_tables]} are not the recording's "
            f"{[g.name for g in recording.groups]}; the file is damaged."
        )
    groups = [
        GroupStyle(
            name=g.name,
            color=t.rgb("color"),
            marker_area=t.number("marker_area", _non_negative, "a marker area >= 0"),
            alpha=t.number("alpha", lambda x: 0 <= x <= 1, "an opacity in [0, 1]"),
            positions=g.positions / axes.unit_m,
            visible=t.array("visible", "b", (g.size,)),
        )
        for t, g in zip(group_tables, recording.groups, strict=True)
    ]
    track_names = {tr.name for tr in recording.tracks}
    return Scene(
        recording,
        axes,
        groups,
        lights=[_light(t, track_names) for t in s.tables("lights")],
        probes=[
            ProbeMarkers(name=t.text("name") or "", contacts=t.array("contacts", "f", (None, 3)), color=t.rgb("color"))
            for t in s.tables("probes")
        ],
        scopes=[_scope(t) for t in s.tables("scopes")],
        skipped=_strings(s.get("skipped"), f"{where}: scene.skipped"),
        extras=_extras(sections["extras"], f"{where}: extras"),
    )


def _light(t: _Table, track_names: set[str]) -> LightCloud:
    track = t.text("track", optional=True)
    if track is not None and track not in track_names:
        raise ValueError(
            f"{t.where}.track names {track!r}, which is not a track of the recording; the file is damaged."
        )
    n_sources = t.integer("n_sources", minimum=1)
    points = t.array("points", "f", (None, 3))
    n = len(points)
    source = t.array("source", "iu", (n,))
    if n and (source.min() < 0 or source.max() >= n_sources):
        raise ValueError(f"{t.where}.source must hold source indices in 0..{n_sources - 1}; the file is damaged.")
    transmittance = t.array("transmittance", "f", (n,))
    return LightCloud(
        name=t.text("name") or "",
        track=track,
        color=t.rgb("color"),
        wavelength_nm=t.number("wavelength_nm", _positive, "a positive wavelength (nm)"),
        model=t.text("model") or "",
        points=points,
        transmittance=transmittance,
        source=source,
        n_sources=n_sources,
        marker_size=t.number("marker_size", _non_negative, "a size >= 0"),
        max_value=t.number("max_value", _positive, "a positive value"),
        source_coords=t.array("source_coords", "f", (n_sources, 3)),
        source_direction=t.array("source_direction", "f", (n_sources, 3)),
        intensity_scale=t.number("intensity_scale", _non_negative, "a scale >= 0"),
        # (files written before cleo's marker scale was kept: 1, the points' own size)
        marker_scale=t.number("marker_scale", _positive, "a positive scale") if "marker_scale" in t.value else 1.0,
    )


def _scope(t: _Table) -> ScopeView:
    return ScopeView(
        name=t.text("name") or "",
        location=t.array("location", "f", (3,)),
        direction=t.array("direction", "f", (3,)),
        focus_depth=t.number("focus_depth"),
        img_width=t.number("img_width", _non_negative, "a width >= 0"),
        rois=t.array("rois", "f", (None, 3)),
        color=t.rgb("color"),
        sensor=t.text("sensor") or "",
    )


def _strings(value: Any, where: str) -> list[str]:
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return list(value)
    raise ValueError(f"{where} must be a list of names; the file is damaged.")


def _extras(value: Any, where: str) -> list[dict[str, Any]]:
    if isinstance(value, list) and all(isinstance(d, dict) for d in value):
        try:
            wire(value)  # what the player sends: every entry it reads is there
        except (KeyError, TypeError, AttributeError, ValueError) as err:
            raise ValueError(f"{where}: an object description is incomplete ({err!r}); the file is damaged.") from err
        return value
    raise ValueError(f"{where} must be a list of object descriptions; the file is damaged.")


def _check_view(view: Any, where: str) -> dict[str, Any]:
    """The player's view settings (any of speed, loop, decay, height, selected, hidden), checked.

    Whether ``selected`` and ``hidden`` name the scene's groups, the Player checks.
    """
    t = _Table(view, where)
    unknown = sorted(set(view) - set(VIEW_KEYS))
    if unknown:
        raise ValueError(f"{where}: unknown settings {unknown}; the view holds {', '.join(VIEW_KEYS)}.")
    out: dict[str, Any] = {}
    if "speed" in view:
        out["speed"] = t.number("speed", _positive, "a positive playback rate")
    if "loop" in view:
        loop = t.text("loop")
        if loop not in LOOP_MODES:
            raise t.fail("loop", f"one of {LOOP_MODES}")
        out["loop"] = loop
    if "decay" in view:
        out["decay"] = t.number("decay", _non_negative, "a number of ms >= 0")
    if "height" in view:
        out["height"] = t.integer("height", minimum=1)
    return {**out, **_check_inspection(t, view)}


def _check_inspection(t: _Table, view: dict[str, Any]) -> dict[str, Any]:
    """The selected neurons and hidden groups of a view, as lists of the right shape."""
    out: dict[str, Any] = {}
    if "selected" in view:
        pairs = t.get("selected")
        ok = isinstance(pairs, list) and all(
            isinstance(p, (list, tuple))
            and len(p) == len(("name", "index"))
            and isinstance(p[0], str)
            and type(p[1]) is int
            for p in pairs
        )
        if not ok:
            raise t.fail("selected", "a list of [group name, index] pairs")
        out["selected"] = [(str(p[0]), int(p[1])) for p in pairs]
    if "hidden" in view:
        names = t.get("hidden")
        if not (isinstance(names, list) and all(isinstance(n, str) for n in names)):
            raise t.fail("hidden", "a list of group names")
        out["hidden"] = list(names)
    return out
