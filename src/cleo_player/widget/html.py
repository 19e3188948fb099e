"""Standalone HTML export: one file with the front-end bundle and a player's state inlined.

The page needs no server, no network and no Jupyter: a tiny in-page model stands in for the
widget model (same traits, same events), and the bundle is imported from a Blob URL. Binary
values (``bytes`` anywhere in the traits) arrive as ``DataView``s, as anywidget delivers them:
each travels as base64 in ``<script type="application/octet-stream">`` elements of its own
(outside the JSON, at most :data:`CHUNK_CHARS` characters each), referred to from the JSON as
``{"$bytes": k, "byteLength": n}``. The page decodes them with the browser's native base64
decoder (``Uint8Array.prototype.setFromBase64``), or ``atob`` in 1 MiB slices where there is
none, into one array per value.

Limits (Chromium's, the strictest of the browsers): no JavaScript string may be longer than
2**29 - 24 characters (V8's ``String::kMaxLength``), which chunking keeps every piece far
below; and no ``ArrayBuffer`` may be larger than about 2 GiB (PartitionAlloc's largest
allocation: 2**31 - 2**21 bytes). :data:`MAX_DATA_BYTES` caps the page's binary data (all
values together) just below the latter, and :func:`check_size` refuses more before anything
is written.
"""

from __future__ import annotations

import base64
import html
import json
import re
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

BYTES_KEY = "$bytes"  # {"$bytes": k, "byteLength": n} stands for the k-th bytes value of the state
CHUNK_CHARS = 1 << 26  # base64 characters per element (a multiple of 4): 64 Mi, far below 2**29 - 24
# Chromium cannot allocate an ArrayBuffer of 2**31 - 2**21 bytes or more (measured, Chromium 150:
# 2_145_124_352 bytes allocate, 2_145_910_784 do not); a page holds its data twice while it
# decodes (the base64 text, then the arrays), so the cap is on all its binary data together.
MAX_DATA_BYTES = 2_000_000_000

_HEAD = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="cleo-player">
<title>{title}</title>
<style>body {{ margin: 0; padding: 16px; background: #0b0c10; color: #ddd; font-family: system-ui, sans-serif; }}
h1 {{ font-size: 16px; font-weight: 500; margin: 0 0 10px; }}
html, body {{ height: 100%; box-sizing: border-box; overflow: hidden; }}</style>
</head>
<body>
<h1>{title}</h1>
<div id="cleo-player-root"></div>
<script type="application/json" id="cleo-player-state">{state}</script>
<script type="application/octet-stream" id="cleo-player-bundle">{bundle}</script>
"""
_BYTES_OPEN = '<script type="application/octet-stream" data-cleo-bytes="{k}">'
_BYTES_CLOSE = "</script>\n"
_TAIL = """<script type="module">
performance.mark("cleo-player:start");
// base64 into out[o..], natively where the browser can, else atob in 1 MiB slices (one atob of
// a large value would exceed the browser's limits); returns the new offset
function decodeInto(out, o, s) {{
  if (out.setFromBase64) return o + out.subarray(o).setFromBase64(s).written;
  const step = 1 << 20; // characters per slice, a multiple of 4
  for (let i = 0; i < s.length; i += step) {{
    const part = atob(s.slice(i, i + step));
    for (let j = 0; j < part.length; j++) out[o++] = part.charCodeAt(j);
  }}
  return o;
}}
function decode(elements, n) {{
  const out = new Uint8Array(n);
  let o = 0;
  for (const el of elements) o = decodeInto(out, o, el.textContent);
  if (o !== n) throw new Error(`cleo-player: a data block holds ${{o}} bytes, ${{n}} expected`);
  return out;
}}
const blocks = new Map(); // k -> its elements, in order
for (const el of document.querySelectorAll("script[data-cleo-bytes]")) {{
  const k = el.dataset.cleoBytes;
  if (!blocks.has(k)) blocks.set(k, []);
  blocks.get(k).push(el);
}}
function revive(v) {{
  if (Array.isArray(v)) return v.map(revive);
  if (v && typeof v === "object") {{
    if (typeof v["{bytes_key}"] === "number") {{
      const els = blocks.get(String(v["{bytes_key}"])) || [];
      const bytes = decode(els, v.byteLength);
      for (const el of els) el.remove(); // decoded: the page need not keep the text too
      return new DataView(bytes.buffer);
    }}
    const o = {{}};
    for (const [k, x] of Object.entries(v)) o[k] = revive(x);
    return o;
  }}
  return v;
}}
const traits = revive(JSON.parse(document.getElementById("cleo-player-state").textContent));
performance.mark("cleo-player:decoded");
const handlers = new Map();
const model = {{
  get: (k) => traits[k],
  set: (k, v) => {{ const old = traits[k]; traits[k] = v;
    if (old !== v) for (const f of [...(handlers.get("change:" + k) || [])]) f(); }},
  on: (e, f) => {{ if (!handlers.has(e)) handlers.set(e, new Set()); handlers.get(e).add(f); }},
  off: (e, f) => {{ if (e && f) handlers.get(e)?.delete(f); else if (e) handlers.delete(e); else handlers.clear(); }},
  save_changes: () => {{}},
  send: () => {{}},
  widget_manager: {{ get_model: () => Promise.reject(new Error("no widget manager in a standalone page")) }},
}};
const bundleEl = document.getElementById("cleo-player-bundle");
const code = new TextDecoder().decode(decode([bundleEl], {bundle_bytes}));
const url = URL.createObjectURL(new Blob([code], {{ type: "text/javascript" }}));
const mod = await import(url);
const el = document.getElementById("cleo-player-root");
const controller = new AbortController();
await mod.default.render({{ model, el, signal: controller.signal, experimental: {{}} }});
performance.mark("cleo-player:rendered");
window.cleoPlayerModel = model;
// the player fills the window below the title and follows its size: the view's height is the
// window's less what is above it, its control bar (which may wrap), its timeline (timeline_height,
// or a third of the view's height) and the page's padding
const bottom = parseFloat(getComputedStyle(document.body).paddingBottom) || 0;
function fill() {{
  const bar = el.querySelector(".cleo-controls");
  const free = window.innerHeight - el.getBoundingClientRect().top - (bar ? bar.offsetHeight : 0) - bottom;
  const fixed = model.get("timeline_height");
  let height = free;
  if (model.get("timeline")) height = typeof fixed === "number" && fixed > 0 ? free - fixed : (free * 3) / 4;
  model.set("height", Math.max(Math.floor(height), 120));
}}
window.addEventListener("resize", fill);
model.on("change:timeline", fill);
model.on("change:timeline_height", fill);
const bar = el.querySelector(".cleo-controls");
if (bar) new ResizeObserver(fill).observe(bar);
fill();
</script>
</body>
</html>
"""


class PageTooLargeError(ValueError):
    """The player's data is more than a browser can open as one standalone page."""


def _split_bytes(value: Any, found: list[bytes]) -> Any:
    """``value`` with every bytes-like leaf replaced by ``{BYTES_KEY: k, "byteLength": n}``, the
    bytes appended to ``found`` (k is their index there).
    """
    if isinstance(value, (bytes, bytearray, memoryview)):
        data = bytes(value)
        found.append(data)
        return {BYTES_KEY: len(found) - 1, "byteLength": len(data)}
    if isinstance(value, dict):
        return {k: _split_bytes(v, found) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_split_bytes(v, found) for v in value]
    return value


def data_bytes(value: Any) -> int:
    """Total length of the bytes values anywhere in ``value`` (the page's binary data)."""
    if isinstance(value, (bytes, bytearray)):
        return len(value)
    if isinstance(value, memoryview):
        return value.nbytes
    if isinstance(value, dict):
        return sum(data_bytes(v) for v in value.values())
    if isinstance(value, (list, tuple)):
        return sum(data_bytes(v) for v in value)
    return 0


def check_size(traits: dict[str, Any]) -> int:
    """The traits' binary data size in bytes; raises :class:`PageTooLargeError` beyond
    :data:`MAX_DATA_BYTES`.
    """
    n = data_bytes(traits)
    if n > MAX_DATA_BYTES:
        raise PageTooLargeError(
            f"This player holds {n:,} bytes of data; a standalone page holds at most "
            f"MAX_DATA_BYTES = {MAX_DATA_BYTES:,} (a browser cannot allocate one array of 2 GiB or more). "
            "Save a shorter or smaller part of the recording (fewer frames or neurons), or share "
            "it as a video: player.save('run.mp4')."
        )
    return n


def script_safe(json_text: str) -> str:
    r"""JSON text made safe inside a ``<script>`` element: every ``<`` escaped (``\u003c``, the
    same string to a JSON parser; a ``<`` can only be inside a string), so no text in it
    (``</script>``, ``<!--``) can end or change the element.
    """
    return json_text.replace("<", "\\u003c")


def script_json(value: Any) -> str:
    """``value`` as JSON that is safe inside a ``<script>`` element (:func:`script_safe`)."""
    return script_safe(json.dumps(value, separators=(",", ":"), allow_nan=False))


def _b64_chunks(data: bytes) -> Iterator[str]:
    step = CHUNK_CHARS // 4 * 3  # bytes per chunk: whole base64 quanta, so chunks concatenate
    for i in range(0, max(len(data), 1), step):
        yield base64.b64encode(data[i : i + step]).decode("ascii")


def page_parts(traits: dict[str, Any], bundle: str, title: str) -> Iterator[str]:
    """The page as consecutive strings (joined, the whole page): the bundle and the model's
    traits, playable from ``file://``. Written piece by piece, a big page is never one string.
    """
    blocks: list[bytes] = []
    state = script_json(_split_bytes(traits, blocks))
    code = bundle.encode("utf-8")
    yield _HEAD.format(title=html.escape(title), state=state, bundle=base64.b64encode(code).decode("ascii"))
    for k, data in enumerate(blocks):
        for chunk in _b64_chunks(data):
            yield _BYTES_OPEN.format(k=k) + chunk + _BYTES_CLOSE
    yield _TAIL.format(bytes_key=BYTES_KEY, bundle_bytes=len(code))


def standalone_html(traits: dict[str, Any], bundle: str, title: str) -> str:
    """The whole page as a string (see :func:`page_parts`)."""
    return "".join(page_parts(traits, bundle, title))


def write_page(path: Path, traits: dict[str, Any], bundle: str, title: str) -> int:
    """Check the size (:func:`check_size`), then write the page to ``path`` (its folder made
    if missing); returns the file's size in bytes. A failed write leaves no partial file.
    """
    check_size(traits)
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        with path.open("w", encoding="utf-8") as f:
            for part in page_parts(traits, bundle, title):
                f.write(part)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return path.stat().st_size


def file_size(n: int) -> str:
    """A file size for people: "143.2 MB", "870 kB"."""
    return f"{n / 1e6:.1f} MB" if n >= 1_000_000 else f"{n / 1e3:.0f} kB"  # noqa: PLR2004


def read_state(page: str) -> dict[str, Any]:
    """The traits a page written by :func:`page_parts` holds, bytes values as ``bytes`` (the
    inverse of the embedding, for checks and tools).
    """
    state = re.search(r'<script type="application/json" id="cleo-player-state">(.*?)</script>', page, re.DOTALL)
    if state is None:
        raise ValueError("not a cleo-player page: no cleo-player-state element")
    blocks: dict[int, list[str]] = {}
    for m in re.finditer(r'<script type="application/octet-stream" data-cleo-bytes="(\d+)">([^<]*)</script>', page):
        blocks.setdefault(int(m.group(1)), []).append(m.group(2))

    def revive(v: Any) -> Any:
        if isinstance(v, dict) and isinstance(v.get(BYTES_KEY), int):
            return b"".join(base64.b64decode(c) for c in blocks.get(v[BYTES_KEY], []))
        if isinstance(v, dict):
            return {k: revive(x) for k, x in v.items()}
        if isinstance(v, list):
            return [revive(x) for x in v]
        return v

    traits: dict[str, Any] = revive(json.loads(state.group(1)))
    return traits
