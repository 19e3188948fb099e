"""Scene extras: pythreejs objects in the player's scene (cleo_player.extras, Player.add/remove,
save_html, the matplotlib fallback). The browser side is in tests/browser/test_scene_extras.py."""

from __future__ import annotations

import base64
import json
import re
import shutil
import subprocess
import sys
import textwrap
import warnings
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("pythreejs")
import pythreejs as p3

from cleo_player import Player
from cleo_player.extras import describe, wire
from cleo_player.recording import GroupData, Recording
from cleo_player.video import extras as mpl_extras

ROOT = Path(__file__).resolve().parents[1]


# --- fixtures ---------------------------------------------------------------------------------
def disk_recording(n: int = 300, n_frames: int = 5) -> Recording:
    """Neurons in the seed tutorial's cylinder (radius 1 mm, z from 0.3 to 0.4 mm)."""
    rng = np.random.default_rng(3)
    r, th = np.sqrt(rng.uniform(0, 1, n)) * 1e-3, rng.uniform(0, 2 * np.pi, n)
    pos = np.column_stack([r * np.cos(th), r * np.sin(th), rng.uniform(300e-6, 400e-6, n)])
    frame_t = np.arange(n_frames) * 1e-3
    g = GroupData.from_spikes("exc", pos, np.array([0], np.uint32), np.array([0.0]), frame_t, 1e-3)
    return Recording(1e-3, frame_t, n_frames * 1e-3, (g,))


@pytest.fixture
def player() -> Player:
    return Player(disk_recording(), colors=["xkcd:tomato"], zlim=(0, 600))


def green_box(**kwargs) -> p3.Mesh:
    return p3.Mesh(p3.BoxGeometry(200, 200, 100), p3.MeshBasicMaterial(color="#00ff00"), **kwargs)


def attr(values, dtype=np.float32, **kwargs) -> p3.BufferAttribute:
    return p3.BufferAttribute(np.asarray(values, dtype=dtype), **kwargs)


TRIANGLE = [[0, 0, 0], [100, 0, 0], [0, 100, 0]]


# --- conversion: objects ----------------------------------------------------------------------
@pytest.mark.parametrize(
    "cls, material",
    [
        (p3.Mesh, p3.MeshBasicMaterial()),
        (p3.Points, p3.PointsMaterial()),
        (p3.Line, p3.LineBasicMaterial()),
        (p3.LineSegments, p3.LineBasicMaterial()),
        (p3.LineLoop, p3.LineBasicMaterial()),
    ],
)
def test_object_types_and_transform(cls, material):
    obj = cls(
        p3.SphereGeometry(5), material, position=(10, -20, 300), rotation=(0.1, 0.2, 0.3, "ZYX"),
        scale=(2, 3, 4), name="thing", visible=False, renderOrder=3,
    )  # fmt: skip
    d = describe(obj)
    assert d["type"] == cls.__name__
    assert d["name"] == "thing" and d["visible"] is False and d["renderOrder"] == 3
    assert d["position"] == [10.0, -20.0, 300.0]
    assert d["rotation"][3] == "ZYX" and d["rotation"][:3] == pytest.approx([0.1, 0.2, 0.3])
    assert d["scale"] == [2.0, 3.0, 4.0]
    assert d["quaternion"] is None and d["matrix"] is None
    assert d["geometry"]["kind"] == "SphereGeometry" and d["geometry"]["params"]["radius"] == 5.0
    assert d["material"]["kind"] == type(material).__name__
    assert d["children"] == []


def test_group_with_nested_children():
    inner = p3.Group(position=(0, 0, 5), name="inner")
    inner.add(p3.Points(p3.BoxGeometry(), p3.PointsMaterial(size=4), name="dots"))
    group = p3.Group(position=(1, 2, 3), name="outer", children=(green_box(name="box"), inner))
    d = describe(group)
    assert d["type"] == "Group" and "geometry" not in d and "material" not in d
    assert [c["name"] for c in d["children"]] == ["box", "inner"]
    assert d["children"][0]["geometry"]["params"]["width"] == 200.0
    assert d["children"][1]["position"] == [0.0, 0.0, 5.0]
    dots = d["children"][1]["children"][0]
    assert dots["type"] == "Points" and dots["material"]["size"] == 4.0


def test_subclass_of_a_supported_type_is_that_type():
    class Marker(p3.Mesh):
        pass

    assert describe(Marker(p3.SphereGeometry(), p3.MeshBasicMaterial()))["type"] == "Mesh"


def test_the_rotation_set_last_wins(player):
    m = green_box()
    m.quaternion = (0, 0, np.sin(np.pi / 4), np.cos(np.pi / 4))  # set before: used (not identity)
    player.add(m)
    assert player._extras[0]["quaternion"] == pytest.approx([0, 0, np.sin(np.pi / 4), np.cos(np.pi / 4)])
    m.rotation = (0.5, 0, 0, "XYZ")  # set last: the Euler angles, as in three.js
    assert player._extras[0]["quaternion"] is None and player._extras[0]["rotation"][0] == 0.5
    m.quaternion = (0, 0, 0, 1)  # set last, even the identity
    assert player._extras[0]["quaternion"] == [0.0, 0.0, 0.0, 1.0]


def test_quaternion_wins_when_set_and_matrix_when_not_auto():
    m = green_box()
    m.setRotationFromMatrix([0, 1, 0, -1, 0, 0, 0, 0, 1])  # sets the quaternion
    d = describe(m)
    assert d["quaternion"] is not None and np.linalg.norm(d["quaternion"]) == pytest.approx(1)
    m2 = green_box(matrixAutoUpdate=False)
    m2.matrix = (2, 0, 0, 0, 0, 2, 0, 0, 0, 0, 2, 0, 10, 20, 30, 1)  # three.js order: column-major
    d2 = describe(m2)
    assert d2["matrix"] == [2.0, 0, 0, 0, 0, 2.0, 0, 0, 0, 0, 2.0, 0, 10.0, 20.0, 30.0, 1.0]
    np.testing.assert_allclose(mpl_extras.local_matrix(d2) @ [1, 1, 1, 1], [12, 22, 32, 1])


# --- conversion: geometries -------------------------------------------------------------------
@pytest.mark.parametrize(
    "geom, kind, params",
    [
        (p3.SphereGeometry(7, 12, 9, 0.1, 3.0, 0.2, 2.0), "SphereGeometry",
         dict(radius=7.0, widthSegments=12, heightSegments=9, phiStart=0.1, phiLength=3.0, thetaStart=0.2, thetaLength=2.0)),
        (p3.BoxGeometry(1, 2, 3, 4, 5, 6), "BoxGeometry",
         dict(width=1.0, height=2.0, depth=3.0, widthSegments=4, heightSegments=5, depthSegments=6)),
        (p3.CylinderGeometry(1, 2, 3, 16, 2, True, 0.5, 3.0), "CylinderGeometry",
         dict(radiusTop=1.0, radiusBottom=2.0, height=3.0, radialSegments=16, heightSegments=2, openEnded=True,
              thetaStart=0.5, thetaLength=3.0)),
        (p3.ConeGeometry(4, 9, 10, 3, False, 0.0, 6.0), "ConeGeometry",
         dict(radius=4.0, height=9.0, radialSegments=10, heightSegments=3, openEnded=False, thetaStart=0.0, thetaLength=6.0)),
        (p3.PlaneGeometry(10, 20, 3, 4), "PlaneGeometry", dict(width=10.0, height=20.0, widthSegments=3, heightSegments=4)),
        (p3.SphereBufferGeometry(2), "SphereGeometry", None),
        (p3.BoxBufferGeometry(2, 2, 2), "BoxGeometry", None),
        (p3.CylinderBufferGeometry(2), "CylinderGeometry", None),
        (p3.PlaneBufferGeometry(2, 2), "PlaneGeometry", None),
    ],
)  # fmt: skip
def test_primitive_geometries(geom, kind, params):
    d = describe(p3.Mesh(geom, p3.MeshBasicMaterial()))["geometry"]
    assert d["kind"] == kind
    if params is not None:
        assert d["params"] == params
        assert all(type(v) is type(params[k]) for k, v in d["params"].items())


@pytest.mark.filterwarnings("ignore:64-bit data types:UserWarning")  # pythreejs's, for the float64 positions
def test_buffer_geometry_attributes():
    geom = p3.BufferGeometry(
        attributes={
            "position": attr(TRIANGLE * 2, np.float64),
            "normal": attr([[0, 0, 1]] * 6),
            "color": attr([[255, 0, 0], [0, 255, 0], [0, 0, 255]] * 2, np.uint8),
            "uv": attr([[0, 0]] * 6),  # ignored
        },
        index=attr([0, 1, 2, 5, 4, 3], np.uint16, normalized=False),
    )
    d = describe(p3.Mesh(geom, p3.MeshBasicMaterial(vertexColors="VertexColors")))
    g = d["geometry"]
    assert g["kind"] == "BufferGeometry" and set(g["attributes"]) == {"position", "normal", "color"}
    np.testing.assert_array_equal(g["attributes"]["position"], np.array(TRIANGLE * 2, np.float32))
    assert g["attributes"]["position"].dtype == np.float32
    np.testing.assert_array_equal(g["attributes"]["normal"][:, 2], 1)
    np.testing.assert_allclose(g["attributes"]["color"][:3], np.eye(3))  # normalised uint8
    np.testing.assert_array_equal(g["index"], [0, 1, 2, 5, 4, 3])
    assert g["index"].dtype == np.uint32
    assert d["material"]["vertexColors"] is True


def test_index_in_attributes_and_2d_positions():
    geom = p3.BufferGeometry(
        attributes={"position": attr([[0, 0], [1, 0], [0, 1]]), "index": attr([2, 1, 0], np.uint32, normalized=False)}
    )
    g = describe(p3.Line(geom, p3.LineBasicMaterial()))["geometry"]
    np.testing.assert_array_equal(g["attributes"]["position"], [[0, 0, 0], [1, 0, 0], [0, 1, 0]])
    np.testing.assert_array_equal(g["index"], [2, 1, 0])


def test_from_geometry_of_a_primitive():
    geom = p3.BufferGeometry.from_geometry(p3.SphereGeometry(3))
    assert describe(p3.Mesh(geom, p3.MeshBasicMaterial()))["geometry"]["params"]["radius"] == 3.0


# --- conversion: materials --------------------------------------------------------------------
def test_materials_carry_their_parameters():
    common = dict(color="rgb(255, 128, 0)", opacity=0.4, transparent=True, side="DoubleSide", depthWrite=False)
    basic = describe(p3.Mesh(p3.BoxGeometry(), p3.MeshBasicMaterial(wireframe=True, **common)))["material"]
    assert basic == {
        "kind": "MeshBasicMaterial", "color": pytest.approx([1.0, 128 / 255, 0.0]), "opacity": 0.4,
        "transparent": True, "side": "DoubleSide", "vertexColors": False, "depthTest": True,
        "depthWrite": False, "visible": True, "wireframe": True,
    }  # fmt: skip
    lambert = describe(p3.Mesh(p3.BoxGeometry(), p3.MeshLambertMaterial(color="steelblue", emissive="#202020")))
    m = lambert["material"]
    assert m["kind"] == "MeshLambertMaterial" and m["color"] == pytest.approx([70 / 255, 130 / 255, 180 / 255])
    assert m["emissive"] == pytest.approx([32 / 255] * 3) and m["emissiveIntensity"] == 1.0
    phong = describe(p3.Mesh(p3.BoxGeometry(), p3.MeshPhongMaterial(shininess=80, specular="#fff", flatShading=True)))
    assert phong["material"]["shininess"] == 80.0 and phong["material"]["specular"] == [1.0, 1.0, 1.0]
    assert phong["material"]["flatShading"] is True
    standard = describe(p3.Mesh(p3.BoxGeometry(), p3.MeshStandardMaterial(roughness=0.2, metalness=0.7)))["material"]
    assert (standard["roughness"], standard["metalness"]) == (pytest.approx(0.2), pytest.approx(0.7))
    points = describe(p3.Points(p3.BoxGeometry(), p3.PointsMaterial(size=5, sizeAttenuation=False, color="red")))
    assert points["material"]["size"] == 5.0 and points["material"]["sizeAttenuation"] is False
    assert points["material"]["color"] == [1.0, 0.0, 0.0]
    line = describe(p3.Line(p3.BoxGeometry(), p3.LineBasicMaterial(linewidth=3, color="#0000ff")))
    assert line["material"]["linewidth"] == 3.0 and line["material"]["color"] == [0.0, 0.0, 1.0]


# --- errors -----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "make, error, pattern",
    [
        (lambda: p3.Sprite(), TypeError, r"Sprite is not supported.*Supported objects: Mesh, Points, Line, LineSegments, LineLoop, Group"),
        (lambda: p3.PointLight(), TypeError, r"PointLight is not supported"),
        (lambda: p3.LineSegments2(p3.LineSegmentsGeometry(positions=np.zeros((1, 2, 3), np.float32)), p3.LineMaterial()), TypeError, r"LineSegments2 is not supported"),
        (lambda: p3.Mesh(p3.TorusGeometry(), p3.MeshBasicMaterial()), TypeError,
         r"TorusGeometry is not supported\. Supported geometries: BufferGeometry, SphereGeometry, BoxGeometry, CylinderGeometry, ConeGeometry, PlaneGeometry"),
        (lambda: p3.Mesh(p3.Geometry(), p3.MeshBasicMaterial()), TypeError, r"Mesh\.geometry: pythreejs Geometry is not supported"),
        (lambda: p3.Mesh(p3.BoxGeometry(), p3.MeshNormalMaterial()), TypeError,
         r"MeshNormalMaterial is not supported\. A Mesh takes MeshBasicMaterial, MeshLambertMaterial, MeshPhongMaterial, MeshStandardMaterial"),
        (lambda: p3.Mesh(p3.BoxGeometry(), p3.ShaderMaterial()), TypeError, r"ShaderMaterial is not supported"),
        (lambda: p3.Points(p3.BoxGeometry(), p3.MeshBasicMaterial()), TypeError,
         r"MeshBasicMaterial does not go with a Points\. A Points takes PointsMaterial"),
        (lambda: p3.Line(p3.BoxGeometry(), p3.PointsMaterial()), TypeError, r"does not go with a Line\. A Line takes LineBasicMaterial"),
        (lambda: p3.Group(children=(p3.Mesh(p3.BoxGeometry(), p3.MeshDepthMaterial()),)), TypeError,
         r"Group\.children\[0\] \(Mesh\)\.material: pythreejs MeshDepthMaterial is not supported"),
        (lambda: p3.Mesh(p3.BoxGeometry(), p3.MeshBasicMaterial(vertexColors="FaceColors")), ValueError, r"FaceColors.*VertexColors"),
        (lambda: p3.Mesh(p3.BoxGeometry(), p3.MeshBasicMaterial(map=p3.Texture())), ValueError, r"textures are not supported.*map"),
        (lambda: p3.Mesh(p3.BufferGeometry(attributes={"normal": attr([[0, 0, 1]])}), p3.MeshBasicMaterial()), ValueError,
         r"needs a 'position' attribute"),
        (lambda: p3.Mesh(p3.BufferGeometry(attributes={"position": attr(TRIANGLE)}, index=attr([0, 1, 3], np.uint32)),
                         p3.MeshBasicMaterial()), ValueError, r"index must hold integer vertex indices in 0\.\.2"),
        (lambda: p3.Mesh(p3.BufferGeometry(attributes={"position": attr(TRIANGLE), "color": attr([[1, 0, 0]])}),
                         p3.MeshBasicMaterial()), ValueError, r"'color'\] must have shape \(3, 3\)"),
    ],
)  # fmt: skip
def test_unsupported_things_say_what_is_supported(make, error, pattern):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # pythreejs's own warnings (e.g. 64-bit arrays)
        obj = make()
    with pytest.raises(error, match=pattern):
        describe(obj)


def test_colours():
    from cleo_player.extras import css_rgb

    assert css_rgb("#f00") == [1.0, 0.0, 0.0] and css_rgb("#00FF80") == pytest.approx([0, 1, 128 / 255])
    assert css_rgb("rgb(255, 0, 51)") == pytest.approx([1, 0, 0.2]) and css_rgb("rgb(100%, 50%, 0%)") == [1, 0.5, 0]
    assert css_rgb("DarkOrange") == pytest.approx([1, 140 / 255, 0])
    with pytest.raises(ValueError, match=r"Mesh.material.color: cannot read the colour 'hsl\(1, 2, 3\)'"):
        css_rgb("hsl(1, 2, 3)", "Mesh.material.color")


def test_player_add_rejects_before_adding(player):
    ok = green_box()
    with pytest.raises(TypeError, match="Sprite is not supported"):
        player.add(ok, p3.Sprite())
    assert player.extras == () and player._extras == []
    with pytest.raises(TypeError, match=r"str \(not a pythreejs object\) is not supported as a scene extra"):
        player.add("a string")


# --- the Player -------------------------------------------------------------------------------
def test_add_remove_and_synced_state(player):
    box, dots = (
        green_box(position=(0, 0, 300)),
        p3.Points(
            p3.BufferGeometry(attributes={"position": attr([[1, 2, 3], [4, 5, 6]])}), p3.PointsMaterial(color="yellow")
        ),
    )
    player.add(box, dots)
    assert player.extras == (box, dots)
    assert [e["type"] for e in player._extras] == ["Mesh", "Points"]
    assert player._extras[0]["id"] == box.model_id and player._extras[0]["position"] == [0.0, 0.0, 300.0]
    json.dumps(player._extras)  # plain JSON: arrays travel in _extras_data
    key = player._extras[1]["geometry"]["key"]
    assert player._extras[1]["geometry"]["attributes"] == {"position": {"itemSize": 3, "count": 2}}
    np.testing.assert_array_equal(np.frombuffer(player._extras_data[key]["position"], np.float32), [1, 2, 3, 4, 5, 6])
    # the renderers' scene holds the same objects (the matplotlib fallback draws those)
    assert [d["id"] for d in player.scene.extras] == [box.model_id, dots.model_id]
    # widget state (saved with the notebook): arrays are binary buffers
    from ipywidgets.widgets.widget import _remove_buffers

    _, paths, _ = _remove_buffers(player.get_state())
    assert ["_extras_data", key, "position"] in paths
    with pytest.raises(ValueError, match="already in the player"):
        player.add(box)
    player.remove(box)
    assert player.extras == (dots,) and [e["type"] for e in player._extras] == ["Points"]
    with pytest.raises(ValueError, match="not in the player"):
        player.remove(box)
    player.remove(dots)
    assert player._extras == [] and player._extras_data == {} and player.scene.extras == []


def test_refresh_keeps_extras(player):
    box = green_box()
    player.add(box)
    player.refresh()
    assert [d["id"] for d in player.scene.extras] == [box.model_id]


def test_trait_changes_update_the_player(player):
    box = green_box(position=(0, 0, 300))
    player.add(box)
    sent = []
    player.observe(lambda c: sent.append(c["new"]), names="_extras")
    key = player._extras[0]["geometry"]["key"]

    box.position = (100, -50, 250)
    assert player._extras[0]["position"] == [100.0, -50.0, 250.0]
    assert player.scene.extras[0]["position"] == [100.0, -50.0, 250.0]
    box.rotation = (0, 0, 1.5, "XYZ")
    assert player._extras[0]["rotation"] == [0.0, 0.0, 1.5, "XYZ"]
    box.scale = (1, 1, 2)
    assert player._extras[0]["scale"] == [1.0, 1.0, 2.0]
    box.material.color = "#ff00ff"
    assert player._extras[0]["material"]["color"] == [1.0, 0.0, 1.0]
    box.material.transparent, box.material.opacity = True, 0.25
    assert player._extras[0]["material"]["opacity"] == 0.25 and player._extras[0]["material"]["transparent"]
    assert player._extras[0]["geometry"]["key"] == key  # the geometry did not change
    box.geometry.width = 50
    assert player._extras[0]["geometry"]["params"]["width"] == 50.0
    assert player._extras[0]["geometry"]["key"] != key
    assert len(sent) == 7  # one update per change

    # a new geometry is followed; the old one is not any more
    old = box.geometry
    box.geometry = p3.SphereGeometry(30)
    assert player._extras[0]["geometry"]["kind"] == "SphereGeometry"
    n = len(sent)
    old.width = 999
    assert len(sent) == n
    box.geometry.radius = 40
    assert player._extras[0]["geometry"]["params"]["radius"] == 40.0

    # removed objects are not followed
    player.remove(box)
    n = len(sent)
    box.position = (0, 0, 0)
    assert len(sent) == n and player._extras == []


def test_buffer_attribute_and_children_changes(player):
    pos = attr(TRIANGLE)
    mesh = p3.Mesh(p3.BufferGeometry(attributes={"position": pos}), p3.MeshBasicMaterial())
    group = p3.Group(children=(mesh,))
    player.add(group)
    key = player._extras[0]["children"][0]["geometry"]["key"]
    pos.array = np.array(TRIANGLE, np.float32) * 2
    new_key = player._extras[0]["children"][0]["geometry"]["key"]
    assert new_key != key and list(player._extras_data) == [new_key]  # the old arrays are dropped
    np.testing.assert_array_equal(
        np.frombuffer(player._extras_data[new_key]["position"], np.float32).reshape(-1, 3), np.array(TRIANGLE) * 2
    )
    # a child added to the group appears, and is followed
    marker = green_box(name="marker")
    group.add(marker)
    assert [c["name"] for c in player._extras[0]["children"]] == ["", "marker"]
    marker.position = (7, 8, 9)
    assert player._extras[0]["children"][1]["position"] == [7.0, 8.0, 9.0]
    group.remove(marker)
    assert len(player._extras[0]["children"]) == 1
    marker.position = (1, 1, 1)  # no longer part of the scene: nothing to do, nothing raised


def test_a_change_to_something_unsupported_raises_and_keeps_the_last_state(player):
    box = green_box()
    player.add(box)
    before = player._extras
    with pytest.raises(TypeError, match="MeshNormalMaterial is not supported"):
        box.material = p3.MeshNormalMaterial()
    assert player._extras == before
    box.material = p3.MeshLambertMaterial(color="red")  # back to something supported
    assert player._extras[0]["material"]["kind"] == "MeshLambertMaterial"


def test_moving_a_mesh_resends_no_vertices(player):
    verts = np.random.default_rng(0).uniform(0, 100, (3000, 3)).astype(np.float32)
    mesh = p3.Mesh(p3.BufferGeometry(attributes={"position": attr(verts)}), p3.MeshBasicMaterial())
    player.add(mesh)
    data_changes = []
    player.observe(lambda c: data_changes.append(c), names="_extras_data")
    mesh.position = (10, 10, 10)
    assert data_changes == []  # _extras changed, _extras_data (the arrays) did not


def test_wire_keys_follow_content():
    a = describe(green_box())
    b = describe(green_box(position=(5, 5, 5)))
    (wa, wb), _ = wire([a, b])
    assert wa["geometry"]["key"] == wb["geometry"]["key"] and wa["material"]["key"] == wb["material"]["key"]
    c = describe(p3.Mesh(p3.BoxGeometry(201, 200, 100), p3.MeshBasicMaterial(color="#00ff01")))
    (wc,), _ = wire([c])
    assert wc["geometry"]["key"] != wa["geometry"]["key"] and wc["material"]["key"] != wa["material"]["key"]


# --- save_html ----------------------------------------------------------------------------------
def test_save_html_holds_the_extras(player, tmp_path):
    verts = np.array(TRIANGLE, np.float32)
    tri = p3.Mesh(p3.BufferGeometry(attributes={"position": attr(verts)}), p3.MeshBasicMaterial(color="red"))
    player.add(green_box(position=(0, 0, 300)), tri)
    html = player.save_html(tmp_path / "x.html").read_text()
    state = json.loads(re.search(r'id="cleo-player-state">(.*?)</script>', html, re.DOTALL).group(1))
    assert state["_extras"] == player._extras
    key = player._extras[1]["geometry"]["key"]
    np.testing.assert_array_equal(
        np.frombuffer(base64.b64decode(state["_extras_data"][key]["position"]["$base64"]), np.float32), verts.ravel()
    )


# --- without pythreejs --------------------------------------------------------------------------
def test_cleo_player_works_without_pythreejs():
    code = textwrap.dedent(
        """
        import sys
        sys.modules["pythreejs"] = None  # as if not installed
        import numpy as np
        import cleo_player
        from cleo_player import Player
        from cleo_player.recording import GroupData, Recording
        ft = np.arange(3) * 1e-3
        g = GroupData.from_spikes("g", np.zeros((2, 3)), np.array([0], np.uint32), np.array([0.0]), ft, 1e-3)
        player = Player(Recording(1e-3, ft, 3e-3, (g,)))
        assert player._extras == [] and player.extras == ()
        try:
            player.add(object())
        except ImportError as e:
            print("IMPORTERROR", e)
        """
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert (
        'IMPORTERROR Scene extras are pythreejs objects, and pythreejs is not installed: pip install "cleo-player[pythreejs]"'
        in out.stdout
    )


# --- the matplotlib fallback ----------------------------------------------------------------------
def _render(player: Player) -> tuple[np.ndarray, object]:
    from cleo_player.video import FrameRenderer

    r = FrameRenderer(player.scene)
    return r.frame(0)[..., :3].astype(int), r.frames


def _centre_px(frames, point) -> np.ndarray:
    xy, _ = frames.project(np.array([point], float))
    h = frames.fig3d.canvas.get_width_height(physical=True)[1]
    return np.array([xy[0, 0], h - xy[0, 1]])  # image coordinates (rows from the top)


def test_matplotlib_draws_a_mesh_where_it_projects(player):
    before, _ = _render(player)
    player.add(green_box(position=(-500, 0, 350)))
    after, frames = _render(player)
    changed = np.abs(after - before).max(-1) > 40
    green = changed & (after[..., 1] > 150) & (after[..., 0] < 100) & (after[..., 2] < 100)
    assert green.sum() > 150, green.sum()
    rows, cols = np.nonzero(green)
    centroid = np.array([cols.mean(), rows.mean()])
    expected = _centre_px(frames, (-500, 0, 350))
    assert np.linalg.norm(centroid - expected) < 8, (centroid, expected)
    # the rest of the picture is unchanged (the axes kept their limits)
    assert (changed & ~green).sum() < green.sum()

    # moving it in Python moves it in the video (the scene follows the trait)
    player.extras[0].position = (500, 0, 350)
    moved, frames = _render(player)
    green2 = (np.abs(moved - before).max(-1) > 40) & (moved[..., 1] > 150) & (moved[..., 0] < 100)
    rows, cols = np.nonzero(green2)
    expected2 = _centre_px(frames, (500, 0, 350))
    assert np.linalg.norm(np.array([cols.mean(), rows.mean()]) - expected2) < 8
    assert np.linalg.norm(expected2 - expected) > 50


def test_matplotlib_depth_follows_invert_z(player):
    """An object at z = 100 is drawn above one at z = 500 (z is depth, drawn downward)."""
    shallow = p3.Mesh(p3.SphereGeometry(60, 16, 8), p3.MeshBasicMaterial(color="#00ff00"), position=(0, 0, 100))
    deep = p3.Mesh(p3.SphereGeometry(60, 16, 8), p3.MeshBasicMaterial(color="#ff00ff"), position=(0, 0, 500))
    player.add(shallow, deep)
    img, _ = _render(player)
    green = (img[..., 1] > 150) & (img[..., 0] < 100) & (img[..., 2] < 100)
    magenta = (img[..., 0] > 150) & (img[..., 2] > 150) & (img[..., 1] < 100)
    assert green.sum() > 50 and magenta.sum() > 50
    assert np.nonzero(green)[0].mean() < np.nonzero(magenta)[0].mean() - 20  # rows from the top


def test_matplotlib_draws_lines_points_lit_and_wireframe(player):
    line = p3.Line(p3.BufferGeometry(attributes={"position": attr([[-900, -900, 100], [900, 900, 500]])}),
                   p3.LineBasicMaterial(color="#00ff00", linewidth=3))  # fmt: skip
    pts = p3.Points(p3.BufferGeometry(attributes={"position": attr([[-600, 600, 300], [600, -600, 300]])}),
                    p3.PointsMaterial(color="#ff00ff", size=12, sizeAttenuation=False))  # fmt: skip
    lit = p3.Mesh(p3.SphereGeometry(150, 24, 12), p3.MeshPhongMaterial(color="#0000ff"), position=(600, 600, 300))
    wire_ = p3.Mesh(p3.BoxGeometry(300, 300, 300), p3.MeshBasicMaterial(color="#ffff00", wireframe=True),
                    position=(-600, -600, 300))  # fmt: skip
    player.add(line, pts, lit, wire_)
    img, frames = _render(player)
    assert ((img[..., 1] > 150) & (img[..., 0] < 100) & (img[..., 2] < 100)).sum() > 100  # the line
    magenta = (img[..., 0] > 150) & (img[..., 2] > 150) & (img[..., 1] < 100)
    assert magenta.sum() > 30
    blue = (img[..., 2] > 80) & (img[..., 0] < 60) & (img[..., 1] < 60)
    assert blue.sum() > 200
    shades = np.unique(img[blue][:, 2])
    assert shades.max() - shades.min() > 40  # lit: the sphere's faces are shaded
    yellow = (img[..., 0] > 150) & (img[..., 1] > 150) & (img[..., 2] < 100)
    assert yellow.sum() > 50
    cy, cx = np.nonzero(yellow)
    centre = _centre_px(frames, (-600, -600, 300))
    # a wireframe: its edges, not a filled box (the centre pixel is not yellow)
    assert not yellow[int(round(centre[1])), int(round(centre[0]))]


def test_matplotlib_warns_about_objects_it_skips(player, monkeypatch):
    monkeypatch.setattr(mpl_extras, "MAX_TRIANGLES", 500)
    big = p3.Mesh(p3.SphereGeometry(100, 64, 32), p3.MeshBasicMaterial(color="#00ff00"), name="big sphere")
    small = green_box(name="small box", position=(-500, 0, 300))
    group = p3.Group(name="region", children=(big,))
    player.add(small, group)
    with pytest.warns(UserWarning) as record:
        img, _ = _render(player)
    messages = [str(w.message) for w in record if "matplotlib fallback skipped" in str(w.message)]
    assert len(messages) == 1, messages
    assert "Group 'region' > Mesh 'big sphere' (3968 triangles, more than 500)" in messages[0]
    assert "small box" not in messages[0]
    green = (img[..., 1] > 150) & (img[..., 0] < 100) & (img[..., 2] < 100)
    assert green.sum() > 100  # the small box is drawn all the same

    monkeypatch.setattr(mpl_extras, "MAX_TRIANGLES", 100_000)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        _render(player)  # nothing skipped, no warning


def test_legend_stays_where_best_puts_it_without_the_extras():
    """loc="best" would weigh every triangle of a mesh (seconds per draw for big meshes) and move
    the legend away from where cleo puts it: it is pinned where "best" puts it before."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.collections import PolyCollection
    from matplotlib.figure import Figure

    fig = Figure()
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    t = np.linspace(0.55, 1, 300)
    ax.scatter(t, t, label="data in the upper right")  # "best" goes elsewhere
    ax.set(xlim=(0, 1), ylim=(0, 1))
    legend = ax.legend()
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    best = legend.get_window_extent(renderer)
    mpl_extras.pin_legend(ax, legend)
    # many small triangles over the legend: "best" would move it; the pinned legend stays
    x0, y0 = ax.transAxes.inverted().transform((best.x0, best.y0))
    x1, y1 = ax.transAxes.inverted().transform((best.x1, best.y1))
    xs, ys = np.meshgrid(np.linspace(x0, x1, 40), np.linspace(y0, y1, 40))
    tris = np.stack(
        [np.c_[xs.ravel(), ys.ravel()], np.c_[xs.ravel() + 0.01, ys.ravel()], np.c_[xs.ravel(), ys.ravel() + 0.01]], 1
    )
    ax.add_collection(PolyCollection(tris))
    fig.canvas.draw()
    assert legend.get_window_extent(renderer).bounds == pytest.approx(best.bounds)
    legend.set_loc("upper right")
    assert legend.get_window_extent(renderer).bounds != pytest.approx(best.bounds)  # the test can tell


def test_matplotlib_in_other_axis_units():
    """Extras are in axis units: with axis_scale_unit=mm, a mesh at z = 0.35 sits in the
    neurons' layer, where a mesh at z = 350 sits with µm."""
    import brian2 as b2

    results = []
    for unit, z, size in ((b2.um, 350, 200), (b2.mm, 0.35, 0.2)):
        pl = Player(disk_recording(), axis_scale_unit=unit, colors=["xkcd:tomato"])
        pl.add(p3.Mesh(p3.BoxGeometry(size, size, size / 2), p3.MeshBasicMaterial(color="#00ff00"), position=(0, 0, z)))
        img, _ = _render(pl)
        green = (img[..., 1] > 150) & (img[..., 0] < 100) & (img[..., 2] < 100)
        rows, cols = np.nonzero(green)
        results.append((green.sum(), cols.mean(), rows.mean()))
    (n1, x1, y1), (n2, x2, y2) = results
    assert n1 > 100 and abs(n1 - n2) < 0.1 * n1 and abs(x1 - x2) < 2 and abs(y1 - y2) < 2


# --- primitives triangulated as three.js does ------------------------------------------------------
PRIMITIVE_CASES = [
    ("SphereGeometry", dict(radius=7, widthSegments=12, heightSegments=9, phiStart=0.1, phiLength=3.0, thetaStart=0.2, thetaLength=2.0)),
    ("SphereGeometry", dict(radius=1, widthSegments=8, heightSegments=6, phiStart=0, phiLength=2 * np.pi, thetaStart=0, thetaLength=np.pi)),
    ("BoxGeometry", dict(width=1, height=2, depth=3, widthSegments=2, heightSegments=3, depthSegments=4)),
    ("CylinderGeometry", dict(radiusTop=1, radiusBottom=2, height=3, radialSegments=16, heightSegments=2, openEnded=False, thetaStart=0.5, thetaLength=3.0)),
    ("CylinderGeometry", dict(radiusTop=1, radiusBottom=1, height=3, radialSegments=8, heightSegments=1, openEnded=True, thetaStart=0, thetaLength=2 * np.pi)),
    ("ConeGeometry", dict(radius=4, height=9, radialSegments=10, heightSegments=3, openEnded=False, thetaStart=0, thetaLength=6.0)),
    ("PlaneGeometry", dict(width=10, height=20, widthSegments=3, heightSegments=4)),
]  # fmt: skip


@pytest.mark.skipif(
    shutil.which("node") is None or not (ROOT / "node_modules/three").exists(), reason="needs node + three"
)
def test_primitives_match_threejs():
    args = {
        "SphereGeometry": "radius widthSegments heightSegments phiStart phiLength thetaStart thetaLength",
        "BoxGeometry": "width height depth widthSegments heightSegments depthSegments",
        "CylinderGeometry": "radiusTop radiusBottom height radialSegments heightSegments openEnded thetaStart thetaLength",
        "ConeGeometry": "radius height radialSegments heightSegments openEnded thetaStart thetaLength",
        "PlaneGeometry": "width height widthSegments heightSegments",
    }
    calls = [f"new THREE.{k}({', '.join(json.dumps(p[a]) for a in args[k].split())})" for k, p in PRIMITIVE_CASES]
    js = (
        "import * as THREE from 'three';"
        f"const gs = [{', '.join(calls)}];"
        "console.log(JSON.stringify(gs.map((g) => [Array.from(g.attributes.position.array), Array.from(g.index.array)])));"
    )
    out = subprocess.run(
        ["node", "--input-type=module", "-e", js], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert out.returncode == 0, out.stderr
    for (kind, params), (pos, index) in zip(PRIMITIVE_CASES, json.loads(out.stdout)):
        verts, faces = mpl_extras.PRIMITIVES[kind](**params)
        np.testing.assert_allclose(verts, np.reshape(pos, (-1, 3)), atol=1e-5, err_msg=kind)
        np.testing.assert_array_equal(faces.ravel(), index, err_msg=kind)


def test_local_matrix_matches_threejs_composition():
    """T · R · S with three.js Euler orders: rotating (1, 0, 0) by 90° about z gives (0, 1, 0);
    order matters as in three.js ("XYZ" = Rx · Ry · Rz)."""
    d = describe(green_box(position=(1, 2, 3), rotation=(0, 0, np.pi / 2, "XYZ"), scale=(2, 2, 2)))
    m = mpl_extras.local_matrix(d)
    np.testing.assert_allclose(m @ [1, 0, 0, 1], [1, 4, 3, 1], atol=1e-12)
    rx, rz = np.pi / 2, np.pi / 2
    xyz = mpl_extras.local_matrix(describe(green_box(rotation=(rx, 0, rz, "XYZ"))))
    zyx = mpl_extras.local_matrix(describe(green_box(rotation=(rx, 0, rz, "ZYX"))))
    np.testing.assert_allclose(xyz[:3, :3] @ [1, 0, 0], [0, 0, 1], atol=1e-12)  # Rx · Rz
    np.testing.assert_allclose(zyx[:3, :3] @ [1, 0, 0], [0, 1, 0], atol=1e-12)  # Rz · Rx
    q = green_box()
    q.quaternion = (0, 0, np.sin(np.pi / 4), np.cos(np.pi / 4))
    np.testing.assert_allclose(mpl_extras.local_matrix(describe(q))[:3, :3] @ [1, 0, 0], [0, 1, 0], atol=1e-12)
