"""Scene extras (pythreejs objects, :mod:`cleo_player.extras`) on mplot3d axes, for the video.

Meshes become ``Poly3DCollection`` s (shaded for the lit materials, edges only for
``wireframe``), lines ``Line3DCollection`` s and points scatters, drawn once with the static
layers (:mod:`cleo_player.video.frames`). Primitive geometries are triangulated as three.js
does. What matplotlib cannot draw in reasonable time (more than :data:`MAX_TRIANGLES`
triangles or :data:`MAX_POINTS` points) is skipped, with one warning naming the objects.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
from matplotlib.artist import Artist

from cleo_player.extras import LIT_MATERIALS, display_name

MAX_TRIANGLES = 100_000
MAX_POINTS = 200_000
WIREFRAME_LW = 0.6  # points
SHADE_AMBIENT = 0.45  # lit materials: brightness of a face turned away from the light


# --- primitives, triangulated as three.js r187 does -------------------------------------------
def _grid(nu: int, nv: int) -> np.ndarray:
    """Two triangles (a, b, d), (b, c, d) per cell of an (nv+1) x (nu+1) vertex grid."""
    iy, ix = np.mgrid[0:nv, 0:nu]
    a = ix + (nu + 1) * iy
    b = ix + (nu + 1) * (iy + 1)
    c = ix + 1 + (nu + 1) * (iy + 1)
    d = ix + 1 + (nu + 1) * iy
    return np.stack([np.stack([a, b, d], -1), np.stack([b, c, d], -1)], 2).reshape(-1, 3)


def _cells(a: np.ndarray, b: np.ndarray, c: np.ndarray, d: np.ndarray, keep: np.ndarray) -> np.ndarray:
    """Triangles (a, b, d) then (b, c, d) of each cell, in cell order, where ``keep[..., 0|1]``."""
    tris = np.stack([np.stack([a, b, d], -1), np.stack([b, c, d], -1)], -2)  # (..., 2, 3)
    return tris[np.broadcast_to(keep, tris.shape[:-1])]


def sphere(radius: float, widthSegments: int, heightSegments: int, phiStart: float, phiLength: float,
           thetaStart: float, thetaLength: float) -> tuple[np.ndarray, np.ndarray]:  # fmt: skip
    ws, hs = max(3, int(widthSegments)), max(2, int(heightSegments))
    theta_end = min(thetaStart + thetaLength, np.pi)
    v, u = np.mgrid[0 : hs + 1, 0 : ws + 1] / np.array([hs, ws])[:, None, None]
    phi, theta = phiStart + u * phiLength, thetaStart + v * thetaLength
    verts = np.stack(
        [-radius * np.cos(phi) * np.sin(theta), radius * np.cos(theta), radius * np.sin(phi) * np.sin(theta)], -1
    )
    iy, ix = np.mgrid[0:hs, 0:ws]
    a, b = ix + 1 + (ws + 1) * iy, ix + (ws + 1) * iy
    c, d = ix + (ws + 1) * (iy + 1), ix + 1 + (ws + 1) * (iy + 1)
    keep = np.stack([(iy != 0) | (thetaStart > 0), (iy != hs - 1) | (theta_end < np.pi)], -1)
    return verts.reshape(-1, 3), _cells(a, b, c, d, keep)


def box(width: float, height: float, depth: float, widthSegments: int, heightSegments: int,
        depthSegments: int) -> tuple[np.ndarray, np.ndarray]:  # fmt: skip
    segs = {"x": max(1, int(widthSegments)), "y": max(1, int(heightSegments)), "z": max(1, int(depthSegments))}
    axis = {"x": 0, "y": 1, "z": 2}
    planes = [  # u, v, w, udir, vdir, width, height, depth (three.js BoxGeometry's order)
        ("z", "y", "x", -1, -1, depth, height, width),
        ("z", "y", "x", 1, -1, depth, height, -width),
        ("x", "z", "y", 1, 1, width, depth, height),
        ("x", "z", "y", 1, -1, width, depth, -height),
        ("x", "y", "z", 1, -1, width, height, depth),
        ("x", "y", "z", -1, -1, width, height, -depth),
    ]
    verts, faces, n = [], [], 0
    for u, v, w, udir, vdir, pw, ph, pd in planes:
        gx, gy = segs[u], segs[v]
        y, x = np.mgrid[0 : gy + 1, 0 : gx + 1]
        p = np.zeros((gy + 1, gx + 1, 3))
        p[..., axis[u]] = (x * pw / gx - pw / 2) * udir
        p[..., axis[v]] = (y * ph / gy - ph / 2) * vdir
        p[..., axis[w]] = pd / 2
        verts.append(p.reshape(-1, 3))
        faces.append(_grid(gx, gy) + n)
        n += (gx + 1) * (gy + 1)
    return np.concatenate(verts), np.concatenate(faces)


def cylinder(radiusTop: float, radiusBottom: float, height: float, radialSegments: int, heightSegments: int,
             openEnded: bool, thetaStart: float, thetaLength: float) -> tuple[np.ndarray, np.ndarray]:  # fmt: skip
    rs, hs = max(1, int(radialSegments)), max(1, int(heightSegments))
    half = height / 2
    v, u = np.mgrid[0 : hs + 1, 0 : rs + 1] / np.array([hs, rs])[:, None, None]
    r = v * (radiusBottom - radiusTop) + radiusTop
    theta = u * thetaLength + thetaStart
    verts = [np.stack([r * np.sin(theta), -v * height + half, r * np.cos(theta)], -1).reshape(-1, 3)]
    ix, iy = np.mgrid[0:rs, 0:hs]  # three.js: around, then down
    a, b = ix + (rs + 1) * iy, ix + (rs + 1) * (iy + 1)
    c, d = ix + 1 + (rs + 1) * (iy + 1), ix + 1 + (rs + 1) * iy
    keep = np.stack([(radiusTop > 0) | (iy != 0), (radiusBottom > 0) | (iy != hs - 1)], -1)
    faces = [_cells(a, b, c, d, keep)]
    n = (hs + 1) * (rs + 1)
    for top in (True, False):
        radius = radiusTop if top else radiusBottom
        if openEnded or radius <= 0:
            continue
        sign = 1 if top else -1
        centers = np.tile([0.0, half * sign, 0.0], (rs, 1))
        th = np.arange(rs + 1) / rs * thetaLength + thetaStart
        rim = np.stack([radius * np.sin(th), np.full(rs + 1, half * sign), radius * np.cos(th)], -1)
        verts += [centers, rim]
        x = np.arange(rs)
        cidx, i = n + x, n + rs + x
        faces.append(np.stack([i, i + 1, cidx], -1) if top else np.stack([i + 1, i, cidx], -1))
        n += 2 * rs + 1
    return np.concatenate(verts), np.concatenate(faces)


def cone(radius: float, height: float, radialSegments: int, heightSegments: int, openEnded: bool,
         thetaStart: float, thetaLength: float) -> tuple[np.ndarray, np.ndarray]:  # fmt: skip
    return cylinder(0.0, radius, height, radialSegments, heightSegments, openEnded, thetaStart, thetaLength)


def plane(width: float, height: float, widthSegments: int, heightSegments: int) -> tuple[np.ndarray, np.ndarray]:
    gx, gy = max(1, int(widthSegments)), max(1, int(heightSegments))
    y, x = np.mgrid[0 : gy + 1, 0 : gx + 1]
    verts = np.stack([x * width / gx - width / 2, -(y * height / gy - height / 2), np.zeros_like(x, float)], -1)
    return verts.reshape(-1, 3), _grid(gx, gy)


PRIMITIVES = {
    "SphereGeometry": sphere,
    "BoxGeometry": box,
    "CylinderGeometry": cylinder,
    "ConeGeometry": cone,
    "PlaneGeometry": plane,
}


def geometry_arrays(geom: dict[str, Any]) -> tuple[np.ndarray, np.ndarray | None, np.ndarray | None]:
    """(positions (n, 3), index or None, vertex colours (n, 3) or None) of a geometry description."""
    if geom["kind"] == "BufferGeometry":
        attrs = geom["attributes"]
        return attrs["position"].astype(float), geom["index"], attrs.get("color")
    verts, faces = PRIMITIVES[geom["kind"]](**geom["params"])
    return verts, faces.ravel().astype(np.int64), None


# --- transforms -------------------------------------------------------------------------------
def _axis_rotation(axis: str, angle: float) -> np.ndarray:
    c, s = np.cos(angle), np.sin(angle)
    i, j = {"X": (1, 2), "Y": (2, 0), "Z": (0, 1)}[axis]
    m = np.eye(3)
    m[i, i], m[i, j], m[j, i], m[j, j] = c, -s, s, c
    return m


def local_matrix(desc: dict[str, Any]) -> np.ndarray:
    """An object's 4x4 transform as three.js composes it: T · R · S (or its ``matrix``)."""
    if desc["matrix"] is not None:
        return np.asarray(desc["matrix"], dtype=float).reshape(4, 4).T  # three.js: column-major
    if desc["quaternion"] is not None:
        x, y, z, w = desc["quaternion"]
        rot = np.array([
            [1 - 2 * (y * y + z * z), 2 * (x * y - z * w), 2 * (x * z + y * w)],
            [2 * (x * y + z * w), 1 - 2 * (x * x + z * z), 2 * (y * z - x * w)],
            [2 * (x * z - y * w), 2 * (y * z + x * w), 1 - 2 * (x * x + y * y)],
        ])  # fmt: skip
    else:
        *angles, order = desc["rotation"]
        angle = dict(zip("XYZ", angles))
        rot = np.eye(3)
        for axis in order:  # three.js: order "XYZ" is Rx · Ry · Rz
            rot = rot @ _axis_rotation(axis, angle[axis])
    m = np.eye(4)
    m[:3, :3] = rot * np.asarray(desc["scale"])
    m[:3, 3] = desc["position"]
    return m


def _apply(m: np.ndarray, pts: np.ndarray) -> np.ndarray:
    return pts @ m[:3, :3].T + m[:3, 3]


# --- drawing ----------------------------------------------------------------------------------
def draw_extras(ax: Any, extras: list[dict[str, Any]], legend: Any = None) -> list[Artist]:
    """Draw the extras' descriptions on ``ax`` (axis units); returns the artists. Warns once,
    naming them, about objects too big to draw. The axis limits are left as they were, and a
    ``loc="best"`` ``legend`` stays where it is without the extras.
    """
    if not extras:
        return []
    if legend is not None:
        pin_legend(ax, legend)
    lims = (ax.get_xlim(), ax.get_ylim(), ax.get_zlim())
    artists: list[Artist] = []
    skipped: list[str] = []
    for desc in extras:
        _draw(ax, desc, np.eye(4), display_name(desc), artists, skipped)
    ax.set(xlim=lims[0], ylim=lims[1], zlim=lims[2])
    if skipped:
        warnings.warn(
            f"The matplotlib fallback skipped {len(skipped)} scene extra(s) too big to draw: "
            f"{'; '.join(skipped)}. They are drawn in the interactive player (and in save_html).",
            stacklevel=2,
        )
    return artists


def pin_legend(ax: Any, legend: Any) -> None:
    """Fix a ``loc="best"`` legend at the location "best" picks now, before extras are drawn.

    "best" weighs every path of the axes: each triangle of a mesh. With a large mesh that
    takes seconds per draw, and the legend would move away from where cleo puts it.
    """
    set_loc = getattr(legend, "set_loc", None) or legend._set_loc  # matplotlib < 3.8
    try:
        canvas = ax.figure.canvas
        canvas.draw()  # projects the 3D artists, which "best" avoids
        renderer = canvas.get_renderer()
        best = legend.get_window_extent(renderer).bounds
        for code in range(1, 11):  # "upper right" ... "center"
            set_loc(code)
            if np.allclose(legend.get_window_extent(renderer).bounds, best, atol=0.5):
                return
    except (AttributeError, TypeError):  # a canvas that cannot draw by itself
        pass
    set_loc("upper right")


def _draw(ax: Any, desc: dict[str, Any], parent: np.ndarray, path: str, artists: list, skipped: list) -> None:
    if not desc["visible"]:
        return
    world = parent @ local_matrix(desc)
    if desc["type"] != "Group" and desc["material"]["visible"]:
        reason = _draw_one(ax, desc, world, artists)
        if reason:
            skipped.append(f"{path} ({reason})")
    for child in desc["children"]:
        _draw(ax, child, world, f"{path} > {display_name(child)}", artists, skipped)


def _rgba(mat: dict[str, Any], vertex_rgb: np.ndarray | None) -> np.ndarray:
    """(k, 4) colours: the material colour (times vertex colours, as three.js multiplies them)."""
    alpha = mat["opacity"] if mat["transparent"] else 1.0
    rgb = np.asarray(mat["color"], dtype=float)[None, :]
    if vertex_rgb is not None and mat["vertexColors"]:
        rgb = rgb * vertex_rgb
    return np.column_stack([rgb, np.full(len(rgb), alpha)])


def _shade(tri: np.ndarray) -> np.ndarray:
    """Per triangle, a brightness factor for the lit materials: ambient plus a light from
    matplotlib's default 3D light direction (both faces lit, as both are drawn).
    """
    from matplotlib.colors import LightSource

    normal = np.cross(tri[:, 1] - tri[:, 0], tri[:, 2] - tri[:, 0])
    length = np.linalg.norm(normal, axis=1, keepdims=True)
    unit = np.divide(normal, length, out=np.zeros_like(normal), where=length > 0)
    direction = LightSource(azdeg=225, altdeg=19.4712).direction
    return SHADE_AMBIENT + (1 - SHADE_AMBIENT) * np.abs(unit @ direction)


def _add(ax: Any, col: Any) -> Any:
    try:
        ax.add_collection3d(col, autolim=False)
    except TypeError:  # matplotlib < 3.9
        ax.add_collection3d(col)
    return col


def _draw_one(ax: Any, desc: dict[str, Any], world: np.ndarray, artists: list) -> str | None:
    """Draw one object; the reason it was skipped, or None."""
    from mpl_toolkits.mplot3d.art3d import Line3DCollection, Poly3DCollection

    mat, kind = desc["material"], desc["type"]
    pos, index, colors = geometry_arrays(desc["geometry"])
    if not len(pos):
        return None
    pts = _apply(world, pos)
    order = index if index is not None else np.arange(len(pts))
    label = desc["name"] or None
    if kind == "Mesh":
        tri = order[: len(order) // 3 * 3].reshape(-1, 3)
        if len(tri) > MAX_TRIANGLES:
            return f"{len(tri)} triangles, more than {MAX_TRIANGLES}"
        face_rgb = colors[tri].mean(axis=1) if colors is not None else None
        rgba = _rgba(mat, face_rgb)
        if mat.get("wireframe"):
            col = Poly3DCollection(pts[tri], facecolors="none", edgecolors=rgba, linewidths=WIREFRAME_LW, label=label)
        else:
            rgba = np.array(np.broadcast_to(rgba, (len(tri), 4)))
            if mat["kind"] in LIT_MATERIALS:
                rgba[:, :3] *= _shade(pts[tri])[:, None]
            col = Poly3DCollection(pts[tri], facecolors=rgba, edgecolors="none", label=label)
        artists.append(_add(ax, col))
    elif kind == "Points":
        if len(pts) > MAX_POINTS:
            return f"{len(pts)} points, more than {MAX_POINTS}"
        rgba = _rgba(mat, colors)
        dpi = ax.figure.dpi
        if mat["sizeAttenuation"]:  # world-sized points: as cleo sizes its light points
            a = np.array([ax.get_xlim(), ax.get_ylim(), ax.get_zlim()])
            biggest = float(np.max(np.abs(a[:, 1] - a[:, 0])))
            biggest_pt = max(ax.bbox.height, ax.bbox.width) / dpi * 72
            size_pt = mat["size"] / biggest * biggest_pt
        else:  # pixels
            size_pt = mat["size"] * 72 / dpi
        artists.append(
            ax.scatter(pts[:, 0], pts[:, 1], pts[:, 2], c=rgba, s=max(size_pt, 0.5) ** 2,
                       edgecolors="none", depthshade=False, label=label)
        )  # fmt: skip
    else:  # Line, LineSegments, LineLoop
        if kind == "LineSegments":
            seg = order[: len(order) // 2 * 2].reshape(-1, 2)
        else:
            chain = np.append(order, order[0]) if kind == "LineLoop" and len(order) > 2 else order
            seg = np.column_stack([chain[:-1], chain[1:]])
        if len(seg) > MAX_TRIANGLES:
            return f"{len(seg)} segments, more than {MAX_TRIANGLES}"
        seg_rgb = colors[seg].mean(axis=1) if colors is not None else None
        rgba = _rgba(mat, seg_rgb)
        col = Line3DCollection(pts[seg], colors=rgba, linewidths=mat["linewidth"], label=label)
        artists.append(_add(ax, col))
    return None
