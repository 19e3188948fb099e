/* The timeline's traces: one row per device (each light's value per source in its colour; the
 * on/off of other devices' channels) and one per custom trace (player.add_trace), drawn on the
 * timeline's time axis. Device rows read the values table the scene reads (SceneData.values);
 * custom traces come from `_traces` / `_trace_data` (payload.trace_payload). */
import { type SceneData, frameAt } from "./data";
import { xOf } from "./timeline_layout";
import type { RGB, TraceBuffers, TraceMeta } from "./types";

const ONOFF_COLOR: RGB = [0.78, 0.8, 0.85];

export function cssRgb(c: number[], alpha = 1): string {
  const [r, g, b] = c.map((v) => Math.round(Math.min(Math.max(v, 0), 1) * 255));
  return alpha >= 1 ? `rgb(${r},${g},${b})` : `rgba(${r},${g},${b},${alpha})`;
}

/** A custom trace decoded: its samples as typed arrays. */
export interface CustomTrace {
  meta: TraceMeta;
  t: Float64Array; // ms
  v: Float64Array;
}

function f64(dv: DataView | undefined): Float64Array {
  if (!dv || dv.byteLength < 8) return new Float64Array(0);
  const n = Math.floor(dv.byteLength / 8);
  if (dv.byteOffset % 8 === 0) return new Float64Array(dv.buffer as ArrayBuffer, dv.byteOffset, n);
  return new Float64Array((dv.buffer as ArrayBuffer).slice(dv.byteOffset, dv.byteOffset + n * 8));
}

/** The custom traces of `_traces` / `_trace_data` (mirrors payload.trace_payload). */
export function decodeTraces(meta: TraceMeta[] | null | undefined, buffers: TraceBuffers | null | undefined): CustomTrace[] {
  if (!meta?.length || !buffers) return [];
  const t = f64(buffers.t_ms);
  const v = f64(buffers.values);
  return meta
    .filter((m) => m.offset + m.count <= Math.min(t.length, v.length))
    .map((m) => ({ meta: m, t: t.subarray(m.offset, m.offset + m.count), v: v.subarray(m.offset, m.offset + m.count) }));
}

/** A row's box on the canvas (device pixels) and the time view. */
export interface RowBox {
  x0: number;
  width: number;
  y0: number;
  height: number;
  v0: number; // ms
  v1: number;
}

export interface TraceRow {
  readonly name: string;
  readonly color: RGB;
  /** the value range drawn, for the label */
  describe(): string;
  /** widen the value range over frames from .. n_frames - 1 (device rows) */
  extend(data: SceneData, from: number): void;
  draw(ctx: CanvasRenderingContext2D, data: SceneData, box: RowBox): void;
}

function fmt(v: number): string {
  if (v === 0) return "0";
  const a = Math.abs(v);
  if (a >= 1e4 || a < 1e-2) return v.toExponential(1);
  return String(+v.toPrecision(3));
}

/** Frames overlapping the view: first .. last. */
function framesInView(data: SceneData, v0: number, v1: number): [number, number] {
  const n = data.meta.n_frames;
  if (n === 0) return [0, -1];
  return [frameAt(data, v0), frameAt(data, v1)];
}

function frameEnd(data: SceneData, k: number): number {
  return k + 1 < data.meta.n_frames ? data.frame_start_ms[k + 1] : data.meta.t_end_ms;
}

/** A light: its value per source (channel) as a step line in the light's colour. */
export class LevelRow implements TraceRow {
  lo = 0;
  hi = 0;
  constructor(
    readonly name: string,
    readonly color: RGB,
    readonly unit: string,
    private offset: number, // first channel in the values table
    private channels: number,
  ) {}

  describe(): string {
    return `${fmt(this.lo)}–${fmt(this.hi)} ${this.unit}`.trim();
  }

  extend(data: SceneData, from: number): void {
    const nCh = data.meta.n_channels;
    for (let k = Math.max(from, 0); k < data.meta.n_frames; k++) {
      for (let c = 0; c < this.channels; c++) {
        const v = data.values[k * nCh + this.offset + c];
        if (v < this.lo) this.lo = v;
        if (v > this.hi) this.hi = v;
      }
    }
  }

  draw(ctx: CanvasRenderingContext2D, data: SceneData, box: RowBox): void {
    const [first, last] = framesInView(data, box.v0, box.v1);
    if (last < first) return;
    const nCh = data.meta.n_channels;
    const span = this.hi - this.lo || 1;
    const pad = Math.min(2, box.height / 6);
    const yOf = (v: number) => box.y0 + box.height - pad - ((v - this.lo) / span) * (box.height - 2 * pad);
    const xAt = (t: number) => box.x0 + xOf(t, box.v0, box.v1, box.width);
    for (let c = 0; c < this.channels; c++) {
      ctx.beginPath();
      for (let k = first; k <= last; k++) {
        const y = yOf(data.values[k * nCh + this.offset + c]);
        const xa = xAt(data.frame_start_ms[k]);
        if (k === first) ctx.moveTo(xa, y);
        else ctx.lineTo(xa, y);
        ctx.lineTo(xAt(frameEnd(data, k)), y);
      }
      ctx.strokeStyle = cssRgb(this.color, this.channels > 1 ? 0.85 : 1);
      ctx.lineWidth = Math.max(1, window.devicePixelRatio || 1);
      ctx.stroke();
      // a faint fill down to zero, so a light's on-time reads at a glance
      ctx.lineTo(xAt(frameEnd(data, last)), yOf(Math.max(this.lo, 0)));
      ctx.lineTo(xAt(data.frame_start_ms[first]), yOf(Math.max(this.lo, 0)));
      ctx.closePath();
      ctx.fillStyle = cssRgb(this.color, 0.18);
      ctx.fill();
    }
  }
}

/** Any other device: on (value not 0) / off per channel, one lane per channel. */
export class OnOffRow implements TraceRow {
  readonly color = ONOFF_COLOR;
  constructor(
    readonly name: string,
    private offset: number,
    private channels: number,
  ) {}

  describe(): string {
    return this.channels > 1 ? `on/off × ${this.channels}` : "on/off";
  }

  extend(): void {}

  draw(ctx: CanvasRenderingContext2D, data: SceneData, box: RowBox): void {
    const [first, last] = framesInView(data, box.v0, box.v1);
    const nCh = data.meta.n_channels;
    const xAt = (t: number) => box.x0 + xOf(t, box.v0, box.v1, box.width);
    ctx.fillStyle = cssRgb(this.color, 0.85);
    for (let c = 0; c < this.channels; c++) {
      const y0 = box.y0 + 1 + Math.floor((c * (box.height - 2)) / this.channels);
      const y1 = box.y0 + 1 + Math.floor(((c + 1) * (box.height - 2)) / this.channels);
      const h = Math.max(y1 - y0 - (this.channels > 1 ? 1 : 0), 1);
      let runStart = -1;
      for (let k = first; k <= last + 1; k++) {
        const on = k <= last && data.values[k * nCh + this.offset + c] !== 0;
        if (on && runStart < 0) runStart = k;
        if (!on && runStart >= 0) {
          const xa = xAt(data.frame_start_ms[runStart]);
          ctx.fillRect(xa, y0, Math.max(xAt(frameEnd(data, k - 1)) - xa, 1), h);
          runStart = -1;
        }
      }
    }
  }
}

/** A custom trace: its samples joined by straight lines. */
export class CustomRow implements TraceRow {
  readonly name: string;
  readonly color: RGB;
  constructor(private trace: CustomTrace) {
    this.name = trace.meta.name;
    this.color = trace.meta.color;
  }

  describe(): string {
    const { min, max, unit } = this.trace.meta;
    return `${fmt(min)}–${fmt(max)} ${unit}`.trim();
  }

  extend(): void {}

  draw(ctx: CanvasRenderingContext2D, _data: SceneData, box: RowBox): void {
    const { t, v, meta } = this.trace;
    if (!t.length) return;
    const lo = meta.min;
    const span = meta.max - meta.min || 1;
    const pad = Math.min(2, box.height / 6);
    const flat = meta.max === meta.min;
    const yOf = (x: number) =>
      flat ? box.y0 + box.height / 2 : box.y0 + box.height - pad - ((x - lo) / span) * (box.height - 2 * pad);
    // samples in view, and one beyond each side so the line reaches the edges
    let i0 = lowerBound(t, box.v0) - 1;
    let i1 = lowerBound(t, box.v1) + 1;
    i0 = Math.max(i0, 0);
    i1 = Math.min(i1, t.length);
    ctx.beginPath();
    for (let i = i0; i < i1; i++) {
      const x = box.x0 + xOf(t[i], box.v0, box.v1, box.width);
      if (i === i0) ctx.moveTo(x, yOf(v[i]));
      else ctx.lineTo(x, yOf(v[i]));
    }
    if (i1 - i0 === 1) {
      const x = box.x0 + xOf(t[i0], box.v0, box.v1, box.width);
      ctx.moveTo(x - 2, yOf(v[i0]));
      ctx.lineTo(x + 2, yOf(v[i0]));
    }
    ctx.strokeStyle = cssRgb(this.color);
    ctx.lineWidth = Math.max(1.5, 1.5 * (window.devicePixelRatio || 1));
    ctx.stroke();
  }
}

/** The first index with a[i] >= x. */
function lowerBound(a: Float64Array, x: number): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (a[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** One row per device track (lights: level per source; others: on/off), then the custom traces. */
export function traceRows(data: SceneData, custom: CustomTrace[]): TraceRow[] {
  const meta = data.meta;
  const rows: TraceRow[] = [];
  meta.tracks.forEach((track, i) => {
    if (track.n_channels <= 0) return;
    const light = meta.lights.find((l) => l.track === i);
    const row = light
      ? new LevelRow(light.name, light.color, track.unit, track.offset, track.n_channels)
      : new OnOffRow(track.name, track.offset, track.n_channels);
    row.extend(data, 0);
    rows.push(row);
  });
  for (const trace of custom) rows.push(new CustomRow(trace));
  return rows;
}
