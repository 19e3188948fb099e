"""The timeline in the standalone page (``Player.save_html``, opened offline): its place and
size, the raster's pixels against the recording's spikes (``raster_rgba``, the layout shared with
the video), traces, the playhead on the player's clock, click to seek, drag to scrub, brushing to
zoom, and the hooks the inspection tools will use (hidden groups, highlighted neurons).

The players are built in this process from the seed tutorial run for 100 ms (frames of 1 ms).
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest
from browser_helpers import (
    VIEWPORT,
    PageLog,
    assert_stayed_offline,
    bar_state,
    open_offline,
    poll,
    view_eval,
)
from timeline_helpers import (
    TIMELINE,
    box,
    canvas_rgba,
    check_playhead_samples,
    group_colors,
    nearest_frame,
    sample_playback,
    state,
)

from cleo_player.video.timeline import color_u8, raster_rgba

pytestmark = pytest.mark.browser

ROOT = "#cleo-player-root"
N_FRAMES = 100
TL = f"{ROOT} {TIMELINE}"


@pytest.fixture(scope="module")
def players(seed_run: Any) -> dict[str, Any]:
    """The seed tutorial's player with a custom trace (the excitatory rate), and one made
    with the timeline off."""
    import brian2 as b2

    from cleo_player import Player

    s, rec = seed_run
    player = Player(rec, **s.plotargs)
    r = player.recording
    g = r.groups[0]
    player.add_trace("exc rate", r.frame_t * b2.second, np.diff(g.frame_ptr) / (g.size * r.dt), unit="Hz",
                     color="tab:green")  # fmt: skip
    return {"player": player, "off": Player(rec, timeline=False, **s.plotargs)}


@pytest.fixture(scope="module")
def page(players: dict, chromium: Any, tmp_path_factory: pytest.TempPathFactory) -> Any:
    """One offline page of the player, shared by the tests of this module (in file order);
    fails at the end if it reported an error or asked for the network."""
    path = players["player"].save_html(tmp_path_factory.mktemp("tl") / "timeline.html")
    context = chromium.new_context(viewport=VIEWPORT)
    context.set_default_timeout(30_000)

    def new_page() -> SimpleNamespace:
        p = context.new_page()
        return SimpleNamespace(page=p, log=PageLog().attach(p), context=context)

    lp = open_offline(new_page, path, ROOT)
    lp.page.wait_for_selector(f"{TL}[data-frame]")
    yield lp.page
    problems = lp.log.page_errors + lp.log.console_errors
    context.close()
    assert not problems, "the page reported errors:\n" + "\n".join(problems)
    assert_stayed_offline(lp)


def model_frame(page: Any) -> int:
    return page.evaluate("() => window.cleoPlayerModel.get('frame')")


def wait_all_at(page: Any, frame: int, what: str) -> None:
    """Until the model, the bar, the 3D view and the playhead all show ``frame``."""

    def at() -> bool:
        s = state(page, ROOT)
        return (
            model_frame(page) == frame
            and bar_state(page, ROOT)[0] == frame
            and s["viewFrame"] == frame
            and s["frame"] == frame
        )

    poll(at, 10, what=what)


def expected_raster(player: Any, shape: tuple[int, int], view: Any = None, hidden: Any = ()) -> np.ndarray:
    h, w = shape
    return raster_rgba(player.recording, group_colors(player.scene), w, h, view=view, hidden=hidden)


def test_timeline_sits_under_the_view_and_draws_every_spike(page: Any, players: dict, artifacts_dir: Any) -> None:
    player = players["player"]
    tl = page.locator(TL)
    assert tl.get_attribute("aria-label") == "timeline"
    assert "click" in (tl.get_attribute("title") or "") and "double-click" in (tl.get_attribute("title") or "")
    stage = page.locator(f"{ROOT} .cleo-stage").bounding_box()
    bar = page.locator(f"{ROOT} .cleo-controls").bounding_box()
    root = page.locator(f"{ROOT} .cleo-player").bounding_box()
    b = box(page, ROOT)
    # under the 3D view, above the control bar, as wide as the player, a third of its height
    assert stage["y"] + stage["height"] <= b["y"] + 0.5 and b["y"] + b["height"] <= bar["y"] + 0.5
    assert b["width"] == root["width"] and b["x"] == root["x"]
    s = state(page, ROOT)
    view_height = page.evaluate("() => window.cleoPlayerModel.get('height')")  # (the page fills the window)
    assert s["height"] == round(view_height / 3)
    page.locator(f"{ROOT} .cleo-player").screenshot(path=str(artifacts_dir / "timeline-1-standalone.png"))

    raster = canvas_rgba(page, ROOT, "raster")
    assert raster.shape[1] == s["width"]  # device pixel ratio 1: one canvas pixel per CSS px
    expected = expected_raster(player, raster.shape[:2])
    assert (expected[..., 3] > 0).sum() > 1000
    np.testing.assert_array_equal(raster, expected)
    # direct: every spike's first pixel (its frame's first column, its neuron's first row) in
    # its group's colour, and only the groups' colours anywhere
    colors = {tuple(color_u8(c)) for c in group_colors(player.scene)}
    assert {tuple(p) for p in raster.reshape(-1, 4)} == {(0, 0, 0, 0), *colors}
    labels = page.locator(f"{TL} .cleo-timeline-labels").text_content() or ""
    for name in ("exc", "inh", "Light", "mW/mm2", "exc rate", "Hz", "ms"):
        assert name in labels, labels


def test_click_seeks_to_the_frame_nearest_the_time_clicked(page: Any) -> None:
    starts = np.arange(N_FRAMES, dtype=float)  # ms
    for fraction in (0.1, 0.253, 0.503, 0.873, 0.999, 0.0):
        b = box(page, ROOT)
        x = b["x"] + fraction * b["width"]
        page.mouse.click(x, b["y"] + 30)
        expected = nearest_frame(starts, (x - b["x"]) / b["width"] * 100.0)
        assert expected == min(round(fraction * 100), N_FRAMES - 1)
        wait_all_at(page, expected, f"a click at {fraction:.3f} of the timeline to show frame {expected}")
        s = state(page, ROOT)
        assert s["x"] == pytest.approx(expected / 100 * s["width"], abs=1e-6)
        assert s["playhead"] == "visible"


def test_drag_scrubs_and_pauses_playback(page: Any) -> None:
    page.click(f"{ROOT} .cleo-play")
    page.wait_for_selector(f"{ROOT} .cleo-controls[data-playing='true']")
    b = box(page, ROOT)
    y = b["y"] + 40
    page.mouse.move(b["x"] + 0.2 * b["width"], y)
    page.mouse.down()
    page.wait_for_selector(f"{ROOT} .cleo-controls[data-playing='false']")  # grabbing pauses
    seen = []
    for fraction in (0.3, 0.45, 0.6, 0.42):
        page.mouse.move(b["x"] + fraction * b["width"], y, steps=4)
        expected = round(fraction * 100)
        wait_all_at(page, expected, f"scrubbing to {fraction} to show frame {expected}")
        seen.append(expected)
    page.mouse.up()
    assert page.evaluate("() => window.cleoPlayerModel.get('playing')") is False
    assert model_frame(page) == 42


def test_playhead_shows_the_frame_the_view_shows_while_playing(page: Any) -> None:
    """Sampled between animation frames while playing: the playhead's frame, the 3D view's
    frame and the playhead's position always agree."""
    samples = sample_playback(page, ROOT)
    check_playhead_samples(samples, state(page, ROOT)["width"], N_FRAMES)
    page.wait_for_selector(f"{ROOT} .cleo-controls[data-playing='false']")


def test_brushing_zooms_the_time_axis_and_double_click_resets(page: Any, players: dict, artifacts_dir: Any) -> None:
    player = players["player"]
    b = box(page, ROOT)
    y = b["y"] + 40
    page.keyboard.down("Shift")
    page.mouse.move(b["x"] + 0.2 * b["width"], y)
    page.mouse.down()
    page.mouse.move(b["x"] + 0.4 * b["width"], y, steps=5)
    page.mouse.up()
    page.keyboard.up("Shift")
    poll(lambda: state(page, ROOT)["zoomed"], 5, what="shift-drag to zoom in")
    s = state(page, ROOT)
    v0, v1 = s["range"]
    assert v0 == pytest.approx(20, abs=0.2) and v1 == pytest.approx(40, abs=0.2)
    raster = canvas_rgba(page, ROOT, "raster")
    np.testing.assert_array_equal(raster, expected_raster(player, raster.shape[:2], view=(v0, v1)))
    page.locator(f"{ROOT} .cleo-player").screenshot(path=str(artifacts_dir / "timeline-2-zoomed.png"))
    ticks = [float(t) for t in page.locator(f"{TL} .cleo-timeline-tick").all_text_contents()]
    assert ticks and all(v0 <= t <= v1 for t in ticks), ticks
    # a click while zoomed seeks within the zoomed range
    page.mouse.click(b["x"] + 0.5 * b["width"], y)
    expected = round((v0 + v1) / 2)
    wait_all_at(page, expected, f"a click in the zoomed timeline to show frame {expected}")
    # double-click: the whole run again
    page.mouse.dblclick(b["x"] + 0.5 * b["width"], y)
    poll(lambda: not state(page, ROOT)["zoomed"], 5, what="double-click to reset the zoom")
    assert state(page, ROOT)["range"] == [0.0, 100.0]
    raster = canvas_rgba(page, ROOT, "raster")
    np.testing.assert_array_equal(raster, expected_raster(player, raster.shape[:2]))
    # a drag along the time axis strip zooms too (no modifier)
    axis_y = b["y"] + b["height"] - 6
    page.mouse.move(b["x"] + 0.6 * b["width"], axis_y)
    page.mouse.down()
    page.mouse.move(b["x"] + 0.9 * b["width"], axis_y, steps=5)
    page.mouse.up()
    poll(lambda: state(page, ROOT)["zoomed"], 5, what="a drag on the time axis to zoom in")
    v0, v1 = state(page, ROOT)["range"]
    assert v0 == pytest.approx(60, abs=0.2) and v1 == pytest.approx(90, abs=0.2)
    page.mouse.dblclick(b["x"] + 0.5 * b["width"], b["y"] + 40)
    poll(lambda: not state(page, ROOT)["zoomed"], 5, what="double-click to reset the zoom")


def test_traces_are_drawn_in_their_rows(page: Any, players: dict) -> None:
    player = players["player"]
    traces = canvas_rgba(page, ROOT, "traces")
    light = np.asarray(player.scene.lights[0].color) * 255
    green = np.asarray((0.173, 0.627, 0.173)) * 255  # tab:green
    rgb = traces[..., :3].astype(int)  # straight (not premultiplied) colour
    inked = traces[..., 3] > 30  # lines (antialiased) and the light's faint fill

    def near(c: np.ndarray) -> np.ndarray:
        return inked & (np.abs(rgb - c).max(-1) <= 30)

    light_rows = np.flatnonzero(near(light).any(1))
    green_rows = np.flatnonzero(near(green).any(1))
    assert near(light).sum() > 300 and near(green).sum() > 300
    assert light_rows.max() < green_rows.min() + 3  # the light's row above the custom trace's
    # the light's trace follows its value: drawn across the whole run
    cols = np.flatnonzero(near(light).any(0))
    assert cols.min() <= 2 and cols.max() >= traces.shape[1] - 3


def test_hidden_groups_and_highlighted_neurons(page: Any, players: dict) -> None:
    """The hooks the inspection tools will drive: hide a group's rows, light some neurons'."""
    player = players["player"]
    view_eval(page, ROOT, "(v) => v.timeline.setHiddenGroups(['inh'])")
    raster = canvas_rgba(page, ROOT, "raster")
    np.testing.assert_array_equal(raster, expected_raster(player, raster.shape[:2], hidden=["inh"]))
    group_labels = page.locator(f"{TL} .cleo-timeline-label:not(.cleo-timeline-trace-label)").all_text_contents()
    assert group_labels == ["exc"]
    view_eval(page, ROOT, "(v) => v.timeline.setHiddenGroups([])")
    raster = canvas_rgba(page, ROOT, "raster")
    np.testing.assert_array_equal(raster, expected_raster(player, raster.shape[:2]))

    exc = player.recording.groups[0]
    busiest = int(np.bincount(exc.spike_i).argmax())
    view_eval(page, ROOT, f"(v) => v.timeline.setHighlighted([{busiest}])")
    marks = canvas_rgba(page, ROOT, "marks")
    lit_rows = np.flatnonzero(marks[..., 3].any(1))
    spike_px = (marks[..., :3] == 255).all(-1) & (marks[..., 3] == 255)
    n_rows = raster.shape[0]
    # its rows in the exc band (the band: rows 0 .. about 4/5 of the raster)
    assert len(lit_rows) >= 1 and lit_rows.max() < n_rows * 0.85
    assert spike_px.sum() >= np.sum(exc.spike_i == busiest)  # its spikes, in white
    view_eval(page, ROOT, "(v) => v.timeline.setHighlighted([])")
    assert not canvas_rgba(page, ROOT, "marks")[..., 3].any()


def test_timeline_off_and_its_height(players: dict, new_page: Any, tmp_path_factory: Any) -> None:
    path = players["off"].save_html(tmp_path_factory.mktemp("tl-off") / "off.html")
    lp = open_offline(new_page, path, ROOT)
    page = lp.page
    assert not page.locator(TL).is_visible()
    s = state(page, ROOT)
    assert s["display"] == "none" and s["redraws"] == 0  # hidden: nothing drawn
    stage = page.locator(f"{ROOT} .cleo-stage").bounding_box()
    bar = page.locator(f"{ROOT} .cleo-controls").bounding_box()
    assert abs(stage["y"] + stage["height"] - bar["y"]) < 1  # the bar right under the view
    page.evaluate(
        "() => { window.cleoPlayerModel.set('timeline_height', 100); window.cleoPlayerModel.set('timeline', true); }"
    )
    page.wait_for_selector(f"{TL}", state="visible")
    poll(lambda: state(page, ROOT)["redraws"] > 0, 5, what="the timeline to draw once shown")
    assert state(page, ROOT)["height"] == 100
    raster = canvas_rgba(page, ROOT, "raster")
    np.testing.assert_array_equal(raster, expected_raster(players["off"], raster.shape[:2]))
    page.evaluate("() => window.cleoPlayerModel.set('timeline', false)")
    page.wait_for_selector(f"{TL}", state="hidden")
    assert_stayed_offline(lp)
