/* The spike raster as a bitmap: every spike of the frames in view, one rectangle of its
 * neuron's rows and its frame's columns, in its group's colour. Drawn straight from the spike
 * buffers the player decoded (SceneData.spike_ptr / spike_idx): no copy of the spikes. Cost in
 * proportion to the spikes in view; only redrawn when the data, the size, the time range or the
 * shown groups change (appended frames are drawn alone). */
import type { SceneData } from "./data";
import { type Band, frameColumns, neuronRows, rasterBands, rgbaWord } from "./timeline_layout";

export class RasterBitmap {
  width = 0;
  height = 0;
  bands: Band[] = [];
  private pixels = new Uint32Array(0);
  private image: ImageData | null = null;
  private row0: Int32Array = new Int32Array(0);
  private row1: Int32Array = new Int32Array(0);
  private rowColor = new Uint32Array(0);

  /** Size the bitmap and lay the groups out (not hidden ones); clears it. */
  layout(data: SceneData, width: number, height: number, hidden: ReadonlySet<string>): void {
    this.width = Math.max(Math.floor(width), 0);
    this.height = Math.max(Math.floor(height), 0);
    const groups = data.meta.groups.map((g) => ({ offset: g.offset, count: g.count, hidden: hidden.has(g.name) }));
    this.bands = rasterBands(groups, this.height);
    const rows = neuronRows(this.bands, data.meta.n_neurons);
    this.row0 = rows.row0;
    this.row1 = rows.row1;
    this.rowColor = new Uint32Array(this.height);
    for (const b of this.bands) this.rowColor.fill(rgbaWord(data.meta.groups[b.group].color), b.y0, b.y1);
    this.image = this.width && this.height ? new ImageData(this.width, this.height) : null;
    this.pixels = this.image ? new Uint32Array(this.image.data.buffer) : new Uint32Array(0);
  }

  /** The rows [row0, row1) of neuron n (-1, -1 when its group is hidden). */
  rowsOf(n: number): [number, number] {
    return [this.row0[n] ?? -1, this.row1[n] ?? -1];
  }

  clear(): void {
    this.pixels.fill(0);
  }

  /** Draw the spikes of frames first .. last (inclusive) for the view [v0, v1] ms; returns
   * the columns touched [c0, c1). */
  drawFrames(data: SceneData, first: number, last: number, v0: number, v1: number): [number, number] {
    const { spike_ptr: ptr, spike_idx: idx, frame_start_ms: ft } = data;
    const n = data.meta.n_frames;
    const W = this.width;
    const px = this.pixels;
    const { row0, row1, rowColor } = this;
    let touched0 = W;
    let touched1 = 0;
    if (!W || !this.height) return [0, 0];
    for (let k = Math.max(first, 0); k <= Math.min(last, n - 1); k++) {
      const s0 = ptr[k];
      const s1 = ptr[k + 1];
      if (s1 <= s0) continue;
      const tb = k + 1 < n ? ft[k + 1] : data.meta.t_end_ms;
      const [c0, c1] = frameColumns(ft[k], tb, v0, v1, W);
      if (c1 <= c0) continue;
      if (c0 < touched0) touched0 = c0;
      if (c1 > touched1) touched1 = c1;
      for (let s = s0; s < s1; s++) {
        const nrn = idx[s];
        const r0 = row0[nrn];
        if (r0 < 0) continue;
        const r1 = row1[nrn];
        const color = rowColor[r0];
        for (let r = r0; r < r1; r++) {
          const base = r * W;
          for (let c = c0; c < c1; c++) px[base + c] = color;
        }
      }
    }
    return touched0 < touched1 ? [touched0, touched1] : [0, 0];
  }

  /** Copy the bitmap (or only columns [c0, c1)) onto a canvas of the same size. */
  put(ctx: CanvasRenderingContext2D, c0 = 0, c1 = this.width): void {
    if (!this.image) return;
    if (c1 > c0) ctx.putImageData(this.image, 0, 0, c0, 0, c1 - c0, this.height);
  }
}
