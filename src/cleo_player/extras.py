"""Scene extras: pythreejs objects drawn in the player's scene, in the neurons' coordinates.

pythreejs (optional: ``pip install "cleo-player[pythreejs]"``) serves as the Python vocabulary
for extra 3D objects: brain-region meshes, an implant, a marker. cleo-player does not render
them with pythreejs (frozen at three.js r97); :func:`describe` turns an object into a plain
description that both renderers draw: the three.js front end (``js/extras.ts``) and the
matplotlib fallback (:mod:`cleo_player.video.extras`).

**Units.** Extras live in the scene's *axis units* (``axis_scale_unit``, µm by default): the
numbers on the axes, the same as the neurons' coordinates there. +z is depth: an object at
``z = 300`` is 300 µm deep, drawn downward with the neurons when ``invert_z`` (the default).

Supported:

* objects ``Mesh``, ``Points``, ``Line``, ``LineSegments``, ``LineLoop`` and ``Group`` (with
  their ``children``; ``position``, ``rotation``, ``quaternion`` and ``scale``, or ``matrix``
  with ``matrixAutoUpdate=False``; ``visible``, ``renderOrder``);
* geometries ``BufferGeometry`` (attributes ``position``, and optionally ``normal``,
  ``color`` and an ``index``; other attributes are ignored) and the primitives
  ``SphereGeometry``, ``BoxGeometry``, ``CylinderGeometry``, ``ConeGeometry``,
  ``PlaneGeometry`` (and their ``*BufferGeometry`` twins);
* materials ``MeshBasicMaterial``, ``MeshLambertMaterial``, ``MeshPhongMaterial``,
  ``MeshStandardMaterial`` (meshes), ``PointsMaterial`` (points) and ``LineBasicMaterial``
  (lines): colour, opacity (with ``transparent=True``, as in three.js), wireframe, vertex
  colours, side, depth test/write, point size, and the lit materials' emissive / specular /
  shininess / roughness / metalness. Textures are not supported.

A rotation is whichever of ``rotation`` (Euler angles) and ``quaternion`` was set last while
the object was in a player (as three.js does); for what was set before, the quaternion when it
is not the identity (e.g. after ``setRotationFromMatrix``), else the Euler angles.

Descriptions (``describe``) hold numpy arrays; :func:`wire` splits them into JSON for the
``Player._extras`` trait and binary buffers for ``Player._extras_data`` (keyed by a content
hash, so moving a big mesh resends a few numbers, not its vertices).
"""

from __future__ import annotations

import hashlib
import json
import re
import weakref
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np

OBJECT_KINDS = ("Mesh", "Points", "Line", "LineSegments", "LineLoop", "Group")
PRIMITIVE_PARAMS: dict[str, tuple[str, ...]] = {
    "SphereGeometry": ("radius", "widthSegments", "heightSegments", "phiStart", "phiLength", "thetaStart", "thetaLength"),
    "BoxGeometry": ("width", "height", "depth", "widthSegments", "heightSegments", "depthSegments"),
    "CylinderGeometry": (
        "radiusTop", "radiusBottom", "height", "radialSegments", "heightSegments", "openEnded", "thetaStart", "thetaLength",
    ),
    "ConeGeometry": ("radius", "height", "radialSegments", "heightSegments", "openEnded", "thetaStart", "thetaLength"),
    "PlaneGeometry": ("width", "height", "widthSegments", "heightSegments"),
}  # fmt: skip
GEOMETRY_ALIASES = {
    "SphereBufferGeometry": "SphereGeometry",
    "BoxBufferGeometry": "BoxGeometry",
    "CylinderBufferGeometry": "CylinderGeometry",
    "ConeBufferGeometry": "ConeGeometry",
    "PlaneBufferGeometry": "PlaneGeometry",
}
GEOMETRY_KINDS = ("BufferGeometry", *PRIMITIVE_PARAMS)
MESH_MATERIALS = ("MeshBasicMaterial", "MeshLambertMaterial", "MeshPhongMaterial", "MeshStandardMaterial")
LIT_MATERIALS = MESH_MATERIALS[1:]
MATERIALS_FOR = {
    "Mesh": MESH_MATERIALS,
    "Points": ("PointsMaterial",),
    "Line": ("LineBasicMaterial",),
    "LineSegments": ("LineBasicMaterial",),
    "LineLoop": ("LineBasicMaterial",),
}
MATERIAL_KINDS = (*MESH_MATERIALS, "PointsMaterial", "LineBasicMaterial")
SIDES = ("FrontSide", "BackSide", "DoubleSide")

# traits read from each kind of widget: watched for changes, and nothing else
OBJECT_TRAITS = (
    "position", "rotation", "quaternion", "scale", "matrix", "matrixAutoUpdate", "visible", "name",
    "renderOrder", "children", "geometry", "material",
)  # fmt: skip
BUFFER_GEOMETRY_TRAITS = ("attributes", "index", "_ref_geometry")
ATTRIBUTE_TRAITS = ("array", "normalized")
MATERIAL_COMMON = ("color", "opacity", "transparent", "side", "vertexColors", "depthTest", "depthWrite", "visible")
MATERIAL_EXTRA: dict[str, tuple[str, ...]] = {
    "MeshBasicMaterial": ("wireframe",),
    "MeshLambertMaterial": ("wireframe", "emissive", "emissiveIntensity"),
    "MeshPhongMaterial": ("wireframe", "emissive", "emissiveIntensity", "specular", "shininess", "flatShading"),
    "MeshStandardMaterial": ("wireframe", "emissive", "emissiveIntensity", "roughness", "metalness", "flatShading"),
    "PointsMaterial": ("size", "sizeAttenuation"),
    "LineBasicMaterial": ("linewidth",),
}
COLOR_TRAITS = ("color", "emissive", "specular")

INSTALL_HINT = 'pip install "cleo-player[pythreejs]"'

# per object, "rotation" or "quaternion": which one was set last while watched
_ROTATION_SET_LAST: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def require_pythreejs() -> Any:
    """The pythreejs module, or an ImportError saying how to install it."""
    try:
        import pythreejs
    except ImportError as err:
        raise ImportError(
            f"Scene extras are pythreejs objects, and pythreejs is not installed: {INSTALL_HINT} "
            "(or pip install pythreejs)."
        ) from err
    return pythreejs


def _kind(obj: Any) -> str:
    """The pythreejs class an object is an instance of (the nearest one in its MRO: a user's
    subclass of Mesh is a Mesh; pythreejs's LineSegments2, a Mesh subclass, is itself).
    """
    for cls in type(obj).__mro__:
        if cls.__module__.split(".")[0] == "pythreejs":
            return cls.__name__
    return type(obj).__name__


def _what(obj: Any) -> str:
    """How to name an object's type in an error message."""
    return f"pythreejs {_kind(obj)}" if _is_pythreejs(obj) else f"{type(obj).__name__} (not a pythreejs object)"


def _is_pythreejs(obj: Any) -> bool:
    return any(cls.__module__.split(".")[0] == "pythreejs" for cls in type(obj).__mro__)


def _supported(kinds: Iterable[str]) -> str:
    return ", ".join(kinds)


# --- description of one object tree ---------------------------------------------------------
def describe(obj: Any) -> dict[str, Any]:
    """A plain description of a pythreejs object and its children (numpy arrays for attribute
    data), in the player's axis units. Raises TypeError / ValueError for what is not supported.
    """
    return _object(obj, _kind(obj))


def _object(obj: Any, where: str) -> dict[str, Any]:
    kind = _kind(obj)
    if kind not in OBJECT_KINDS:
        raise TypeError(
            f"{where}: {_what(obj)} is not supported as a scene extra. Supported objects: {_supported(OBJECT_KINDS)}."
        )
    matrix = None if obj.matrixAutoUpdate else [float(v) for v in obj.matrix]
    quaternion = [float(v) for v in obj.quaternion]
    last = _ROTATION_SET_LAST.get(obj)
    use_quaternion = last == "quaternion" or (last is None and not np.allclose(quaternion, [0, 0, 0, 1]))
    desc: dict[str, Any] = {
        "type": kind,
        "name": str(obj.name or ""),
        "visible": bool(obj.visible),
        "position": _floats(obj.position, 3, f"{where}.position"),
        "rotation": [*_floats(obj.rotation[:3], 3, f"{where}.rotation"), str(obj.rotation[3])],
        "quaternion": quaternion if use_quaternion else None,
        "scale": _floats(obj.scale, 3, f"{where}.scale"),
        "matrix": matrix,
        "renderOrder": int(obj.renderOrder),
    }
    if kind != "Group":
        desc["geometry"] = _geometry(obj.geometry, f"{where}.geometry")
        desc["material"] = _material(obj.material, kind, f"{where}.material")
        if kind == "Mesh" and getattr(obj, "drawMode", "TrianglesDrawMode") != "TrianglesDrawMode":
            raise ValueError(f"{where}: Mesh.drawMode {obj.drawMode!r} is not supported; use TrianglesDrawMode.")
    desc["children"] = [
        _object(child, f"{where}.children[{i}] ({_kind(child)})") for i, child in enumerate(obj.children)
    ]
    return desc


def _floats(values: Any, n: int, where: str) -> list[float]:
    out = [float(v) for v in values]
    if len(out) != n or not all(np.isfinite(out)):
        raise ValueError(f"{where} must be {n} finite numbers, got {values!r}.")
    return out


def _geometry(geom: Any, where: str) -> dict[str, Any]:
    if geom is None:
        raise TypeError(f"{where} is None: give the object a geometry ({_supported(GEOMETRY_KINDS)}).")
    kind = GEOMETRY_ALIASES.get(_kind(geom), _kind(geom))
    if kind == "BufferGeometry":
        ref = getattr(geom, "_ref_geometry", None)
        if ref is not None and not geom.attributes:  # BufferGeometry.from_geometry(primitive)
            return _geometry(ref, f"{where} (from_geometry)")
        return _buffer_geometry(geom, where)
    if kind not in PRIMITIVE_PARAMS:
        raise TypeError(
            f"{where}: {_what(geom)} is not supported. Supported geometries: "
            f"{_supported(GEOMETRY_KINDS)} (and their *BufferGeometry twins)."
        )
    params: dict[str, Any] = {}
    for name in PRIMITIVE_PARAMS[kind]:
        v = getattr(geom, name)
        params[name] = bool(v) if isinstance(v, bool) else (int(v) if name.endswith("Segments") else float(v))
    return {"kind": kind, "params": params}


def _array(attr: Any, where: str) -> tuple[np.ndarray, bool]:
    """The numpy array of a BufferAttribute (also when it holds an ipydatawidgets array)."""
    if _kind(attr) != "BufferAttribute":
        raise TypeError(f"{where}: {_what(attr)} is not supported; use a BufferAttribute.")
    arr = attr.array
    if not isinstance(arr, np.ndarray):
        from ipydatawidgets import get_union_array

        arr = get_union_array(arr)
    return np.asarray(arr), bool(attr.normalized)


def _buffer_geometry(geom: Any, where: str) -> dict[str, Any]:
    attrs = dict(geom.attributes or {})
    index_attr = attrs.pop("index", None) or geom.index
    if "position" not in attrs:
        raise ValueError(f"{where}: a BufferGeometry needs a 'position' attribute (an (n, 3) array).")
    pos, _ = _array(attrs["position"], f"{where}.attributes['position']")
    if pos.ndim != 2 or pos.shape[1] not in (2, 3):
        raise ValueError(f"{where}.attributes['position'] must be an (n, 3) array, got shape {pos.shape}.")
    if pos.shape[1] == 2:  # three.js reads a missing z as 0
        pos = np.column_stack([pos, np.zeros(len(pos))])
    n = len(pos)
    out: dict[str, np.ndarray] = {"position": np.ascontiguousarray(pos, dtype=np.float32)}
    if "normal" in attrs:
        normal, _ = _array(attrs["normal"], f"{where}.attributes['normal']")
        if normal.shape != (n, 3):
            raise ValueError(
                f"{where}.attributes['normal'] must have shape ({n}, 3) like 'position', got {normal.shape}."
            )
        out["normal"] = np.ascontiguousarray(normal, dtype=np.float32)
    if "color" in attrs:
        color, normalized = _array(attrs["color"], f"{where}.attributes['color']")
        if color.ndim != 2 or len(color) != n or color.shape[1] not in (3, 4):
            raise ValueError(
                f"{where}.attributes['color'] must have shape ({n}, 3) like 'position', got {color.shape}."
            )
        color = color[:, :3]
        if color.dtype.kind in "ui" and normalized:
            color = color / np.iinfo(color.dtype).max
        out["color"] = np.ascontiguousarray(np.clip(color, 0, 1), dtype=np.float32)
    index = None
    if index_attr is not None:
        idx, _ = _array(index_attr, f"{where}.index")
        idx = idx.ravel()
        if idx.dtype.kind not in "ui" or (len(idx) and (idx.min() < 0 or idx.max() >= n)):
            raise ValueError(f"{where}.index must hold integer vertex indices in 0..{n - 1}.")
        index = np.ascontiguousarray(idx, dtype=np.uint32)
    return {"kind": "BufferGeometry", "attributes": out, "index": index}


def _material(mat: Any, obj_kind: str, where: str) -> dict[str, Any]:
    allowed = MATERIALS_FOR[obj_kind]
    kind = _kind(mat)
    if kind not in allowed:
        what = "is not supported" if kind not in MATERIAL_KINDS else f"does not go with a {obj_kind}"
        raise TypeError(
            f"{where}: {_what(mat)} {what}. A {obj_kind} takes {_supported(allowed)} "
            f"(supported materials: {_supported(MATERIAL_KINDS)})."
        )
    textures = [
        name for name in mat.trait_names()
        if name.lower().endswith("map") and getattr(mat, name, None) is not None
    ]  # fmt: skip
    if textures:
        raise ValueError(f"{where}: textures are not supported ({kind}.{', '.join(textures)} is set).")
    desc: dict[str, Any] = {"kind": kind}
    for name in MATERIAL_COMMON + MATERIAL_EXTRA[kind]:
        v = getattr(mat, name)
        if name in COLOR_TRAITS:
            desc[name] = css_rgb(v, f"{where}.{name}")
        elif name == "vertexColors":
            if v == "FaceColors":
                raise ValueError(f"{where}.vertexColors 'FaceColors' is not supported; use 'VertexColors'.")
            desc[name] = v == "VertexColors"
        elif name == "side":
            desc[name] = str(v)
        elif isinstance(v, bool):
            desc[name] = v
        else:
            desc[name] = float(v)
    return desc


_RGB_FN = re.compile(r"^rgba?\(\s*([^,]+),\s*([^,]+),\s*([^,)]+)")


def css_rgb(value: Any, where: str = "color") -> list[float]:
    """A three.js colour (CSS name, ``#rgb``, ``#rrggbb``, ``rgb(r, g, b)``) as sRGB floats."""
    from matplotlib.colors import to_rgb

    text = str(value).strip()
    m = _RGB_FN.match(text)
    try:
        if m:
            parts = [p.strip() for p in m.groups()]
            return [float(p[:-1]) / 100 if p.endswith("%") else float(p) / 255 for p in parts]
        return [float(c) for c in to_rgb(text.lower())]
    except ValueError:
        raise ValueError(
            f"{where}: cannot read the colour {value!r} (use a CSS name, '#rrggbb' or 'rgb(r, g, b)')."
        ) from None


# --- walking descriptions ---------------------------------------------------------------------
def iter_objects(desc: dict[str, Any]) -> Iterable[dict[str, Any]]:
    """An object description and all its descendants, depth first."""
    yield desc
    for child in desc["children"]:
        yield from iter_objects(child)


def uses_lit_material(descriptions: Iterable[dict[str, Any]]) -> bool:
    return any(o.get("material", {}).get("kind") in LIT_MATERIALS for d in descriptions for o in iter_objects(d))


# --- the wire format --------------------------------------------------------------------------
def _key(*parts: Any) -> str:
    h = hashlib.blake2b(digest_size=10)
    for p in parts:
        h.update(p if isinstance(p, (bytes, memoryview)) else json.dumps(p, sort_keys=True).encode())
        h.update(b"\0")
    return h.hexdigest()


def wire(descriptions: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], dict[str, dict[str, bytes]]]:
    """``(objects, data)``: the descriptions as JSON (every array replaced by its size and a
    ``key``), and per key the arrays' bytes (float32 attributes, uint32 index). Geometries and
    materials carry a content ``key``: the front end reuses what it built for an unchanged one.
    """
    data: dict[str, dict[str, bytes]] = {}

    def convert(d: dict[str, Any]) -> dict[str, Any]:
        out = {k: v for k, v in d.items() if k not in ("geometry", "material", "children")}
        if "geometry" in d:
            g = d["geometry"]
            if g["kind"] == "BufferGeometry":
                buffers = {name: a.tobytes() for name, a in g["attributes"].items()}
                if g["index"] is not None:
                    buffers["index"] = g["index"].tobytes()
                key = _key("BufferGeometry", *[x for name in sorted(buffers) for x in (name, buffers[name])])
                data[key] = buffers
                out["geometry"] = {
                    "kind": "BufferGeometry",
                    "key": key,
                    "attributes": {name: {"itemSize": 3, "count": len(a)} for name, a in g["attributes"].items()},
                    "index": None if g["index"] is None else {"count": len(g["index"])},
                }
            else:
                out["geometry"] = {**g, "key": _key(g)}
            out["material"] = {**d["material"], "key": _key(d["material"])}
        out["children"] = [convert(c) for c in d["children"]]
        return out

    return [convert(d) for d in descriptions], data


# --- following pythreejs objects --------------------------------------------------------------
def _watched_traits(widget: Any) -> tuple[str, ...]:
    kind = _kind(widget)
    if kind in OBJECT_KINDS:
        return OBJECT_TRAITS
    kind = GEOMETRY_ALIASES.get(kind, kind)
    if kind in PRIMITIVE_PARAMS:
        return PRIMITIVE_PARAMS[kind]
    if kind == "BufferGeometry":
        return BUFFER_GEOMETRY_TRAITS
    if kind == "BufferAttribute":
        return ATTRIBUTE_TRAITS
    if kind in MATERIAL_EXTRA:
        return MATERIAL_COMMON + MATERIAL_EXTRA[kind]
    if kind == "NDArrayWidget" or type(widget).__name__ == "NDArrayWidget":
        return ("array",)
    return ()


def _tree(root: Any) -> list[Any]:
    """Every widget whose traits make up ``root``'s description."""
    seen: dict[int, Any] = {}

    def visit(w: Any) -> None:
        if w is None or id(w) in seen or not hasattr(w, "observe"):
            return
        seen[id(w)] = w
        kind = _kind(w)
        if kind in OBJECT_KINDS:
            for child in w.children:
                visit(child)
            if kind != "Group":
                visit(w.geometry)
                visit(w.material)
        elif kind in ("BufferGeometry", *GEOMETRY_ALIASES):
            for a in (w.attributes or {}).values():
                visit(a)
            visit(getattr(w, "index", None))
            visit(getattr(w, "_ref_geometry", None))
        elif kind == "BufferAttribute":
            visit(w.array if not isinstance(w.array, np.ndarray) else None)

    visit(root)
    return list(seen.values())


class _Watch:
    """Observes the traits of every widget in one extra's tree; calls ``on_change(root)`` on
    any change (after following new children, geometries and materials).
    """

    def __init__(self, root: Any, on_change: Callable[[Any], None]) -> None:
        self.root = root
        self.on_change = on_change
        self.observed: dict[int, tuple[Any, tuple[str, ...]]] = {}
        self.rewire()

    def rewire(self) -> None:
        now = {id(w): w for w in _tree(self.root)}
        for key in [k for k in self.observed if k not in now]:
            widget, names = self.observed.pop(key)
            widget.unobserve(self._changed, names=list(names))
        for key, widget in now.items():
            if key not in self.observed:
                names = _watched_traits(widget)
                if names:
                    widget.observe(self._changed, names=list(names))
                self.observed[key] = (widget, names)

    def _changed(self, change: dict) -> None:
        if change["name"] in ("rotation", "quaternion"):
            _ROTATION_SET_LAST[change["owner"]] = change["name"]
        if change["name"] in ("children", "geometry", "material", "attributes", "index", "_ref_geometry", "array"):
            self.rewire()
        self.on_change(self.root)

    def close(self) -> None:
        for widget, names in self.observed.values():
            if names:
                widget.unobserve(self._changed, names=list(names))
        self.observed.clear()


class Extras:
    """The pythreejs objects added to one Player, followed as they change.

    ``send(descriptions, objects, data)`` is called with the new state after every change:
    the self-contained descriptions (for the matplotlib fallback) and their wire format.
    """

    def __init__(self, send: Callable[[list[dict], list[dict], dict], None]) -> None:
        self._send = send
        self._roots: list[Any] = []
        self._watches: dict[int, _Watch] = {}
        self._descriptions: dict[int, dict[str, Any]] = {}

    @property
    def objects(self) -> tuple[Any, ...]:
        return tuple(self._roots)

    @property
    def descriptions(self) -> list[dict[str, Any]]:
        return [self._descriptions[id(r)] for r in self._roots]

    def add(self, objects: tuple[Any, ...]) -> None:
        require_pythreejs()
        new = []
        for obj in objects:
            if any(obj is r for r in self._roots) or any(obj is o for o, _ in new):
                raise ValueError(f"This {_kind(obj)} is already in the player: add an object once.")
            new.append((obj, self._describe(obj)))  # raises before anything is added
        for obj, desc in new:
            self._roots.append(obj)
            self._descriptions[id(obj)] = desc
            self._watches[id(obj)] = _Watch(obj, self._changed)
        self._publish()

    def remove(self, objects: tuple[Any, ...]) -> None:
        for obj in objects:
            if not any(obj is r for r in self._roots):
                raise ValueError(f"This {_kind(obj)} is not in the player (player.extras lists what is).")
        for obj in objects:
            self._roots = [r for r in self._roots if r is not obj]
            self._watches.pop(id(obj)).close()
            del self._descriptions[id(obj)]
        self._publish()

    def clear(self) -> None:
        self.remove(tuple(self._roots))

    @staticmethod
    def _describe(obj: Any) -> dict[str, Any]:
        desc = describe(obj)
        model_id = getattr(obj, "model_id", None) or f"py{id(obj):x}"
        return {"id": str(model_id), **desc}

    def _changed(self, root: Any) -> None:
        self._descriptions[id(root)] = self._describe(root)
        self._publish()

    def _publish(self) -> None:
        descriptions = self.descriptions
        objects, data = wire(descriptions)
        self._send(descriptions, objects, data)


def display_name(desc: dict[str, Any]) -> str:
    """How to name an object description in messages: its name, else its type."""
    return f"{desc['type']} {desc['name']!r}" if desc.get("name") else desc["type"]
