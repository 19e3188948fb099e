"""``cleo_player.export_notebook`` / ``python -m cleo_player.export``: its errors and warnings,
and that the page it writes asks no other host for anything (the browser tier,
tests/browser/test_nbconvert_export.py, opens such pages offline and plays them)."""

from __future__ import annotations

import re
import subprocess
import sys
import warnings
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

import cleo_player
from cleo_player import export
from cleo_player.export import ExportWarning, NoWidgetStateError, export_notebook, main, remote_resources

STATE_MIME = "application/vnd.jupyter.widget-state+json"
VIEW_MIME = "application/vnd.jupyter.widget-view+json"
# <script src=…> / <link href=…> on another host (what nbconvert's stock lab template writes
# for require.js, MathJax and, through its loader, the html-manager)
REMOTE_TAG = re.compile(r"""<(?:script|link)\b[^>]*\b(?:src|href)\s*=\s*["']?\s*(?:https?:)?//""", re.IGNORECASE)

needs_vendor = pytest.mark.skipif(
    not all((export.VENDOR / f).is_file() for f in export.VENDOR_FILES.values()),
    reason="front end not built (npm run build)",
)


def _model(module: str, name: str, version: str, **state: object) -> dict:
    return {
        "model_module": module,
        "model_module_version": version,
        "model_name": name,
        "state": {"_model_module": module, "_model_name": name, "_view_module": module, **state},
    }


def _notebook_with_state(models: dict[str, dict], views: list[str], markdown: str = "# Title") -> nbformat.NotebookNode:
    """A notebook whose state is written by hand (no kernel): one output per view id."""
    cells = [new_markdown_cell(markdown)]
    for model_id in views:
        view = {"version_major": 2, "version_minor": 0, "model_id": model_id}
        out = new_output("execute_result", data={VIEW_MIME: view, "text/plain": "widget"}, execution_count=1)
        cells.append(new_code_cell("w", outputs=[out], execution_count=1))
    nb = new_notebook(cells=cells)
    if models:
        nb.metadata["widgets"] = {STATE_MIME: {"state": models, "version_major": 2, "version_minor": 0}}
    return nb


def _write(nb: nbformat.NotebookNode, path: Path) -> Path:
    nbformat.write(nb, path)
    return path


def _one_player(path: Path, markdown: str = "# Title") -> Path:
    """A notebook file with one anywidget view and its (hand-written) saved state."""
    return _write(_notebook_with_state({"m": _model("anywidget", "AnyModel", "~0.11.*")}, ["m"], markdown), path)


@pytest.fixture(scope="module")
def executed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, list[warnings.WarningMessage]]:
    """A small notebook (an ipywidgets slider, an anywidget, LaTeX in markdown) exported with
    ``execute=True``: (notebook, page, warnings raised)."""
    d = tmp_path_factory.mktemp("export")
    nb = new_notebook(cells=[
        new_markdown_cell("# Widgets\nEnergy $E = mc^2$."),
        new_code_cell("import ipywidgets\nipywidgets.IntSlider(3, description='n')"),
        new_code_cell("import anywidget\nclass Hi(anywidget.AnyWidget):\n"
                      "    _esm = 'export default { render({ el }) { el.textContent = \"hi\"; } }'\nHi()"),
    ])  # fmt: skip
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    src = _write(nb, d / "widgets.ipynb")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        out = export_notebook(src, d / "widgets.html", execute=True, timeout=120)
    return src, out, list(caught)


# --- the page ---------------------------------------------------------------------------------
@needs_vendor
def test_page_fetches_nothing_remote(executed):
    src, out, _ = executed
    html = out.read_text(encoding="utf-8")
    assert REMOTE_TAG.findall(html) == []
    assert remote_resources(html) == []
    assert "cdnjs.cloudflare.com" not in html and "unpkg.com" not in html  # require.js, MathJax, mermaid, html-manager
    # the vendored files are inlined, anywidget under its module name
    vendor = export.vendor_sources()
    for code in vendor.values():
        assert code in html
    assert 'args.unshift("anywidget")' in html
    # the widget state is there for the html-manager; the notebook on disk was not changed
    assert f'<script type="{STATE_MIME}">' in html and "IntSliderModel" in html and "AnyModel" in html
    assert "widgets" not in nbformat.read(src, as_version=4).metadata
    assert out.stat().st_size > 3_500_000


@needs_vendor
def test_math_in_markdown_is_reported(executed):
    _, _, caught = executed
    messages = [str(w.message) for w in caught if issubclass(w.category, ExportWarning)]
    assert any("MathJax is not bundled" in m for m in messages), messages
    assert not any("not bundled: the page loads" in m for m in messages), messages  # all widgets bundled


def test_stock_nbconvert_page_would_fetch_from_cdns():
    """What the export replaces: stock nbconvert's page loads require.js and MathJax from cdnjs
    (and the html-manager from unpkg, through a script its loader adds)."""
    from nbconvert import HTMLExporter

    nb = _notebook_with_state({"m": _model("anywidget", "AnyModel", "~0.11.*")}, ["m"])
    body, _ = HTMLExporter(template_name="lab").from_notebook_node(nb)
    assert any("require.min.js" in u for u in remote_resources(body))
    assert any("mathjax" in u for u in remote_resources(body))
    assert "'https://unpkg.com/@jupyter-widgets/html-manager@*/dist/embed-amd.js'" in body
    assert len(REMOTE_TAG.findall(body)) >= 2


def test_remote_resources_finds_what_a_browser_would_fetch():
    page = """<html><head>
    <script src="https://cdn.example/a.js"></script><script src="local.js"></script>
    <link rel="stylesheet" href="//fonts.example/css"><link rel="icon" href="favicon.ico">
    <style>@import "https://css.example/x.css"; .a { background: url('http://img.example/bg.png') }
      .b { background: url(data:image/png;base64,AAAA) }</style>
    </head><body>
    <img src="https://img.example/i.png"><img srcset="small.png 1x, https://img.example/big.png 2x">
    <iframe src="https://frame.example/"></iframe><div style="background:url(https://img.example/s.png)"></div>
    <a href="https://docs.example/">a link is not fetched</a>
    <script type="application/json">{"url": "https://json.example/not-code"}</script>
    <script type="module">const m = await import("https://esm.example/m.js"); import("./local.js");</script>
    </body></html>"""
    assert remote_resources(page) == [
        "https://cdn.example/a.js",
        "//fonts.example/css",
        "https://css.example/x.css",
        "http://img.example/bg.png",
        "https://img.example/i.png",
        "https://img.example/big.png",
        "https://frame.example/",
        "https://img.example/s.png",
        "https://esm.example/m.js",
    ]
    assert remote_resources("<p>https://example.org in text</p>") == []


# --- errors -------------------------------------------------------------------------------------
def test_missing_notebook(tmp_path):
    with pytest.raises(FileNotFoundError, match="Notebook not found: .*nope.ipynb"):
        export_notebook(tmp_path / "nope.ipynb")


@needs_vendor
def test_not_a_notebook(tmp_path):
    bad = tmp_path / "bad.ipynb"
    bad.write_text("this is not json")
    with pytest.raises(ValueError, match="is not a Jupyter notebook"):
        export_notebook(bad)


@needs_vendor
def test_no_widget_state_says_how_to_save_it(tmp_path):
    plain = _write(new_notebook(cells=[new_code_cell("1 + 1")]), tmp_path / "plain.ipynb")
    with pytest.raises(NoWidgetStateError) as e:
        export_notebook(plain)
    msg = str(e.value)
    assert "no saved widget state (and no widget outputs)" in msg
    assert "Save Widget State Automatically" in msg and "--execute" in msg and "plain.ipynb" in msg
    assert not (tmp_path / "plain.html").exists()

    # views in the outputs, state not saved (JupyterLab's default)
    views = _write(_notebook_with_state({}, ["a" * 32]), tmp_path / "views.ipynb")
    with pytest.raises(NoWidgetStateError, match=r"shows 1 widget\(s\) but holds no saved widget state"):
        export_notebook(views)


def test_vendor_files_missing_says_to_build(tmp_path, monkeypatch):
    monkeypatch.setattr(export, "VENDOR", tmp_path / "vendor")
    nb = _one_player(tmp_path / "nb.ipynb")
    expected = r"(?s)offline widget files are missing.*require\.js.*npm run build.*reinstall"
    with pytest.raises(RuntimeError, match=expected):
        export_notebook(nb)


@needs_vendor
def test_output_paths(tmp_path):
    nb = _one_player(tmp_path / "my nb.ipynb")
    assert export_notebook(nb) == tmp_path / "my nb.html"
    d = tmp_path / "site"
    d.mkdir()
    assert export_notebook(nb, d) == d / "my nb.html"
    assert export_notebook(str(nb), str(tmp_path / "x.html")) == tmp_path / "x.html"
    assert all(p.stat().st_size > 3_500_000 for p in (tmp_path / "my nb.html", d / "my nb.html", tmp_path / "x.html"))


# --- warnings about what will not work offline --------------------------------------------------
@needs_vendor
def test_warns_about_what_stays_online(tmp_path):
    models = {
        "p": _model("anywidget", "AnyModel", "~0.9.*"),
        "f": _model("jupyter-matplotlib", "MPLCanvasModel", "^0.11.0"),
    }
    md = "Math: $x^2$\n\n```mermaid\ngraph TD; A-->B\n```"
    nb = _write(_notebook_with_state(models, ["p", "f", "gone" * 8], markdown=md), tmp_path / "nb.ipynb")
    with pytest.warns(ExportWarning) as caught:
        out = export_notebook(nb)
    messages = "\n".join(str(w.message) for w in caught)
    assert "1 of the notebook's 3 widget views have no saved state" in messages
    assert "widgets from jupyter-matplotlib are not bundled" in messages
    assert "saved with anywidget 0.9.*" in messages and "anywidget 0.11.0" in messages
    assert "MathJax is not bundled" in messages and "mermaid is not bundled" in messages
    assert remote_resources(out.read_text(encoding="utf-8")) == []


@needs_vendor
def test_warns_about_remote_resources_in_outputs(tmp_path):
    nb = _notebook_with_state({"m": _model("anywidget", "AnyModel", "~0.11.*")}, ["m"])
    html_out = new_output("display_data", data={"text/html": '<script src="https://cdn.example/plot.js"></script>'})
    nb.cells.append(new_code_cell("plot()", outputs=[html_out]))
    with pytest.warns(ExportWarning, match=r"reference 1 resource\(s\) on other hosts.*https://cdn.example/plot.js"):
        export_notebook(_write(nb, tmp_path / "nb.ipynb"))


# --- the command line ---------------------------------------------------------------------------
def test_cli_errors(tmp_path, capsys):
    assert main([str(tmp_path / "nope.ipynb")]) == 1
    assert "error: Notebook not found" in capsys.readouterr().err
    if all((export.VENDOR / f).is_file() for f in export.VENDOR_FILES.values()):
        plain = _write(new_notebook(cells=[new_code_cell("1")]), tmp_path / "plain.ipynb")
        assert main([str(plain)]) == 1
        err = capsys.readouterr().err
        assert err.startswith("error: ") and "--execute" in err and "Traceback" not in err


@needs_vendor
def test_cli_writes_and_reports_size(tmp_path):
    nb = _one_player(tmp_path / "nb.ipynb", markdown="$x$")
    r = subprocess.run([sys.executable, "-m", "cleo_player.export", str(nb), "-o", str(tmp_path / "o.html")],
                       capture_output=True, text=True, timeout=120)  # fmt: skip
    assert r.returncode == 0, r.stderr
    wrote = re.escape(str(tmp_path / "o.html"))
    assert re.fullmatch(rf"Wrote {wrote} \(\d+\.\d MB\); it plays offline, from file:// too\.\n", r.stdout), r.stdout
    assert "warning: MathJax is not bundled" in r.stderr
    assert "RuntimeWarning" not in r.stderr  # runpy: the module was not imported by the package first


@needs_vendor
def test_vendored_anywidget_matches_the_python_one():
    """The page carries anywidget's front end from npm (package.json pins it): it must be the
    version of the Python anywidget that saves the state (bump package.json with it)."""
    import anywidget

    assert export.vendor_versions()["anywidget"] == anywidget.__version__


def test_package_exposes_export_notebook():
    assert cleo_player.export_notebook is export_notebook
    assert "export_notebook" in cleo_player.__all__
