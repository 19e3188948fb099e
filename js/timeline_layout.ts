/* Where the timeline draws things: the raster's rows per neuron group, the pixel columns of a
 * frame, and the time under a pixel. Pure arithmetic, mirrored exactly (same operations, same
 * order) by ../src/cleo_player/video/timeline.py, so the browser's raster and the video's are
 * the same pixels (a browser test compares them). */

/** Rows between two groups' bands (when there is room). */
export const BAND_GAP = 1;
/** A group's band is at least this share of the raster's rows (a small group stays visible). */
export const MIN_BAND_SHARE = 0.08;

/** A group's rows [y0, y1) in the raster; its neurons are global indices offset .. offset + count - 1. */
export interface Band {
  group: number; // index in meta.groups
  offset: number;
  count: number;
  y0: number;
  y1: number;
}

export interface BandInput {
  offset: number;
  count: number;
  hidden: boolean;
}

/** The bands of the shown groups (not hidden, with neurons), top to bottom in group order,
 * sharing `rows` rows in proportion to their sizes (each at least MIN_BAND_SHARE). */
export function rasterBands(groups: BandInput[], rows: number): Band[] {
  const shown = groups.map((g, group) => ({ ...g, group })).filter((g) => !g.hidden && g.count > 0);
  const n = shown.length;
  if (n === 0 || rows <= 0) return [];
  let gap = BAND_GAP;
  let avail = rows - gap * (n - 1);
  if (avail < n) {
    gap = 0;
    avail = rows;
  }
  let total = 0;
  for (const g of shown) total += g.count;
  const weights = shown.map((g) => Math.max(g.count, MIN_BAND_SHARE * total));
  let sum = 0;
  for (const w of weights) sum += w;
  const bands: Band[] = [];
  let cum = 0;
  shown.forEach((g, j) => {
    const y0 = Math.floor((avail * cum) / sum) + j * gap;
    cum += weights[j];
    const y1 = j === n - 1 ? rows : Math.floor((avail * cum) / sum) + j * gap; // the last ends at the bottom
    bands.push({ group: g.group, offset: g.offset, count: g.count, y0, y1 });
  });
  return bands;
}

/** Rows [row0[n], row1[n]) of every neuron (global index); -1 for neurons of hidden groups. */
export function neuronRows(bands: Band[], nNeurons: number): { row0: Int32Array; row1: Int32Array } {
  const row0 = new Int32Array(nNeurons).fill(-1);
  const row1 = new Int32Array(nNeurons).fill(-1);
  for (const b of bands) {
    const h = b.y1 - b.y0;
    if (h <= 0) continue;
    for (let i = 0; i < b.count; i++) {
      const r0 = b.y0 + Math.floor((i * h) / b.count);
      const r1 = Math.max(r0 + 1, b.y0 + Math.floor(((i + 1) * h) / b.count));
      row0[b.offset + i] = r0;
      row1[b.offset + i] = r1;
    }
  }
  return { row0, row1 };
}

/** The pixel column (fractional) of time t (ms) in a view of [v0, v1] ms, `width` px wide. */
export function xOf(t: number, v0: number, v1: number, width: number): number {
  return ((t - v0) / (v1 - v0)) * width;
}

/** The columns [c0, c1) a frame spanning [ta, tb) ms covers: at least one; a frame 3 or more
 * columns wide leaves its last column empty, so spikes in consecutive frames stay apart.
 * Clipped to [0, width); c1 <= c0 when the frame is out of view. */
export function frameColumns(ta: number, tb: number, v0: number, v1: number, width: number): [number, number] {
  let c0 = Math.floor(xOf(ta, v0, v1, width));
  let c1 = Math.floor(xOf(tb, v0, v1, width));
  if (c1 - c0 >= 3) c1 -= 1;
  c1 = Math.max(c1, c0 + 1);
  c0 = Math.max(c0, 0);
  c1 = Math.min(c1, width);
  return [c0, c1];
}

/** RGBA (little-endian uint32, as ImageData stores it) of an RGB colour in [0, 1], opaque. */
export function rgbaWord(c: number[], alpha = 255): number {
  const q = (v: number) => Math.min(255, Math.max(0, Math.floor(v * 255 + 0.5)));
  return ((alpha << 24) | (q(c[2]) << 16) | (q(c[1]) << 8) | q(c[0])) >>> 0;
}
