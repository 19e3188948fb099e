"""Export a notebook to ONE HTML file whose players stay interactive, offline.

nbconvert's HTML exporter writes the notebook's saved widget state into the page, but loads the
code that renders it from CDNs: require.js (cdnjs), ``@jupyter-widgets/html-manager`` (unpkg /
jsdelivr), and then each widget's front end through requirejs, falling back to jsdelivr
(``anywidget@<version>/dist/index``). This module inlines local copies of all three (built into
``static/vendor/`` by ``npm run build`` from the npm registry) so the page needs no network:

- ``require.js`` replaces the ``<script src=…require.min.js>`` in the head;
- anywidget's AMD module (an anonymous ``define([...], f)``) is run with a ``define`` that names
  it ``"anywidget"``, so the html-manager's ``require(["anywidget"])`` finds it already defined;
- the html-manager (``embed-amd.js``) follows; it renders the saved state once the page loads.

The player's own front end (the ``_esm`` trait) already travels inside the widget state, and
anywidget imports it from a Blob URL. MathJax and mermaid (loaded from cdnjs by the stock
template) are left out: LaTeX and mermaid diagrams in markdown cells show as their source.

    python -m cleo_player.export NOTEBOOK.ipynb [-o OUT.html] [--execute]
"""

from __future__ import annotations

import argparse
import html.parser
import json
import re
import sys
import warnings
from pathlib import Path
from typing import Any

VENDOR = Path(__file__).parent / "static" / "vendor"
VENDOR_FILES = {"require": "require.js", "html_manager": "embed-amd.js", "anywidget": "anywidget.js"}

WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
# widget front ends the page carries: the html-manager bundles ipywidgets' base, controls and
# output; anywidget is inlined; anything else would come from a CDN
BUNDLED_MODULES = frozenset(
    {"@jupyter-widgets/base", "@jupyter-widgets/controls", "@jupyter-widgets/output", "anywidget"}
)

_TEMPLATE_NAME = "cleo_player_offline.html.j2"
# The lab template, its CDN scripts replaced by the inlined vendor files.
_TEMPLATE = """{%- extends 'index.html.j2' -%}
{%- block html_head_js_requirejs -%}
<script>
{{ resources.cleo_player_vendor.require }}
</script>
{%- endblock html_head_js_requirejs -%}
{% block jupyter_widgets %}
{%- if "widgets" in nb.metadata -%}
<script>
(function (define) {
{{ resources.cleo_player_vendor.anywidget }}
})((function () {
  /* anywidget's anonymous define(deps, factory), named so require(["anywidget"]) finds it */
  function named() {
    var args = Array.prototype.slice.call(arguments);
    if (typeof args[0] !== "string") args.unshift("anywidget");
    return window.define.apply(this, args);
  }
  named.amd = window.define.amd;
  return named;
})());
</script>
<script>
{{ resources.cleo_player_vendor.html_manager }}
</script>
{%- endif -%}
{% endblock jupyter_widgets %}
{%- block html_head_js_mathjax -%}
{%- endblock html_head_js_mathjax -%}
{%- block html_head_js_mermaidjs -%}
{%- endblock html_head_js_mermaidjs -%}
"""

_MATH = re.compile(r"\$\$|\$[^$\n]+\$|\\\(|\\\[|\\begin\{")
_MERMAID = re.compile(r"^\s*```+\s*mermaid", re.MULTILINE)


class ExportWarning(UserWarning):
    """Something in the notebook will not work offline in the exported page."""


class NoWidgetStateError(ValueError):
    """The notebook holds no saved widget state, so its players cannot be rendered."""


def _no_state_message(path: Path, n_views: int) -> str:
    what = (
        f"{path} shows {n_views} widget(s) but holds no saved widget state"
        if n_views
        else f"{path} holds no saved widget state (and no widget outputs)"
    )
    return (
        f"{what}: without it the exported page shows no players. Either save the state from "
        "JupyterLab: turn on Settings › Save Widget State Automatically, run the notebook, "
        "then save it (classic Notebook: Widgets › Save Notebook Widget State); or let the "
        f"export run the notebook and keep the state: `python -m cleo_player.export {path.name} "
        "--execute` (export_notebook(..., execute=True))."
    )


def vendor_sources() -> dict[str, str]:
    """The vendored front-end files (require.js, html-manager, anywidget) as text."""
    missing = [name for name in VENDOR_FILES.values() if not (VENDOR / name).is_file()]
    if missing:
        raise RuntimeError(
            f"The offline widget files are missing from {VENDOR} ({', '.join(missing)}). They are "
            "built with the front end: run `npm ci && npm run build` in the cleo-player "
            "repository, or reinstall the package (`pip install --force-reinstall cleo-player`)."
        )
    sources = {key: (VENDOR / name).read_text(encoding="utf-8") for key, name in VENDOR_FILES.items()}
    for key, code in sources.items():
        for bad in ("</script", "<!--"):  # would end or confuse the <script> they are inlined in
            if bad in code.lower():
                raise RuntimeError(f"{VENDOR / VENDOR_FILES[key]} contains {bad!r} and cannot be inlined.")
    return sources


def vendor_versions() -> dict[str, str]:
    """Npm versions of the vendored files, as recorded by the build ({} if unknown)."""
    try:
        return json.loads((VENDOR / "versions.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def widget_views(nb: Any) -> list[str]:
    """Model ids of the widget views in the notebook's outputs, in order."""
    ids = []
    for cell in nb.cells:
        for out in cell.get("outputs", []) if cell.cell_type == "code" else []:
            view = out.get("data", {}).get(WIDGET_VIEW)
            if view and view.get("model_id"):
                ids.append(view["model_id"])
    return ids


def saved_widget_state(nb: Any) -> dict[str, Any]:
    """The notebook's saved widget models by id ({} if none are saved)."""
    state = nb.metadata.get("widgets", {}).get(WIDGET_STATE) or {}
    return dict(state.get("state") or {})


def execute_notebook(nb: Any, cwd: Path, timeout: int | None = 600) -> None:
    """Run every cell of ``nb`` in place with nbclient, keeping the widget state."""
    from jupyter_client.kernelspec import NoSuchKernel
    from nbclient import NotebookClient

    kernel = nb.metadata.get("kernelspec", {}).get("name") or "python3"
    client = NotebookClient(
        nb, timeout=timeout, kernel_name=kernel, store_widget_state=True, resources={"metadata": {"path": str(cwd)}}
    )
    try:
        client.execute()
    except NoSuchKernel as e:
        raise ValueError(
            f"Cannot run the notebook: its kernel {kernel!r} is not installed here ({e}). Install it, "
            "or run and save the notebook in Jupyter and export it without --execute."
        ) from e


class _RemoteRefs(html.parser.HTMLParser):
    """Collects URLs on other hosts that loading the page would fetch: script / stylesheet /
    image / frame sources, CSS url() and @import, and literal dynamic import()s in scripts.
    """

    FETCHED = {
        "script": ("src",),
        "link": ("href",),
        "img": ("src", "srcset"),
        "iframe": ("src",),
        "frame": ("src",),
        "embed": ("src",),
        "source": ("src", "srcset"),
        "video": ("src", "poster"),
        "audio": ("src",),
        "track": ("src",),
        "object": ("data",),
        "input": ("src",),
    }
    REMOTE = re.compile(r"^\s*(?:https?:)?//", re.IGNORECASE)
    CSS_URL = re.compile(r"""url\(\s*['"]?\s*((?:https?:)?//[^'")\s]+)|@import\s+['"]((?:https?:)?//[^'"]+)""", re.IGNORECASE)
    JS_IMPORT = re.compile(r"""\bimport\s*\(\s*['"`]((?:https?:)?//[^'"`]+)""", re.IGNORECASE)

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.urls: list[str] = []
        self._in: str | None = None
        self._script_type = ""

    def _add(self, url: str) -> None:
        url = url.strip()
        if url not in self.urls:
            self.urls.append(url)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        for name in self.FETCHED.get(tag, ()):
            for part in values.get(name, "").split(",") if name == "srcset" else [values.get(name, "")]:
                url = part.strip().split(" ")[0] if name == "srcset" else part
                if self.REMOTE.match(url):
                    self._add(url)
        for m in self.CSS_URL.finditer(values.get("style", "")):
            self._add(m.group(1) or m.group(2))
        if tag in ("style", "script"):
            self._in = tag
            self._script_type = values.get("type", "").lower()

    def handle_endtag(self, tag: str) -> None:
        if tag == self._in:
            self._in = None

    def handle_data(self, data: str) -> None:
        if self._in == "style":
            for m in self.CSS_URL.finditer(data):
                self._add(m.group(1) or m.group(2))
        elif self._in == "script" and self._script_type in ("", "module", "text/javascript", "application/javascript"):
            for m in self.JS_IMPORT.finditer(data):
                self._add(m.group(1))


def remote_resources(page: str) -> list[str]:
    """URLs on other hosts that opening the HTML ``page`` would fetch (scripts, stylesheets,
    images, frames, CSS imports and fonts, literal ``import("https://…")``); links are not
    fetched and are not listed.
    """
    parser = _RemoteRefs()
    parser.feed(page)
    parser.close()
    return parser.urls


def export_notebook(
    notebook_path: str | Path,
    html_path: str | Path | None = None,
    *,
    execute: bool = False,
    timeout: int | None = 600,
) -> Path:
    """Export a notebook with saved widget state to one self-contained HTML file whose players
    (and ipywidgets) stay interactive offline, from ``file://``.

    ``html_path`` defaults to the notebook's path with ``.html``; a directory gets
    ``<notebook name>.html`` inside it. With ``execute=True`` the notebook is first run with
    nbclient (``store_widget_state=True``, ``timeout`` seconds per cell) in its own directory;
    the notebook file itself is not changed. Returns the path written.

    Raises FileNotFoundError (no such notebook), :class:`NoWidgetStateError` (nothing to
    render: save the widget state, or pass ``execute=True``), RuntimeError (the vendored
    front-end files are not built). Warns (:class:`ExportWarning`) about what will not work
    offline: widget libraries other than ipywidgets and anywidget, LaTeX and mermaid in
    markdown, and any remote resource the notebook's own outputs reference.
    """
    import nbformat

    src = Path(notebook_path)
    if not src.is_file():
        raise FileNotFoundError(f"Notebook not found: {src}")
    vendor = vendor_sources()  # before running anything: fail fast when not built
    try:
        nb = nbformat.read(src, as_version=4)
    except ValueError as e:  # nbformat's NotJSONError is one
        raise ValueError(f"{src} is not a Jupyter notebook: {e}") from e
    if execute:
        execute_notebook(nb, src.resolve().parent, timeout=timeout)

    state = saved_widget_state(nb)
    views = widget_views(nb)
    if not state:
        raise NoWidgetStateError(_no_state_message(src, len(views)))
    _warn_about(nb, state, views, vendor_versions())

    out = Path(html_path) if html_path is not None else src.with_suffix(".html")
    if out.is_dir():
        out = out / f"{src.stem}.html"
    page = _render(nb, src.stem, vendor)
    remote = remote_resources(page)
    if remote:
        warnings.warn(
            f"the notebook's outputs reference {len(remote)} resource(s) on other hosts, which the "
            f"page fetches when online and lacks offline: {', '.join(remote[:5])}" + (" …" if len(remote) > 5 else ""),
            ExportWarning,
            stacklevel=2,
        )
    out.write_text(page, encoding="utf-8")
    return out


def _render(nb: Any, name: str, vendor: dict[str, str]) -> str:
    from jinja2 import DictLoader
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(
        template_name="lab", template_file=_TEMPLATE_NAME, extra_loaders=[DictLoader({_TEMPLATE_NAME: _TEMPLATE})]
    )
    body, _ = exporter.from_notebook_node(nb, resources={"metadata": {"name": name}, "cleo_player_vendor": vendor})
    return body


def _warn_about(nb: Any, state: dict[str, Any], views: list[str], versions: dict[str, str]) -> None:
    def warn(msg: str) -> None:
        warnings.warn(msg, ExportWarning, stacklevel=3)

    unsaved = [v for v in views if v not in state]
    if unsaved:
        warn(
            f"{len(unsaved)} of the notebook's {len(views)} widget views have no saved state (their "
            "cells were re-run after the state was saved?): the page shows an error in their place. "
            "Save the notebook again with its widget state, or export with --execute."
        )
    modules = {m.get("model_module", "") for m in state.values()} | {m.get("view_module") or "" for m in state.values()}
    other = sorted(m for m in modules - BUNDLED_MODULES if m)
    if other:
        warn(
            f"widgets from {', '.join(other)} are not bundled: the page loads their code from a CDN "
            "when online and shows an error in their place offline."
        )
    vendored = versions.get("anywidget")
    for model in state.values():
        wanted = model.get("model_module_version", "") if model.get("model_module") == "anywidget" else ""
        if vendored and wanted and not _version_fits(vendored, wanted):
            warn(
                f"the notebook's widgets were saved with anywidget {wanted.lstrip('~^')}, the page carries "
                f"anywidget {vendored}'s front end: if a player does not show, re-run the notebook with "
                f"anywidget {vendored} (pip install anywidget=={vendored}) and export again."
            )
            break
    markdown = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    if _MATH.search(markdown):
        warn("MathJax is not bundled: LaTeX in markdown cells shows as its source in the page.")
    if _MERMAID.search(markdown):
        warn("mermaid is not bundled: mermaid diagrams in markdown cells show as their source in the page.")


def _version_fits(version: str, spec: str) -> bool:
    """Whether ``version`` (x.y.z) has the major.minor of a saved module version such as
    ``~0.11.*`` or ``0.11.0``.
    """
    want = re.findall(r"\d+", spec)[:2]
    have = re.findall(r"\d+", version)[:2]
    return not want or want == have[: len(want)]


def _size(n: int) -> str:
    return f"{n / 1e6:.1f} MB" if n >= 1e6 else f"{n / 1e3:.0f} kB"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m cleo_player.export",
        description=(
            "Export a notebook to one HTML file whose cleo-player players (and other ipywidgets) stay "
            "interactive offline. The notebook must hold its saved widget state, or use --execute."
        ),
    )
    parser.add_argument("notebook", type=Path, help="the .ipynb file")
    parser.add_argument("-o", "--output", type=Path, help="the HTML file (default: next to the notebook, .html)")
    parser.add_argument(
        "--execute", action="store_true", help="run the notebook first (nbclient) and keep its widget state"
    )
    parser.add_argument("--timeout", type=int, default=600, help="seconds per cell with --execute (default 600)")
    args = parser.parse_args(argv)
    from nbclient.exceptions import CellExecutionError

    def show(message: Any, category: Any, *_: Any, **__: Any) -> None:
        print(f"warning: {message}", file=sys.stderr)

    with warnings.catch_warnings():
        warnings.simplefilter("always", ExportWarning)
        warnings.showwarning = show
        try:
            out = export_notebook(args.notebook, args.output, execute=args.execute, timeout=args.timeout)
        except (OSError, ValueError, RuntimeError) as e:
            print(f"error: {e}", file=sys.stderr)
            return 1
        except CellExecutionError as e:  # a cell raised under --execute
            print(f"error: running {args.notebook} failed:\n{e}", file=sys.stderr)
            return 1
    print(f"Wrote {out} ({_size(out.stat().st_size)}); it plays offline, from file:// too.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
