"""The built front end (``static/``, made by ``npm run build``): paths and sources."""

from __future__ import annotations

import functools
from pathlib import Path

STATIC = Path(__file__).resolve().parent.parent / "static"
PLAYER_BUNDLE = STATIC / "widget.js"
CONTROLS_BUNDLE = STATIC / "controls.js"


def check_built(path: Path) -> Path:
    """``path``, or a clear error if the front end has not been built."""
    if not path.exists():
        raise RuntimeError(
            f"The cleo-player front end is not built ({path} is missing). Install the package with "
            "`pip install .` (which runs the JS build) or run `npm ci && npm run build` in the repository."
        )
    return path


@functools.lru_cache(maxsize=2)
def bundle_source(path: Path = PLAYER_BUNDLE) -> str:
    """A built front-end module (ES module) as text, read once per process."""
    return check_built(path).read_text(encoding="utf-8")
