/* What the inspection tools say about a neuron: its group and index within it, its position,
 * its number of spikes in the recording; and the mapping between global neuron indices (the
 * payload's) and (group name, index) pairs (the `selected` trait's). */
import type { SceneData } from "./data";
import type { SceneMeta } from "./types";

/** (group index in meta.groups, index within the group) of global neuron n; null if none. */
export function neuronOf(meta: SceneMeta, n: number): { group: number; index: number } | null {
  const groups = meta.groups;
  let lo = 0;
  let hi = groups.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const g = groups[mid];
    if (n < g.offset) hi = mid - 1;
    else if (n >= g.offset + g.count) lo = mid + 1;
    else return { group: mid, index: n - g.offset };
  }
  return null;
}

/** The global index of neuron `index` of group `name`, or -1 when there is no such neuron. */
export function globalIndex(meta: SceneMeta, name: string, index: number): number {
  const g = meta.groups.find((x) => x.name === name);
  if (!g || !Number.isInteger(index) || index < 0 || index >= g.count) return -1;
  return g.offset + index;
}

/** A `selected` value as global indices (pairs naming no neuron are left out). */
export function selectionIndices(meta: SceneMeta, selected: unknown): number[] {
  if (!Array.isArray(selected)) return [];
  const out: number[] = [];
  for (const item of selected) {
    if (!Array.isArray(item) || item.length !== 2) continue;
    const n = globalIndex(meta, String(item[0]), Number(item[1]));
    if (n >= 0) out.push(n);
  }
  return out;
}

/** Global indices as a `selected` value: [[group name, index], ...]. */
export function selectionPairs(meta: SceneMeta, neurons: Iterable<number>): Array<[string, number]> {
  const out: Array<[string, number]> = [];
  for (const n of neurons) {
    const at = neuronOf(meta, n);
    if (at) out.push([meta.groups[at.group].name, at.index]);
  }
  return out;
}

/**
 * Spikes per neuron, counted from the decoded spike buffers (no copy of them): once, then only
 * the spikes appended since (live runs). A big recording whose spikes stay in the kernel
 * (windowed, see window.ts) holds only some of them in the browser: no count then (null).
 */
export class SpikeCounts {
  private counts = new Uint32Array(0);
  private counted = 0; // spikes of spike_idx counted so far
  private source: SceneData | null = null;

  /** The counts for `data` (null for a windowed recording). */
  of(data: SceneData): Uint32Array | null {
    if (data.window) return null;
    const n = data.meta.n_neurons;
    const total = Math.min(data.meta.n_spikes, data.spike_idx.length);
    // appended frames keep the spikes before them: count only the new ones
    const same = this.source !== null && this.source.meta.n_neurons === n && this.source.positions === data.positions;
    if (!same || total < this.counted) {
      this.counts = new Uint32Array(n);
      this.counted = 0;
    }
    this.source = data;
    const idx = data.spike_idx;
    const counts = this.counts;
    for (let s = this.counted; s < total; s++) {
      const k = idx[s];
      if (k < n) counts[k]++;
    }
    this.counted = total;
    return counts;
  }
}

/** A coordinate as the tooltip shows it: 4 significant digits (JavaScript's shortest form). */
export function formatCoord(v: number): string {
  return Number.isFinite(v) ? String(Number(v.toPrecision(4))) : String(v);
}

/** The tooltip's lines: "group #index", the position with the axes' unit, the spike count. */
export function describeNeuron(data: SceneData, n: number, counts: Uint32Array | null): string[] {
  const meta = data.meta;
  const at = neuronOf(meta, n);
  if (!at) return [];
  const p = data.positions;
  const unit = meta.axes.unit_label;
  const xyz = [p[3 * n], p[3 * n + 1], p[3 * n + 2]].map(formatCoord).join(", ");
  const spikes = counts ? `${counts[n]} spike${counts[n] === 1 ? "" : "s"}` : "spikes: n/a (big recording: its spikes stay in the kernel)";
  return [`${meta.groups[at.group].name} #${at.index}`, `(${xyz}) ${unit}`, spikes];
}
