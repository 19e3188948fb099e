"""Player files (``player.save("run.npz")`` / ``Player("run.npz")``): everything the player shows
travels in one file, replays identically (also in a fresh interpreter, without cleo), and a
file that is not one, is damaged or too new is refused with a clear error."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
import textwrap
import zipfile
from typing import TYPE_CHECKING

import brian2 as b2
import numpy as np
import pytest

from cleo_player import Player, Recorder, Recording, scene_file
from cleo_player.payload import scene_payload
from cleo_player.recording import GroupData

if TYPE_CHECKING:
    from pathlib import Path

p3 = pytest.importorskip("pythreejs")


@pytest.fixture(scope="module")
def device_player(tmp_path_factory):
    """A network with a Light (two fibres), a Probe and a Scope, a mesh and a BufferGeometry
    extra, non-default view settings; and the file it saves."""
    import cleo
    from cleo.coords import assign_coords_rand_rect_prism
    from cleo.ephys import Probe, linear_shank_coords
    from cleo.imaging import Scope, gcamp6f
    from cleo.light import Light, fiber473nm

    b2.prefs.codegen.target = "numpy"
    ng = b2.NeuronGroup(
        200, "dv/dt = (1.5 - v) / (5*ms) : 1", threshold="v > 1", reset="v = 0", method="exact", name="cells"
    )
    ng.v = "rand()"
    assign_coords_rand_rect_prism(ng, xlim=(-0.3, 0.3), ylim=(-0.3, 0.3), zlim=(0.2, 0.3))
    sim = cleo.CLSimulator(b2.Network(ng))
    light = Light(coords=[(0, 0, 0), (0.2, 0, 0)] * b2.mm, light_model=fiber473nm(), max_value=10 * b2.mwatt / b2.mm2)
    sim.inject(light, ng)
    sim.inject(Probe(coords=linear_shank_coords(0.4 * b2.mm, 4, start_location=(-0.25, -0.25, 0.05) * b2.mm)), ng)
    scope = Scope(sensor=gcamp6f(), img_width=0.6 * b2.mm, focus_depth=0.25 * b2.mm)
    sim.inject(scope, ng)
    scope.inject_sensor_for_targets()
    light.update([5, 2] * b2.mwatt / b2.mm2)
    rec = Recorder(dt=1 * b2.ms, devices="all")
    sim.inject(rec, ng)
    sim.run(6 * b2.ms)
    player = Player(sim, colors=["xkcd:tomato"], zlim=(0, 500), speed=0.05, loop="pingpong", height=420)
    player.decay = 2.5
    tri = p3.BufferGeometry(
        attributes={
            "position": p3.BufferAttribute(np.array([[0, 0, 0], [100, 0, 0], [0, 100, 0]], np.float32)),
            "color": p3.BufferAttribute(np.eye(3, dtype=np.float32)),
        }
    )
    player.add(
        p3.Mesh(p3.BoxGeometry(80, 80, 40), p3.MeshBasicMaterial(color="#00ff00"), position=(100, 0, 200)),
        p3.Mesh(tri, p3.MeshBasicMaterial(vertexColors="VertexColors"), name="triangle"),
    )
    path = player.save(tmp_path_factory.mktemp("files") / "run.npz")
    return player, path


def digest(meta: dict, data: dict, extras: list, extras_data: dict) -> dict:
    """Everything a player sends to the browser, with its buffers hashed."""
    return {
        "meta": meta,
        "data": {k: hashlib.sha256(bytes(v)).hexdigest() for k, v in sorted(data.items())},
        "extras": extras,
        "extras_data": {
            key: {name: hashlib.sha256(bytes(b)).hexdigest() for name, b in sorted(bufs.items())}
            for key, bufs in sorted(extras_data.items())
        },
    }


def player_digest(p: Player) -> dict:
    return json.loads(json.dumps(digest(p._meta, p._data, p._extras, p._extras_data)))


# --- replay ---------------------------------------------------------------------------------
def test_file_replays_what_the_player_sends(device_player):
    player, path = device_player
    again = Player(path)
    assert player_digest(again) == player_digest(player)
    meta = again._meta
    assert [d["name"] for d in meta["lights"]] == ["Light"] and meta["lights"][0]["n_sources"] == 2
    assert len(meta["probes"][0]["contacts"]) == 4 and len(meta["scopes"][0]["rois"]) > 0
    assert len(again._extras) == 2 and again._extras[1]["name"] == "triangle"
    assert (again.speed, again.loop, again.decay, again.height) == (0.05, "pingpong", 2.5, 420)
    assert repr(again) == "Player(cells: 200 neurons; 6 frames of 1 ms; devices: Light, Probe, Scope)"
    assert again.recording.equals(player.recording)


def test_keyword_arguments_override_the_saved_view(device_player):
    _, path = device_player
    p = Player(path, speed=1.0, loop="once", decay=0 * b2.ms, height=300)
    assert (p.speed, p.loop, p.decay, p.height) == (1.0, "once", 0.0, 300)


def test_extras_added_to_a_replayed_player_come_after_the_saved_ones(device_player, tmp_path):
    player, path = device_player
    again = Player(path)
    sphere = p3.Mesh(p3.SphereGeometry(30), p3.MeshBasicMaterial(color="red"), name="added")
    again.add(sphere)
    assert [e["name"] for e in again._extras] == ["", "triangle", "added"]
    assert again.extras == (sphere,)
    again.remove(sphere)
    assert player_digest(again) == player_digest(player)
    # and saved again, all three travel
    again.add(sphere)
    third = Player(again.save(tmp_path / "again.npz"))
    assert [e["name"] for e in third._extras] == ["", "triangle", "added"]


def test_video_fallback_draws_the_same_frame(device_player):
    from cleo_player import video

    player, path = device_player
    again = Player(path)
    a = video.render_frame(player.scene, 3)
    b = video.render_frame(again.scene, 3)
    assert a.shape == b.shape and np.array_equal(a, b)


def test_recording_load_reads_the_recording_of_a_player_file(device_player):
    player, path = device_player
    assert Recording.load(path).equals(player.recording)


def test_a_recording_file_plays_without_a_scene_and_takes_plotargs(device_player, tmp_path):
    player, _ = device_player
    path = player.recording.save(tmp_path / "rec.npz")
    p = Player(path, colors=["blue"])
    assert p._meta["lights"] == [] and p._meta["groups"][0]["color"] == [0.0, 0.0, 1.0]
    assert repr(p) == "Player(cells: 200 neurons; 6 frames of 1 ms)"


def test_plotargs_with_a_player_file_are_refused(device_player):
    _, path = device_player
    with pytest.raises(TypeError, match=r"holds its scene as it was drawn: plot arguments \(colors\) do not apply"):
        Player(path, colors=["red"])


def test_save_npz_takes_no_video_options(device_player, tmp_path):
    player, _ = device_player
    with pytest.raises(TypeError, match="no export options, got fps"):
        player.save(tmp_path / "x.npz", fps=3)
    with pytest.raises(ValueError, match=r"is an \.npz file"):
        scene_file.save(tmp_path / "x.zip", player.scene)


REPLAY = """
import hashlib, json, sys
import cleo_player
from cleo_player import Player
p = Player(sys.argv[1])
d = {
    "meta": p._meta,
    "data": {k: hashlib.sha256(bytes(v)).hexdigest() for k, v in sorted(p._data.items())},
    "extras": p._extras,
    "extras_data": {
        key: {n: hashlib.sha256(bytes(b)).hexdigest() for n, b in sorted(bufs.items())}
        for key, bufs in sorted(p._extras_data.items())
    },
}
heavy = sorted(m for m in ("cleo", "neo", "xarray", "pandas", "pythreejs", "nbconvert") if m in sys.modules)
print(json.dumps({"digest": d, "heavy": heavy, "repr": repr(p)}))
"""


def test_a_fresh_interpreter_replays_the_file_without_cleo(device_player):
    player, path = device_player
    out = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(REPLAY), str(path)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result["heavy"] == [], f"replaying imported {result['heavy']}"
    assert result["digest"] == player_digest(player)
    assert result["repr"] == repr(Player(path))


def test_importing_the_package_imports_no_cleo():
    code = (
        "import sys\n"
        "heavy = ('cleo', 'neo', 'xarray', 'pandas', 'pythreejs', 'nbconvert', 'ipywidgets', 'anywidget', "
        "'cleo_player.recorder', 'cleo_player.export')\n"
        "import cleo_player\n"
        "print(sorted(m for m in heavy if m in sys.modules))\n"
        "from cleo_player import Player, Recording, Scene\n"  # the widget: ipywidgets and anywidget, no cleo
        "print(sorted(m for m in heavy if m in sys.modules))\n"
        "from cleo_player import Recorder\n"  # the lazy attribute still works, and imports cleo
        "print(Recorder.__module__, 'cleo' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300, check=False)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split("\n")[:3] == ["[]", "['anywidget', 'ipywidgets']", "cleo_player.recorder True"]


# --- the format -----------------------------------------------------------------------------
def header(path: Path) -> dict:
    with np.load(path, allow_pickle=False) as data:
        return json.loads(str(data["player"]))


def test_the_file_says_what_it_is(device_player):
    _, path = device_player
    h = header(path)
    assert h["format"] == "cleo-player-file" and h["version"] == scene_file.FILE_VERSION
    assert h["written_by"].startswith("cleo-player ")
    assert set(h["sections"]) == {"scene", "extras", "view"}
    assert h["sections"]["view"] == {
        "speed": 0.05,
        "loop": "pingpong",
        "decay": 2.5,
        "height": 420,
        "selected": [],
        "hidden": [],
    }
    with np.load(path) as data:  # arrays under named keys, referenced from the sections
        assert {"meta", "frame_t", "g0_positions", "t0_values", "player"} <= set(data.files)
        assert any(k.startswith("section.scene.") for k in data.files)
        assert any(k.startswith("section.extras.") for k in data.files)


def test_named_sections_travel_and_unknown_ones_warn(device_player, tmp_path):
    player, _ = device_player
    traces = {"estimate": {"t": np.arange(6) * 1e-3, "values": np.linspace(0, 1, 6), "unit": "Hz"}}
    path = scene_file.save(tmp_path / "t.npz", player.scene, sections={"traces": traces})
    with pytest.warns(UserWarning, match=r"sections this cleo-player does not know \(traces\)"):
        saved = scene_file.load(path)
    np.testing.assert_array_equal(saved.sections["traces"]["estimate"]["values"], np.linspace(0, 1, 6))
    assert saved.sections["traces"]["estimate"]["unit"] == "Hz"
    with pytest.raises(ValueError, match="written by cleo-player itself"):
        scene_file.save(tmp_path / "u.npz", player.scene, sections={"scene": {}})
    with pytest.raises(ValueError, match="not finite"):
        scene_file.save(tmp_path / "v.npz", player.scene, sections={"traces": {"x": float("nan")}})


def rewrite(src: Path, dst: Path, change: dict) -> Path:
    """A copy of a file with entries replaced (``None`` removes one)."""
    with np.load(src, allow_pickle=False) as data:
        arrays = {k: data[k] for k in data.files}
    for k, v in change.items():
        if v is None:
            arrays.pop(k)
        else:
            arrays[k] = v
    np.savez(dst, **arrays)
    return dst


def with_header(path: Path, dst: Path, edit) -> Path:
    h = header(path)
    edit(h)
    return rewrite(path, dst, {"player": np.array(json.dumps(h))})


def first_key(path: Path, prefix: str) -> str:
    h = header(path)
    return h["sections"]["scene"]["lights"][0][prefix]["$array"]


def test_errors_name_the_problem(device_player, tmp_path):
    _, path = device_player
    cases = []
    with pytest.raises(FileNotFoundError, match="No such file"):
        Player(tmp_path / "missing.npz")
    text = tmp_path / "text.npz"
    text.write_text("not a zip")
    cases.append((text, "is not a cleo-player file"))
    np.savez(tmp_path / "other.npz", a=np.zeros(3))
    cases.append((tmp_path / "other.npz", "has no recording"))

    def newer(h):
        h["version"] = scene_file.FILE_VERSION + 1

    cases.append((with_header(path, tmp_path / "newer.npz", newer), "written by a newer cleo-player"))

    def not_ours(h):
        h["format"] = "something"

    cases.append((with_header(path, tmp_path / "fmt.npz", not_ours), "not a cleo-player header"))
    cases.append((rewrite(path, tmp_path / "json.npz", {"player": np.array("{oops")}), "not readable JSON"))

    def no_view(h):
        del h["sections"]["view"]

    cases.append((with_header(path, tmp_path / "noview.npz", no_view), "no 'view' section"))

    def bad_colour(h):
        h["sections"]["scene"]["groups"][0]["color"] = [2, 0, 0]

    cases.append((with_header(path, tmp_path / "colour.npz", bad_colour), r"groups\[0\].color must be an RGB triple"))

    def bad_loop(h):
        h["sections"]["view"]["loop"] = "bounce"

    cases.append((with_header(path, tmp_path / "loop.npz", bad_loop), "loop must be one of"))

    def renamed(h):
        h["sections"]["scene"]["groups"][0]["name"] = "other"

    cases.append((with_header(path, tmp_path / "renamed.npz", renamed), "are not the recording's"))

    def bad_track(h):
        h["sections"]["scene"]["lights"][0]["track"] = "nope"

    cases.append((with_header(path, tmp_path / "track.npz", bad_track), "not a track of the recording"))
    points = first_key(path, "points")
    cases.append((rewrite(path, tmp_path / "noarr.npz", {points: None}), f"the array '{points}' is missing"))
    cases.append(
        (rewrite(path, tmp_path / "shape.npz", {points: np.zeros((5, 2))}), r"lights\[0\].points must be a finite")
    )
    cases.append(
        (rewrite(path, tmp_path / "nan.npz", {points: np.full((5, 3), np.nan)}), r"lights\[0\].points must be a finite")
    )
    cases.append(
        (
            rewrite(path, tmp_path / "ptr.npz", {"g0_frame_ptr": np.array([0, 1, 2], np.int64)}),
            r"g0_frame_ptr must hold n_frames \+ 1 = 7 entries",
        )
    )
    cases.append(
        (
            rewrite(path, tmp_path / "idx.npz", {"g0_spike_i": np.full(1000, 10**6, np.uint32)}),
            r"g0_spike_t must hold one time per spike \(1000\)",
        )
    )

    n_spikes = len(np.load(path)["g0_spike_i"])
    cases.append(
        (
            rewrite(path, tmp_path / "big_idx.npz", {"g0_spike_i": np.full(n_spikes, 10**6, np.uint32)}),
            r"big_idx.npz: .*spike_i must be neuron indices in 0\.\.199",
        )
    )

    def bad_extra(h):
        del h["sections"]["extras"][0]["material"]

    cases.append((with_header(path, tmp_path / "extra.npz", bad_extra), "an object description is incomplete"))
    for bad, message in cases:
        with pytest.raises(ValueError, match=message):
            Player(bad)


def test_saving_is_atomic_and_leaves_no_temporary_file(device_player, tmp_path, monkeypatch):
    player, _ = device_player
    target = tmp_path / "run.npz"
    target.write_bytes(b"previous")

    def broken(*_args, **_kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(scene_file, "_write_npy", broken)
    with pytest.raises(OSError, match="disk full"):
        player.save(target)
    assert target.read_bytes() == b"previous"
    assert [p.name for p in tmp_path.iterdir()] == ["run.npz"]


def test_a_saved_file_has_the_mode_of_any_new_file(device_player, tmp_path):
    player, _ = device_player
    plain = tmp_path / "plain.txt"
    plain.write_text("x")
    assert (player.save(tmp_path / "run.npz").stat().st_mode & 0o777) == (plain.stat().st_mode & 0o777)


def test_empty_and_tiny_scenes_round_trip(tmp_path):
    frame_t = np.zeros(0)
    g = GroupData.from_spikes("g", np.zeros((3, 3)), np.zeros(0, np.uint32), np.zeros(0), frame_t, 1e-3)
    empty = Player(Recording(1e-3, frame_t, 0.0, (g,)))
    again = Player(empty.save(tmp_path / "empty.npz"))
    assert player_digest(again) == player_digest(empty) and again.n_frames == 0
    assert zipfile.is_zipfile(tmp_path / "empty.npz")


def test_scene_sections_round_trip_every_field(device_player):
    player, path = device_player
    loaded = scene_file.load(path).scene
    s = player.scene
    assert loaded.axes == s.axes and loaded.skipped == s.skipped
    for a, b in zip(loaded.groups, s.groups, strict=True):
        assert (a.name, a.color, a.marker_area, a.alpha) == (b.name, b.color, b.marker_area, b.alpha)
        assert np.array_equal(a.positions, b.positions) and np.array_equal(a.visible, b.visible)
    for kind in ("lights", "probes", "scopes"):
        for a, b in zip(getattr(loaded, kind), getattr(s, kind), strict=True):
            for name, value in vars(b).items():
                got = getattr(a, name)
                if isinstance(value, np.ndarray):
                    assert np.array_equal(got, value) and got.dtype == value.dtype, (kind, name)
                else:
                    assert got == value, (kind, name)
    assert scene_payload(loaded)[0] == scene_payload(s)[0]
