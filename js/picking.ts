/* Which neuron is under the pointer, in screen space: the neurons' positions are projected onto
 * the canvas once per camera change (or size, or shown groups), into a grid of square cells
 * (a counting sort: O(neurons)); a pointer then looks only at the neurons of the cells within
 * reach of it (O(neurons near the pointer)), not at every neuron as a ray cast over the points
 * would on every pointer move. Pure arithmetic (no three.js), so it is unit tested in node. */

/** Cell side, CSS px. */
export const CELL_PX = 16;
/** The least pick radius, CSS px: a tiny marker is still easy to point at. */
export const MIN_PICK_PX = 4;

export interface ScreenGrid {
  width: number;
  height: number;
  cols: number;
  rows: number;
  /** cell c holds items[cellStart[c] .. cellStart[c + 1]] (neuron indices) */
  cellStart: Int32Array;
  items: Uint32Array;
  /** per neuron: CSS px on the canvas (NaN when not pickable) and clip w (> 0: in front) */
  x: Float32Array;
  y: Float32Array;
  w: Float32Array;
  /** the largest pick radius among the neurons in the grid, CSS px */
  reach: number;
  /** scratch: each neuron's cell while building (kept for the next build) */
  cellOf?: Int32Array;
}

/**
 * Project every pickable neuron and sort them into cells.
 * @param positions xyz per neuron, the object's local coordinates
 * @param group per neuron: index of its group, or -1 (never pickable: outside the axis limits)
 * @param radius per group: pick radius in CSS px, or 0 for a hidden group
 * @param m column-major 4x4 matrix from local coordinates to clip space (projection · view · model)
 * @param width canvas width, CSS px
 * @param height canvas height, CSS px
 */
export function buildGrid(
  positions: Float32Array,
  group: Float32Array,
  radius: ArrayLike<number>,
  m: ArrayLike<number>,
  width: number,
  height: number,
  reuse: ScreenGrid | null = null,
): ScreenGrid {
  const n = group.length;
  const cols = Math.max(Math.ceil(width / CELL_PX), 1);
  const rows = Math.max(Math.ceil(height / CELL_PX), 1);
  // the per-neuron arrays of the previous grid are reused (no garbage per camera change)
  const same = reuse !== null && reuse.x.length === n;
  const x = same ? reuse.x : new Float32Array(n);
  const y = same ? reuse.y : new Float32Array(n);
  const w = same ? reuse.w : new Float32Array(n);
  const cellOf = same && reuse.cellOf ? reuse.cellOf : new Int32Array(n);
  const count = new Int32Array(cols * rows + 1);
  let reach = 0;
  for (let i = 0; i < n; i++) {
    cellOf[i] = -1;
    x[i] = NaN;
    const g = group[i];
    const r = g >= 0 ? radius[g] : 0;
    if (!(r > 0)) continue;
    const px = positions[3 * i];
    const py = positions[3 * i + 1];
    const pz = positions[3 * i + 2];
    const cw = m[3] * px + m[7] * py + m[11] * pz + m[15];
    if (!(cw > 0)) continue; // behind the camera
    const cx = (m[0] * px + m[4] * py + m[8] * pz + m[12]) / cw;
    const cy = (m[1] * px + m[5] * py + m[9] * pz + m[13]) / cw;
    const cz = (m[2] * px + m[6] * py + m[10] * pz + m[14]) / cw;
    if (cz < -1 || cz > 1) continue; // before the near or beyond the far plane: not drawn
    const sx = ((cx + 1) / 2) * width;
    const sy = ((1 - cy) / 2) * height;
    if (sx < -r || sy < -r || sx > width + r || sy > height + r) continue;
    x[i] = sx;
    y[i] = sy;
    w[i] = cw;
    const c = cellIndex(sx, sy, cols, rows);
    cellOf[i] = c;
    count[c + 1]++;
    if (r > reach) reach = r;
  }
  for (let c = 0; c < cols * rows; c++) count[c + 1] += count[c];
  const cellStart = count.slice();
  const total = count[cols * rows];
  const items = same && reuse.items.buffer.byteLength >= total * 4 ? new Uint32Array(reuse.items.buffer, 0, total) : new Uint32Array(total);
  const fill = count; // reused as the write cursor of each cell
  for (let i = 0; i < n; i++) {
    const c = cellOf[i];
    if (c >= 0) items[fill[c]++] = i;
  }
  return { width, height, cols, rows, cellStart, items, x, y, w, reach, cellOf };
}

function cellIndex(sx: number, sy: number, cols: number, rows: number): number {
  const cx = Math.min(Math.max(Math.floor(sx / CELL_PX), 0), cols - 1);
  const cy = Math.min(Math.max(Math.floor(sy / CELL_PX), 0), rows - 1);
  return cy * cols + cx;
}

/**
 * The neuron under the point (px, py) (CSS px): of those whose marker, `radius[group]` px
 * around its centre, holds the point, the one whose centre is nearest (the one nearest the
 * camera among equally near ones); -1 for none.
 */
export function pick(grid: ScreenGrid, group: Float32Array, radius: ArrayLike<number>, px: number, py: number): number {
  const reach = grid.reach;
  if (!(reach > 0)) return -1;
  const c0 = Math.max(Math.floor((px - reach) / CELL_PX), 0);
  const c1 = Math.min(Math.floor((px + reach) / CELL_PX), grid.cols - 1);
  const r0 = Math.max(Math.floor((py - reach) / CELL_PX), 0);
  const r1 = Math.min(Math.floor((py + reach) / CELL_PX), grid.rows - 1);
  let best = -1;
  let bestD = Infinity;
  let bestW = Infinity;
  for (let r = r0; r <= r1; r++) {
    for (let c = c0; c <= c1; c++) {
      const cell = r * grid.cols + c;
      for (let k = grid.cellStart[cell]; k < grid.cellStart[cell + 1]; k++) {
        const i = grid.items[k];
        const dx = grid.x[i] - px;
        const dy = grid.y[i] - py;
        const d = dx * dx + dy * dy;
        const rad = radius[group[i]];
        if (d > rad * rad) continue;
        const w = grid.w[i];
        if (d < bestD - 0.25 || (d <= bestD + 0.25 && w < bestW)) {
          best = i;
          bestD = d;
          bestW = w;
        }
      }
    }
  }
  return best;
}

/** Pick radius per group: half its marker's diameter (at least MIN_PICK_PX), 0 when hidden. */
export function pickRadii(groups: ReadonlyArray<{ name: string; size: number }>, hidden: ReadonlySet<string>): Float32Array {
  return Float32Array.from(groups, (g) => (hidden.has(g.name) ? 0 : Math.max(g.size / 2, MIN_PICK_PX)));
}
