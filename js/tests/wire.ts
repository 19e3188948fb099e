/* Hand-built payloads in the wire format of ../../src/cleo_player/payload.py, for the unit tests. */
import type { AppendMessage, Buffers, SceneMeta } from "../types";
import { FRAME_BUFFERS } from "../types";

/** One frame: its start time (ms), the global indices of the neurons spiking in it, its device values. */
export interface Frame {
  t: number;
  spikes: number[];
  values?: number[];
}

export interface Options {
  nNeurons?: number;
  dtMs?: number;
  nChannels?: number;
  indexBytes?: 2 | 4;
  tEndMs?: number;
  /** place every buffer at an odd byte offset of a bigger buffer (as a websocket may) */
  unaligned?: boolean;
}

/** A DataView of the bytes of `a`, at byte offset 0 or, if `unaligned`, 1. */
export function dataView(a: ArrayBufferView, unaligned = false): DataView {
  const bytes = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  const offset = unaligned ? 1 : 0;
  const store = new Uint8Array(bytes.length + offset + 3);
  store.set(bytes, offset);
  return new DataView(store.buffer, offset, bytes.length);
}

/** The frame buffers (payload.frame_buffers) of `frames`, pointers relative to the first. */
function frameArrays(frames: Frame[], o: Required<Options>) {
  const ptr = new Uint32Array(frames.length + 1);
  const idx: number[] = [];
  frames.forEach((f, k) => {
    idx.push(...f.spikes);
    ptr[k + 1] = idx.length;
  });
  const values = new Float32Array(frames.length * o.nChannels);
  frames.forEach((f, k) => values.set(f.values ?? new Array(o.nChannels).fill(0), k * o.nChannels));
  return {
    spike_ptr: ptr,
    spike_idx: o.indexBytes === 2 ? Uint16Array.from(idx) : Uint32Array.from(idx),
    frame_start_ms: Float64Array.from(frames.map((f) => f.t)),
    values,
  };
}

function withDefaults(frames: Frame[], opts: Options): Required<Options> {
  const dtMs = opts.dtMs ?? 1;
  const last = frames.length ? frames[frames.length - 1].t + dtMs : 0;
  return {
    nNeurons: 8,
    nChannels: 0,
    indexBytes: 2,
    unaligned: false,
    tEndMs: last,
    ...opts,
    dtMs,
  };
}

/** `Player._meta` and `Player._data` (payload.scene_payload) of a one-group scene with `frames`. */
export function payload(frames: Frame[], opts: Options = {}): { meta: SceneMeta; buffers: Buffers } {
  const o = withDefaults(frames, opts);
  const uniform = frames.every((f, k) => k === 0 || Math.abs(f.t - frames[k - 1].t - o.dtMs) < 1e-9);
  const meta: SceneMeta = {
    version: 2,
    message: "",
    n_frames: frames.length,
    n_neurons: o.nNeurons,
    n_spikes: frames.reduce((n, f) => n + f.spikes.length, 0),
    index_bytes: o.indexBytes,
    dt_ms: o.dtMs,
    t0_ms: frames.length ? frames[0].t : o.tEndMs,
    t_end_ms: o.tEndMs,
    uniform,
    all_visible: true,
    window: null,
    axes: { unit: "um", unit_label: "µm", xlim: [0, 1], ylim: [0, 1], zlim: [0, 1], invert_z: true },
    groups: [{ name: "g", color: [1, 0, 0], size: 4, alpha: 0.2, offset: 0, count: o.nNeurons }],
    tracks: o.nChannels ? [{ name: "light", kind: "Light", unit: "mW/mm2", n_channels: o.nChannels, offset: 0 }] : [],
    n_channels: o.nChannels,
    lights: [],
    probes: [],
    scopes: [],
  };
  const a = frameArrays(frames, o);
  const empty = new Uint8Array(0);
  const dv = (x: ArrayBufferView) => dataView(x, o.unaligned);
  const buffers: Buffers = {
    positions: dv(new Float32Array(o.nNeurons * 3)),
    visible: dv(empty),
    spike_ptr: dv(a.spike_ptr),
    spike_idx: dv(a.spike_idx),
    frame_start_ms: dv(a.frame_start_ms),
    values: dv(a.values),
    light_points: dv(empty),
    light_transmittance: dv(empty),
    light_source: dv(empty),
  };
  return { meta, buffers };
}

/** A live-run message (payload.append_message) carrying `frames`, to follow frame `first - 1`. */
export function appendMessage(
  frames: Frame[],
  first: number,
  tEndMs: number,
  opts: Options = {},
): { msg: AppendMessage; buffers: DataView[] } {
  const o = withDefaults(frames, opts);
  const a = frameArrays(frames, o);
  const msg: AppendMessage = {
    type: "append",
    first_frame: first,
    n_frames: first + frames.length,
    t_end_ms: tEndMs,
    buffers: [...FRAME_BUFFERS],
  };
  return { msg, buffers: FRAME_BUFFERS.map((name) => dataView(a[name], o.unaligned)) };
}

/** Frames 0..n-1 of dt 1 ms, neuron (3k + j) % nNeurons spiking j < k % 3 times in frame k. */
export function regularFrames(n: number, nNeurons = 8, nChannels = 0): Frame[] {
  return Array.from({ length: n }, (_, k) => ({
    t: k,
    spikes: Array.from({ length: k % 3 }, (_, j) => (3 * k + j) % nNeurons),
    values: Array.from({ length: nChannels }, (_, c) => k + c / 10),
  }));
}
