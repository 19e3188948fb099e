/* The axis box, its ticks and labels (in axis_scale_unit), like cleo.viz.plot's mplot3d axes.
 *
 * Each axis's ticks and labels go on the box edge mplot3d chooses for the camera's position
 * (an outer edge facing the viewer, never one through the middle of the picture), and move to
 * another edge as the camera turns. Labels sit beside their edge, pushed outward on screen;
 * each axis shows the densest round tick set whose labels do not overlap, and tick labels that
 * would cover another axis's labels are hidden. */
import * as THREE from "three";
import { LabelLayer } from "./labels";
import { type Projector, type ScreenRect, overlaps, projector } from "./projection";
import type { AxesMeta } from "./types";

/** No tick loop makes more ticks than this. */
export const MAX_TICKS = 50;
const TICK_TARGETS = [6, 5, 4, 3, 2]; // candidate tick counts per axis, densest first
const TICK_PX = 13; // tick label height, CSS px
const TITLE_PX = 15;
const GAP_PX = 5; // between an edge (or its tick marks) and its tick labels
const TITLE_GAP_PX = 6; // between tick labels and the axis title
const LABEL_PAD_PX = 6; // least space between two labels
const FULL_LABELS_PX = 560; // views this size (width, or 1.5 x height) and up show full-size labels
const SMALLEST_LABELS = 0.75;

/** About `target` round tick values in [lo, hi], at most MAX_TICKS. A span at the limit of
 * float precision (e.g. limits 200 µm and 0.2 mm, one float step apart) has a single tick in
 * its middle; non-finite limits have none. */
export function niceTicks(lo: number, hi: number, target = 5): number[] {
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) return [];
  if (hi < lo) [lo, hi] = [hi, lo];
  const span = hi - lo;
  const mid = lo + span / 2;
  const magnitude = Math.max(Math.abs(lo), Math.abs(hi));
  if (!(span > magnitude * 1e-9) || !Number.isFinite(span)) return [mid];
  const n = Math.min(Math.max(Math.round(target), 1), MAX_TICKS);
  const raw = span / n;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const norm = raw / mag;
  const step = (norm < 1.5 ? 1 : norm < 3 ? 2 : norm < 7 ? 5 : 10) * mag;
  const first = Math.ceil(lo / step - 1e-9);
  const last = Math.floor(hi / step + 1e-9);
  const count = Math.min(last - first + 1, MAX_TICKS);
  if (!(count >= 1)) return [mid];
  const ticks: number[] = [];
  for (let i = 0; i < count; i++) {
    const v = (first + i) * step;
    ticks.push(Math.abs(v) < step * 1e-9 ? 0 : v);
  }
  return ticks;
}

/** A tick value as text, with as many decimals as the tick step needs. */
export function formatTick(v: number, step: number): string {
  const a = Math.abs(v);
  if (a >= 1e5 || (a < 1e-3 && v !== 0)) return v.toExponential(Math.min(3, Math.max(0, Math.ceil(Math.log10(a / step) - 1e-9))));
  const decimals = step > 0 && Number.isFinite(step) ? Math.min(6, Math.max(0, -Math.floor(Math.log10(step) + 1e-9))) : 3;
  return String(+v.toFixed(decimals)).replace("-", "−");
}

type Lims = Array<[number, number]>;

/** mplot3d's choice of edges (Axis3D._get_axis_line_edge_points with z vertical): for each axis
 * the two other coordinates of the edge its ticks go on, seen from `eye` (local coordinates).
 * x: on the viewer's side in y, at the far side in z; y: viewer's side in x, far side in z;
 * z: viewer's side in x, far side in y. */
export function axisEdges(eye: THREE.Vector3, lims: Lims): Array<[number, number, number]> {
  const e = [eye.x, eye.y, eye.z];
  const near = lims.map(([lo, hi], i) => (e[i] >= (lo + hi) / 2 ? hi : lo));
  const far = lims.map(([lo, hi], i) => (e[i] >= (lo + hi) / 2 ? lo : hi));
  return [
    [Number.NaN, near[1], far[2]],
    [near[0], Number.NaN, far[2]],
    [near[0], far[1], Number.NaN],
  ];
}

interface AxisLabels {
  dim: number;
  values: number[]; // every candidate tick value, ascending
  labels: number[]; // the label index of each value
  sets: number[][]; // candidate tick sets (indices into values), densest first
  title: number; // label index of the axis title
}

/** Where everything went for one camera. */
export interface AxesPlacement {
  edges: Array<[number, number, number]>;
  ticks: number[][]; // per axis, indices into its values of the ticks drawn
  tickDirs: THREE.Vector3[]; // per axis, the direction its tick marks point (local)
  labels: Array<{ index: number; anchor: THREE.Vector3; dx: number; dy: number; rect: ScreenRect | null }>;
}

export class AxesBox {
  readonly group = new THREE.Group();
  private disposables: Array<{ dispose(): void }> = [];
  private labels: LabelLayer;
  private lims: Lims;
  private center: THREE.Vector3;
  private tickLen: number;
  private axes: AxisLabels[] = [];
  private tickGeom: THREE.BufferGeometry;
  private tickPositions: THREE.BufferAttribute;
  private lastKey: number[] = [];
  private width = 1;
  private height = 1;
  placement: AxesPlacement | null = null;

  constructor(meta: AxesMeta, color = "#d0d0d0") {
    this.lims = [meta.xlim, meta.ylim, meta.zlim].map(([a, b]) => [a, b] as [number, number]);
    const [[x0, x1], [y0, y1], [z0, z1]] = this.lims;
    this.center = new THREE.Vector3((x0 + x1) / 2, (y0 + y1) / 2, (z0 + z1) / 2);
    const span = Math.max(x1 - x0, y1 - y0, z1 - z0);
    this.tickLen = span * 0.015;
    const box = new THREE.Box3(new THREE.Vector3(x0, y0, z0), new THREE.Vector3(x1, y1, z1));
    const helper = new THREE.Box3Helper(box, new THREE.Color(0x555555));
    // as in mplot3d, the axes lie under what is drawn in them: the box and its ticks write no
    // depth, so a neuron (drawn after them) is never hidden by an edge in front of it
    (helper.material as THREE.Material).depthWrite = false;
    this.group.add(helper);
    this.disposables.push(helper.geometry, helper.material as THREE.Material);

    this.labels = new LabelLayer(color);
    const unit = meta.unit_label;
    let nTicks = 0;
    for (let dim = 0; dim < 3; dim++) {
      const [lo, hi] = this.lims[dim];
      const sets = TICK_TARGETS.map((t) => niceTicks(lo, hi, t));
      const values = [...new Set(sets.flat())].sort((a, b) => a - b);
      const step = sets.reduce((s, set) => (set.length > 1 ? Math.min(s, set[1] - set[0]) : s), Number.POSITIVE_INFINITY);
      const labels = values.map((v) => this.labels.add(formatTick(v, Number.isFinite(step) ? step : Math.abs(v) || 1), this.center, TICK_PX));
      const keys = new Set<string>();
      const indexSets: number[][] = [];
      for (const set of sets) {
        const key = set.join(",");
        if (keys.has(key)) continue;
        keys.add(key);
        indexSets.push(set.map((v) => values.indexOf(v)));
      }
      indexSets.push([]); // nothing fits: no tick labels
      const title = this.labels.add(`${"xyz"[dim]} (${unit})`, this.center, TITLE_PX);
      this.axes.push({ dim, values, labels, sets: indexSets, title });
      nTicks += values.length;
    }
    this.tickPositions = new THREE.BufferAttribute(new Float32Array(Math.max(nTicks, 1) * 6), 3);
    this.tickPositions.setUsage(THREE.DynamicDrawUsage);
    this.tickGeom = new THREE.BufferGeometry();
    this.tickGeom.setAttribute("position", this.tickPositions);
    this.tickGeom.setDrawRange(0, 0);
    const m = new THREE.LineBasicMaterial({ color: 0x888888, depthWrite: false });
    const ticks = new THREE.LineSegments(this.tickGeom, m);
    ticks.frustumCulled = false;
    this.group.add(ticks, this.labels.build());
    this.disposables.push(this.tickGeom, m);
  }

  /** The canvas size in CSS pixels: labels keep a constant size on screen (smaller in small
   * views, down to 3/4, so that the box keeps most of a small canvas). */
  setViewport(width: number, height: number): void {
    this.width = Math.max(width, 1);
    this.height = Math.max(height, 1);
    this.labels.setViewport(width, height);
    this.labels.setScale(Math.min(1, Math.max(SMALLEST_LABELS, Math.min(this.width, 1.5 * this.height) / FULL_LABELS_PX)));
  }

  /** The box's corners, local coordinates. */
  corners(): THREE.Vector3[] {
    const [[x0, x1], [y0, y1], [z0, z1]] = this.lims;
    const out: THREE.Vector3[] = [];
    for (const x of [x0, x1]) for (const y of [y0, y1]) for (const z of [z0, z1]) out.push(new THREE.Vector3(x, y, z));
    return out;
  }

  /** Lay the ticks and labels out for a camera at `eye` (local coordinates) whose projection of
   * this box's coordinates is `project`. Pure: nothing is drawn (see apply). */
  layout(project: Projector, eye: THREE.Vector3): AxesPlacement {
    const edges = axisEdges(eye, this.lims);
    const c = project(this.center);
    const placement: AxesPlacement = { edges, ticks: [], tickDirs: [], labels: [] };
    const titles: Array<{ rect: ScreenRect; n: [number, number]; entry: AxesPlacement["labels"][number] }> = [];
    const tickLabels: Array<Array<AxesPlacement["labels"][number]>> = [];
    for (const ax of this.axes) {
      const edge = edges[ax.dim];
      const at = (v: number) => {
        const p = new THREE.Vector3(...edge);
        p.setComponent(ax.dim, v);
        return p;
      };
      const [lo, hi] = this.lims[ax.dim];
      const p0 = project(at(lo));
      const p1 = project(at(hi));
      const mid = at((lo + hi) / 2);
      const pm = project(mid);
      const inFront = p0.w > 0 && p1.w > 0 && c.w > 0;
      let tx = p1.x - p0.x;
      let ty = p1.y - p0.y;
      const len = Math.hypot(tx, ty);
      [tx, ty] = len > 1e-6 ? [tx / len, ty / len] : [1, 0];
      let n: [number, number] = [-ty, tx];
      if (n[0] * (pm.x - c.x) + n[1] * (pm.y - c.y) < 0) n = [ty, -tx];
      // tick marks point along whichever other axis looks most outward on screen
      let best = new THREE.Vector3();
      let bestDot = Number.NEGATIVE_INFINITY;
      let tickPx = 0;
      for (let d = 0; d < 3; d++) {
        if (d === ax.dim) continue;
        const sign = edge[d] >= this.center.getComponent(d) ? 1 : -1;
        const u = new THREE.Vector3().setComponent(d, sign * this.tickLen);
        const q = project(mid.clone().add(u));
        const dx = q.x - pm.x;
        const dy = q.y - pm.y;
        const l = Math.hypot(dx, dy);
        const dot = l > 1e-9 ? (dx * n[0] + dy * n[1]) / l : Number.NEGATIVE_INFINITY;
        if (dot > bestDot) {
          bestDot = dot;
          best = u;
          tickPx = Math.max(0, dx * n[0] + dy * n[1]);
        }
      }
      placement.tickDirs.push(best);
      const gap = GAP_PX + tickPx;
      const extent = (i: number) => {
        const s = this.labels.size(i);
        return Math.abs(n[0]) * (s.width / 2) + Math.abs(n[1]) * (s.height / 2);
      };
      const rectAt = (x: number, y: number, i: number): ScreenRect => {
        const s = this.labels.size(i);
        return { left: x - s.width / 2, top: y - s.height / 2, right: x + s.width / 2, bottom: y + s.height / 2 };
      };
      // the densest tick set whose labels do not run into each other along the edge
      let chosen: number[] = [];
      const rects = new Map<number, ScreenRect>();
      for (const set of inFront ? ax.sets : [[]]) {
        const trial = new Map<number, ScreenRect>();
        let ok = true;
        let prev: ScreenRect | null = null;
        for (const k of set) {
          const p = project(at(ax.values[k]));
          const e = gap + extent(ax.labels[k]);
          const r = rectAt(p.x + n[0] * e, p.y + n[1] * e, ax.labels[k]);
          if (p.w <= 0 || (prev && overlaps(prev, r, LABEL_PAD_PX))) {
            ok = false;
            break;
          }
          trial.set(k, r);
          prev = r;
        }
        if (ok) {
          chosen = set;
          for (const [k, r] of trial) rects.set(k, r);
          break;
        }
      }
      placement.ticks.push(chosen);
      const axisTicks: AxesPlacement["labels"] = [];
      let depth = 0; // how far the tick labels reach out from the edge, px
      for (let k = 0; k < ax.values.length; k++) {
        const r = rects.get(k) ?? null;
        const e = gap + extent(ax.labels[k]);
        axisTicks.push({ index: ax.labels[k], anchor: at(ax.values[k]), dx: n[0] * e, dy: n[1] * e, rect: r });
        if (r) depth = Math.max(depth, gap + 2 * extent(ax.labels[k]));
      }
      tickLabels.push(axisTicks);
      const e = (depth > 0 ? depth + TITLE_GAP_PX : gap) + extent(ax.title);
      const entry = { index: ax.title, anchor: mid, dx: n[0] * e, dy: n[1] * e, rect: inFront ? rectAt(pm.x + n[0] * e, pm.y + n[1] * e, ax.title) : null };
      titles.push({ rect: entry.rect ?? { left: 0, top: 0, right: 0, bottom: 0 }, n, entry });
    }
    // titles clear of each other: a later title moves further out
    for (let i = 1; i < titles.length; i++) {
      const t = titles[i];
      if (!t.entry.rect) continue;
      for (let step = 0; step < 8 && titles.slice(0, i).some((o) => o.entry.rect && t.entry.rect && overlaps(o.entry.rect, t.entry.rect, 2)); step++) {
        const shift = TITLE_PX;
        t.entry.dx += t.n[0] * shift;
        t.entry.dy += t.n[1] * shift;
        const r: ScreenRect = t.entry.rect;
        t.entry.rect = { left: r.left + t.n[0] * shift, right: r.right + t.n[0] * shift, top: r.top + t.n[1] * shift, bottom: r.bottom + t.n[1] * shift };
      }
    }
    // a tick label that would cover a title or another axis's tick label is left out
    const taken: ScreenRect[] = titles.flatMap((t) => (t.entry.rect ? [t.entry.rect] : []));
    for (const axisTicks of tickLabels) {
      const mine: ScreenRect[] = [];
      for (const l of axisTicks) {
        if (l.rect && taken.some((r) => overlaps(r, l.rect as ScreenRect, 2))) l.rect = null;
        if (l.rect) mine.push(l.rect);
      }
      taken.push(...mine);
    }
    placement.labels = [...tickLabels.flat(), ...titles.map((t) => t.entry)];
    return placement;
  }

  /** Draw the ticks and labels as `p` places them. */
  apply(p: AxesPlacement): void {
    this.placement = p;
    for (const l of p.labels) this.labels.place(l.index, l.anchor, l.dx, l.dy, l.rect !== null);
    this.labels.commit();
    const pos = this.tickPositions;
    let k = 0;
    this.axes.forEach((ax, i) => {
      const edge = p.edges[ax.dim];
      for (const t of p.ticks[i]) {
        const a = new THREE.Vector3(...edge).setComponent(ax.dim, ax.values[t]);
        const b = a.clone().add(p.tickDirs[i]);
        pos.setXYZ(k++, a.x, a.y, a.z);
        pos.setXYZ(k++, b.x, b.y, b.z);
      }
    });
    pos.needsUpdate = true;
    this.tickGeom.setDrawRange(0, k);
  }

  /** Screen rectangles of the labels `p` shows. */
  static labelRects(p: AxesPlacement): ScreenRect[] {
    return p.labels.flatMap((l) => (l.rect ? [l.rect] : []));
  }

  /** Re-lay the labels out for the camera as it is now (cheap when nothing moved). */
  update(camera: THREE.Camera, object: THREE.Object3D): void {
    const key = [...camera.matrixWorld.elements, ...camera.projectionMatrix.elements, ...object.matrixWorld.elements, this.width, this.height];
    if (key.length === this.lastKey.length && key.every((v, i) => v === this.lastKey[i])) return;
    this.lastKey = key;
    const eye = object.worldToLocal(camera.getWorldPosition(new THREE.Vector3()));
    this.apply(this.layout(projector(camera, object, this.width, this.height), eye));
  }

  dispose(): void {
    this.labels.dispose();
    for (const d of this.disposables) d.dispose();
    this.disposables = [];
  }
}
