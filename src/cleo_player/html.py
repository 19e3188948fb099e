"""Standalone HTML export: one file with the front-end bundle and the data inlined.

The page needs no server, no network and no Jupyter: a tiny in-page model stands in for the
widget model (same traits, same events), and the bundle is imported from a Blob URL.
"""

from __future__ import annotations

import base64
import html
import json
from typing import TYPE_CHECKING, Any, Optional

if TYPE_CHECKING:
    from cleo_player.player import Player

SYNCED = ("frame", "playing", "speed", "loop", "decay", "height", "_meta", "_uid", "_extras")

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
const b64 = (s) => Uint8Array.from(atob(s), (c) => c.charCodeAt(0));
const state = JSON.parse(document.getElementById("cleo-player-state").textContent);
const data = {{}};
for (const [k, v] of Object.entries(state.data)) {{ const u = b64(v); data[k] = new DataView(u.buffer); }}
const extrasData = {{}};  // scene extras' arrays: per geometry key, per attribute
for (const [k, g] of Object.entries(state.extras_data)) {{
  extrasData[k] = {{}};
  for (const [n, v] of Object.entries(g)) extrasData[k][n] = new DataView(b64(v).buffer);
}}
const traits = Object.assign({{}}, state.traits, {{ _data: data, _extras_data: extrasData }});
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


def standalone_html(player: Player, title: Optional[str] = None) -> str:
    """The whole page as a string: scene, controls and data, playable from ``file://``."""
    from cleo_player.player import bundle_source

    traits: dict[str, Any] = {name: getattr(player, name) for name in SYNCED}
    traits["playing"] = False
    if not player.recording.n_frames:  # no Python behind the page: no hint to run anything
        traits["_meta"] = {**traits["_meta"], "message": "Nothing was recorded when this file was saved."}
    data = {k: base64.b64encode(bytes(v)).decode("ascii") for k, v in player._data.items()}
    extras_data = {
        key: {name: base64.b64encode(bytes(v)).decode("ascii") for name, v in arrays.items()}
        for key, arrays in player._extras_data.items()
    }
    state = json.dumps({"traits": traits, "data": data, "extras_data": extras_data}, separators=(",", ":"))
    # "</" cannot close the script element when escaped as "<\\/" inside JSON strings
    state = state.replace("</", "<\\/")
    bundle = base64.b64encode(bundle_source().encode("utf-8")).decode("ascii")
    if title is None:
        rec = player.recording
        names = ", ".join(g.name for g in rec.groups)
        title = f"cleo-player: {names} ({rec.t_end * 1e3:g} ms)"
    return _TEMPLATE.format(title=html.escape(title), state=state, bundle=bundle)
