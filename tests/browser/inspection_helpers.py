"""Helpers for the inspection tests (hover, selection, legend toggling): where the recording's
neurons land on the canvas, computed here from the view's camera and the recording's positions
(not by the picking code under test), and what the page shows of the inspection."""

from __future__ import annotations

from typing import Any

import numpy as np
from browser_helpers import view_eval

from cleo_player.video.timeline import neuron_rows, raster_bands


def neuron_positions(player: Any) -> np.ndarray:
    """Every neuron's position (axis units), in global index order."""
    return np.concatenate([g.positions for g in player.scene.groups])


def group_sizes(player: Any) -> list[tuple[str, int]]:
    return [(g.name, len(g.positions)) for g in player.scene.groups]


def screen_positions(page: Any, selector: str, pos: np.ndarray) -> tuple[np.ndarray, np.ndarray, dict]:
    """Canvas coordinates (CSS px from its top-left corner) of the neurons at ``pos`` (axis
    units, global index order), and the canvas's size (``w``, ``h``; ``x`` = ``y`` = 0): projected here with
    the view's camera matrices. (Canvas coordinates: the page may scroll between two steps of a
    test; :func:`page_point` gives the page coordinates of the moment.)"""
    cam = view_eval(
        page,
        selector,
        """(v) => { v.scene.updateMatrixWorld(); v.camera.updateMatrixWorld();
          const r = v.renderer.domElement.getBoundingClientRect();
          return { p: [...v.camera.projectionMatrix.elements], vi: [...v.camera.matrixWorldInverse.elements],
                   m: [...v.content.matrixWorld.elements],
                   rect: { x: r.left, y: r.top, w: r.width, h: r.height } }; }""",
    )

    def mat(e: list[float]) -> np.ndarray:
        return np.asarray(e, dtype=float).reshape(4, 4).T  # three.js stores column-major

    hom = np.c_[pos, np.ones(len(pos))]
    clip = hom @ (mat(cam["p"]) @ mat(cam["vi"]) @ mat(cam["m"])).T
    ndc = clip[:, :3] / clip[:, 3:4]
    rect = {**cam["rect"], "x": 0.0, "y": 0.0}
    x = (ndc[:, 0] + 1) / 2 * rect["w"]
    y = (1 - ndc[:, 1]) / 2 * rect["h"]
    return x, y, rect


def page_point(page: Any, selector: str, x: float, y: float) -> tuple[float, float]:
    """Page coordinates, now, of the point (x, y) of the view's canvas."""
    r = page.locator(f"{selector} canvas.cleo-canvas").bounding_box()
    return r["x"] + float(x), r["y"] + float(y)


def canvas_box(page: Any, selector: str, element: str) -> dict:
    """The bounding box of ``element`` (inside ``selector``) in canvas coordinates."""
    r = page.locator(f"{selector} canvas.cleo-canvas").bounding_box()
    b = page.locator(f"{selector} {element}").bounding_box()
    return {**b, "x": b["x"] - r["x"], "y": b["y"] - r["y"]}


def isolated_neurons(
    x: np.ndarray, y: np.ndarray, rect: dict, *, spacing: float = 16, avoid: list[dict] = ()
) -> np.ndarray:
    """Global indices of neurons inside the canvas with no other neuron within ``spacing`` px on
    screen, and outside the boxes ``avoid`` (canvas coordinates: legend...): under the pointer
    there, exactly that neuron is meant."""
    d = np.hypot(x[:, None] - x[None, :], y[:, None] - y[None, :])
    np.fill_diagonal(d, np.inf)
    ok = d.min(1) > spacing
    margin = 30
    ok &= (x > rect["x"] + margin) & (x < rect["x"] + rect["w"] - margin)
    ok &= (y > rect["y"] + margin) & (y < rect["y"] + rect["h"] - margin)
    for b in avoid:
        ok &= ~(
            (x > b["x"] - 20) & (x < b["x"] + b["width"] + 20) & (y > b["y"] - 20) & (y < b["y"] + b["height"] + 20)
        )
    return np.flatnonzero(ok)


def group_and_index(sizes: list[tuple[str, int]], n: int) -> tuple[int, str, int]:
    """(group index, group name, index within the group) of global neuron ``n``, for groups of
    these (name, size)."""
    offset = 0
    for k, (name, size) in enumerate(sizes):
        if n < offset + size:
            return k, name, n - offset
        offset += size
    raise IndexError(n)


def raster_rows(player: Any, n: int, rows: int, hidden: tuple[str, ...] = ()) -> tuple[int, int]:
    """Rows [r0, r1) of neuron ``n`` in a raster ``rows`` device px tall (the video's layout,
    which the browser's mirrors)."""
    groups = player.scene.groups
    bands = raster_bands([len(g.positions) for g in groups], [g.name in hidden for g in groups], rows)
    k, _, i = group_and_index(group_sizes(player), n)
    for g, y0, y1 in bands:
        if g == k:
            r0, r1 = neuron_rows(len(groups[k].positions), y0, y1)
            return int(r0[i]), int(r1[i])
    raise ValueError(f"group {k} is hidden")


def inspection(page: Any, selector: str) -> dict:
    """What the view's inspector holds: selected (global indices), hovered, hidden, rings drawn,
    static layer builds, grid builds."""
    return view_eval(
        page,
        selector,
        """(v) => ({ selected: [...v.inspector.selected], hovered: v.inspector.hovered,
                    hidden: [...v.inspector.hidden], rings: v.inspector.rings.count,
                    builds: v.layer.builds, grids: v.inspector.gridBuilds, renders: v.renders })""",
    )
