"""Pictures of a player in real JupyterLab (notebook ``pictures.ipynb``):

* ``await player.screenshot()`` returns the PNG of the 3D view exactly as shown (the canvas,
  with the legend painted over it), at ``scale`` times the pixel ratio; it works in the cell
  that first displays the player (the kernel receives the browser's answer while the cell
  awaits); without a view it fails with advice;
* the bar's camera button downloads the same picture as a file named after the player;
* a notebook saved with a player's output shows the PNG preview where no widget can be drawn
  (opened without its kernel's state).
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import nbformat
import numpy as np
import pytest
from browser_helpers import (
    NOTEBOOK as LAB_NOTEBOOK,
)
from browser_helpers import (
    LabNotebook,
    bar_control,
    canvas_rgb,
    open_notebook,
    show,
    wait_for_render,
)
from PIL import Image

pytestmark = pytest.mark.browser

NOTEBOOK = "pictures.ipynb"
READY = "READY Player("
PIC = ".test-pic"


@pytest.fixture(scope="module", autouse=True)
def rendered(nb: LabNotebook) -> None:
    wait_for_render(nb.page, PIC)


def kernel_png(nb: LabNotebook, root: Path, code: str, name: str) -> np.ndarray:
    """Run ``code`` (which leaves PNG bytes in ``png``) in the kernel; the picture it wrote."""
    nb.py(f"{code}\nopen({name!r}, 'wb').write(png)\nprint('SHOT', len(png))")
    return np.asarray(Image.open(root / name).convert("RGB"))


def legend_box(page: Any, sel: str) -> tuple[int, int, int, int]:
    """The legend's box on the canvas, drawing-buffer px (left, top, right, bottom)."""
    return tuple(
        page.evaluate(
            """(sel) => { const el = document.querySelector(sel); const c = el.querySelector('canvas.cleo-canvas');
              const k = c.width / c.clientWidth; const a = c.getBoundingClientRect();
              const g = el.querySelector('.cleo-legend').getBoundingClientRect();
              return [g.left - a.left, g.top - a.top, g.right - a.left, g.bottom - a.top].map((v, i) =>
                Math.round(i < 2 ? Math.floor(v * k) : Math.ceil(v * k))); }""",
            sel,
        )
    )


def test_screenshot_is_the_view_as_shown(nb: LabNotebook, jupyter_lab: Any, artifacts_dir: Path) -> None:
    page = nb.page
    show(page, PIC, reset_camera=True)
    nb.py("player.frame = 12")
    show(page, PIC)
    page.wait_for_function(f"() => document.querySelector('{PIC} .cleo-player').dataset.frame === '12'")
    shown = canvas_rgb(page, PIC)
    shot = kernel_png(nb, jupyter_lab.root, "png = await player.screenshot()", "shot-1x.png")
    Image.fromarray(shot).save(artifacts_dir / "screenshot-1x.png")
    Image.fromarray(shown).save(artifacts_dir / "screenshot-canvas.png")
    assert shot.shape == shown.shape, (shot.shape, shown.shape)
    left, top, right, bottom = legend_box(page, PIC)
    outside = np.ones(shot.shape[:2], bool)
    outside[top:bottom, left:right] = False
    diff = np.abs(shot.astype(int) - shown.astype(int)).max(axis=2)
    assert (diff[outside] > 2).sum() == 0, f"{(diff[outside] > 2).sum()} pixels differ from the canvas"
    # the legend is painted in: light text over its dark box
    legend = shot[top:bottom, left:right].astype(int)
    assert (legend.min(axis=2) > 180).sum() > 30, "no legend text in the screenshot"

    # scale 2: twice the pixels, the same picture
    big = kernel_png(nb, jupyter_lab.root, "png = await player.screenshot(scale=2)", "shot-2x.png")
    Image.fromarray(big).save(artifacts_dir / "screenshot-2x.png")
    assert big.shape[:2] == (2 * shot.shape[0], 2 * shot.shape[1])
    half = np.asarray(Image.fromarray(big).resize(shot.shape[1::-1], Image.BOX)).astype(int)
    assert np.abs(half - shot.astype(int)).mean() < 6
    # the view is back at its own resolution and picture afterwards
    assert np.array_equal(canvas_rgb(page, PIC), shown)


def test_screenshot_in_the_cell_that_displays_the_player(nb: LabNotebook, jupyter_lab: Any) -> None:
    code = (
        "fresh = Player(s.sim, **s.plotargs)\nfresh.add_class('test-fresh')\ndisplay(fresh)\n"
        "png = await fresh.screenshot(timeout=30)"
    )
    shot = kernel_png(nb, jupyter_lab.root, code, "shot-fresh.png")
    assert shot.shape[0] > 100 and shot.shape[1] > 100
    assert (np.abs(shot.astype(int) - [17, 19, 24]).max(axis=2) > 30).sum() > 1000  # the scene, not a blank canvas


def test_screenshot_without_a_view_explains(nb: LabNotebook) -> None:
    out = nb.py(
        "hidden = Player(s.sim, **s.plotargs)\n"
        "try:\n    await hidden.screenshot(timeout=2)\nexcept TimeoutError as err:\n    print('TIMEOUT', err)"
    )
    assert "TIMEOUT No view of this player answered within 2 s" in out and "display the player" in out


def test_camera_button_downloads_the_view(nb: LabNotebook, artifacts_dir: Path) -> None:
    page = nb.page
    nb.py("player.frame = 5")
    show(page, PIC)
    page.wait_for_function(f"() => document.querySelector('{PIC} .cleo-player').dataset.frame === '5'")
    shown = canvas_rgb(page, PIC)
    with page.expect_download() as info:
        bar_control(page, PIC, "cleo-screenshot").click()
    download = info.value
    assert download.suggested_filename == "cleo-player_exc-inh_t5.0ms.png"
    path = artifacts_dir / "screenshot-button.png"
    download.save_as(str(path))
    saved = np.asarray(Image.open(path).convert("RGB"))
    assert saved.shape == shown.shape
    left, top, right, bottom = legend_box(page, PIC)
    same = np.abs(saved.astype(int) - shown.astype(int)).max(axis=2) <= 2
    same[top:bottom, left:right] = True
    assert same.all()


# --- the static preview where widgets are not drawn -------------------------------------------
def test_saved_output_shows_the_png_preview(
    nb: LabNotebook, jupyter_lab: Any, new_page: Any, artifacts_dir: Path
) -> None:
    """A notebook saved with the player's output and no widget state (as on GitHub, or opened
    before running): JupyterLab shows the PNG preview, not only ``Player(...)``."""
    bundle = nb.py_json("player._repr_mimebundle_()")
    data, metadata = bundle
    assert {"image/png", "text/plain", "application/vnd.jupyter.widget-view+json"} <= set(data)
    cell = nbformat.v4.new_code_cell("player", execution_count=1)
    cell.outputs = [nbformat.v4.new_output("execute_result", data=data, metadata=metadata, execution_count=1)]
    saved = nbformat.v4.new_notebook(cells=[cell])
    saved.metadata["kernelspec"] = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}
    nbformat.write(saved, jupyter_lab.root / "saved_preview.ipynb")

    page = new_page().page
    open_notebook(page, jupyter_lab.url, "saved_preview.ipynb")
    img = page.locator(f"{LAB_NOTEBOOK} .jp-OutputArea-output img").first
    img.wait_for(state="visible", timeout=30_000)
    size = img.evaluate("i => [i.naturalWidth, i.naturalHeight]")
    assert size == [480, 360]
    page.locator(f"{LAB_NOTEBOOK} .jp-Cell").first.screenshot(path=str(artifacts_dir / "preview-in-lab.png"))
    src = img.get_attribute("src") or ""
    assert src.startswith("data:image/png")
    import base64

    png = np.asarray(Image.open(io.BytesIO(base64.b64decode(src.split(",", 1)[1]))).convert("RGB"))
    assert png.shape == (360, 480, 3)
