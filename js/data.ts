/* Decodes the binary payload (see ../src/cleo_player/payload.py) into typed arrays. */
import type { Buffers, SceneMeta } from "./types";

export interface SceneData {
  meta: SceneMeta;
  positions: Float32Array; // n_neurons * 3, axis units
  visible: Uint8Array | null; // null = all visible
  spikePtr: Uint32Array; // n_frames + 1
  spikeIdx: Uint16Array | Uint32Array; // global neuron index, frame-sorted
  frameTimes: Float64Array; // n_frames, ms (frame start)
  values: Float32Array; // n_frames * n_channels
  lightPoints: Float32Array;
  lightT: Float32Array;
  lightSrc: Float32Array;
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
  const frameTimes = new Float64Array(meta.n_frames);
  const given = view(Float64Array, buffers.frame_t);
  if (given.length === meta.n_frames && !meta.uniform) frameTimes.set(given);
  else for (let k = 0; k < meta.n_frames; k++) frameTimes[k] = meta.t0_ms + k * meta.dt_ms;
  const spikeIdx = meta.index_bytes === 2 ? view(Uint16Array, buffers.spike_idx) : view(Uint32Array, buffers.spike_idx);
  let spikePtr = view(Uint32Array, buffers.spike_ptr);
  if (spikePtr.length < meta.n_frames + 1) spikePtr = new Uint32Array(meta.n_frames + 1);
  return {
    meta,
    positions: view(Float32Array, buffers.positions),
    visible: meta.all_visible ? null : view(Uint8Array, buffers.visible),
    spikePtr,
    spikeIdx,
    frameTimes,
    values: view(Float32Array, buffers.values),
    lightPoints: view(Float32Array, buffers.light_points),
    lightT: view(Float32Array, buffers.light_t),
    lightSrc: view(Float32Array, buffers.light_src),
  };
}

/** The frame shown at simulated time t (ms): the last frame starting at or before t. */
export function frameAt(data: SceneData, tMs: number): number {
  const ft = data.frameTimes;
  const n = ft.length;
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
