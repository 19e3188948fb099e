/* The timeline under the 3D view: a spike raster per group, one trace per device channel and
 * per custom trace, and a playhead at the frame shown, on the player's own clock (Playback).
 *
 * Mouse: click seeks to the frame nearest the time clicked, drag scrubs; shift-drag, or a drag
 * along the time axis strip at the bottom, zooms the time axis to the brushed range;
 * double-click shows the whole run again.
 *
 * Cost: the raster is a bitmap redrawn only when the data, the size, the time range or the
 * shown groups change (cost ∝ spikes in view; appended frames of a live run are drawn alone);
 * the traces are redrawn then too (∝ frames in view). Per frame of playback only the playhead
 * moves (one CSS transform). */
import { niceTicks } from "./axes";
import { type SceneData, frameAt } from "./data";
import type { Playback } from "./playback";
import { frameColumns } from "./timeline_layout";
import { RasterBitmap } from "./timeline_raster";
import { type TraceRow, cssRgb, decodeTraces, traceRows } from "./timeline_traces";
import type { PlayerModel } from "./types";

const AXIS_H = 18; // CSS px: the time axis strip (ticks and labels; a drag there zooms)
const ROW_H_MAX = 24; // CSS px per trace row
const ROW_H_MIN = 6;
const MIN_RASTER_H = 24;
const TRACES_SHARE = 0.45; // at most this share of the plot height goes to traces
const BRUSH_MIN_PX = 4; // a shorter brush is a click
const MIN_LABEL_PX = 10; // group labels only on bands at least this tall
const UNIT_PX = 36; // CSS px at the axis' right end kept for its unit
const EDGE_PX = 12; // a tick label this close to the left edge starts at its tick
export const TIMELINE_HELP =
  "timeline: click to go to a time, drag to scrub; shift-drag (or drag along the time axis) to zoom in; double-click for the whole run";

interface Drag {
  mode: "scrub" | "brush";
  pointer: number;
  x0: number;
  x: number;
}

export class Timeline {
  readonly el = document.createElement("div");
  private rasterCanvas = document.createElement("canvas");
  private marksCanvas = document.createElement("canvas"); // highlighted rows over the raster
  private tracesCanvas = document.createElement("canvas");
  private labels = document.createElement("div");
  private playhead = document.createElement("div");
  private brush = document.createElement("div");
  private hoverBand = document.createElement("div"); // the row of the neuron under the pointer in 3D
  private hovered = -1;
  private raster = new RasterBitmap();
  private rows: TraceRow[] = [];
  private hidden = new Set<string>();
  private highlighted = new Set<number>();
  private zoom: [number, number] | null = null; // ms; null: the whole run
  private axisEnd = 0; // ms: the whole run's axis end (grows in steps during a live run)
  private drawnFrames = 0; // frames drawn into the raster
  private cssW = 0;
  private rasterH = 0; // CSS px
  private rowH = 0;
  private dpr = 1;
  private drag: Drag | null = null;
  private built = false;
  private playheadRaf: number | null = null;
  private unsubscribe: () => void;
  private resizeObserver: ResizeObserver;
  /** redraws of the raster bitmap (whole) and appends drawn alone, for tests and benchmarks */
  redraws = 0;
  appends = 0;

  constructor(
    private model: PlayerModel,
    private pb: Playback,
  ) {
    this.el.className = "cleo-timeline";
    this.el.setAttribute("role", "group");
    this.el.setAttribute("aria-label", "timeline");
    this.el.title = TIMELINE_HELP;
    this.rasterCanvas.className = "cleo-timeline-raster";
    this.marksCanvas.className = "cleo-timeline-marks";
    this.tracesCanvas.className = "cleo-timeline-traces";
    this.labels.className = "cleo-timeline-labels";
    this.playhead.className = "cleo-timeline-playhead";
    this.brush.className = "cleo-timeline-brush";
    this.hoverBand.className = "cleo-timeline-hover";
    for (const c of [this.rasterCanvas, this.marksCanvas, this.tracesCanvas]) c.setAttribute("aria-hidden", "true");
    this.el.append(this.rasterCanvas, this.marksCanvas, this.tracesCanvas, this.hoverBand, this.labels, this.brush, this.playhead);

    this.el.addEventListener("pointerdown", this.onDown);
    this.el.addEventListener("pointermove", this.onMove);
    this.el.addEventListener("pointerup", this.onUp);
    this.el.addEventListener("pointercancel", this.onCancel);
    this.el.addEventListener("dblclick", this.onDoubleClick);
    this.unsubscribe = pb.subscribe(() => this.requestPlayhead());
    this.resizeObserver = new ResizeObserver(() => this.resize());
    this.resizeObserver.observe(this.el);
    for (const evt of ["change:timeline", "change:timeline_height", "change:height"]) model.on(evt, this.applySize);
    for (const evt of ["change:_traces", "change:_trace_data"]) model.on(evt, this.tracesChanged);
    this.applySize();
  }

  // --- data ---------------------------------------------------------------------------------
  private get data(): SceneData {
    return this.pb.data;
  }

  /** New data (a new recording, or the full one at the end of a live run): draw it all. */
  build(): void {
    this.built = true;
    this.axisEnd = this.data.meta.t_end_ms;
    if (this.zoom && !(this.zoom[1] > this.fullRange()[0] && this.zoom[0] < this.fullRange()[1])) this.zoom = null;
    this.rows = traceRows(this.data, this.customTraces());
    this.redraw();
  }

  /** Frames were appended (live run): draw only their spikes unless the axis must grow. */
  dataAppended(): void {
    if (!this.built) return this.build();
    const data = this.data;
    for (const row of this.rows) row.extend(data, this.drawnFrames);
    const t0 = this.fullRange()[0];
    if (!this.zoom && data.meta.t_end_ms > this.axisEnd) {
      // the axis grows geometrically: a long live run redraws the raster O(log n) times
      this.axisEnd = t0 + 2 * Math.max(data.meta.t_end_ms - t0, data.meta.dt_ms);
      this.redraw();
      return;
    }
    if (!this.visible() || this.cssW <= 0) return;
    const [v0, v1] = this.range();
    const [c0, c1] = this.raster.drawFrames(data, this.drawnFrames, data.meta.n_frames - 1, v0, v1);
    this.drawnFrames = data.meta.n_frames;
    this.raster.put(this.rasterContext(), c0, c1);
    this.drawTraces();
    this.drawMarks();
    this.drawLabels(); // the device rows' ranges may have grown
    this.appends++;
    this.requestPlayhead();
  }

  private customTraces() {
    return decodeTraces(this.model.get("_traces"), this.model.get("_trace_data"));
  }

  private tracesChanged = (): void => {
    if (!this.built) return;
    this.rows = traceRows(this.data, this.customTraces());
    this.redraw();
  };

  // --- what the inspection tools drive (inspector.ts) -----------------------------------------
  /** Hide the rows of these groups (the other groups' bands share the raster). */
  setHiddenGroups(names: Iterable<string>): void {
    const next = new Set(names);
    if (next.size === this.hidden.size && [...next].every((n) => this.hidden.has(n))) return;
    this.hidden = next;
    this.redraw();
  }

  /** Emphasise these neurons (global indices): their rows lit across the raster, their spikes
   * drawn in white over it (cost ∝ spikes in view). */
  setHighlighted(neurons: Iterable<number>): void {
    this.highlighted = new Set(neurons);
    this.drawMarks();
  }

  /** Light the row of neuron n (global index; -1: none), the neuron under the pointer in the
   * 3D view: one band moved over the raster (O(1), nothing redrawn). */
  setHovered(n: number): void {
    this.hovered = n;
    this.placeHover();
  }

  private placeHover(): void {
    const band = this.hoverBand;
    const [r0, r1] = this.hovered >= 0 && this.built ? this.raster.rowsOf(this.hovered) : [-1, -1];
    if (r0 < 0 || !this.visible() || this.cssW <= 0) {
      band.style.display = "none";
      delete band.dataset.neuron;
      return;
    }
    const top = r0 / this.dpr;
    const height = Math.max((r1 - r0) / this.dpr, 2);
    band.style.display = "block";
    band.style.top = `${top - Math.max(0, (height - (r1 - r0) / this.dpr) / 2)}px`;
    band.style.height = `${height}px`;
    band.dataset.neuron = String(this.hovered);
  }

  // --- geometry -----------------------------------------------------------------------------
  private visible(): boolean {
    return this.model.get("timeline") !== false;
  }

  /** CSS height: timeline_height, or a third of the 3D view's height. */
  private height(): number {
    const h = this.model.get("timeline_height");
    return typeof h === "number" && h > 0 ? h : Math.round(this.model.get("height") / 3);
  }

  private applySize = (): void => {
    const show = this.visible();
    this.el.style.display = show ? "" : "none";
    this.el.style.height = `${this.height()}px`;
    if (show) this.resize(true);
  };

  /** The whole run's time range, ms. */
  private fullRange(): [number, number] {
    const data = this.data;
    const t0 = data.meta.n_frames ? data.frame_start_ms[0] : data.meta.t0_ms;
    let t1 = Math.max(data.meta.t_end_ms, this.axisEnd);
    if (!(t1 > t0)) t1 = t0 + (data.meta.dt_ms > 0 ? data.meta.dt_ms : 1);
    return [t0, t1];
  }

  /** The time range in view, ms. */
  range(): [number, number] {
    return this.zoom ?? this.fullRange();
  }

  private resize(force = false): void {
    const w = this.el.clientWidth;
    const dpr = window.devicePixelRatio || 1;
    if (!force && w === this.cssW && dpr === this.dpr) return;
    this.cssW = w;
    this.dpr = dpr;
    this.redraw();
  }

  private layoutRows(): void {
    const plot = this.height() - AXIS_H;
    const n = this.rows.length;
    let rowH = n ? Math.min(ROW_H_MAX, Math.floor((plot * TRACES_SHARE) / n)) : 0;
    if (n && rowH < ROW_H_MIN) rowH = Math.max(2, Math.floor((plot - MIN_RASTER_H) / n));
    this.rowH = rowH;
    this.rasterH = Math.max(plot - n * rowH, 0);
  }

  private rasterContext(): CanvasRenderingContext2D {
    return this.rasterCanvas.getContext("2d") as CanvasRenderingContext2D;
  }

  // --- drawing ------------------------------------------------------------------------------
  /** Everything but the playhead: raster, traces, labels (when shown and sized). */
  redraw(): void {
    if (!this.built || !this.visible() || this.cssW <= 0) return;
    const data = this.data;
    this.layoutRows();
    const dpr = this.dpr;
    const W = Math.round(this.cssW * dpr);
    const rasterPx = Math.round(this.rasterH * dpr);
    for (const c of [this.rasterCanvas, this.marksCanvas]) {
      c.width = W;
      c.height = rasterPx;
      c.style.height = `${this.rasterH}px`;
    }
    const tracesCss = this.height() - this.rasterH;
    this.tracesCanvas.width = W;
    this.tracesCanvas.height = Math.round(tracesCss * dpr);
    this.tracesCanvas.style.top = `${this.rasterH}px`;
    this.tracesCanvas.style.height = `${tracesCss}px`;

    const [v0, v1] = this.range();
    this.raster.layout(data, W, rasterPx, this.hidden);
    if (data.meta.n_frames) {
      this.raster.drawFrames(data, frameAt(data, v0), frameAt(data, v1), v0, v1);
    }
    this.drawnFrames = data.meta.n_frames;
    this.raster.put(this.rasterContext());
    this.drawTraces();
    this.drawMarks();
    this.drawLabels();
    this.placeHover();
    this.el.dataset.zoomed = String(this.zoom !== null);
    this.redraws++;
    this.requestPlayhead();
  }

  private drawTraces(): void {
    const ctx = this.tracesCanvas.getContext("2d") as CanvasRenderingContext2D;
    const dpr = this.dpr;
    const W = this.tracesCanvas.width;
    ctx.clearRect(0, 0, W, this.tracesCanvas.height);
    const [v0, v1] = this.range();
    const data = this.data;
    this.rows.forEach((row, i) => {
      const y0 = Math.round(i * this.rowH * dpr);
      const height = Math.round((i + 1) * this.rowH * dpr) - y0;
      ctx.fillStyle = "rgba(255,255,255,0.035)";
      ctx.fillRect(0, y0, W, 1); // a hairline between rows
      ctx.save();
      ctx.beginPath();
      ctx.rect(0, y0, W, height);
      ctx.clip();
      row.draw(ctx, data, { x0: 0, width: W, y0, height, v0, v1 });
      ctx.restore();
    });
    // the time axis: a baseline and ticks
    const axisY = Math.round(this.rows.length * this.rowH * dpr);
    ctx.fillStyle = "#3a404d";
    ctx.fillRect(0, axisY, W, Math.max(1, Math.round(dpr)));
    ctx.fillStyle = "#8a91a0";
    for (const t of this.ticks(v0, v1)) {
      const x = Math.round(((t - v0) / (v1 - v0)) * W);
      ctx.fillRect(x, axisY, Math.max(1, Math.round(dpr)), Math.round(4 * dpr));
    }
  }

  private ticks(v0: number, v1: number): number[] {
    return niceTicks(v0, v1, Math.max(2, Math.floor(this.cssW / 110))).filter((t) => t >= v0 && t <= v1);
  }

  private drawLabels(): void {
    const parts: HTMLElement[] = [];
    const label = (text: string, cls: string, style: Partial<CSSStyleDeclaration>, color?: string) => {
      const s = document.createElement("span");
      s.className = cls;
      s.textContent = text; // names are text, never HTML
      Object.assign(s.style, style);
      if (color) s.style.setProperty("--cleo-swatch", color);
      parts.push(s);
      return s;
    };
    const meta = this.data.meta;
    for (const b of this.raster.bands) {
      const top = b.y0 / this.dpr;
      if ((b.y1 - b.y0) / this.dpr < MIN_LABEL_PX) continue;
      label(meta.groups[b.group].name, "cleo-timeline-label", { top: `${top}px` }, cssRgb(meta.groups[b.group].color));
    }
    this.rows.forEach((row, i) => {
      if (this.rowH < MIN_LABEL_PX) return;
      const s = label(row.name, "cleo-timeline-label cleo-timeline-trace-label", { top: `${this.rasterH + i * this.rowH}px` }, cssRgb(row.color));
      const range = document.createElement("span");
      range.className = "cleo-timeline-range";
      range.textContent = row.describe();
      s.append(range);
    });
    const [v0, v1] = this.range();
    const axisTop = this.height() - AXIS_H;
    for (const t of this.ticks(v0, v1)) {
      const x = ((t - v0) / (v1 - v0)) * this.cssW;
      if (x > this.cssW - UNIT_PX) continue; // the unit's place
      const edge = x < EDGE_PX ? { transform: "none" } : {};
      label(String(+t.toFixed(6)), "cleo-timeline-tick", { top: `${axisTop + 4}px`, left: `${x}px`, ...edge });
    }
    label("ms", "cleo-timeline-unit", { top: `${axisTop + 4}px` });
    this.labels.replaceChildren(...parts);
  }

  /** Highlighted neurons: their rows lit, their spikes in view in white. */
  private drawMarks(): void {
    const c = this.marksCanvas;
    const ctx = c.getContext("2d") as CanvasRenderingContext2D;
    ctx.clearRect(0, 0, c.width, c.height);
    if (!this.highlighted.size || !c.width || !this.built) return;
    const data = this.data;
    const marked = new Uint8Array(data.meta.n_neurons);
    ctx.fillStyle = "rgba(255,255,255,0.14)";
    for (const n of this.highlighted) {
      if (!(n >= 0 && n < marked.length)) continue;
      const [r0, r1] = this.raster.rowsOf(n);
      if (r0 < 0) continue;
      marked[n] = 1;
      ctx.fillRect(0, r0, c.width, Math.max(r1 - r0, 1));
    }
    const n = data.meta.n_frames;
    if (!n) return;
    const [v0, v1] = this.range();
    ctx.fillStyle = "#ffffff";
    for (let k = frameAt(data, v0); k <= frameAt(data, v1); k++) {
      const tb = k + 1 < n ? data.frame_start_ms[k + 1] : data.meta.t_end_ms;
      const [x0, x1] = frameColumns(data.frame_start_ms[k], tb, v0, v1, c.width);
      if (x1 <= x0) continue;
      for (let s = data.spike_ptr[k]; s < data.spike_ptr[k + 1]; s++) {
        const nrn = data.spike_idx[s];
        if (!marked[nrn]) continue;
        const [r0, r1] = this.raster.rowsOf(nrn);
        ctx.fillRect(x0, r0, x1 - x0, Math.max(r1 - r0, 1));
      }
    }
  }

  // --- playhead -----------------------------------------------------------------------------
  private requestPlayhead(): void {
    if (this.playheadRaf !== null) return;
    this.playheadRaf = requestAnimationFrame(() => {
      this.playheadRaf = null;
      this.placePlayhead();
    });
  }

  /** Move the playhead to the frame shown (O(1): one transform; called once per animation
   * frame after a change of frame). */
  placePlayhead(): void {
    const frame = this.pb.frame;
    this.el.dataset.frame = String(frame);
    if (!this.visible() || this.cssW <= 0 || this.pb.nFrames === 0) {
      this.playhead.style.visibility = "hidden";
      return;
    }
    const [v0, v1] = this.range();
    const x = ((this.pb.frameStart(frame) - v0) / (v1 - v0)) * this.cssW;
    const inside = x >= -1 && x <= this.cssW + 1;
    this.playhead.style.visibility = inside ? "visible" : "hidden";
    this.playhead.style.transform = `translateX(${x}px)`;
  }

  /** The frame whose start is nearest time t (ms). */
  frameNearest(t: number): number {
    const data = this.data;
    const n = data.meta.n_frames;
    if (n === 0) return 0;
    const k = frameAt(data, t);
    if (k + 1 < n && Math.abs(data.frame_start_ms[k + 1] - t) < Math.abs(t - data.frame_start_ms[k])) return k + 1;
    return k;
  }

  // --- mouse --------------------------------------------------------------------------------
  private xOfEvent(e: PointerEvent | MouseEvent): number {
    const rect = this.el.getBoundingClientRect();
    return Math.min(Math.max(e.clientX - rect.left, 0), rect.width);
  }

  private timeAtX(x: number): number {
    const [v0, v1] = this.range();
    return v0 + (x / Math.max(this.cssW, 1)) * (v1 - v0);
  }

  private seekAtX(x: number): void {
    const f = this.frameNearest(this.timeAtX(x));
    if (f !== this.pb.frame) this.pb.seek(f);
  }

  private onDown = (e: PointerEvent): void => {
    if (e.button !== 0 || this.pb.nFrames === 0 || this.drag) return;
    const rect = this.el.getBoundingClientRect();
    const onAxis = e.clientY - rect.top >= rect.height - AXIS_H;
    const x = this.xOfEvent(e);
    this.drag = { mode: e.shiftKey || onAxis ? "brush" : "scrub", pointer: e.pointerId, x0: x, x };
    this.el.setPointerCapture?.(e.pointerId);
    if (this.drag.mode === "scrub") {
      if (this.pb.playing) this.pb.pause();
      this.seekAtX(x);
    } else {
      this.showBrush(x, x);
    }
  };

  private onMove = (e: PointerEvent): void => {
    const d = this.drag;
    if (!d || e.pointerId !== d.pointer) return;
    d.x = this.xOfEvent(e);
    if (d.mode === "scrub") this.seekAtX(d.x);
    else this.showBrush(d.x0, d.x);
  };

  private onUp = (e: PointerEvent): void => {
    const d = this.drag;
    if (!d || e.pointerId !== d.pointer) return;
    this.drag = null;
    this.brush.style.display = "none";
    if (d.mode !== "brush") return;
    d.x = this.xOfEvent(e);
    if (Math.abs(d.x - d.x0) >= BRUSH_MIN_PX) this.zoomTo(this.timeAtX(d.x0), this.timeAtX(d.x));
    else this.seekAtX(d.x); // a click on the time axis seeks too
  };

  private onCancel = (): void => {
    this.drag = null;
    this.brush.style.display = "none";
  };

  private onDoubleClick = (): void => {
    this.resetZoom();
  };

  private showBrush(a: number, b: number): void {
    this.brush.style.display = "block";
    this.brush.style.left = `${Math.min(a, b)}px`;
    this.brush.style.width = `${Math.abs(b - a)}px`;
  }

  /** Show [a, b] ms (within the run; at least two frames wide). */
  zoomTo(a: number, b: number): void {
    const [f0, f1] = this.fullRange();
    let lo = Math.max(Math.min(a, b), f0);
    let hi = Math.min(Math.max(a, b), f1);
    const minSpan = Math.min(2 * (this.data.meta.dt_ms || 1), f1 - f0);
    if (hi - lo < minSpan) {
      const mid = (lo + hi) / 2;
      lo = Math.max(f0, mid - minSpan / 2);
      hi = Math.min(f1, lo + minSpan);
    }
    this.zoom = lo <= f0 && hi >= f1 ? null : [lo, hi];
    this.redraw();
  }

  resetZoom(): void {
    if (this.zoom === null) return;
    this.zoom = null;
    this.redraw();
  }

  dispose(): void {
    this.unsubscribe();
    this.resizeObserver.disconnect();
    if (this.playheadRaf !== null) cancelAnimationFrame(this.playheadRaf);
    for (const evt of ["change:timeline", "change:timeline_height", "change:height"]) this.model.off(evt as "change:height", this.applySize);
    for (const evt of ["change:_traces", "change:_trace_data"]) this.model.off(evt as "change:_traces", this.tracesChanged);
    this.el.remove();
  }
}
