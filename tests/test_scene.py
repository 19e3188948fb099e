"""The Scene: every cleo light model in its own shape and colour, probes, scopes, limits."""

from __future__ import annotations

import brian2 as b2
import numpy as np
import pytest
from cleo.light import GaussianEllipsoid, KoehlerBeam, Light, OpticFiber, fiber473nm

from cleo_player import Player, Recorder
from cleo_player.examples import seed_tutorial
from cleo_player.recording import Recording
from cleo_player.scene import Axes, Scene, _light_cloud

AXES = Axes("um", 1e-6, (-1000, 1000), (-1000, 1000), (0, 1000))
EMPTY = Recording(1e-3, np.zeros(0), 0.0, ())


def cloud(model, coords=((0, 0, 0),), **light_kwargs):
    light = Light(light_model=model, coords=np.array(coords) * b2.um, max_value=10 * b2.mwatt / b2.mm2, **light_kwargs)
    return _light_cloud(light, {}, AXES, EMPTY)


def test_optic_fiber_is_a_cone_below_its_tip():
    c = cloud(fiber473nm())
    assert c.model == "OpticFiber" and len(c.points) > 1000
    # from the tip down (about 1.3 mm), cut at the box's bottom (z = 1000 um)
    assert c.points[:, 2].min() >= -1e-3 and 950 < c.points[:, 2].max() <= 1000
    shallow = c.points[c.points[:, 2] < 200]
    deep = c.points[c.points[:, 2] > 800]
    assert np.hypot(*deep[:, :2].T).max() > np.hypot(*shallow[:, :2].T).max()  # it widens
    np.testing.assert_allclose(c.color, (0, 0.717, 1), atol=1e-3)  # 473 nm blue
    assert c.marker_size == pytest.approx(68.3, rel=0.01)


def test_light_points_stay_within_the_axis_limits():
    """As the neurons, light is drawn inside the box only (no haze below or beside it)."""
    small = Axes("um", 1e-6, (-150, 250), (-200, 200), (0, 400))
    light = Light(light_model=fiber473nm(), coords=np.array([[0, 0, 100]]) * b2.um, max_value=1 * b2.mwatt / b2.mm2)
    c = _light_cloud(light, {}, small, EMPTY)
    assert len(c.points) > 100
    for dim, (lo, hi) in enumerate((small.xlim, small.ylim, small.zlim)):
        assert c.points[:, dim].min() >= lo and c.points[:, dim].max() <= hi
    assert c.points[:, 0].min() < -140 and c.points[:, 2].max() > 390  # cut at the walls, not short of them
    assert len(c.source) == len(c.points) == len(c.transmittance)


def test_koehler_beam_is_a_cylinder_and_gaussian_ellipsoid_a_spot():
    k = cloud(KoehlerBeam(radius=100 * b2.um))
    assert np.hypot(*k.points[:, :2].T).max() <= 100.01 and k.points[:, 2].max() <= 500.01
    g = cloud(GaussianEllipsoid(), coords=((200, 0, 300),))
    centre = g.points.mean(axis=0)
    np.testing.assert_allclose(centre, (200, 0, 300), atol=3)
    assert np.abs(g.points[:, 2] - 300).max() < 70 and np.hypot(*(g.points[:, :2] - (200, 0)).T).max() < 31


def test_wavelength_colour_and_multi_source():
    c = cloud(OpticFiber(wavelength=590 * b2.nmeter), coords=((0, 0, 0), (500, 0, 0), (0, 500, 0)))
    np.testing.assert_allclose(c.color, (1, 0.875, 0), atol=1e-3)  # 590 nm yellow
    assert c.n_sources == 3 and set(np.unique(c.source)) == {0, 1, 2}
    for s, (x, y) in enumerate([(0, 0), (500, 0), (0, 500)]):
        tip = c.points[c.source == s][:, :2].mean(axis=0)
        np.testing.assert_allclose(tip, (x, y), atol=20)


def test_optogensim_is_capped_and_drawn():
    from cleo.light import OptogenSIM

    c = cloud(OptogenSIM())
    assert c.model == "OptogenSIM" and 1000 < len(c.points) <= 20000


def test_probe_and_scope_in_scene():
    from cleo.ephys import Probe, linear_shank_coords, tile_coords
    from cleo.imaging import Scope, gcamp6f

    s = seed_tutorial(n_e=80)
    shank = linear_shank_coords(0.5 * b2.mm, 8, start_location=(0, 0, 0.1) * b2.mm)
    probe = Probe(coords=tile_coords(shank, num_tiles=3, tile_vector=(0.3, 0, 0) * b2.mm))
    s.sim.inject(probe, s.exc)
    scope = Scope(sensor=gcamp6f(), img_width=1.5 * b2.mm, focus_depth=0.35 * b2.mm)
    s.sim.inject(scope, s.exc)
    scope.inject_sensor_for_targets()
    rec = Recorder(dt=1 * b2.ms, devices="all")
    s.sim.inject(rec, s.exc, s.inh)
    s.sim.run(3 * b2.ms)
    scene = Scene.from_recorder(rec, **s.plotargs)
    assert [p.name for p in scene.probes] == ["Probe"] and scene.probes[0].contacts.shape == (24, 3)
    np.testing.assert_allclose(scene.probes[0].contacts, np.asarray(probe.coords / b2.um), atol=1e-9)
    assert len(set(np.round(scene.probes[0].contacts[:, 0]))) == 3  # three shanks
    (view,) = scene.scopes
    assert view.focus_depth == pytest.approx(350) and view.img_width == pytest.approx(1500)
    assert len(view.rois) == scope.n > 0
    p = Player(rec, **s.plotargs)
    assert [x["name"] for x in p._meta["probes"]] == ["Probe"] and p._meta["scopes"][0]["name"] == "Scope"


def test_auto_limits_cover_the_neurons():
    s = seed_tutorial(n_e=40)
    rec = Recorder()
    s.sim.inject(rec, s.exc, s.inh)
    scene = Scene.from_recorder(rec)
    ax = scene.axes
    for g in scene.groups:
        assert g.visible.all()
        assert ax.xlim[0] < g.positions[:, 0].min() and g.positions[:, 0].max() < ax.xlim[1]
        assert ax.zlim[0] < g.positions[:, 2].min() and g.positions[:, 2].max() < ax.zlim[1]
    assert scene.groups[0].color != scene.groups[1].color  # matplotlib's cycle


def test_axis_scale_unit_and_marker_size():
    s = seed_tutorial(n_e=40)
    rec = Recorder()
    s.sim.inject(rec, s.exc, s.inh)
    scene = Scene.build(rec.recording, axis_scale_unit=b2.mm, scatterargs={"s": 50, "alpha": 0.3}, invert_z=False)
    assert scene.axes.unit == "mm" and scene.axes.invert_z is False
    assert scene.groups[0].positions[:, 2].max() <= 0.4 + 1e-9
    assert scene.groups[0].marker_area == 50 and scene.groups[0].alpha == 0.3
