"""Standalone HTML export: one file with the front-end bundle and a player's state inlined.

The page needs no server, no network and no Jupyter: a tiny in-page model stands in for the
widget model (same traits, same events), and the bundle is imported from a Blob URL. Binary
values (``bytes`` anywhere in the traits) travel as base64 and arrive as ``DataView``s, as
anywidget delivers them.
"""

from __future__ import annotations

import base64
import html
import json
from typing import Any

BINARY_KEY = "$base64"  # {"$base64": "..."} stands for a bytes value in the page's state

_TEMPLATE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="cleo-player">
<title>{title}</title>
<style>body {{ margin: 0; padding: 16px; background: #0b0c10; color: #ddd; font-family: system-ui, sans-serif; }}
h1 {{ font-size: 16px; font-weight: 500; margin: 0 0 10px; }}</style>
</head>
<body>
<h1>{title}</h1>
<div id="cleo-player-root"></div>
<script type="application/json" id="cleo-player-state">{state}</script>
<script type="application/octet-stream" id="cleo-player-bundle">{bundle}</script>
<script type="module">
// base64 decoded in slices: one atob of a whole large buffer would exceed the browser's limits
function b64(s) {{
  const pad = s.endsWith("==") ? 2 : s.endsWith("=") ? 1 : 0;
  const out = new Uint8Array((s.length / 4) * 3 - pad);
  const step = 1 << 20; // characters per slice, a multiple of 4
  let o = 0;
  for (let i = 0; i < s.length; i += step) {{
    const part = atob(s.slice(i, i + step));
    for (let j = 0; j < part.length; j++) out[o++] = part.charCodeAt(j);
  }}
  return out;
}}
function revive(v) {{
  if (Array.isArray(v)) return v.map(revive);
  if (v && typeof v === "object") {{
    if (typeof v["{binary_key}"] === "string") return new DataView(b64(v["{binary_key}"]).buffer);
    const o = {{}};
    for (const [k, x] of Object.entries(v)) o[k] = revive(x);
    return o;
  }}
  return v;
}}
const traits = revive(JSON.parse(document.getElementById("cleo-player-state").textContent));
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
const code = new TextDecoder().decode(b64(document.getElementById("cleo-player-bundle").textContent.trim()));
const url = URL.createObjectURL(new Blob([code], {{ type: "text/javascript" }}));
const mod = await import(url);
const el = document.getElementById("cleo-player-root");
const controller = new AbortController();
await mod.default.render({{ model, el, signal: controller.signal, experimental: {{}} }});
window.cleoPlayerModel = model;
</script>
</body>
</html>
"""


def _jsonable(value: Any) -> Any:
    """``value`` with every bytes-like leaf as ``{BINARY_KEY: base64}``."""
    if isinstance(value, (bytes, bytearray, memoryview)):
        return {BINARY_KEY: base64.b64encode(bytes(value)).decode("ascii")}
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    return value


def script_json(value: Any) -> str:
    """JSON that is safe inside a ``<script>`` element: every ``<`` escaped, so no text in it
    (``</script>``, ``<!--``) can end or change the element.
    """
    return json.dumps(value, separators=(",", ":"), allow_nan=False).replace("<", "\\u003c")


def standalone_html(traits: dict[str, Any], bundle: str, title: str) -> str:
    """The whole page as a string: the bundle and the model's traits, playable from ``file://``."""
    return _TEMPLATE.format(
        title=html.escape(title),
        state=script_json(_jsonable(traits)),
        bundle=base64.b64encode(bundle.encode("utf-8")).decode("ascii"),
        binary_key=BINARY_KEY,
    )
