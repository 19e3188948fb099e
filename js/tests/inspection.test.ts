import { describe, expect, it } from "vitest";
import { appendFrames, decode } from "../data";
import { SpikeCounts, describeNeuron, formatCoord, globalIndex, neuronOf, selectionIndices, selectionPairs } from "../neuron_info";
import { CELL_PX, MIN_PICK_PX, buildGrid, pick, pickRadii } from "../picking";
import type { SceneMeta } from "../types";
import { appendMessage, payload, regularFrames } from "./wire";

// the identity "camera": local x, y in [-1, 1] map onto a 200 x 100 canvas
const IDENTITY = [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1];
const W = 200;
const H = 100;
const toLocal = (sx: number, sy: number, z = 0) => [(sx / W) * 2 - 1, 1 - (sy / H) * 2, z];

function scene(points: number[][], group: number[]) {
  return { positions: Float32Array.from(points.flat()), group: Float32Array.from(group) };
}

/** The neuron nearest (x, y) within its radius, by looking at every one (what the grid must agree with). */
function bruteForce(pos: Float32Array, group: Float32Array, radius: Float32Array, x: number, y: number): number {
  let best = -1;
  let bestD = Infinity;
  for (let i = 0; i < group.length; i++) {
    if (group[i] < 0 || !(radius[group[i]] > 0)) continue;
    const sx = ((pos[3 * i] + 1) / 2) * W;
    const sy = ((1 - pos[3 * i + 1]) / 2) * H;
    const d = Math.hypot(sx - x, sy - y);
    if (d <= radius[group[i]] && d < bestD) {
      best = i;
      bestD = d;
    }
  }
  return best;
}

describe("screen-space picking", () => {
  it("finds the neuron under the pointer, within its marker's radius", () => {
    const { positions, group } = scene([toLocal(50, 50), toLocal(120, 30), toLocal(121, 80)], [0, 0, 1]);
    const radius = Float32Array.from([5, 8]);
    const grid = buildGrid(positions, group, radius, IDENTITY, W, H);
    expect(pick(grid, group, radius, 50, 50)).toBe(0);
    expect(pick(grid, group, radius, 53, 53)).toBe(0); // 4.2 px away: on its marker
    expect(pick(grid, group, radius, 55, 55)).toBe(-1); // 7.1 px away: beside it
    expect(pick(grid, group, radius, 127, 80)).toBe(2); // group 1's larger markers
    expect(pick(grid, group, radius, 0, 0)).toBe(-1);
  });

  it("skips neurons outside the limits (group -1), of hidden groups (radius 0), behind the camera", () => {
    const { positions, group } = scene([toLocal(50, 50), toLocal(100, 50), toLocal(150, 50)], [-1, 1, 0]);
    const radius = Float32Array.from([5, 0]);
    const grid = buildGrid(positions, group, radius, IDENTITY, W, H);
    expect(pick(grid, group, radius, 50, 50)).toBe(-1);
    expect(pick(grid, group, radius, 100, 50)).toBe(-1);
    expect(pick(grid, group, radius, 150, 50)).toBe(2);
    expect(grid.items.length).toBe(1);
    // w = -1: behind the camera
    const behind = [...IDENTITY];
    behind[15] = -1;
    expect(buildGrid(positions, group, radius, behind, W, H).items.length).toBe(0);
  });

  it("of overlapping neurons, picks the nearest centre, then the one nearest the camera", () => {
    // two at the same place, different depth (w grows with z through this matrix)
    const m = [...IDENTITY];
    m[11] = 1; // w = z + 1
    const { positions, group } = scene([[0, 0, 0.5], [0, 0, 0.1], [0.05, 0, 0]], [0, 0, 0]);
    const radius = Float32Array.from([20]);
    const grid = buildGrid(positions, group, radius, m, W, H);
    const cx = W / 2;
    expect(pick(grid, group, radius, cx, H / 2)).toBe(1); // 0 and 1 at the same spot: 1 nearer
    expect(pick(grid, group, radius, cx + 5, H / 2)).toBe(2); // nearest centre
  });

  it("agrees with looking at every neuron, across cell borders", () => {
    let seed = 7;
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31) * 2 - 1;
    const n = 3000;
    const points = Array.from({ length: n }, () => [rand(), rand(), 0]);
    const groups = Array.from({ length: n }, (_, i) => (i % 7 === 0 ? -1 : i % 3));
    const { positions, group } = scene(points, groups);
    const radius = pickRadii(
      [
        { name: "a", size: 4 },
        { name: "b", size: 30 },
        { name: "c", size: 12 },
      ],
      new Set(["c"]),
    );
    expect(Array.from(radius)).toEqual([MIN_PICK_PX, 15, 0]);
    const grid = buildGrid(positions, group, radius, IDENTITY, W, H);
    for (let k = 0; k < 2000; k++) {
      const x = ((rand() + 1) / 2) * W;
      const y = ((rand() + 1) / 2) * H;
      const got = pick(grid, group, radius, x, y);
      const want = bruteForce(positions, group, radius, x, y);
      if (got !== want) {
        // equally near (within the tie tolerance) is fine; anything else is not
        const d = (i: number) => Math.hypot(((positions[3 * i] + 1) / 2) * W - x, ((1 - positions[3 * i + 1]) / 2) * H - y);
        expect(got).toBeGreaterThanOrEqual(0);
        expect(Math.abs(d(got) ** 2 - d(want) ** 2)).toBeLessThanOrEqual(0.25);
      }
    }
    expect(CELL_PX).toBeGreaterThan(0);
  });
});

function twoGroups(): SceneMeta {
  const { meta } = payload([], { nNeurons: 10 });
  return {
    ...meta,
    groups: [
      { name: "exc", color: [1, 0, 0], size: 4, alpha: 0.2, offset: 0, count: 6 },
      { name: "inh", color: [0, 0, 1], size: 4, alpha: 0.2, offset: 6, count: 4 },
    ],
  };
}

describe("neurons as (group, index) pairs", () => {
  it("maps global indices to pairs and back", () => {
    const meta = twoGroups();
    expect(neuronOf(meta, 0)).toEqual({ group: 0, index: 0 });
    expect(neuronOf(meta, 5)).toEqual({ group: 0, index: 5 });
    expect(neuronOf(meta, 6)).toEqual({ group: 1, index: 0 });
    expect(neuronOf(meta, 10)).toBeNull();
    expect(globalIndex(meta, "inh", 3)).toBe(9);
    expect(globalIndex(meta, "inh", 4)).toBe(-1);
    expect(globalIndex(meta, "nope", 0)).toBe(-1);
    expect(selectionPairs(meta, [9, 2])).toEqual([
      ["inh", 3],
      ["exc", 2],
    ]);
    expect(selectionIndices(meta, [["inh", 3], ["exc", 2], ["x", 1], "junk", ["exc", 99]])).toEqual([9, 2]);
    expect(selectionIndices(meta, null)).toEqual([]);
  });
});

describe("spike counts and the tooltip", () => {
  it("counts every spike of the recording, and only the new ones after an append", () => {
    const frames = regularFrames(10, 8);
    const { meta, buffers } = payload(frames, { nNeurons: 8 });
    const data = decode(meta, buffers);
    const counts = new SpikeCounts();
    const expected = new Array(8).fill(0);
    for (const f of frames) for (const n of f.spikes) expected[n]++;
    expect(Array.from(counts.of(data) ?? [])).toEqual(expected);
    const more = regularFrames(14, 8).slice(10);
    const { msg, buffers: b } = appendMessage(more, 10, 14);
    const appended = appendFrames(data, msg, b);
    for (const f of more) for (const n of f.spikes) expected[n]++;
    expect(Array.from(counts.of(appended) ?? [])).toEqual(expected);
    expect(Array.from(counts.of(appended) ?? [])).toEqual(expected); // asked again: not counted twice
  });

  it("says n/a for a windowed recording (its spikes stay in the kernel)", () => {
    const { meta, buffers } = payload(regularFrames(4), { nNeurons: 8 });
    const data = { ...decode(meta, buffers), window: {} as never };
    expect(new SpikeCounts().of(data)).toBeNull();
    expect(describeNeuron(data, 1, null)[2]).toMatch(/n\/a/);
  });

  it("describes a neuron: group and index, position with the unit, spike count", () => {
    const { meta, buffers } = payload([{ t: 0, spikes: [7, 7] }], { nNeurons: 10 });
    const data = decode({ ...twoGroups(), n_frames: meta.n_frames, n_spikes: 2 }, buffers);
    data.positions.set([12.5, -300, 0.000123], 3 * 7);
    const counts = new SpikeCounts().of(data);
    expect(describeNeuron(data, 7, counts)).toEqual(["inh #1", "(12.5, -300, 0.000123) µm", "2 spikes"]);
    expect(describeNeuron(data, 0, counts)[2]).toBe("0 spikes");
    expect(formatCoord(1234.567)).toBe("1235");
    expect(formatCoord(0)).toBe("0");
  });
});
