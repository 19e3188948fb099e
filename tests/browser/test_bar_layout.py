"""The control bar's layout and icons, in a saved page at the widths users meet (a narrow
sidebar to a wide notebook): one row, the scrubber first, less-used controls folded into a
menu when narrow; icons that cannot be confused; speeds written as the presets; the readout
of a frame's window."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from browser_helpers import bar_control, poll, shown_frame, view_eval
from cleo_scenes import electrodes
from look_helpers import ROOT, open_page
from PIL import Image

pytestmark = pytest.mark.browser

BAR = f"{ROOT} .cleo-controls"
FOLDED = ("cleo-speed", "cleo-loop", "cleo-reset-camera", "cleo-screenshot", "cleo-fullscreen")


@pytest.fixture(scope="module")
def page_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return electrodes(duration_ms=20).save_html(tmp_path_factory.mktemp("bar") / "bar.html")


def bar_boxes(page: Any) -> dict:
    """The bar's size and the boxes of its shown controls (CSS px)."""
    return page.evaluate(
        """(sel) => { const bar = document.querySelector(sel); const b = bar.getBoundingClientRect();
          const kids = [...bar.children].filter((e) => !e.classList.contains('cleo-menu') && e.offsetWidth > 0)
            .map((e) => { const r = e.getBoundingClientRect();
                          return { cls: e.className, top: r.top - b.top, bottom: r.bottom - b.top, width: r.width }; });
          return { width: bar.clientWidth, height: b.height, scrollWidth: bar.scrollWidth, layout: bar.dataset.layout,
                   kids }; }""",
        BAR,
    )


@pytest.mark.parametrize(
    ("width", "layout"), [(480, "narrow"), (560, "menu"), (700, "menu"), (848, "wide"), (1000, "wide")]
)
def test_bar_is_one_row_and_the_scrubber_gets_room(page_path, new_page, artifacts_dir, width, layout):
    page = open_page(new_page, page_path, width).page
    poll(lambda: bar_boxes(page)["layout"] == layout, 5, what=f"the bar's layout at {width} px")
    b = bar_boxes(page)
    page.locator(BAR).screenshot(path=str(artifacts_dir / f"bar-{width}.png"))
    assert b["width"] == width and b["scrollWidth"] <= b["width"], b
    assert b["height"] <= 40, f"the bar wraps: {b['height']} px tall"
    centres = [(k["top"] + k["bottom"]) / 2 for k in b["kids"]]
    assert max(centres) - min(centres) <= 3, b["kids"]
    scrub = next(k["width"] for k in b["kids"] if "cleo-scrub" in k["cls"])
    assert scrub >= max(110, 0.25 * width), f"scrubber {scrub} px of {width}"
    inline = {c for k in b["kids"] for c in k["cls"].split()}
    menu_button = page.locator(f"{BAR} .cleo-menu-btn")
    if layout == "wide":
        assert not menu_button.is_visible()
        for cls in FOLDED:
            assert page.locator(f"{BAR} > .{cls}, {BAR} > .cleo-item > .{cls}").count() == 1, cls
    else:
        assert menu_button.is_visible() and "cleo-speed" not in inline
        for cls in FOLDED:
            assert page.locator(f"{BAR} .cleo-menu .{cls}").count() == 1, cls
    # the readout: the frame's window and the run's end (shown when there is room)
    text = page.locator(f"{BAR} .cleo-time").text_content()
    assert text == "t = 0.0–1.0 / 20.0 ms", text
    total_shown = page.locator(f"{BAR} .cleo-time-total").is_visible()
    assert total_shown == (layout != "narrow")


def test_menu_holds_the_folded_controls(page_path, new_page, artifacts_dir):
    page = open_page(new_page, page_path, 700).page
    menu = page.locator(f"{BAR} .cleo-menu")
    assert not menu.is_visible()
    page.locator(f"{BAR} .cleo-menu-btn").click()
    menu.wait_for(state="visible")
    assert page.locator(f"{BAR} .cleo-menu-btn").get_attribute("aria-expanded") == "true"
    page.locator(f"{ROOT} .cleo-player").screenshot(path=str(artifacts_dir / "bar-menu-open.png"))
    captions = menu.inner_text()
    for caption in ("speed", "at the end", "reset camera", "save PNG", "fullscreen"):
        assert caption in captions, captions
    # the menu is inside the player, above the bar, and fully visible
    box = menu.bounding_box()
    player = page.locator(f"{ROOT} .cleo-player").bounding_box()
    assert box is not None and player is not None
    assert box["y"] >= player["y"] and box["x"] + box["width"] <= player["x"] + player["width"] + 1
    # its controls work: speed reaches the model, the menu stays open for more changes
    page.locator(f"{BAR} .cleo-menu .cleo-speed").select_option("0.01")
    poll(lambda: page.evaluate("() => window.cleoPlayerModel.get('speed')") == 0.01, 5, what="speed 0.01 in the model")
    page.locator(f"{BAR} .cleo-menu .cleo-loop").select_option("once")
    poll(lambda: page.evaluate("() => window.cleoPlayerModel.get('loop')") == "once", 5, what="loop once")
    assert menu.is_visible()
    page.keyboard.press("Escape")
    menu.wait_for(state="hidden")
    # a click elsewhere closes it; an action in it closes it
    bar_control(page, ROOT, "cleo-speed")
    # on the legend's padding, not on a group's entry (a button)
    page.locator(f"{ROOT} .cleo-legend").click(force=True, position={"x": 2, "y": 2})
    menu.wait_for(state="hidden")
    renders = view_eval(page, ROOT, "(v) => v.renders")
    bar_control(page, ROOT, "cleo-reset-camera").click()
    menu.wait_for(state="hidden")
    poll(lambda: view_eval(page, ROOT, "(v) => v.renders") > renders, 5, what="reset camera from the menu to render")
    # on a wider page the same controls are back in the bar
    page.set_viewport_size({"width": 1032, "height": 760})
    poll(lambda: bar_boxes(page)["layout"] == "wide", 5, what="the bar to unfold")
    assert page.locator(f"{BAR} .cleo-menu .cleo-speed").count() == 0
    assert page.locator(f"{BAR} .cleo-speed").input_value() == "0.01"


def test_icons_cannot_be_confused(page_path, new_page, artifacts_dir):
    page = open_page(new_page, page_path, 1000).page
    icons = page.evaluate(
        """(sel) => [...document.querySelectorAll(sel + ' .cleo-btn')].map((b) => ({
              cls: b.className, title: b.title, icon: b.querySelector('svg').dataset.icon,
              d: b.querySelector('path').getAttribute('d'),
              stroke: b.querySelector('path').getAttribute('stroke') }))""",
        BAR,
    )
    by_cls = {next(c for c in i["cls"].split() if c.startswith("cleo-") and c != "cleo-btn"): i for i in icons}
    assert set(by_cls) >= {
        "cleo-first",
        "cleo-prev",
        "cleo-play",
        "cleo-next",
        "cleo-last",
        *FOLDED[2:],
        "cleo-menu-btn",
    }
    paths = [i["d"] for i in icons]
    assert len(set(paths)) == len(paths), "two buttons share an icon"
    titles = [i["title"] for i in icons]
    assert all(titles) and len(set(titles)) == len(titles), titles
    # first / last: a bar and two triangles; previous / next: one triangle and a bar (one step)
    shapes = {k: by_cls[k]["d"].count("M") for k in ("cleo-first", "cleo-prev", "cleo-next", "cleo-last")}
    assert shapes == {"cleo-first": 3, "cleo-prev": 2, "cleo-next": 2, "cleo-last": 3}, shapes
    assert "frame the whole box" in by_cls["cleo-reset-camera"]["title"]  # not "replay"
    assert by_cls["cleo-reset-camera"]["icon"] == "reset" and by_cls["cleo-reset-camera"]["stroke"]
    bar = page.locator(BAR)
    bar.screenshot(path=str(artifacts_dir / "bar-icons.png"))
    img = Image.open(artifacts_dir / "bar-icons.png")
    img.resize((img.width * 2, img.height * 2), Image.NEAREST).save(artifacts_dir / "bar-icons-2x.png")


def test_custom_speeds_are_ordered_and_written_as_the_presets(page_path, new_page):
    page = open_page(new_page, page_path, 1000).page
    options = page.locator(f"{BAR} .cleo-speed")

    def labels() -> list[str]:
        return options.evaluate("s => [...s.options].map((o) => o.textContent)")

    assert labels() == ["1×", "1/10×", "1/100×", "1/1000×"]
    for speed, expect, shown in (
        (0.25, ["1×", "1/4×", "1/10×", "1/100×", "1/1000×"], "1/4×"),
        (2, ["2×", "1×", "1/10×", "1/100×", "1/1000×"], "2×"),
        (0.3, ["1×", "0.3×", "1/10×", "1/100×", "1/1000×"], "0.3×"),
        (0.05, ["1×", "1/10×", "1/20×", "1/100×", "1/1000×"], "1/20×"),
    ):
        page.evaluate(f"() => window.cleoPlayerModel.set('speed', {speed})")
        poll(lambda expect=expect: labels() == expect, 5, what=f"the options for speed {speed}")
        assert options.evaluate("s => s.options[s.selectedIndex].textContent") == shown


def test_readout_of_the_last_frame_ends_at_the_runs_end(page_path, new_page):
    page = open_page(new_page, page_path, 1000).page
    page.locator(f"{BAR} .cleo-last").click()
    poll(lambda: shown_frame(page, ROOT) == 19, 5, what="the last frame")
    assert page.locator(f"{BAR} .cleo-time").text_content() == "t = 19.0–20.0 / 20.0 ms"
    page.locator(f"{BAR} .cleo-prev").click()
    poll(lambda: shown_frame(page, ROOT) == 18, 5, what="the frame before")
    assert page.locator(f"{BAR} .cleo-time").text_content() == "t = 18.0–19.0 / 20.0 ms"
