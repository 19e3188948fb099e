"""Inspection in the standalone page (``Player.save_html``, opened offline): the hover tooltip
(group, index, position, spike count as the recording has them) and the raster row it lights;
click / shift-click / click on empty space to select, the rings and raster rows of the selection,
``selected`` set on the model (as Python's would); legend entries as toggle buttons that hide a
group's neurons (their pixels, their flashes) and raster rows, by mouse and keyboard.

Where the neurons land on the canvas is computed here from the view's camera and the recording's
positions, not by the picking code under test. The player is the seed tutorial run for 100 ms.
"""

from __future__ import annotations

import re
from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest
from browser_helpers import (
    VIEWPORT,
    PageLog,
    animation_frames,
    assert_stayed_offline,
    canvas_rgb,
    classify,
    open_offline,
    poll,
)
from inspection_helpers import (
    canvas_box,
    group_and_index,
    group_sizes,
    inspection,
    isolated_neurons,
    neuron_positions,
    page_point,
    raster_rows,
    screen_positions,
)
from timeline_helpers import TIMELINE, canvas_rgba, group_colors

from cleo_player.video.timeline import raster_rgba

pytestmark = pytest.mark.browser

ROOT = "#cleo-player-root"
TIP = f"{ROOT} .cleo-tooltip"
COORD = re.compile(r"^\((-?[\d.e+-]+), (-?[\d.e+-]+), (-?[\d.e+-]+)\) (\S+)$")


@pytest.fixture(scope="module")
def player(seed_run: Any) -> Any:
    from cleo_player import Player

    s, rec = seed_run
    return Player(rec, **s.plotargs)


@pytest.fixture(scope="module")
def page(player: Any, chromium: Any, tmp_path_factory: pytest.TempPathFactory) -> Any:
    """One offline page, shared by this module's tests (in file order); fails at the end if it
    reported an error or asked for the network."""
    path = player.save_html(tmp_path_factory.mktemp("insp") / "inspect.html")
    context = chromium.new_context(viewport=VIEWPORT)
    context.set_default_timeout(30_000)

    def new_page() -> SimpleNamespace:
        p = context.new_page()
        return SimpleNamespace(page=p, log=PageLog().attach(p), context=context)

    lp = open_offline(new_page, path, ROOT)
    lp.page.wait_for_selector(f"{ROOT} {TIMELINE}[data-frame]")
    yield lp.page
    problems = lp.log.page_errors + lp.log.console_errors
    context.close()
    assert not problems, "the page reported errors:\n" + "\n".join(problems)
    assert_stayed_offline(lp)


def model(page: Any, name: str) -> Any:
    return page.evaluate(f"() => window.cleoPlayerModel.get({name!r})")


def targets(page: Any, player: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Screen positions of every neuron, and isolated neurons to point at (a few of each group)."""
    x, y, rect = screen_positions(page, ROOT, neuron_positions(player))
    iso = isolated_neurons(x, y, rect, avoid=[canvas_box(page, ROOT, ".cleo-legend")])
    n_exc = len(player.scene.groups[0].positions)
    exc, inh = iso[iso < n_exc], iso[iso >= n_exc]
    assert len(exc) >= 3 and len(inh) >= 2, f"too few isolated neurons to point at: {len(exc)} exc, {len(inh)} inh"
    return x, y, np.r_[exc[:3], inh[:2]]


def empty_spot(x: np.ndarray, y: np.ndarray, rect: dict) -> tuple[float, float]:
    """A point of the canvas at least 40 px from every neuron."""
    for gx in np.linspace(rect["x"] + 60, rect["x"] + rect["w"] - 60, 25):
        for gy in np.linspace(rect["y"] + 60, rect["y"] + rect["h"] - 60, 15):
            if np.hypot(x - gx, y - gy).min() > 40:
                return float(gx), float(gy)
    raise AssertionError("no empty spot on the canvas")


def shot(page: Any, directory: Any, name: str) -> None:
    """A picture of the window for people to look at (not of the element: Playwright would
    resize the window to fit it, and the page resizes the player to fill the window)."""
    page.screenshot(path=str(directory / name))


def move(page: Any, x: float, y: float) -> None:
    """The pointer to the point (x, y) of the canvas."""
    page.mouse.move(*page_point(page, ROOT, x, y))


def click(page: Any, x: float, y: float) -> None:
    page.mouse.click(*page_point(page, ROOT, x, y))


def hover(page: Any, x: float, y: float, n: int) -> None:
    move(page, x, y)
    page.wait_for_selector(f'{TIP}[data-neuron="{n}"]:not([hidden])')


def ring_px(page: Any, x: float, y: float) -> int:
    """White pixels in a ring 6..14 px around (x, y) on the canvas (the selection's ring)."""
    rgb = canvas_rgb(page, ROOT).astype(int)
    h, w = rgb.shape[:2]
    yy, xx = np.mgrid[0:h, 0:w]
    r = np.hypot(xx - x, yy - y)
    white = (rgb.min(-1) > 200) & (r >= 6) & (r <= 14)
    return int(white.sum())


def test_hover_shows_the_neurons_group_index_position_and_spike_count(
    page: Any, player: Any, artifacts_dir: Any
) -> None:
    x, y, chosen = targets(page, player)
    unit = player.scene.axes.unit_label
    for n in chosen:
        k, name, i = group_and_index(group_sizes(player), int(n))
        hover(page, x[n], y[n], int(n))
        lines = page.locator(f"{TIP} > div").all_text_contents()
        assert lines[0] == f"{name} #{i}", lines
        m = COORD.match(lines[1])
        assert m, lines
        np.testing.assert_allclose(
            [float(m[1]), float(m[2]), float(m[3])], player.scene.groups[k].positions[i], rtol=1e-3, atol=0.05
        )
        assert m[4] == unit == "µm"
        spikes = int(np.sum(player.recording.groups[k].spike_i == i))
        assert lines[2] == f"{spikes} spike{'' if spikes == 1 else 's'}", (lines, spikes)
        assert page.get_attribute(TIP, "role") == "tooltip"
        assert page.get_attribute(f"{ROOT} canvas.cleo-canvas", "aria-describedby") == page.get_attribute(TIP, "id")
    shot(page, artifacts_dir, "inspect-1-hover.png")
    # off any neuron, and out of the view: no tooltip
    move(page, *empty_spot(x, y, screen_positions(page, ROOT, neuron_positions(player))[2]))
    page.wait_for_selector(TIP, state="hidden")
    page.mouse.move(5, 5)
    page.wait_for_selector(TIP, state="hidden")


def test_hover_lights_the_neurons_raster_row(page: Any, player: Any) -> None:
    x, y, chosen = targets(page, player)
    band = page.locator(f"{ROOT} .cleo-timeline-hover")
    raster = page.locator(f"{ROOT} canvas.cleo-timeline-raster")
    rows = int(raster.evaluate("c => c.height"))
    for n in chosen[[0, 3]]:
        hover(page, x[n], y[n], int(n))
        poll(lambda n=n: band.get_attribute("data-neuron") == str(n), 10, what=f"the raster row of neuron {n}")
        r0, r1 = raster_rows(player, int(n), rows)
        b, top = band.bounding_box(), raster.bounding_box()["y"]
        assert b["height"] >= 1.5
        assert b["y"] - top <= r0 + 0.01 and b["y"] + b["height"] - top >= r1 - 0.01, (b, top, r0, r1)
    page.mouse.move(5, 5)
    poll(lambda: not band.is_visible(), 10, what="the row to go dark when the pointer leaves")


def test_click_selects_shift_click_adds_and_toggles_empty_click_clears(
    page: Any, player: Any, artifacts_dir: Any
) -> None:
    x, y, chosen = targets(page, player)
    rect = screen_positions(page, ROOT, neuron_positions(player))[2]
    a, b = int(chosen[0]), int(chosen[3])
    (_, na, ia), (_, nb, ib) = group_and_index(group_sizes(player), a), group_and_index(group_sizes(player), b)
    ex, ey = empty_spot(x, y, rect)
    assert ring_px(page, x[a], y[a]) == 0  # nothing ringed before
    click(page, x[a], y[a])
    poll(lambda: model(page, "selected") == [[na, ia]], 10, what=f"a click to select {na} #{ia}")
    page.keyboard.down("Shift")
    click(page, x[b], y[b])
    page.keyboard.up("Shift")
    poll(lambda: model(page, "selected") == [[na, ia], [nb, ib]], 10, what="shift-click to add a neuron")
    move(page, ex, ey)  # away: the hover ring goes, the selection's stay
    poll(lambda: inspection(page, ROOT)["rings"] == 2, 10, what="two rings")
    animation_frames(page)
    assert ring_px(page, x[a], y[a]) > 20 and ring_px(page, x[b], y[b]) > 20
    shot(page, artifacts_dir, "inspect-2-selected.png")
    # the raster rows of the selection are emphasised (the marks canvas)
    marks = canvas_rgba(page, ROOT, "marks")
    lit = set(np.flatnonzero(marks[..., 3].any(1)))
    for n in (a, b):
        r0, r1 = raster_rows(player, n, marks.shape[0])
        assert set(range(r0, r1)) <= lit
    assert len(lit) <= 2 * max(1, marks.shape[0] // 400 + 2)  # only theirs
    # shift-click on a selected neuron takes it out; a click on empty space clears
    page.keyboard.down("Shift")
    click(page, x[a], y[a])
    page.keyboard.up("Shift")
    poll(lambda: model(page, "selected") == [[nb, ib]], 10, what="shift-click to take a neuron out")
    click(page, ex, ey)
    poll(lambda: model(page, "selected") == [], 10, what="a click on empty space to clear")
    poll(lambda: inspection(page, ROOT)["rings"] == 0, 10, what="no rings")
    assert not canvas_rgba(page, ROOT, "marks")[..., 3].any()
    # a drag turns the camera and selects nothing
    move(page, x[a], y[a])
    page.mouse.down()
    move(page, x[a] + 60, y[a] + 10)
    page.mouse.up()
    animation_frames(page)
    assert model(page, "selected") == []
    page.click(f"{ROOT} .cleo-reset-camera")


def test_selected_set_on_the_model_shows_in_scene_and_timeline(page: Any, player: Any) -> None:
    n_exc = len(player.scene.groups[0].positions)
    page.evaluate("() => window.cleoPlayerModel.set('selected', [['inh', 7], ['exc', 12]])")
    poll(lambda: inspection(page, ROOT)["selected"] == [n_exc + 7, 12], 10, what="the selection from the model")
    assert inspection(page, ROOT)["rings"] == 2
    marks = canvas_rgba(page, ROOT, "marks")
    lit = set(np.flatnonzero(marks[..., 3].any(1)))
    assert set(range(*raster_rows(player, n_exc + 7, marks.shape[0]))) <= lit
    page.evaluate("() => window.cleoPlayerModel.set('selected', [])")
    poll(lambda: inspection(page, ROOT)["rings"] == 0, 10, what="the selection cleared from the model")


def drawn_mask(page: Any) -> np.ndarray:
    return classify(canvas_rgb(page, ROOT))["drawn"]


def disc(shape: tuple[int, ...], cx: float, cy: float, r0: float, r1: float) -> np.ndarray:
    yy, xx = np.mgrid[0 : shape[0], 0 : shape[1]]
    r = np.hypot(xx - cx, yy - cy)
    return (r >= r0) & (r <= r1)


def test_legend_entry_hides_and_shows_a_group(page: Any, player: Any, artifacts_dir: Any) -> None:
    """The inh entry hides inh: its resting neurons and its flashes leave the canvas (checked at
    isolated inh neurons on plain background, at the frame where most inh neurons spike), its
    raster rows go; pressing it again (keyboard) shows it again."""
    button = page.locator(f'{ROOT} .cleo-legend button[data-group="inh"]')
    assert button.get_attribute("aria-pressed") == "true"
    assert page.locator(f"{ROOT} .cleo-legend button").count() == 2  # the groups; Light stays a label
    rec = player.recording
    n_exc = len(player.scene.groups[0].positions)
    x, y, rect = screen_positions(page, ROOT, neuron_positions(player))
    legend = canvas_box(page, ROOT, ".cleo-legend")
    alone = {int(n) - n_exc for n in isolated_neurons(x, y, rect, spacing=14, avoid=[legend]) if n >= n_exc}
    # the frame where most of those inh neurons flash
    busiest = max(range(rec.n_frames), key=lambda k: len(alone & set(rec.groups[1].spikes_in_frame(k).tolist())))
    flashing = set((n_exc + rec.groups[1].spikes_in_frame(busiest)).tolist())
    page.mouse.move(5, 5)
    page.evaluate(f"() => window.cleoPlayerModel.set('frame', {busiest})")
    poll(lambda: page.get_attribute(f"{ROOT} .cleo-player", "data-frame") == str(busiest), 10, what="the frame")
    animation_frames(page)
    before = drawn_mask(page)
    x, y, rect = screen_positions(page, ROOT, neuron_positions(player))
    legend = canvas_box(page, ROOT, ".cleo-legend")
    # inh neurons alone on plain background: drawn at their centre, nothing drawn around them
    spots = []
    for n in isolated_neurons(x, y, rect, spacing=14, avoid=[legend]):
        if n < n_exc:
            continue
        cx, cy = x[n], y[n]
        if before[disc(before.shape, cx, cy, 0, 1.5)].any() and not before[disc(before.shape, cx, cy, 8, 12)].any():
            spots.append((int(n), cx, cy))
    resting = [sp for sp in spots if sp[0] not in flashing]
    flashes = [sp for sp in spots if sp[0] in flashing]
    assert len(resting) >= 3 and len(flashes) >= 1, f"{len(resting)} resting, {len(flashes)} flashing inh spots"
    builds = inspection(page, ROOT)["builds"]
    button.click()
    poll(lambda: model(page, "hidden") == ["inh"], 10, what="the legend click to hide inh")
    assert button.get_attribute("aria-pressed") == "false"
    poll(lambda: inspection(page, ROOT)["builds"] > builds, 10, what="the static picture drawn again")
    animation_frames(page)
    after = drawn_mask(page)
    left = [n for n, cx, cy in spots if after[disc(after.shape, cx, cy, 0, 6)].any()]
    assert not left, f"inh neurons still drawn after hiding inh: {left} (of {len(spots)}; flashing: {len(flashes)})"
    assert after.sum() < before.sum()
    raster = canvas_rgba(page, ROOT, "raster")
    h, w = raster.shape[:2]
    expected = raster_rgba(rec, group_colors(player.scene), w, h, hidden=["inh"])
    np.testing.assert_array_equal(raster, expected)
    shot(page, artifacts_dir, "inspect-3-inh-hidden.png")
    # a hidden neuron cannot be hovered
    n, cx, cy = resting[0]
    move(page, cx, cy)
    animation_frames(page)
    assert page.locator(TIP).is_hidden()
    page.mouse.move(5, 5)
    # keyboard: the entry is a button; Enter shows the group again
    check_shown_again(page, player, spots, before.shape)


def check_shown_again(page: Any, player: Any, spots: list[tuple[int, float, float]], shape: tuple[int, ...]) -> None:
    """Enter on the focused inh entry shows inh again: its neurons, its raster rows."""
    button = page.locator(f'{ROOT} .cleo-legend button[data-group="inh"]')
    button.focus()
    page.keyboard.press("Enter")
    poll(lambda: model(page, "hidden") == [], 10, what="Enter on the legend entry to show inh")
    assert button.get_attribute("aria-pressed") == "true"
    animation_frames(page)
    back = lambda: all(drawn_mask(page)[disc(shape, cx, cy, 0, 1.5)].any() for _, cx, cy in spots)  # noqa: E731
    poll(back, 10, what="inh's neurons back")
    raster = canvas_rgba(page, ROOT, "raster")
    h, w = raster.shape[:2]
    np.testing.assert_array_equal(raster, raster_rgba(player.recording, group_colors(player.scene), w, h))


def test_hidden_set_on_the_model_shows(page: Any, player: Any) -> None:
    """``hidden`` set on the model (as Python's would be): the legend, the raster, the picking."""
    page.evaluate("() => window.cleoPlayerModel.set('hidden', ['exc'])")
    exc_button = page.locator(f'{ROOT} .cleo-legend button[data-group="exc"]')
    poll(lambda: exc_button.get_attribute("aria-pressed") == "false", 10, what="exc hidden from the model")
    raster = canvas_rgba(page, ROOT, "raster")
    h, w = raster.shape[:2]
    np.testing.assert_array_equal(
        raster, raster_rgba(player.recording, group_colors(player.scene), w, h, hidden=["exc"])
    )
    assert inspection(page, ROOT)["hidden"] == ["exc"]
    page.evaluate("() => window.cleoPlayerModel.set('hidden', [])")
    poll(lambda: inspection(page, ROOT)["hidden"] == [], 10, what="no hidden groups")
