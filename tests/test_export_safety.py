"""``python -m cleo_player.export`` on what is not a good notebook (an ``error:`` line and exit
code 1, never a traceback), the models an exported page keeps (not the pythreejs objects a
player draws itself), names that cannot break the embedded JSON, and ``--sanitize-html``.
(Browser tier: tests/browser/test_hostile_names.py opens such pages.)"""

from __future__ import annotations

import html.parser
import json
import subprocess
import sys
import warnings
from typing import TYPE_CHECKING

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from cleo_player import export
from cleo_player.export import SANITIZED_ESM, export_notebook, main, needed_models

if TYPE_CHECKING:
    from pathlib import Path

STATE_MIME = "application/vnd.jupyter.widget-state+json"
VIEW_MIME = "application/vnd.jupyter.widget-view+json"
HOSTILE = "<!--<script>x</script><img src=x onerror=\"window.__pwned=1\">&amp; 'q' \u2028 ünï"

needs_vendor = pytest.mark.skipif(
    not all((export.VENDOR / f).is_file() for f in export.VENDOR_FILES.values()),
    reason="front end not built (npm run build)",
)


def model(module: str, name: str, **state: object) -> dict:
    return {
        "model_module": module,
        "model_module_version": "*",
        "model_name": name,
        "state": {"_model_module": module, "_model_name": name, **state},
    }


def notebook(models: dict[str, dict], views: list[str], markdown: str = "# Title") -> nbformat.NotebookNode:
    cells = [new_markdown_cell(markdown)]
    for model_id in views:
        view = {"version_major": 2, "version_minor": 0, "model_id": model_id}
        out = new_output("display_data", data={VIEW_MIME: view, "text/plain": "widget"})
        cells.append(new_code_cell("w", outputs=[out]))
    nb = new_notebook(cells=cells)
    nb.metadata["widgets"] = {STATE_MIME: {"state": models, "version_major": 2, "version_minor": 0}}
    return nb


def write(nb: nbformat.NotebookNode, path: Path) -> Path:
    nbformat.write(nb, path)
    return path


class _Scripts(html.parser.HTMLParser):
    """The text of every <script> element of a page, by type, as a browser's parser sees it."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.scripts: list[tuple[str, str]] = []
        self.handlers: list[str] = []  # on* attributes' values (event handlers)
        self._type: str | None = None

    def handle_starttag(self, tag: str, attrs: list) -> None:
        self.handlers += [v or "" for k, v in attrs if k.lower().startswith("on")]
        if tag == "script":
            self._type = dict(attrs).get("type", "")
            self.scripts.append((self._type, ""))

    def handle_data(self, data: str) -> None:
        if self._type is not None:
            kind, text = self.scripts[-1]
            self.scripts[-1] = (kind, text + data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._type = None


def scripts_of(page: str, kind: str) -> list[str]:
    parser = _Scripts()
    parser.feed(page)
    return [text for t, text in parser.scripts if t == kind]


def pwning(page: str) -> list[str]:
    """Scripts and event handlers of the page that would set ``window.__pwned``."""
    parser = _Scripts()
    parser.feed(page)
    code = [text for kind, text in parser.scripts if kind in ("", "text/javascript", "module")]
    return [text for text in code if "__pwned" in text] + [h for h in parser.handlers if "__pwned" in h]


# --- the command line on bad input ----------------------------------------------------------------
BAD_FILES = {
    "text.ipynb": "this is not json",
    "empty.ipynb": "",
    "binary.ipynb": b"\x89PNG\r\n\x1a\n\x00\xff",
    "list.ipynb": "[1, 2]",
    "other.json": '{"name": "a package.json, say"}',
    "cell.ipynb": '{"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [{"cell_type": "code"}]}',
    "cells.ipynb": '{"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": "x"}',
    "future.ipynb": '{"nbformat": 99, "nbformat_minor": 0, "metadata": {}, "cells": []}',
    "widgets.ipynb": json.dumps(
        {"nbformat": 4, "nbformat_minor": 5, "cells": [], "metadata": {"widgets": {STATE_MIME: {"state": [1]}}}}
    ),
}


@needs_vendor
@pytest.mark.parametrize("name", sorted(BAD_FILES))
def test_cli_says_error_for_what_is_not_a_notebook(name, tmp_path, capsys):
    content = BAD_FILES[name]
    path = tmp_path / name
    (path.write_bytes if isinstance(content, bytes) else path.write_text)(content)
    assert main([str(path)]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"error: {path} is not a Jupyter notebook: "), err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert not path.with_suffix(".html").exists()


@needs_vendor
def test_cli_says_error_for_a_folder_and_a_missing_file(tmp_path, capsys):
    folder = tmp_path / "book.ipynb"
    folder.mkdir()
    assert main([str(folder)]) == 1
    assert capsys.readouterr().err == f"error: {folder} is a directory, not a notebook (.ipynb file).\n"
    assert main([str(tmp_path / "nope.ipynb")]) == 1
    assert capsys.readouterr().err == f"error: Notebook not found: {tmp_path / 'nope.ipynb'}\n"


@needs_vendor
def test_cli_error_when_a_cell_fails_under_execute(tmp_path, capsys):
    nb = new_notebook(cells=[new_code_cell("x = 1"), new_code_cell("1 / 0")])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    path = write(nb, tmp_path / "fails.ipynb")
    assert main([str(path), "--execute", "--timeout", "120"]) == 1
    err = capsys.readouterr().err
    first, *rest = err.splitlines()
    assert first == f"error: running {path} failed: ZeroDivisionError: division by zero"
    assert "1 / 0" in "\n".join(rest)  # the cell and its traceback follow
    assert "\x1b[" not in err  # without the kernel's colour codes
    assert not (tmp_path / "fails.html").exists()


def test_cli_as_a_command_prints_one_error_line(tmp_path):
    """Run as ``python -m``: no traceback, and not brian2's "report this issue" (its excepthook
    is installed when cleo_player imports brian2)."""
    path = tmp_path / "package.json"
    path.write_text('{"name": "x"}')
    r = subprocess.run(
        [sys.executable, "-m", "cleo_player.export", str(path)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert r.returncode == 1
    assert r.stderr.startswith(f"error: {path} is not a Jupyter notebook"), r.stderr
    assert "Traceback" not in r.stderr and "Brian 2" not in r.stderr, r.stderr


def test_cli_help_names_sanitize_html(capsys):
    with pytest.raises(SystemExit):
        main(["--help"])
    assert "--sanitize-html" in capsys.readouterr().out


# --- which models the page keeps -----------------------------------------------------------------
THREE = "jupyter-threejs"


def player_state() -> dict[str, dict]:
    """A displayed player and its controls, a pythreejs mesh added to it (its geometry and
    material: not displayed, referred to by nothing displayed), and a displayed slider linked
    (jslink) to a pythreejs camera."""
    return {
        "p": model("anywidget", "AnyModel", _anywidget_id="cleo_player.widget.player.Player", _esm="code"),
        "c": model("anywidget", "AnyModel", player="IPY_MODEL_p"),
        "mesh": model(THREE, "MeshModel", geometry="IPY_MODEL_geom", material="IPY_MODEL_mat"),
        "geom": model(THREE, "BoxGeometryModel"),
        "mat": model(THREE, "MeshBasicMaterialModel"),
        "s": model("@jupyter-widgets/controls", "IntSliderModel", layout="IPY_MODEL_l"),
        "l": model("@jupyter-widgets/base", "LayoutModel"),
        "link": model("@jupyter-widgets/controls", "LinkModel", source=["IPY_MODEL_s", "value"],
                      target=["IPY_MODEL_cam", "fov"]),
        "cam": model(THREE, "PerspectiveCameraModel"),
    }  # fmt: skip


def test_needed_models_leave_out_what_nothing_displayed_needs():
    assert needed_models(player_state(), ["p", "c", "s"]) == {"p", "c", "s", "l", "link", "cam"}
    assert needed_models(player_state(), ["p"]) == {"p", "c", "s", "l", "link", "cam"}  # bundled: kept
    assert needed_models({"m": model(THREE, "MeshModel")}, ["m"]) == {"m"}


@needs_vendor
def test_export_keeps_no_pythreejs_model_a_player_draws_itself(tmp_path):
    state = player_state()
    del state["link"], state["cam"]
    path = write(notebook(state, ["p", "c"]), tmp_path / "nb.ipynb")
    with warnings.catch_warnings():
        warnings.simplefilter("error", export.ExportWarning)  # nothing to warn about
        page = export_notebook(path).read_text(encoding="utf-8")
    (saved,) = scripts_of(page, STATE_MIME)
    assert set(json.loads(saved)["state"]) == {"p", "c", "s", "l"}
    assert THREE not in page


@needs_vendor
def test_export_warns_about_a_displayed_pythreejs_widget(tmp_path):
    path = write(notebook(player_state(), ["p", "s"]), tmp_path / "nb.ipynb")  # the camera, through the link
    with pytest.warns(export.ExportWarning, match=r"displays widgets from jupyter-threejs.*CDN.*offline, an error box"):
        export_notebook(path)


# --- names in the embedded JSON --------------------------------------------------------------------
@needs_vendor
def test_names_cannot_end_or_change_the_state_script(tmp_path):
    meta = {"groups": [{"name": HOSTILE}], "lights": [{"name": "</script>" + HOSTILE}]}
    state = {"p": model("anywidget", "AnyModel", _meta=meta, _extras=[{"name": HOSTILE}])}
    page = export_notebook(write(notebook(state, ["p"]), tmp_path / "nb.ipynb")).read_text(encoding="utf-8")
    (saved,) = scripts_of(page, STATE_MIME)
    assert "<" not in saved
    assert json.loads(saved)["state"]["p"]["state"]["_meta"] == meta
    (view,) = scripts_of(page, VIEW_MIME)
    assert json.loads(view)["model_id"] == "p"


# --- --sanitize-html --------------------------------------------------------------------------------
SCRIPTY = '<script>window.__pwned = 1</script><img src=x onerror="window.__pwned = 2"><b>bold</b>'


def scripty_notebook() -> nbformat.NotebookNode:
    state = {
        "p": model("anywidget", "AnyModel", _anywidget_id="cleo_player.widget.player.Player", _esm="evil()"),
        "c": model("anywidget", "AnyModel", _anywidget_id="cleo_player.widget.player.PlayerControls", _esm="evil()"),
        "x": model("anywidget", "AnyModel", _anywidget_id="someone.Else", _esm="evil()", _css="body{}"),
        "h": model("@jupyter-widgets/controls", "HTMLModel", value=SCRIPTY, description_allow_html=True),
    }
    nb = notebook(state, ["p", "c", "x", "h"], markdown="# Title\n" + SCRIPTY)
    js = new_output("display_data", data={"application/javascript": "window.__pwned = 3", "text/plain": "js"})
    html_out = new_output("display_data", data={"text/html": SCRIPTY, "text/plain": "html"})
    nb.cells.append(new_code_cell("show()", outputs=[js, html_out]))
    return nb


@needs_vendor
@pytest.mark.parametrize("sanitize", [False, True])
def test_sanitize_html(sanitize, tmp_path, capsys):
    from cleo_player.widget.bundle import CONTROLS_BUNDLE, PLAYER_BUNDLE, bundle_source

    path = write(scripty_notebook(), tmp_path / "nb.ipynb")
    assert main([str(path), *(["--sanitize-html"] if sanitize else [])]) == 0
    capsys.readouterr()
    page = (tmp_path / "nb.html").read_text(encoding="utf-8")
    (saved,) = scripts_of(page, STATE_MIME)
    models = {mid: m["state"] for mid, m in json.loads(saved)["state"].items()}
    found = pwning(page)
    if not sanitize:  # the notebook's own code and HTML, as nbconvert writes them
        assert len(found) == 5, found  # markdown and HTML output: a script and a handler each; the JS output
        assert {models[m]["_esm"] for m in "pcx"} == {"evil()"} and models["h"]["value"] == SCRIPTY
        return
    assert found == []
    assert "<b>bold</b>" in page  # harmless HTML stays
    assert models["p"]["_esm"] == bundle_source(PLAYER_BUNDLE)
    assert models["c"]["_esm"] == bundle_source(CONTROLS_BUNDLE)
    assert models["x"]["_esm"] == SANITIZED_ESM and "_css" not in models["x"]
    assert pwning(models["h"]["value"]) == [] and "<b>bold</b>" in models["h"]["value"]
    assert models["h"]["description_allow_html"] is False
