"""Scene extras a browser cannot build and draw are refused: ``player.add`` and trait changes
raise a ValueError naming the limit (``MAX_VERTICES`` / ``MAX_INDICES``, all extras together),
and a rejected change is set back. Primitive sizes are computed from their parameters exactly
as three.js builds them (checked against three.js itself)."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("pythreejs")
import pythreejs as p3

from cleo_player import Player
from cleo_player import extras as ex
from cleo_player.recording import GroupData, Recording

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def player() -> Player:
    frame_t = np.arange(3) * 1e-3
    g = GroupData.from_spikes("g", np.zeros((4, 3)), np.array([0], np.uint32), np.array([0.0]), frame_t, 1e-3)
    return Player(Recording(1e-3, frame_t, 3e-3, (g,)))


def mesh(geometry) -> p3.Mesh:
    return p3.Mesh(geometry, p3.MeshBasicMaterial(color="#00ff00"))


def points(n: int, index: int = 0) -> p3.Points:
    attrs = {"position": p3.BufferAttribute(np.zeros((n, 3), np.float32))}
    geom = p3.BufferGeometry(attributes=attrs)
    if index:
        geom.index = p3.BufferAttribute(np.zeros(index, np.uint32), normalized=False)
    return p3.Points(geom, p3.PointsMaterial())


# --- sizes as three.js builds them ------------------------------------------------------------
PI = float(np.pi)
SPHERE = {"radius": 1, "phiStart": 0, "phiLength": 6.3}
CYLINDER = {"height": 3, "thetaStart": 0, "thetaLength": 6.3}
SIZE_CASES = [
    ("SphereGeometry", {**SPHERE, "widthSegments": 32, "heightSegments": 16, "thetaStart": 0, "thetaLength": PI}),
    ("SphereGeometry", {**SPHERE, "widthSegments": 7, "heightSegments": 5, "thetaStart": 0.3, "thetaLength": 2}),
    ("SphereGeometry", {**SPHERE, "widthSegments": 7, "heightSegments": 5, "thetaStart": 0, "thetaLength": 2}),
    ("SphereGeometry", {**SPHERE, "widthSegments": 1, "heightSegments": 1, "thetaStart": 0, "thetaLength": PI}),
    ("BoxGeometry", {"width": 1, "height": 2, "depth": 3, "widthSegments": 2, "heightSegments": 3, "depthSegments": 4}),
    ("CylinderGeometry", {**CYLINDER, "radiusTop": 1, "radiusBottom": 2, "radialSegments": 16, "heightSegments": 2,
                          "openEnded": False}),
    ("CylinderGeometry", {**CYLINDER, "radiusTop": 1, "radiusBottom": 1, "radialSegments": 8, "heightSegments": 3,
                          "openEnded": True}),
    ("CylinderGeometry", {**CYLINDER, "radiusTop": 0, "radiusBottom": 0, "radialSegments": 5, "heightSegments": 3,
                          "openEnded": False}),
    ("ConeGeometry", {**CYLINDER, "radius": 4, "radialSegments": 10, "heightSegments": 3, "openEnded": False}),
    ("ConeGeometry", {**CYLINDER, "radius": 4, "radialSegments": 10, "heightSegments": 1, "openEnded": True}),
    ("PlaneGeometry", {"width": 10, "height": 20, "widthSegments": 3, "heightSegments": 4}),
]  # fmt: skip
THREE_ARGS = {
    "SphereGeometry": "radius widthSegments heightSegments phiStart phiLength thetaStart thetaLength",
    "BoxGeometry": "width height depth widthSegments heightSegments depthSegments",
    "CylinderGeometry": "radiusTop radiusBottom height radialSegments heightSegments openEnded thetaStart thetaLength",
    "ConeGeometry": "radius height radialSegments heightSegments openEnded thetaStart thetaLength",
    "PlaneGeometry": "width height widthSegments heightSegments",
}


@pytest.mark.skipif(
    shutil.which("node") is None or not (ROOT / "node_modules/three").exists(), reason="needs node + three"
)
def test_primitive_sizes_are_what_threejs_builds():
    calls = [f"new THREE.{k}({', '.join(json.dumps(p[a]) for a in THREE_ARGS[k].split())})" for k, p in SIZE_CASES]
    js = (
        f"import * as THREE from 'three'; const gs = [{', '.join(calls)}];"
        "console.log(JSON.stringify(gs.map((g) => [g.attributes.position.count, g.index.count])));"
    )
    node = [shutil.which("node") or "node", "--input-type=module", "-e", js]
    out = subprocess.run(node, cwd=ROOT, capture_output=True, text=True, timeout=60, check=False)
    assert out.returncode == 0, out.stderr
    for (kind, params), counts in zip(SIZE_CASES, json.loads(out.stdout), strict=True):
        assert list(ex.primitive_size(kind, params)) == counts, (kind, params)


def test_the_sphere_of_the_issue_is_400m_vertices():
    d = ex.describe(mesh(p3.SphereGeometry(widthSegments=20000, heightSegments=20000)))
    assert ex.drawn_size(d) == (20001 * 20001, 6 * 20000 * 20000 - 2 * 3 * 20000)


# --- player.add ---------------------------------------------------------------------------------
def test_add_refuses_the_huge_sphere_and_names_the_limit(player):
    huge = mesh(p3.SphereGeometry(widthSegments=20000, heightSegments=20000))
    with pytest.raises(ValueError, match=r"400,040,001 vertices.*MAX_VERTICES = 2,000,000") as err:
        player.add(huge)
    assert "SphereGeometry" not in str(err.value) or "Mesh" in str(err.value)
    assert player.extras == () and player._extras == [] and player._extras_data == {}


def test_the_limit_is_on_all_extras_together(player):
    big = mesh(p3.SphereGeometry(widthSegments=999, heightSegments=999))  # 1,000,000 vertices
    player.add(big)
    player.add(mesh(p3.SphereGeometry(widthSegments=999, heightSegments=998)))  # 999,000: 1,999,000 in all
    with pytest.raises(ValueError, match=r"2,000,681 vertices.*MAX_VERTICES"):
        player.add(mesh(p3.PlaneGeometry(1, 1, 40, 40)))  # 1681 more
    assert len(player.extras) == 2
    # several objects in one call count together, and none of them is added
    player.remove(*player.extras)
    with pytest.raises(ValueError, match="MAX_VERTICES"):
        player.add(big, mesh(p3.SphereGeometry(widthSegments=1000, heightSegments=999)))  # 2,001,000
    assert player.extras == ()


@pytest.mark.filterwarnings("ignore:64-bit data types:UserWarning")
def test_buffer_geometries_count_their_arrays(player):
    with pytest.raises(ValueError, match=r"2,000,001 vertices.*MAX_VERTICES"):
        player.add(points(ex.MAX_VERTICES + 1))
    with pytest.raises(ValueError, match=r"12,000,001 index entries.*MAX_INDICES = 12,000,000"):
        player.add(points(3, index=ex.MAX_INDICES + 1))
    player.add(points(ex.MAX_VERTICES))  # at the limit: accepted
    assert len(player.extras) == 1


def test_children_count_too(player):
    group = p3.Group()
    group.add(mesh(p3.SphereGeometry(widthSegments=1500, heightSegments=1500)))
    group.add(mesh(p3.SphereGeometry(widthSegments=500, heightSegments=500)))
    with pytest.raises(ValueError, match=r"2,504,002 vertices.*The largest is Group"):
        player.add(group)


# --- trait changes --------------------------------------------------------------------------------
def test_a_change_past_the_limit_raises_and_is_set_back(player):
    sphere = mesh(p3.SphereGeometry(10, 32, 16))
    player.add(sphere)
    before = (player._extras, player._extras_data)
    with pytest.raises(ValueError, match=r"MAX_VERTICES.*widthSegments was set back to 32"):
        sphere.geometry.widthSegments = 200_000  # x 16 segments: 3.4M vertices
    assert sphere.geometry.widthSegments == 32
    assert (player._extras, player._extras_data) == before
    sphere.geometry.widthSegments = 64  # within the limit: followed as before
    assert player._extras[0]["geometry"]["params"]["widthSegments"] == 64


@pytest.mark.filterwarnings("ignore:64-bit data types:UserWarning")
def test_structural_changes_past_the_limit_are_set_back(player):
    group = p3.Group()
    player.add(group)
    huge = mesh(p3.PlaneGeometry(1, 1, 3000, 3000))
    with pytest.raises(ValueError, match="MAX_VERTICES"):
        group.add(huge)  # children = (huge,)
    assert group.children == ()
    cloud = points(10)
    player.add(cloud)
    with pytest.raises(ValueError, match="MAX_VERTICES"):
        cloud.geometry.attributes["position"].array = np.zeros((ex.MAX_VERTICES + 1, 3), np.float32)
    assert len(cloud.geometry.attributes["position"].array) == 10
    assert player._extras[1]["geometry"]["attributes"]["position"]["count"] == 10


def test_zero_segments_are_refused():
    """three.js divides by them (a box of 0 segments has infinite coordinates)."""
    with pytest.raises(ValueError, match=r"widthSegments must be at least 1, got 0"):
        ex.describe(mesh(p3.BoxGeometry(1, 1, 1, 0)))
    with pytest.raises(ValueError, match=r"radialSegments must be at least 1"):
        ex.describe(mesh(p3.CylinderGeometry(1, 1, 1, 0)))
    ex.describe(mesh(p3.SphereGeometry(1, 0, 0)))  # three.js makes it 3 x 2
