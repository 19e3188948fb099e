"""The wire format: a Scene as one small JSON dict plus binary buffers for the browser.

Sent once per player (``Player._meta`` and ``Player._data``); the browser then plays back
without talking to the kernel. Sizes: 12 bytes per neuron (float32 xyz), 2 or 4 bytes per
spike (uint16 / uint32 global neuron index, frame-sorted), 4 bytes per frame (uint32 spike
pointer), 4 bytes per device channel per frame (float32). ``js/data.ts`` decodes it.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from cleo_player.scene import Scene

WIRE_VERSION = 1
POINT_PX_PER_PT = 100 / 72  # matplotlib draws at 100 dpi by default: 1 pt = 100/72 px


def merged_spikes(scene: Scene) -> tuple[np.ndarray, np.ndarray]:
    """All groups' spikes as one frame-sorted array of global neuron indices plus a frame
    pointer; O(n_spikes), no sort (each group's spikes are already frame-sorted)."""
    rec = scene.recording
    n_frames = rec.n_frames
    counts = [np.diff(g.frame_ptr) for g in rec.groups]
    total = np.sum(counts, axis=0) if counts else np.zeros(n_frames, np.int64)
    ptr = np.zeros(n_frames + 1, dtype=np.int64)
    np.cumsum(total, out=ptr[1:])
    n_spikes = int(ptr[-1])
    index_dtype = np.uint16 if rec.n_neurons <= 0xFFFF else np.uint32
    out = np.empty(n_spikes, dtype=index_dtype)
    before = np.zeros(n_frames, dtype=np.int64)  # spikes of earlier groups in each frame
    offset = 0
    for g, c in zip(rec.groups, counts):
        if g.n_spikes:
            frames = np.repeat(np.arange(n_frames), c)
            rank = np.arange(g.n_spikes) - g.frame_ptr[:-1][frames]
            out[ptr[:-1][frames] + before[frames] + rank] = g.spike_i + offset
        before += c
        offset += g.size
    return ptr.astype(np.uint32), out


def _is_uniform(frame_t: np.ndarray, dt: float) -> bool:
    if len(frame_t) < 2:
        return True
    return bool(np.allclose(np.diff(frame_t), dt, rtol=0, atol=1e-9 * max(dt, 1e-12) + 1e-12))


def _round(v: float) -> float:
    return float(np.round(v, 9))


def scene_payload(scene: Scene, *, message: str = "") -> tuple[dict[str, Any], dict[str, bytes]]:
    """Encode a scene as ``(meta, buffers)``: JSON-able metadata and named byte strings."""
    rec = scene.recording
    ax = scene.axes
    positions = np.concatenate([g.positions for g in scene.groups]) if scene.groups else np.zeros((0, 3))
    visible = np.concatenate([g.visible for g in scene.groups]) if scene.groups else np.zeros(0, bool)
    spike_ptr, spike_idx = merged_spikes(scene)
    uniform = _is_uniform(rec.frame_t, rec.dt)

    groups_meta = []
    offset = 0
    for g in scene.groups:
        groups_meta.append(
            {
                "name": g.name,
                "color": list(g.color),
                "size": float(np.sqrt(g.marker_area) * POINT_PX_PER_PT),
                "alpha": g.alpha,
                "offset": offset,
                "count": len(g.positions),
            }
        )
        offset += len(g.positions)

    track_names = [t.name for t in rec.tracks]
    tracks_meta, track_arrays, ch_offset = [], [], 0
    for t in rec.tracks:
        tracks_meta.append({"name": t.name, "kind": t.kind, "unit": t.unit, "n_channels": t.n_channels, "offset": ch_offset})
        track_arrays.append(np.nan_to_num(t.values, nan=0.0))
        ch_offset += t.n_channels
    values = np.concatenate(track_arrays, axis=1) if track_arrays else np.zeros((rec.n_frames, 0))

    lights_meta, pts, trans, src, pt_offset = [], [], [], [], 0
    for light in scene.lights:
        lights_meta.append(
            {
                "name": light.name,
                "color": list(light.color),
                "wavelength_nm": light.wavelength_nm,
                "model": light.model,
                "track": track_names.index(light.track) if light.track in track_names else -1,
                "n_sources": light.n_sources,
                "marker_size": light.marker_size,
                "max_value": light.max_value,
                "intensity_scale": light.intensity_scale,
                "offset": pt_offset,
                "count": len(light.points),
                "source_coords": light.source_coords.tolist(),
                "source_direction": light.source_direction.tolist(),
            }
        )
        pts.append(light.points)
        trans.append(light.transmittance)
        src.append(light.source)
        pt_offset += len(light.points)

    meta: dict[str, Any] = {
        "version": WIRE_VERSION,
        "message": message,
        "n_frames": rec.n_frames,
        "n_neurons": int(len(positions)),
        "n_spikes": int(len(spike_idx)),
        "index_bytes": int(spike_idx.dtype.itemsize),
        "dt_ms": _round(rec.dt * 1e3),
        "t0_ms": _round(rec.t_start * 1e3),
        "t_end_ms": _round(rec.t_end * 1e3),
        "uniform": uniform,
        "all_visible": bool(visible.all()),
        "axes": {
            "unit": ax.unit,
            "xlim": list(ax.xlim),
            "ylim": list(ax.ylim),
            "zlim": list(ax.zlim),
            "invert_z": ax.invert_z,
        },
        "groups": groups_meta,
        "tracks": tracks_meta,
        "n_channels": ch_offset,
        "lights": lights_meta,
        "probes": [{"name": p.name, "color": list(p.color), "contacts": p.contacts.tolist()} for p in scene.probes],
        "scopes": [
            {
                "name": s.name,
                "color": list(s.color),
                "location": s.location.tolist(),
                "direction": s.direction.tolist(),
                "focus_depth": s.focus_depth,
                "img_width": s.img_width,
                "rois": s.rois.tolist(),
                "sensor": s.sensor,
            }
            for s in scene.scopes
        ],
    }
    buffers = {
        "positions": positions.astype(np.float32).tobytes(),
        "visible": b"" if meta["all_visible"] else visible.astype(np.uint8).tobytes(),
        "spike_ptr": spike_ptr.tobytes(),
        "spike_idx": spike_idx.tobytes(),
        "frame_t": b"" if uniform else (rec.frame_t * 1e3).astype(np.float64).tobytes(),
        "values": values.astype(np.float32).tobytes(),
        "light_points": (np.concatenate(pts) if pts else np.zeros((0, 3))).astype(np.float32).tobytes(),
        "light_t": (np.concatenate(trans) if trans else np.zeros(0)).astype(np.float32).tobytes(),
        "light_src": (np.concatenate(src) if src else np.zeros(0)).astype(np.float32).tobytes(),
    }
    return meta, buffers
