"""Drawn as cleo draws it: the 3D view's picture of tutorial-shaped scenes against matplotlib's
picture of the same scene (``cleo_player.video``, cleo's look), compared by colour statistics
of the regions, not pixel by pixel (different backgrounds, cameras and sizes):

* fibre light: at full brightness its core is the wavelength's colour (alpha-blended, never
  washed towards white), about as large as cleo's light points make it, and nothing of it
  lies outside the box;
* the 1060 nm laser: dark maroon as in cleo and our legend, not a bright red-orange;
* probe contacts: clearly visible screen-size crosses; imaged neurons (ROIs): triangles, as
  cleo's ``^`` and as their legend swatch;
* two lights of one wavelength: told apart in the legend and in the picture.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from browser_helpers import save_rgb, view_eval
from cleo_scenes import all_optical, electrodes, optogenetics, scope_only, two_fibres
from look_helpers import (
    ROOT,
    canvas,
    geometry,
    hue_chroma,
    hull_area,
    light_level,
    mpl_picture,
    near_hull,
    open_page,
)

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def scenes(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Any, Path]]:
    d = tmp_path_factory.mktemp("look")
    out = {}
    for name, make in (
        ("optogenetics", optogenetics),
        ("all_optical", all_optical),
        ("electrodes", electrodes),
        ("scope_only", scope_only),
        ("two_fibres", two_fibres),
    ):
        player = make()
        out[name] = (player, player.save_html(d / f"{name}.html"))
    return out


@dataclass
class Pictures:
    """One scene in both renderers: our page and canvas, matplotlib's picture."""

    player: Any
    page: Any
    ours: np.ndarray
    geometry: Any  # look_helpers.Geometry of our canvas
    mpl: np.ndarray
    mpl_corners: np.ndarray  # the box's corners on matplotlib's picture
    mpl_ax: Any


def both_pictures(scenes: dict, name: str, new_page: Any, artifacts: Path) -> Pictures:
    """The scene's last frame in the 3D view (700 px wide) and in matplotlib, saved."""
    player, path = scenes[name]
    page = open_page(new_page, path, 700).page
    ours = canvas(page)
    mpl, corners, ax = mpl_picture(player, player.n_frames - 1)
    save_rgb(ours, artifacts / f"look-{name}-ours.png")
    save_rgb(mpl, artifacts / f"look-{name}-mpl.png")
    return Pictures(player, page, ours, geometry(page), mpl, corners, ax)


def coverage(rgb: np.ndarray, color: np.ndarray, corners: np.ndarray, level: float) -> float:
    """Share of the box's outline on the picture covered by the light at ``level`` or more."""
    return float((light_level(rgb, color) >= level).sum() / hull_area(corners))


def core_color(rgb: np.ndarray, color: np.ndarray) -> np.ndarray:
    """Mean colour of the pixels painted at least 80 % of the way to the light's colour."""
    core = light_level(rgb, color) >= 0.8
    assert core.sum() >= 50, f"no light core ({core.sum()} px)"
    return rgb[core].astype(float).mean(axis=0)


def test_fibre_light_is_the_wavelengths_colour_and_cleos_size(scenes, new_page, artifacts_dir):
    p = both_pictures(scenes, "optogenetics", new_page, artifacts_dir)
    player, ours, g, mpl, corners = p.player, p.ours, p.geometry, p.mpl, p.mpl_corners
    color = np.asarray(player.scene.lights[0].color) * 255  # 473 nm: (0, 183, 255)
    np.testing.assert_allclose(color, (0, 183, 255), atol=1)
    # full brightness: the core is the wavelength's colour in both pictures (not whitish cyan)
    for what, img in (("ours", ours), ("matplotlib", mpl)):
        c = core_color(img, color)
        assert np.abs(c - color).max() <= 35, f"{what}: core colour {c.round()} is not {color}"
    _, chroma = hue_chroma(ours.reshape(-1, 3))
    level = light_level(ours, color).reshape(-1)
    washed = (level > 0) & (ours.reshape(-1, 3).max(axis=1) > 200) & (chroma < 0.6 * 255)
    assert washed.sum() < 20, f"{washed.sum()} washed-out (near white) light pixels"
    assert level.max() <= 1.1, f"light brighter than its colour (additive saturation): level {level.max():.2f}"
    # about cleo's extent: the share of the box the light covers, at a faint and a strong level
    for lv in (0.2, 0.5):
        ratio = coverage(ours, color, g.corners, lv) / coverage(mpl, color, corners, lv)
        assert 0.6 <= ratio <= 2.0, f"light covers {ratio:.2f} times cleo's share of the box at level {lv}"


def test_light_stays_inside_the_box(scenes, new_page, artifacts_dir):
    """The fibre's haze reached below the box; now no light is drawn outside the box (beyond
    the half point that a point at a wall reaches out)."""
    player, path = scenes["optogenetics"]
    page = open_page(new_page, path, 700).page
    rgb = canvas(page)
    g = geometry(page)
    k = rgb.shape[0] / g.height  # drawing-buffer px per CSS px
    light = player.scene.lights[0]
    a = player.scene.axes
    longest_world = max(a.xlim[1] - a.xlim[0], a.ylim[1] - a.ylim[0], a.zlim[1] - a.zlim[0])
    edges = [np.hypot(*(g.corners[i] - g.corners[j])) for i in range(8) for j in range(i + 1, 8)]
    px_per_unit = max(edges) / np.sqrt(sum((lo - hi) ** 2 for lo, hi in (a.xlim, a.ylim, a.zlim)))
    radius = 0.5 * light.marker_size * light.marker_scale * px_per_unit + 2
    assert longest_world > 0 and radius < 60, radius
    outside = ~near_hull(rgb.shape[:2], g.corners * k, radius * k)
    level = light_level(rgb, np.asarray(light.color) * 255)
    stray = (level > 0.1) & outside
    save_rgb(np.where(outside[..., None], rgb, rgb // 3), artifacts_dir / "look-light-outside-the-box.png")
    assert stray.sum() == 0, f"{stray.sum()} light pixels outside the box"


def test_two_photon_laser_is_dark_maroon(scenes, new_page, artifacts_dir):
    p = both_pictures(scenes, "all_optical", new_page, artifacts_dir)
    player, ours, g, mpl, corners = p.player, p.ours, p.geometry, p.mpl, p.mpl_corners
    laser = player.scene.lights[0]
    color = np.asarray(laser.color) * 255
    assert laser.wavelength_nm == 1060 and color[0] < 110 and color[1:].max() < 5  # cleo's wavelength_to_rgb
    page_meta = scenes["all_optical"][0]._meta["lights"][0]["color"]
    np.testing.assert_allclose(np.asarray(page_meta) * 255, color)  # the payload carries it unchanged
    c_ours, c_mpl = core_color(ours, color), core_color(mpl, color)
    assert np.abs(c_ours - color).max() <= 25, f"laser core {c_ours.round()}, cleo's colour {color.round()}"
    assert np.abs(c_ours - c_mpl).max() <= 30, f"ours {c_ours.round()} vs matplotlib {c_mpl.round()}"
    # nowhere brightened past its colour (the red-orange of additive blending)
    h, chroma = hue_chroma(ours.reshape(-1, 3))
    reddish = (np.abs((h + 180) % 360 - 180) < 40) & (chroma > 0)
    assert ours.reshape(-1, 3)[reddish][:, 0].max() <= color[0] + 40, "laser pixels brighter than its colour"
    for lv in (0.3, 0.8):
        ratio = coverage(ours, color, g.corners, lv) / coverage(mpl, color, corners, lv)
        assert 0.5 <= ratio <= 2.5, f"laser covers {ratio:.2f} times cleo's share of the box at level {lv}"


def projected(page: Any, points: np.ndarray) -> np.ndarray:
    """Canvas positions (drawing-buffer px) of points in scene coordinates."""
    return np.asarray(
        view_eval(
            page,
            ROOT,
            """(v, pts) => { v.render(); const el = v.renderer.domElement;
              const m = v.camera.projectionMatrix.clone().multiply(v.camera.matrixWorldInverse)
                .multiply(v.content.matrixWorld);
              return pts.map(([x, y, z]) => { const p = new v.camera.position.constructor(x, y, z).applyMatrix4(m);
                return [(p.x + 1) / 2 * el.width, (1 - p.y) / 2 * el.height]; }); }""",
            points.tolist(),
        )
    )


def test_probe_contacts_are_clearly_visible(scenes, new_page, artifacts_dir):
    """cleo's dark grey crosses on white; here light grey crosses of a few px on the dark
    background, with the same contrast, at every contact."""
    p = both_pictures(scenes, "electrodes", new_page, artifacts_dir)
    contacts = p.player.scene.probes[0].contacts
    xy = projected(p.page, contacts)
    rgb = p.ours
    bg = rgb[2, 2].astype(float)  # the clear colour
    swatch = p.page.locator(f"{ROOT} .cleo-legend .cleo-swatch-cross").evaluate("e => getComputedStyle(e).color")
    probe = np.asarray([float(v) for v in swatch.split("(")[1].rstrip(")").split(",")[:3]])
    # the legend's cross colour: grey, far from the background
    assert hue_chroma(probe[None])[1][0] < 10 and np.abs(probe - bg).max() >= 120, probe
    crosses = 0
    for x, y in np.round(xy).astype(int):
        patch = rgb[y - 5 : y + 6, x - 5 : x + 6].astype(float)
        on = np.abs(patch - probe).max(axis=2) < 45
        dy, dx = np.nonzero(on)
        dx, dy = dx - 5, dy - 5
        falling = ((np.abs(dx - dy) <= 1) & (np.abs(dx) >= 2)).sum()  # the diagonal going down, off the centre
        rising = ((np.abs(dx + dy) <= 1) & (np.abs(dx) >= 2)).sum()  # the diagonal going up
        crosses += on[4:7, 4:7].any() and falling >= 4 and rising >= 4
    assert crosses >= 0.9 * len(contacts), f"only {crosses} of {len(contacts)} contacts show a clear cross"
    # matplotlib's picture: dark grey crosses, the same contrast to its white background
    from mpl_toolkits.mplot3d import proj3d

    px, py, _ = proj3d.proj_transform(contacts[:, 0], contacts[:, 1], contacts[:, 2], p.mpl_ax.M)
    disp = p.mpl_ax.transData.transform(np.column_stack([px, py]))
    height = p.mpl.shape[0]
    contrast = [
        np.abs(p.mpl[int(height - y) - 2 : int(height - y) + 3, int(x) - 2 : int(x) + 3].astype(float) - 255).max()
        for x, y in disp
    ]
    assert np.mean(np.asarray(contrast) >= 120) >= 0.9, contrast


def test_roi_markers_and_their_legend_swatch_are_triangles(scenes, new_page, artifacts_dir):
    player, path = scenes["scope_only"]
    page = open_page(new_page, path, 700).page
    rois = player.scene.scopes[0].rois
    assert len(rois) >= 5
    xy = projected(page, rois)
    rgb = canvas(page)
    save_rgb(rgb, artifacts_dir / "look-rois.png")
    bg = rgb[2, 2].astype(int)
    roi_color = np.asarray(player.scene.scopes[0].color) * 255 * 0.6
    shapes = 0
    for x, y in np.round(xy).astype(int):
        patch = rgb[y - 5 : y + 6, x - 5 : x + 6].astype(int)
        on = np.abs(patch - roi_color).max(axis=2) < 50
        if on.sum() < 12:
            continue  # behind something
        rows = on.sum(axis=1)
        filled = np.nonzero(rows)[0]
        top, bottom = rows[filled[0] : filled[0] + 3].sum(), rows[filled[-1] - 2 : filled[-1] + 1].sum()
        shapes += bottom >= 2 * top  # narrow at the top, wide at the bottom
    assert shapes >= 3, f"{shapes} triangle-shaped ROI markers"
    assert np.abs(rgb[2, 2].astype(int) - bg).max() == 0
    swatch = page.locator(f"{ROOT} .cleo-legend .cleo-swatch-triangle")
    assert swatch.count() == 1
    assert "polygon" in swatch.evaluate("e => getComputedStyle(e).clipPath")
    row_text = swatch.locator("xpath=..").inner_text()
    assert "GCaMP6f ROIs" in row_text


def test_lights_of_one_wavelength_are_told_apart(scenes, new_page, artifacts_dir):
    player, path = scenes["two_fibres"]
    a, b = player.scene.lights
    assert a.wavelength_nm == b.wavelength_nm == 473
    page = open_page(new_page, path, 700).page
    swatches = page.locator(f"{ROOT} .cleo-legend .cleo-swatch-patch")
    colors = [
        np.asarray([float(v) for v in s.split("(")[1].rstrip(")").split(",")[:3]])
        for s in swatches.evaluate_all("els => els.map(e => getComputedStyle(e).backgroundColor)")
    ]
    assert len(colors) == 2 and np.abs(colors[0] - colors[1]).max() >= 40, colors
    np.testing.assert_allclose(colors[0], np.asarray(a.color) * 255, atol=1)  # the first keeps the wavelength's colour
    rgb = canvas(page)
    save_rgb(rgb, artifacts_dir / "look-two-fibres.png")
    for light, c in ((a, colors[0]), (b, colors[1])):
        assert (light_level(rgb, c, hue_tol=8) >= 0.6).sum() > 100, f"{light.name}'s colour is not in the picture"
    # in the picture the two clouds differ: mean colour near each fibre's tip
    tips = projected(page, np.vstack([a.source_coords, b.source_coords]) + np.array([0, 0, 60]))
    means = [rgb[int(y) - 6 : int(y) + 7, int(x) - 6 : int(x) + 7].reshape(-1, 3).mean(axis=0) for x, y in tips]
    assert np.abs(means[0] - means[1]).max() >= 25, means
