"""Names full of HTML (``<!--<script>``, ``</script>``, ``<img onerror>``, quotes, ``&``,
unicode) as group, device and extras names, in every place a player goes: the live widget in
JupyterLab, a ``save_html`` page and an exported notebook (plain and ``--sanitize-html``). The
page renders, the legend shows the literal text, no script of the names runs (``onerror`` would
set ``window.__pwned``) and nothing is logged as an error.

The exported notebook also carries a pythreejs extra (a green box): its page makes no request
at all (not even for ``jupyter-threejs``, whose models the page leaves out) and draws the box.
A notebook that *displays* a pythreejs widget is exported with a warning that says what the
page then does offline, which the last test checks.
"""

from __future__ import annotations

import json
import warnings
from typing import TYPE_CHECKING, Any

import pytest
from browser_helpers import (
    LOCAL_SCHEMES,
    canvas_rgb,
    open_offline,
    pixel_stats,
    poll,
    save_stage,
    wait_for_render,
)

if TYPE_CHECKING:
    from pathlib import Path

    import numpy as np

pytestmark = pytest.mark.browser

NOTEBOOK = "hostile_names.ipynb"  # written into the JupyterLab root by the `nb` fixture below
READY = "READY names"
H = '<!--<script>x</script><img src=x onerror="window.__pwned=1">&amp; \'q\' "dq" \u2028 ünï ✓'
H2 = "</script><script>window.__pwned=2</script><!--"
DEVICES = ".names-devices"  # Player(sim): a Light and a Probe with hostile names, an extra
GROUPS = ".names-groups"  # Player(Recording): two groups with hostile names
LEGENDS = {DEVICES: ["exc", "L " + H, "P " + H2], GROUPS: [H, H2]}
ROOT = "#cleo-player-root"

SETUP = f"""\
import brian2 as b2
import cleo
import numpy as np
import pythreejs as p3
from cleo.ephys import Probe
from cleo.light import Light, fiber473nm
from cleo_player import Player, Recorder
from cleo_player.recording import GroupData, Recording

b2.prefs.codegen.target = "numpy"
H, H2 = {H!r}, {H2!r}
ng = b2.NeuronGroup(60, "dv/dt = (1.5 - v) / (10*ms) : 1", threshold="v > 1", reset="v = 0",
                    name="exc")
ng.v = "rand()"
cleo.coords.assign_coords_rand_rect_prism(ng, [-300, 300], [-300, 300], [200, 400], unit=b2.um)
sim = cleo.CLSimulator(b2.Network(ng))
light = Light(coords=[0, 0, 0] * b2.um, light_model=fiber473nm(), name="L " + H,
              max_value=10 * b2.mwatt / b2.mm2)
sim.inject(light, ng)
sim.inject(Probe(coords=[[0, 0, 250], [0, 0, 350]] * b2.um, name="P " + H2, signals=[]), ng)
rec = Recorder(dt=1 * b2.ms, devices="all")
sim.inject(rec, ng)
light.update(5 * b2.mwatt / b2.mm2)
sim.run(10 * b2.ms)
box = p3.Mesh(p3.BoxGeometry(200, 200, 100), p3.MeshBasicMaterial(color="#00ff00"),
              position=(0, 0, 300), name="box " + H)
devices = Player(rec, colors=["tomato"])
devices.add(box)
devices.add_class("names-devices")

ft = np.arange(5) * 1e-3
rng = np.random.default_rng(0)
groups = tuple(
    GroupData.from_spikes(name, rng.uniform(-3e-4, 3e-4, (40, 3)) + [0, 0, 3e-4],
                          np.arange(10, dtype=np.uint32), ft[np.arange(10) % 5], ft, 1e-3)
    for name in (H, H2)
)
named_groups = Player(Recording(1e-3, ft, 5e-3, groups), colors=["tomato", "royalblue"])
named_groups.add(p3.Mesh(p3.SphereGeometry(50), p3.MeshBasicMaterial(), name=H2))
named_groups.add_class("names-groups")
"""
CELLS = [SETUP + "devices", "named_groups", f"print({READY!r}, repr(devices), repr(named_groups))"]


def make_notebook(path: Path) -> Path:
    import nbformat
    from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

    nb = new_notebook(cells=[new_markdown_cell("# Names full of HTML\nWritten by test_hostile_names.py.")])
    nb.cells += [new_code_cell(c) for c in CELLS]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, path)
    return path


def legend(page: Any, sel: str) -> list[str]:
    """Each legend row's label, as text."""
    return page.eval_on_selector_all(
        f"{sel} .cleo-legend > *", "rows => rows.map((r) => r.lastElementChild.textContent)"
    )


def assert_names_safe(page: Any, sels: list[str], artifacts: Path, name: str) -> None:
    """Every player inside ``sels`` rendered, its legend lists the names as literal text, and
    nothing the names hold ran."""
    for sel in sels:
        wait_for_render(page, sel)
        poll(lambda s=sel: legend(page, s) == LEGENDS[s], 15, what=f"the legend of {sel}: {legend(page, sel)}")
        assert page.locator(f"{sel} .cleo-legend img, {sel} .cleo-legend script").count() == 0
        stats = pixel_stats(canvas_rgb(page, sel))
        save_stage(page, sel, artifacts, f"{name}-{sel.strip('.')}", stats)
        assert stats.red > 200, stats.summary()  # the tomato neurons are drawn
    assert page.evaluate("() => window.__pwned") is None


def green(rgb: np.ndarray) -> np.ndarray:
    x = rgb.astype(int)
    return (x[..., 1] > 150) & (x[..., 0] < 110) & (x[..., 2] < 110)


# --- JupyterLab -----------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def nb(lab_notebooks: Any, jupyter_lab: Any) -> Any:
    """The notebook above, written into the server's root, opened and run (conftest's `nb`
    with a notebook made here; its per-test checks: no page error, no console error, no
    request off the server)."""
    make_notebook(jupyter_lab.root / NOTEBOOK)
    return lab_notebooks.get(NOTEBOOK, READY)


def test_live_widgets_show_names_as_text(nb: Any, artifacts_dir: Path) -> None:
    assert_names_safe(nb.page, [DEVICES, GROUPS], artifacts_dir, "names-lab")
    # the stream output with the names (the players' reprs) is text too
    out = nb.page.locator(".jp-OutputArea-output", has_text=READY).first.text_content()
    assert H2 in out and "P " + H2 in out


# --- save_html ------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def players() -> dict[str, Any]:
    scope: dict[str, Any] = {}
    exec(compile(SETUP, "<hostile names setup>", "exec"), scope)  # noqa: S102
    return {DEVICES: scope["devices"], GROUPS: scope["named_groups"]}


@pytest.mark.parametrize("sel", [DEVICES, GROUPS])
def test_save_html_shows_names_as_text(sel, players, new_page, tmp_path, artifacts_dir) -> None:
    path = players[sel].save_html(tmp_path / "names.html")
    lp = open_offline(new_page, path, ROOT)
    page = lp.page
    page.evaluate("([root, cls]) => document.querySelector(root).classList.add(cls)", [ROOT, sel.strip(".")])
    assert_names_safe(page, [sel], artifacts_dir, "names-html")
    heading = page.locator("h1").text_content()
    assert heading.startswith("cleo-player: ") and (H in heading if sel == GROUPS else "exc" in heading)
    assert page.title() == heading


# --- the exported notebook ---------------------------------------------------------------------------
@pytest.fixture(scope="module")
def executed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The notebook above run with nbclient, its widget state stored."""
    import nbformat

    from cleo_player.export import execute_notebook

    d = tmp_path_factory.mktemp("names")
    path = make_notebook(d / NOTEBOOK)
    nb = nbformat.read(path, as_version=4)
    execute_notebook(nb, d, timeout=300)
    nbformat.write(nb, path)
    return path


@pytest.mark.parametrize("sanitize", [False, True], ids=["plain", "sanitized"])
def test_export_shows_names_as_text_and_draws_the_extra_offline(
    sanitize, executed, new_page, tmp_path, artifacts_dir
) -> None:
    import nbformat

    from cleo_player.export import ExportWarning, export_notebook

    state = json.dumps(nbformat.read(executed, as_version=4).metadata["widgets"])
    assert "jupyter-threejs" in state  # the kernel made pythreejs widgets (the extras), saved with the rest
    with warnings.catch_warnings():
        warnings.simplefilter("error", ExportWarning)  # nothing to warn about: the page carries all it needs
        out = export_notebook(executed, tmp_path / "names.html", sanitize_html=sanitize)
    assert "jupyter-threejs" not in out.read_text(encoding="utf-8")

    lp = new_page()
    blocked: list[str] = []

    def route(r: Any) -> None:
        if r.request.url.startswith(LOCAL_SCHEMES):
            r.continue_()
        else:
            blocked.append(r.request.url)
            r.abort("internetdisconnected")

    lp.context.route("**/*", route)
    lp.context.set_offline(True)
    page = lp.page
    page.goto(out.as_uri())
    name = "names-export-" + ("sanitized" if sanitize else "plain")
    assert_names_safe(page, [DEVICES, GROUPS], artifacts_dir, name)
    page.screenshot(path=str(artifacts_dir / f"{name}-page.png"), full_page=True)

    # the extra (a green box at the neurons' depth) is drawn
    def box_drawn() -> int:
        n = int(green(canvas_rgb(page, DEVICES)).sum())
        return n if n > 300 else 0

    poll(box_drawn, 15, what="the green box of the exported player")
    # no request left the file: not jupyter-threejs, nothing else
    assert blocked == [], blocked
    assert [u for u in lp.log.requests if not u.startswith(LOCAL_SCHEMES)] == []
    assert [u for u in lp.log.requests if u.startswith("file:")] == [out.as_uri()]


# --- a displayed pythreejs widget: what the warning says happens --------------------------------------
def test_displayed_pythreejs_widget_warns_and_fails_as_said(new_page, tmp_path) -> None:
    import nbformat
    from nbformat.v4 import new_code_cell, new_notebook

    from cleo_player.export import ExportWarning, export_notebook

    nb = new_notebook(cells=[
        new_code_cell(
            "import pythreejs as p3\n"
            "box = p3.Mesh(p3.BoxGeometry(1, 1, 1), p3.MeshBasicMaterial(color='#00ff00'))\n"
            "camera = p3.PerspectiveCamera(position=[0, 0, 5])\n"
            "p3.Renderer(camera=camera, scene=p3.Scene(children=[box]), width=120, height=120)"
        ),
        new_code_cell("print('after the renderer')"),
    ])  # fmt: skip
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    src = tmp_path / "renderer.ipynb"
    nbformat.write(nb, src)
    with pytest.warns(ExportWarning) as caught:
        out = export_notebook(src, execute=True, timeout=120)
    (said,) = [str(w.message) for w in caught if "jupyter-threejs" in str(w.message)]
    assert "CDN (jsdelivr)" in said and "Click to show javascript error" in said

    lp = new_page()
    blocked: list[str] = []
    lp.context.route(
        "**/*",
        lambda r: (
            r.continue_()
            if r.request.url.startswith(LOCAL_SCHEMES)
            else (blocked.append(r.request.url), r.abort("internetdisconnected"))
        ),
    )
    lp.context.set_offline(True)
    page = lp.page
    page.goto(out.as_uri())
    # what the warning says: the code is asked of jsdelivr, and an error box takes the widget's place
    error_box = page.locator(".jupyter-widgets", has_text="Click to show javascript error")
    error_box.first.wait_for(timeout=30_000)
    assert blocked and all(u.startswith("https://cdn.jsdelivr.net/npm/jupyter-threejs@") for u in blocked), blocked
    assert page.locator(".jp-OutputArea-output", has_text="after the renderer").count() == 1  # the rest is there
    # the failed loads are the console errors this page is expected to log: drop them for the fixture
    expected = [e for e in lp.log.console_errors if "Failed to load resource" in e or "jupyter-threejs" in e]
    assert expected, lp.log.console_errors
    for e in expected:
        lp.log.console_errors.remove(e)
    assert lp.log.page_errors == [], lp.log.page_errors
