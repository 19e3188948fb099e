"""One copy of the front end per kernel, not one per widget.

anywidget ships each widget's ``_esm`` in its state and imports it from a Blob URL of its own;
with the whole front end (``static/widget.js``, ~600 kB) as every Player's ``_esm``, a notebook
with 20 players saved 20 copies, and every cell re-run left another copy in the browser's
memory (a browser never frees an imported module). So:

- :class:`FrontEnd` is a plain widget model (no view) that carries the front end's code once
  per kernel; every Player and PlayerControls references it (their ``_frontend`` trait);
- their ``_esm`` is ``static/loader.js`` (under 1 kB), which imports the code from that model
  once per page, keyed by its SHA-256 (a page with kernels of two versions gets one copy of
  each), and renders with it.

Two cases keep the whole front end as ``_esm``: development with anywidget's hot reload
(``ANYWIDGET_HMR=1``: the bundle is loaded by path and reloaded when ``npm run dev`` rebuilds it),
and marimo, which already imports an ``_esm`` once per page (keyed by its hash) and never runs
code that comes in a model's state, which any client may write there.
"""

from __future__ import annotations

import functools
import hashlib
import os
import sys
from typing import TYPE_CHECKING, Any

import ipywidgets
import traitlets

from cleo_player.widget.bundle import LOADER_BUNDLE, bundle_source, check_built

if TYPE_CHECKING:
    from pathlib import Path

ENTRIES = ("player", "controls")


class FrontEnd(ipywidgets.Widget):
    """The front end's code, shared by every cleo-player widget of the kernel (a model with no
    view: ipywidgets' base ``WidgetModel``, known to every widget manager, the offline
    html-manager of exported notebooks included).
    """

    code = traitlets.Unicode().tag(sync=True)
    """The ES module (``static/widget.js``)."""
    sha256 = traitlets.Unicode().tag(sync=True)
    """Hex SHA-256 of ``code``: the key the page caches the imported module under."""

    def __repr__(self) -> str:
        return f"FrontEnd(cleo-player, {len(self.code) // 1024} KiB, sha256 {self.sha256[:12]})"


_shared: FrontEnd | None = None


def hot_reload() -> bool:
    """Whether anywidget's hot reload is on (``ANYWIDGET_HMR=1``, development)."""
    return os.environ.get("ANYWIDGET_HMR") == "1"


def in_marimo() -> bool:
    """Whether this runs inside a marimo notebook or app."""
    marimo = sys.modules.get("marimo")
    try:
        return bool(marimo is not None and marimo.running_in_notebook())
    except Exception:  # noqa: BLE001 - an older or partial marimo: not a marimo run we know
        return False


@functools.lru_cache(maxsize=1)
def code_sha256() -> str:
    """Hex SHA-256 of the front end's code."""
    return hashlib.sha256(bundle_source().encode("utf-8")).hexdigest()


def shared_frontend() -> FrontEnd:
    """The kernel's FrontEnd, made on first use (again if it was closed, e.g. by
    ``Widget.close_all()``).
    """
    global _shared  # noqa: PLW0603 - one per kernel, by design
    if _shared is None or _shared.comm is None:
        _shared = FrontEnd(code=bundle_source(), sha256=code_sha256())
    return _shared


@functools.lru_cache(maxsize=len(ENTRIES))
def loader_source(entry: str) -> str:
    """The loader module for ``entry`` ("player" or "controls"), keyed to this front end."""
    if entry not in ENTRIES:
        raise ValueError(f"entry must be one of {ENTRIES}, got {entry!r}.")
    text = check_built(LOADER_BUNDLE).read_text(encoding="utf-8")
    for placeholder in ("__CLEO_BUNDLE_SHA256__", "__CLEO_ENTRY__"):
        if text.count(placeholder) != 1:
            raise RuntimeError(f"{LOADER_BUNDLE} does not hold {placeholder} once: rebuild it (npm run build).")
    return text.replace("__CLEO_BUNDLE_SHA256__", code_sha256()).replace("__CLEO_ENTRY__", entry)


def class_esm(entry: str, bundle: Path) -> str | Path:
    """A widget class's ``_esm``: the loader, or the bundle's path under hot reload (anywidget
    then watches the file).
    """
    return check_built(bundle) if hot_reload() else loader_source(entry)


def instance_traits(bundle: Path) -> dict[str, Any]:
    """Traits a widget gets at construction: the shared front end it loads from, or (marimo)
    its whole front end, ``bundle``, as its own ``_esm``.
    """
    if hot_reload():
        return {}
    if in_marimo():
        return {"_esm": bundle_source(bundle)}
    return {"_frontend": shared_frontend()}
