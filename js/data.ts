/* Decodes the binary payload (see ../src/cleo_player/payload.py) into typed arrays, and
 * appends the frames of live-run messages. */
import type { AppendMessage, Buffers, FrameBufferName, SceneMeta } from "./types";
import type { SpikeWindow } from "./window";

/** The decoded payload: the buffers of `Buffers` as typed arrays, under the same names. */
export interface SceneData {
  meta: SceneMeta;
  positions: Float32Array; // n_neurons * 3, axis units
  visible: Uint8Array | null; // null = all visible
  spike_ptr: Uint32Array; // n_frames + 1
  spike_idx: Uint16Array | Uint32Array; // global neuron index, frame-sorted
  frame_start_ms: Float64Array; // n_frames
  values: Float32Array; // n_frames * n_channels
  light_points: Float32Array; // n_light_points * 3
  light_transmittance: Float32Array;
  light_source: Float32Array;
  /** a windowed recording's spikes (then `spike_idx` is empty): see window.ts */
  window: SpikeWindow | null;
}

type TypedCtor<T> = { new (buffer: ArrayBuffer, byteOffset: number, length: number): T; BYTES_PER_ELEMENT: number };

/** A typed view on a DataView, copying only when the bytes are not aligned for the type. */
function view<T>(ctor: TypedCtor<T>, dv: DataView | undefined): T {
  if (!dv || dv.byteLength === 0) return new ctor(new ArrayBuffer(0), 0, 0);
  const n = Math.floor(dv.byteLength / ctor.BYTES_PER_ELEMENT);
  if (dv.byteOffset % ctor.BYTES_PER_ELEMENT === 0) {
    return new ctor(dv.buffer as ArrayBuffer, dv.byteOffset, n);
  }
  const copy = (dv.buffer as ArrayBuffer).slice(dv.byteOffset, dv.byteOffset + dv.byteLength);
  return new ctor(copy, 0, n);
}

export function decode(meta: SceneMeta, buffers: Buffers): SceneData {
  const frame_start_ms = new Float64Array(meta.n_frames);
  const given = view(Float64Array, buffers.frame_start_ms);
  if (given.length === meta.n_frames) frame_start_ms.set(given);
  else for (let k = 0; k < meta.n_frames; k++) frame_start_ms[k] = meta.t0_ms + k * meta.dt_ms;
  let spike_ptr = view(Uint32Array, buffers.spike_ptr);
  if (spike_ptr.length < meta.n_frames + 1) spike_ptr = new Uint32Array(meta.n_frames + 1);
  return {
    meta,
    positions: view(Float32Array, buffers.positions),
    visible: meta.all_visible ? null : view(Uint8Array, buffers.visible),
    spike_ptr,
    spike_idx: spikeIndex(meta, buffers.spike_idx),
    frame_start_ms,
    values: view(Float32Array, buffers.values),
    light_points: view(Float32Array, buffers.light_points),
    light_transmittance: view(Float32Array, buffers.light_transmittance),
    light_source: view(Float32Array, buffers.light_source),
    window: null,
  };
}

function spikeIndex(meta: SceneMeta, dv: DataView | undefined): Uint16Array | Uint32Array {
  return meta.index_bytes === 2 ? view(Uint16Array, dv) : view(Uint32Array, dv);
}

/** The frame shown at simulated time t (ms): the last frame starting at or before t. */
export function frameAt(data: SceneData, tMs: number): number {
  const ft = data.frame_start_ms;
  const n = data.meta.n_frames;
  if (n === 0) return 0;
  if (data.meta.uniform) {
    const k = Math.floor((tMs - data.meta.t0_ms) / data.meta.dt_ms + 1e-6);
    return Math.min(Math.max(k, 0), n - 1);
  }
  let lo = 0;
  let hi = n - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (ft[mid] <= tMs + 1e-9) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** Append streamed frames; arrays grow geometrically, so a long run costs O(total data). */
export function appendFrames(data: SceneData, msg: AppendMessage, buffers: DataView[]): SceneData {
  const meta = data.meta;
  if (msg.first_frame !== meta.n_frames) return data; // out of order: the final state will resend all
  const named = {} as Record<FrameBufferName, DataView | undefined>;
  msg.buffers.forEach((name, i) => (named[name] = buffers[i]));
  const ptrNew = view(Uint32Array, named.spike_ptr); // relative to the message's first frame
  const nNew = Math.max(ptrNew.length - 1, 0);
  const idxNew = spikeIndex(meta, named.spike_idx);
  const valuesNew = view(Float32Array, named.values);
  const timesNew = view(Float64Array, named.frame_start_ms);
  const nFrames = meta.n_frames + nNew;
  const nSpikes = meta.n_spikes + idxNew.length;
  const spike_ptr = grow(data.spike_ptr, meta.n_frames + 1, nFrames + 1, (n) => new Uint32Array(n));
  const base = spike_ptr[meta.n_frames];
  for (let k = 1; k <= nNew; k++) spike_ptr[meta.n_frames + k] = base + ptrNew[k];
  const spike_idx =
    meta.index_bytes === 2
      ? grow(data.spike_idx as Uint16Array, meta.n_spikes, nSpikes, (n) => new Uint16Array(n))
      : grow(data.spike_idx as Uint32Array, meta.n_spikes, nSpikes, (n) => new Uint32Array(n));
  spike_idx.set(idxNew, meta.n_spikes);
  const nCh = meta.n_channels;
  const values = grow(data.values, meta.n_frames * nCh, nFrames * nCh, (n) => new Float32Array(n));
  values.set(valuesNew.subarray(0, nNew * nCh), meta.n_frames * nCh);
  const frame_start_ms = grow(data.frame_start_ms, meta.n_frames, nFrames, (n) => new Float64Array(n));
  frame_start_ms.set(timesNew.subarray(0, nNew), meta.n_frames);
  const uniform = meta.uniform && (meta.n_frames === 0 || isUniform(frame_start_ms, meta.n_frames - 1, nFrames, meta.dt_ms));
  const t0 = nFrames ? frame_start_ms[0] : meta.t0_ms;
  return {
    ...data,
    meta: { ...meta, n_frames: nFrames, n_spikes: nSpikes, t_end_ms: msg.t_end_ms, t0_ms: t0, uniform, message: "" },
    spike_ptr,
    spike_idx,
    values,
    frame_start_ms,
  };
}

type Typed = Float32Array | Float64Array | Uint16Array | Uint32Array;

function isUniform(ft: Float64Array, from: number, to: number, dt: number): boolean {
  for (let k = Math.max(from, 1); k < to; k++) if (Math.abs(ft[k] - ft[k - 1] - dt) > 1e-6 * dt) return false;
  return true;
}

/** Backing stores allocated by grow(): only these may be written past a view's end. */
const owned = new WeakSet<ArrayBufferLike>();

/** A view of `n` elements of `arr`'s backing store, reallocated (doubling) when too small. */
function grow<T extends Typed>(arr: T, used: number, n: number, make: (len: number) => T): T {
  const capacity = owned.has(arr.buffer) ? (arr.buffer.byteLength / arr.BYTES_PER_ELEMENT) | 0 : 0;
  if (n <= capacity) {
    const full = make(0);
    const Ctor = full.constructor as unknown as new (b: ArrayBufferLike, o: number, l: number) => T;
    return new Ctor(arr.buffer, 0, n);
  }
  const next = make(Math.max(n, 2 * capacity, 1024));
  owned.add(next.buffer);
  next.set(arr.subarray(0, used) as never);
  return next.subarray(0, n) as T;
}
