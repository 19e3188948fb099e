/* The axis box, ticks and labels (in axis_scale_unit), like cleo.viz.plot's mplot3d axes. */
import * as THREE from "three";
import { LabelLayer } from "./labels";
import type { AxesMeta } from "./types";

/** About `target` round tick values covering [lo, hi]. */
export function niceTicks(lo: number, hi: number, target = 5): number[] {
  const span = hi - lo;
  if (!(span > 0)) return [lo];
  const raw = span / target;
  const mag = Math.pow(10, Math.floor(Math.log10(raw)));
  const norm = raw / mag;
  const step = (norm < 1.5 ? 1 : norm < 3 ? 2 : norm < 7 ? 5 : 10) * mag;
  const ticks: number[] = [];
  for (let v = Math.ceil(lo / step - 1e-9) * step; v <= hi + step * 1e-9; v += step) {
    ticks.push(Math.abs(v) < step * 1e-9 ? 0 : v);
  }
  return ticks;
}

function formatTick(v: number): string {
  const s = Math.abs(v) >= 1e4 || (Math.abs(v) < 1e-2 && v !== 0) ? v.toExponential(1) : String(+v.toFixed(3));
  return s;
}

export class AxesBox {
  readonly group = new THREE.Group();
  private disposables: Array<{ dispose(): void }> = [];
  private labels: LabelLayer;

  constructor(axes: AxesMeta, color = "#d0d0d0") {
    const [x0, x1] = axes.xlim;
    const [y0, y1] = axes.ylim;
    const [z0, z1] = axes.zlim;
    const span = Math.max(x1 - x0, y1 - y0, z1 - z0);
    const box = new THREE.Box3(new THREE.Vector3(x0, y0, z0), new THREE.Vector3(x1, y1, z1));
    const helper = new THREE.Box3Helper(box, new THREE.Color(0x555555));
    this.group.add(helper);
    this.disposables.push(helper.geometry, helper.material as THREE.Material);

    const tick = span * 0.015;
    const segs: number[] = [];
    this.labels = new LabelLayer(color);
    const label = (s: string, p: THREE.Vector3, px = 13) => this.labels.add(s, p, px);
    // x ticks along (y0, z0) edge, y ticks along (x1, z0), z ticks along (x0, y1): the three
    // edges mplot3d labels at its default view
    // fewer ticks on short axes, so labels don't overlap
    const nTicks = (len: number) => Math.max(2, Math.min(6, Math.round((6 * len) / span)));
    for (const v of niceTicks(x0, x1, nTicks(x1 - x0))) {
      segs.push(v, y0, z0, v, y0 - tick, z0);
      label(formatTick(v), new THREE.Vector3(v, y0 - tick * 3.2, z0));
    }
    for (const v of niceTicks(y0, y1, nTicks(y1 - y0))) {
      segs.push(x1, v, z0, x1 + tick, v, z0);
      label(formatTick(v), new THREE.Vector3(x1 + tick * 3.5, v, z0));
    }
    for (const v of niceTicks(z0, z1, nTicks(z1 - z0))) {
      segs.push(x0, y1, v, x0 - tick, y1 + tick, v);
      label(formatTick(v), new THREE.Vector3(x0 - tick * 3.2, y1 + tick * 3.2, v));
    }
    const u = axes.unit;
    label(`x (${u})`, new THREE.Vector3((x0 + x1) / 2, y0 - tick * 8, z0), 15);
    label(`y (${u})`, new THREE.Vector3(x1 + tick * 9, (y0 + y1) / 2, z0), 15);
    label(`z (${u})`, new THREE.Vector3(x0 - tick * 8, y1 + tick * 8, (z0 + z1) / 2), 15);
    const g = new THREE.BufferGeometry();
    g.setAttribute("position", new THREE.Float32BufferAttribute(segs, 3));
    const m = new THREE.LineBasicMaterial({ color: 0x888888 });
    this.group.add(new THREE.LineSegments(g, m), this.labels.build());
    this.disposables.push(g, m);
  }

  /** The canvas size in CSS pixels: labels keep a constant size on screen. */
  setViewport(width: number, height: number): void {
    this.labels.setViewport(width, height);
  }

  dispose(): void {
    this.labels.dispose();
    for (const d of this.disposables) d.dispose();
    this.disposables = [];
  }
}
