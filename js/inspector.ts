/* Inspecting neurons in a 3D view: hover a neuron for a tooltip (group, index, position, spike
 * count) and its raster row lit in the timeline; click to select it (shift-click adds or
 * removes, a click on empty space clears): rings mark the selected neurons and their raster
 * rows are emphasised; click a legend entry to hide or show a neuron group.
 *
 * The selection and the hidden groups live in the model (`selected`, `hidden`: synced with
 * Python, shared by every view of the player); a view only shows them.
 *
 * Picking is in screen space (picking.ts): the positions are projected into a grid once per
 * camera change, lazily on the first pointer move after it; a pointer move then costs in
 * proportion to the neurons near the pointer. */
import type * as THREE from "three";
import type { Legend } from "./legend";
import { SpikeCounts, describeNeuron, selectionIndices, selectionPairs } from "./neuron_info";
import type { Playback } from "./playback";
import { type ScreenGrid, buildGrid, pick, pickRadii } from "./picking";
import type { SceneObjects } from "./scene";
import { SelectionRings } from "./selection_marks";
import type { StaticLayer } from "./static_layer";
import type { Timeline } from "./timeline";
import type { PlayerModel } from "./types";

const CLICK_SLOP_PX = 4; // a press that moves farther is a camera drag, not a click
const TIP_OFFSET_PX = 14;

export interface InspectorHost {
  stage: HTMLElement;
  model: PlayerModel;
  pb: Playback;
  camera: THREE.Camera;
  /** the object whose local coordinates the neuron positions are in */
  content: THREE.Object3D;
  canvas(): HTMLCanvasElement;
  objects(): SceneObjects | null;
  timeline: Timeline;
  legend: Legend;
  layer: StaticLayer;
  requestRender(): void;
}

export class Inspector {
  readonly tooltip = document.createElement("div");
  readonly rings = new SelectionRings();
  /** global indices of the selected neurons, in selection order */
  selected: number[] = [];
  /** the neuron under the pointer (global index), or -1 */
  hovered = -1;
  hidden: ReadonlySet<string> = new Set();
  /** for tests and benchmarks: grids built, and the last pointer move's handling time (ms) */
  gridBuilds = 0;
  lastHoverMs = 0;
  private grid: ScreenGrid | null = null;
  private gridKey: number[] = [];
  private radii: Float32Array = new Float32Array(0);
  private dataVersion = 0;
  private counts = new SpikeCounts();
  private press: { id: number; x: number; y: number } | null = null;
  private countTimer: ReturnType<typeof setTimeout> | null = null;
  private matrix: number[] = new Array(16).fill(0);

  constructor(private host: InspectorHost) {
    this.tooltip.className = "cleo-tooltip";
    this.tooltip.setAttribute("role", "tooltip");
    this.tooltip.id = `cleo-tooltip-${Math.random().toString(36).slice(2, 10)}`;
    this.tooltip.hidden = true;
    host.stage.append(this.tooltip);
    host.stage.addEventListener("pointermove", this.onMove);
    host.stage.addEventListener("pointerleave", this.onLeave);
    host.stage.addEventListener("pointerdown", this.onDown);
    host.stage.addEventListener("pointerup", this.onUp);
    host.stage.addEventListener("wheel", this.onLeave, { passive: true });
    host.legend.onToggle = (name) => this.toggleGroup(name);
    host.model.on("change:selected", this.selectionChanged);
    host.model.on("change:hidden", this.hiddenChanged);
  }

  private get data() {
    return this.host.pb.data;
  }

  /** New data (the scene objects were rebuilt): show the model's hidden groups and selection. */
  build(): void {
    this.dataVersion++;
    this.gridKey = []; // built again at the next pointer move (its arrays reused)
    this.host.content.add(this.rings.points);
    // count the spikes per neuron now, off the first hover's path (O(spikes), once per data)
    if (this.countTimer !== null) clearTimeout(this.countTimer);
    this.countTimer = setTimeout(() => {
      this.countTimer = null;
      this.counts.of(this.data);
    }, 0);
    this.setHover(-1);
    this.hiddenChanged();
  }

  /** Before each render: the rings' pixel ratio. */
  beforeRender(pixelRatio: number): void {
    this.rings.setPixelRatio(pixelRatio);
  }

  // --- model -> view ------------------------------------------------------------------------
  private hiddenChanged = (): void => {
    const value = this.host.model.get("hidden");
    this.hidden = new Set(Array.isArray(value) ? value.map(String) : []);
    this.radii = pickRadii(this.data.meta.groups, this.hidden);
    this.gridKey = []; // built again at the next pointer move (its arrays reused)
    this.host.legend.setHidden(this.hidden);
    this.host.timeline.setHiddenGroups(this.hidden);
    // the resting neurons belong to the static picture: draw it again
    if (this.host.objects()?.setHiddenGroups(this.hidden)) this.host.layer.invalidate();
    if (this.hovered >= 0 && this.markerPx(this.hovered) === 0) this.setHover(-1);
    this.selectionChanged();
  };

  private selectionChanged = (): void => {
    this.selected = selectionIndices(this.data.meta, this.host.model.get("selected"));
    this.host.timeline.setHighlighted(this.selected);
    this.placeRings();
  };

  private placeRings(): void {
    this.rings.set(this.data.positions, this.selected, this.hovered, (n) => this.markerPx(n));
    this.host.requestRender();
  }

  /** Neuron n's marker diameter (CSS px); 0 when it is not drawn (hidden group, outside the limits). */
  private markerPx(n: number): number {
    const g = this.host.objects()?.group[n] ?? -1;
    if (g < 0) return 0;
    const group = this.data.meta.groups[g];
    return this.hidden.has(group.name) ? 0 : group.size;
  }

  // --- view -> model ------------------------------------------------------------------------
  /** Select these neurons (global indices) for every view and for Python. */
  select(neurons: number[]): void {
    const model = this.host.model;
    model.set("selected", selectionPairs(this.data.meta, neurons));
    model.save_changes();
  }

  toggleGroup(name: string): void {
    const hidden = [...this.hidden];
    const next = this.hidden.has(name) ? hidden.filter((n) => n !== name) : [...hidden, name];
    const model = this.host.model;
    model.set("hidden", next);
    model.save_changes();
  }

  // --- picking ------------------------------------------------------------------------------
  /** The neuron drawn at (x, y), CSS px from the canvas's top-left corner, or -1. */
  pickAt(x: number, y: number): number {
    const objects = this.host.objects();
    const canvas = this.host.canvas();
    if (!objects) return -1;
    const w = canvas.clientWidth;
    const h = canvas.clientHeight;
    const { camera, content } = this.host;
    const m = this.matrix;
    const e1 = camera.projectionMatrix.elements;
    const e2 = camera.matrixWorldInverse.elements;
    const e3 = content.matrixWorld.elements;
    // m = projection · view · model (column-major)
    const pv = new Array<number>(16);
    mul(e1, e2, pv);
    mul(pv, e3, m);
    const key = [...m, w, h, this.dataVersion, this.radii.length];
    if (!this.grid || !sameKey(key, this.gridKey)) {
      this.grid = buildGrid(this.data.positions, objects.group, this.radii, m, w, h, this.grid);
      this.gridKey = key;
      this.gridBuilds++;
    }
    return pick(this.grid, objects.group, this.radii, x, y);
  }

  private pointerAt(e: PointerEvent): { x: number; y: number; onCanvas: boolean } {
    const canvas = this.host.canvas();
    const r = canvas.getBoundingClientRect();
    return { x: e.clientX - r.left, y: e.clientY - r.top, onCanvas: e.target === canvas };
  }

  private onMove = (e: PointerEvent): void => {
    const t0 = performance.now();
    const p = this.pointerAt(e);
    if (e.buttons !== 0 || !p.onCanvas) {
      this.setHover(-1); // turning the camera, or over the legend
    } else {
      this.setHover(this.pickAt(p.x, p.y), p.x, p.y);
    }
    this.lastHoverMs = performance.now() - t0;
  };

  private onLeave = (): void => {
    this.setHover(-1);
  };

  private onDown = (e: PointerEvent): void => {
    const p = this.pointerAt(e);
    this.press = e.button === 0 && p.onCanvas ? { id: e.pointerId, x: e.clientX, y: e.clientY } : null;
  };

  private onUp = (e: PointerEvent): void => {
    const press = this.press;
    this.press = null;
    if (!press || e.pointerId !== press.id || e.button !== 0) return;
    if (Math.hypot(e.clientX - press.x, e.clientY - press.y) > CLICK_SLOP_PX) return; // a drag
    const p = this.pointerAt(e);
    const n = this.pickAt(p.x, p.y);
    let next: number[];
    if (n < 0) next = e.shiftKey ? this.selected : [];
    else if (e.shiftKey) next = this.selected.includes(n) ? this.selected.filter((m) => m !== n) : [...this.selected, n];
    else next = [n];
    this.select(next);
  };

  /** Show neuron n as hovered (tooltip near (x, y), raster row, faint ring); -1: none. */
  private setHover(n: number, x = 0, y = 0): void {
    const tip = this.tooltip;
    if (n !== this.hovered) {
      this.hovered = n;
      this.host.timeline.setHovered(n);
      if (n >= 0) {
        const lines = describeNeuron(this.data, n, this.counts.of(this.data));
        tip.replaceChildren(
          ...lines.map((text) => {
            const line = document.createElement("div");
            line.textContent = text; // names are text, never HTML
            return line;
          }),
        );
        tip.dataset.neuron = String(n);
      }
      tip.hidden = n < 0;
      if (n < 0) delete tip.dataset.neuron;
      if (n >= 0) this.host.canvas().setAttribute("aria-describedby", tip.id);
      else this.host.canvas().removeAttribute("aria-describedby");
      this.placeRings();
    }
    if (n >= 0) {
      // beside the pointer, flipped to stay inside the view
      const sw = this.host.stage.clientWidth;
      const sh = this.host.stage.clientHeight;
      const tw = tip.offsetWidth;
      const th = tip.offsetHeight;
      let left = x + TIP_OFFSET_PX;
      let top = y + TIP_OFFSET_PX;
      if (left + tw > sw) left = Math.max(x - TIP_OFFSET_PX - tw, 0);
      if (top + th > sh) top = Math.max(y - TIP_OFFSET_PX - th, 0);
      tip.style.transform = `translate(${Math.round(left)}px, ${Math.round(top)}px)`;
    }
  }

  dispose(): void {
    const { stage, model } = this.host;
    stage.removeEventListener("pointermove", this.onMove);
    stage.removeEventListener("pointerleave", this.onLeave);
    stage.removeEventListener("pointerdown", this.onDown);
    stage.removeEventListener("pointerup", this.onUp);
    stage.removeEventListener("wheel", this.onLeave);
    model.off("change:selected", this.selectionChanged);
    model.off("change:hidden", this.hiddenChanged);
    this.host.legend.onToggle = null;
    if (this.countTimer !== null) clearTimeout(this.countTimer);
    this.rings.dispose();
    this.tooltip.remove();
  }
}

/** out = a · b, 4x4 column-major. */
function mul(a: ArrayLike<number>, b: ArrayLike<number>, out: number[]): void {
  for (let c = 0; c < 4; c++) {
    for (let r = 0; r < 4; r++) {
      out[c * 4 + r] = a[r] * b[c * 4] + a[4 + r] * b[c * 4 + 1] + a[8 + r] * b[c * 4 + 2] + a[12 + r] * b[c * 4 + 3];
    }
  }
}

function sameKey(a: number[], b: number[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
