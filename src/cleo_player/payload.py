"""The wire format: a Scene as one small JSON dict plus named binary buffers for the browser.

Sent once per player (``Player._meta`` and ``Player._data``); the browser then plays back
without talking to the kernel. While a live run goes on, frames closed since the last message
follow as *append* messages (:func:`append_message`) whose buffers are encoded exactly as the
initial payload's frame buffers (:func:`frame_buffers`). ``js/types.ts`` and ``js/data.ts``
mirror this module one to one, with the same names.

Buffers (little-endian):

==================== ====================================== ===================================
name                 type, length                           holds
==================== ====================================== ===================================
positions            float32, n_neurons × 3                 neuron positions, axis units
visible              uint8, n_neurons (empty: all visible)  1 = inside the axis limits
spike_ptr            uint32, n_frames + 1                   frame k's spikes: spike_idx[ptr[k]:ptr[k+1]]
spike_idx            uint16 or uint32 (``index_bytes``)      global neuron index, frame-sorted
frame_start_ms       float64, n_frames                      frame start times, ms
values               float32, n_frames × n_channels         device values (track layout in meta)
light_points         float32, n_light_points × 3            light clouds' points, axis units
light_transmittance  float32, n_light_points                 each point's transmittance in [0, 1]
light_source         float32, n_light_points                 each point's source (channel) index
==================== ====================================== ===================================

Big recordings (more spike data than a threshold, :data:`~cleo_player.defaults.WINDOW_THRESHOLD`)
travel in *windows* (:func:`windowed_payload`): the payload's ``spike_idx`` is empty and
``meta["window"]`` says how the frames are cut into chunks of about the same number of bytes
(``chunk_frames``: each chunk's first frame, then ``n_frames``), which the browser asks for
around the playhead and keeps at most ``budget_bytes`` of. Everything else, the frame pointer
included, is in the payload as usual. Messages (``key`` ties them to one payload):

* browser → kernel: ``{"type": "spike_chunks", "key": ..., "chunks": [c, ...]}``;
* kernel → browser, one per chunk (:meth:`SpikeStore.chunk_message`): ``{"type": "spike_chunk",
  "key": ..., "chunk": c, "first_frame": a, "stop_frame": b, "buffers": ["spike_idx"]}`` with one
  buffer, ``spike_idx[spike_ptr[a]:spike_ptr[b]]`` encoded as in the payload.

Custom traces (``Player.add_trace``) travel apart, in ``Player._traces`` (one meta dict per
trace) and ``Player._trace_data`` (``t_ms`` and ``values``, float64, every trace's samples
concatenated in order; see :func:`trace_payload`), so adding one never resends the recording.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from cleo_player.recording import DeviceTrack, FrameSpan
from cleo_player.scene import LightCloud, Scene

if TYPE_CHECKING:
    from cleo_player.traces import Trace

WIRE_VERSION = 2
POINT_PX_PER_PT = 100 / 72  # matplotlib draws at 100 dpi by default: 1 pt = 100/72 px
FLOAT32_MAX = float(np.finfo(np.float32).max)
FRAME_BUFFERS = ("spike_ptr", "spike_idx", "frame_start_ms", "values")
SPIKES_PER_SLICE = 64  # above this many spikes per frame and group, spikes are merged slice by slice


def index_dtype(n_neurons: int) -> type:
    """The spike index type: 2 bytes while every neuron index fits, else 4."""
    return np.uint16 if n_neurons <= np.iinfo(np.uint16).max else np.uint32


def merged_spikes(span: FrameSpan) -> tuple[np.ndarray, np.ndarray]:
    """All groups' spikes of a span as one frame-sorted array of global neuron indices plus a
    frame pointer, O(n_spikes) without a sort (each group's spikes are already frame-sorted):
    within a frame, the groups' spikes follow one another in group order.
    """
    n_frames = span.n_frames
    counts = [np.diff(ptr) for ptr in span.frame_ptr]
    total = np.sum(counts, axis=0) if counts else np.zeros(n_frames, np.int64)
    ptr = np.zeros(n_frames + 1, dtype=np.int64)
    np.cumsum(total, out=ptr[1:])
    out: np.ndarray = np.empty(int(ptr[-1]), dtype=index_dtype(sum(span.group_sizes)))
    offsets = np.cumsum([0, *span.group_sizes[:-1]])
    busy = [g for g, spike_i in enumerate(span.spike_i) if len(spike_i)]
    if len(busy) == 1:  # the spikes of one group are already in place
        g = busy[0]
        np.add(span.spike_i[g], offsets[g], out=out, casting="unsafe")
    elif len(busy) > 1 and len(out) >= SPIKES_PER_SLICE * n_frames * len(busy):
        # many spikes per frame: copy whole (frame, group) slices, no per-spike index arrays
        for k in range(n_frames):
            at = int(ptr[k])
            for g in busy:
                lo, hi = int(span.frame_ptr[g][k]), int(span.frame_ptr[g][k + 1])
                np.add(span.spike_i[g][lo:hi], offsets[g], out=out[at : at + hi - lo], casting="unsafe")
                at += hi - lo
    elif busy:
        before = np.zeros(n_frames, dtype=np.int64)  # spikes of earlier groups in each frame
        for spike_i, frame_ptr, c, offset in zip(span.spike_i, span.frame_ptr, counts, offsets, strict=True):
            if len(spike_i):  # spike j of frame k goes to ptr[k] + before[k] + (j - frame_ptr[k])
                dest = np.repeat(ptr[:-1] + before - frame_ptr[:-1], c)
                dest += np.arange(len(spike_i))
                out[dest] = spike_i + offset
            before += c
    return ptr.astype(np.uint32), out


def finite_float32(values: np.ndarray) -> np.ndarray:
    """float32 with NaN as 0 and infinities clipped to the largest float32: JSON and the
    browser's shaders get finite numbers only.
    """
    return np.nan_to_num(np.asarray(values, dtype=np.float64), nan=0.0, posinf=FLOAT32_MAX, neginf=-FLOAT32_MAX).astype(
        np.float32
    )


def check_finite(value: Any, where: str = "meta") -> None:
    """Every number in a JSON-able value is finite (NaN is not JSON: a page given one goes blank);
    a ValueError naming the first one that is not.
    """
    if isinstance(value, dict):
        for k, v in value.items():
            check_finite(v, f"{where}.{k}")
    elif isinstance(value, (list, tuple)):
        for k, v in enumerate(value):
            check_finite(v, f"{where}[{k}]")
    elif isinstance(value, float) and not np.isfinite(value):
        raise ValueError(f"The scene's {where} is {value}: every number sent to the browser must be finite.")


def track_layout(tracks: tuple[DeviceTrack, ...]) -> list[dict[str, Any]]:
    """Where each track's channels sit in the ``values`` table."""
    layout, offset = [], 0
    for t in tracks:
        layout.append({"name": t.name, "kind": t.kind, "unit": t.unit, "n_channels": t.n_channels, "offset": offset})
        offset += t.n_channels
    return layout


def values_table(tracks: tuple[DeviceTrack, ...], n_frames: int, layout: list[dict[str, Any]]) -> np.ndarray:
    """The (n_frames, n_channels) float32 device-value table of ``layout`` (tracks matched by
    name; channels a track lacks, or has beyond the layout, are 0 / dropped).
    """
    n_channels = sum(entry["n_channels"] for entry in layout)
    table = np.zeros((n_frames, n_channels), dtype=np.float32)
    by_name = {t.name: t for t in tracks}
    for entry in layout:
        track = by_name.get(entry["name"])
        if track is None or not n_frames:
            continue
        width = min(track.n_channels, entry["n_channels"])
        table[:, entry["offset"] : entry["offset"] + width] = finite_float32(track.values[:n_frames, :width])
    return table


def frame_buffers(span: FrameSpan, layout: list[dict[str, Any]]) -> dict[str, bytes]:
    """The per-frame buffers of a span (spike pointer relative to the span's first frame)."""
    spike_ptr, spike_idx = merged_spikes(span)
    return {
        "spike_ptr": spike_ptr.tobytes(),
        "spike_idx": spike_idx.tobytes(),
        "frame_start_ms": (np.asarray(span.frame_t, dtype=np.float64) * 1e3).tobytes(),
        "values": values_table(span.tracks, span.n_frames, layout).tobytes(),
    }


def append_message(span: FrameSpan, layout: list[dict[str, Any]]) -> tuple[dict[str, Any], list[bytes]]:
    """A live-run message: the span's frames, to append after frame ``span.first - 1``. The
    buffers are :data:`FRAME_BUFFERS`, in that order, encoded as in the initial payload.
    """
    buffers = frame_buffers(span, layout)
    msg = {
        "type": "append",
        "first_frame": span.first,
        "n_frames": span.first + span.n_frames,
        "t_end_ms": _round(span.t_end * 1e3),
        "buffers": list(FRAME_BUFFERS),
    }
    return msg, [buffers[name] for name in FRAME_BUFFERS]


def _is_uniform(frame_t: np.ndarray, dt: float) -> bool:
    # fewer than two frames: no step, so uniform (allclose of nothing is True)
    return bool(np.allclose(np.diff(frame_t), dt, rtol=0, atol=1e-9 * max(dt, 1e-12) + 1e-12))


def _round(v: float) -> float:
    return float(np.round(v, 9))


def _groups_meta(scene: Scene) -> list[dict[str, Any]]:
    groups, offset = [], 0
    for g in scene.groups:
        groups.append(
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
    return groups


def _lights(lights: list[LightCloud], track_names: list[str]) -> tuple[list[dict[str, Any]], dict[str, bytes]]:
    """The lights' meta and their point buffers."""
    meta, pts, trans, src, offset = [], [], [], [], 0
    for light in lights:
        meta.append(
            {
                "name": light.name,
                "color": list(light.color),
                "wavelength_nm": light.wavelength_nm,
                "model": light.model,
                "track": track_names.index(light.track) if light.track in track_names else -1,
                "n_sources": light.n_sources,
                "marker_size": light.marker_size * light.marker_scale,  # as cleo draws it
                "max_value": light.max_value,
                "intensity_scale": light.intensity_scale,
                "offset": offset,
                "count": len(light.points),
                "source_coords": light.source_coords.tolist(),
                "source_direction": light.source_direction.tolist(),
            }
        )
        pts.append(light.points)
        trans.append(light.transmittance)
        src.append(light.source)
        offset += len(light.points)
    buffers = {
        "light_points": (np.concatenate(pts) if pts else np.zeros((0, 3))).astype(np.float32).tobytes(),
        "light_transmittance": (np.concatenate(trans) if trans else np.zeros(0)).astype(np.float32).tobytes(),
        "light_source": (np.concatenate(src) if src else np.zeros(0)).astype(np.float32).tobytes(),
    }
    return meta, buffers


def _devices_meta(scene: Scene) -> dict[str, Any]:
    return {
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


def scene_payload(scene: Scene, *, message: str = "") -> tuple[dict[str, Any], dict[str, bytes]]:
    """Encode a scene as ``(meta, buffers)``: JSON-able metadata and named byte strings."""
    rec = scene.recording
    ax = scene.axes
    positions = np.concatenate([g.positions for g in scene.groups]) if scene.groups else np.zeros((0, 3))
    visible = np.concatenate([g.visible for g in scene.groups]) if scene.groups else np.zeros(0, bool)
    layout = track_layout(rec.tracks)
    lights_meta, light_buffers = _lights(scene.lights, [t.name for t in rec.tracks])
    buffers = frame_buffers(rec.span(), layout)
    meta: dict[str, Any] = {
        "version": WIRE_VERSION,
        "message": message,
        "n_frames": rec.n_frames,
        "n_neurons": len(positions),
        "n_spikes": rec.n_spikes,
        "index_bytes": int(np.dtype(index_dtype(len(positions))).itemsize),
        "dt_ms": _round(rec.dt * 1e3),
        "t0_ms": _round(rec.t_start * 1e3),
        "t_end_ms": _round(rec.t_end * 1e3),
        "uniform": _is_uniform(rec.frame_t, rec.dt),
        "all_visible": bool(visible.all()),
        "axes": {
            "unit": ax.unit,
            "unit_label": ax.unit_label,
            "xlim": list(ax.xlim),
            "ylim": list(ax.ylim),
            "zlim": list(ax.zlim),
            "invert_z": ax.invert_z,
        },
        "groups": _groups_meta(scene),
        "tracks": layout,
        "n_channels": sum(entry["n_channels"] for entry in layout),
        "lights": lights_meta,
        **_devices_meta(scene),
        "window": None,  # the spikes are all in the payload (see windowed_payload)
    }
    check_finite(meta)
    buffers.update(
        positions=positions.astype(np.float32).tobytes(),
        visible=b"" if meta["all_visible"] else visible.astype(np.uint8).tobytes(),
        **light_buffers,
    )
    return meta, buffers


# --- big recordings: spikes in windows ------------------------------------------------------
def window_chunks(spike_ptr: np.ndarray, index_bytes: int, chunk_bytes: int) -> np.ndarray:
    """Chunk boundaries (each chunk's first frame, then n_frames): consecutive frames holding
    at most ``chunk_bytes`` of spike data, or a single frame that holds more (a frame is never
    split).
    """
    n_frames = len(spike_ptr) - 1
    offsets = np.asarray(spike_ptr, dtype=np.int64) * index_bytes  # bytes before each frame
    starts = [0]
    while True:
        s = starts[-1]
        # the chunk ends where the frames after s stop fitting (or after one frame)
        end = max(int(np.searchsorted(offsets, offsets[s] + chunk_bytes, side="right")) - 1, s + 1)
        if end >= n_frames:
            break
        starts.append(end)
    return np.asarray([*starts, n_frames], dtype=np.int64)


@dataclass(frozen=True, eq=False)
class SpikeStore:
    """The spikes of a windowed payload, kept in the kernel and sent chunk by chunk."""

    key: str
    chunk_frames: np.ndarray  # (n_chunks + 1,) each chunk's first frame, then n_frames
    spike_ptr: np.ndarray  # (n_frames + 1,) uint32
    spike_idx: bytes
    index_bytes: int

    @property
    def n_chunks(self) -> int:
        """Chunks the frames are cut into."""
        return len(self.chunk_frames) - 1

    def chunk_message(self, chunk: int) -> tuple[dict[str, Any], list[bytes]]:
        """The message that carries chunk ``chunk``'s spikes (see the module docstring)."""
        if not 0 <= chunk < self.n_chunks:
            raise ValueError(f"chunk must be in 0..{self.n_chunks - 1}, got {chunk}.")
        first, stop = int(self.chunk_frames[chunk]), int(self.chunk_frames[chunk + 1])
        lo, hi = int(self.spike_ptr[first]) * self.index_bytes, int(self.spike_ptr[stop]) * self.index_bytes
        msg = {
            "type": "spike_chunk",
            "key": self.key,
            "chunk": chunk,
            "first_frame": first,
            "stop_frame": stop,
            "buffers": ["spike_idx"],
        }
        return msg, [self.spike_idx[lo:hi]]


def windowed_payload(
    meta: dict[str, Any], buffers: dict[str, bytes], *, threshold: int, chunk_bytes: int, budget_bytes: int
) -> tuple[dict[str, Any], dict[str, bytes], SpikeStore | None]:
    """A payload with more than ``threshold`` bytes of spike data as a windowed one: its
    ``spike_idx`` taken out into the returned :class:`SpikeStore`, and ``meta["window"]`` set.
    A smaller payload comes back as it was, with no store.
    """
    if len(buffers["spike_idx"]) <= threshold:
        return meta, buffers, None
    index_bytes = int(meta["index_bytes"])
    spike_ptr = np.frombuffer(buffers["spike_ptr"], dtype=np.uint32)
    chunks = window_chunks(spike_ptr, index_bytes, chunk_bytes)
    largest = int(np.max(np.diff(spike_ptr[chunks].astype(np.int64)))) * index_bytes
    store = SpikeStore(secrets.token_hex(8), chunks, spike_ptr, buffers["spike_idx"], index_bytes)
    window = {"key": store.key, "chunk_frames": chunks.tolist(), "budget_bytes": max(budget_bytes, 4 * largest)}
    return {**meta, "window": window}, {**buffers, "spike_idx": b""}, store


def trace_payload(traces: list[Trace]) -> tuple[list[dict[str, Any]], dict[str, bytes]]:
    """Encode custom traces as ``(meta, buffers)``: per trace its name, unit, colour, where its
    samples sit in the buffers (``offset``, ``count``) and its value range; the buffers
    ``t_ms`` (sample times, ms) and ``values``, float64. Values are finite (checked by
    :func:`cleo_player.traces.make_trace`).
    """
    meta, offset = [], 0
    for tr in traces:
        meta.append(
            {
                "name": tr.name,
                "unit": tr.unit,
                "color": list(tr.color),
                "offset": offset,
                "count": len(tr.t),
                "min": float(tr.values.min()),
                "max": float(tr.values.max()),
            }
        )
        offset += len(tr.t)
    t_ms = np.concatenate([tr.t * 1e3 for tr in traces]) if traces else np.zeros(0)
    values = np.concatenate([tr.values for tr in traces]) if traces else np.zeros(0)
    return meta, {"t_ms": t_ms.astype(np.float64).tobytes(), "values": values.astype(np.float64).tobytes()}
