import { describe, expect, it } from "vitest";
import { appendFrames, decode, frameAt, type SceneData } from "../data";
import { appendMessage, payload, regularFrames, type Frame } from "./wire";

function decoded(frames: Frame[], opts = {}): SceneData {
  const { meta, buffers } = payload(frames, opts);
  return decode(meta, buffers);
}

/** The frame-level content of decoded data, as plain arrays (views may be longer than used). */
function content(d: SceneData) {
  const n = d.meta.n_frames;
  return {
    n_frames: n,
    n_spikes: d.meta.n_spikes,
    t0_ms: d.meta.t0_ms,
    t_end_ms: d.meta.t_end_ms,
    uniform: d.meta.uniform,
    spike_ptr: Array.from(d.spike_ptr.subarray(0, n + 1)),
    spike_idx: Array.from(d.spike_idx.subarray(0, d.meta.n_spikes)),
    frame_start_ms: Array.from(d.frame_start_ms.subarray(0, n)),
    values: Array.from(d.values.subarray(0, n * d.meta.n_channels)),
  };
}

describe("decode", () => {
  it("gives the buffers as typed arrays under their wire names", () => {
    const d = decoded(regularFrames(5, 8, 2), { nChannels: 2 });
    expect(d.spike_idx).toBeInstanceOf(Uint16Array);
    expect(Array.from(d.spike_ptr)).toEqual([0, 0, 1, 3, 3, 4]);
    expect(Array.from(d.spike_idx)).toEqual([3, 6, 7, 4]);
    expect(Array.from(d.frame_start_ms)).toEqual([0, 1, 2, 3, 4]);
    expect(Array.from(d.values)).toEqual(Array.from(Float32Array.from([0, 0.1, 1, 1.1, 2, 2.1, 3, 3.1, 4, 4.1])));
    expect(d.visible).toBeNull();
    expect(d.positions.length).toBe(24);
  });

  it("reads 4-byte indices and buffers at unaligned offsets (copied)", () => {
    const frames = regularFrames(6, 8);
    const aligned = decoded(frames, { indexBytes: 4 });
    const unaligned = decoded(frames, { indexBytes: 4, unaligned: true });
    expect(unaligned.spike_idx).toBeInstanceOf(Uint32Array);
    expect(content(unaligned)).toEqual(content(aligned));
  });

  it("derives frame times when the buffer is missing, and survives an empty recording", () => {
    const { meta, buffers } = payload(regularFrames(4));
    const d = decode({ ...meta, t0_ms: 10, dt_ms: 0.5 }, { ...buffers, frame_start_ms: new DataView(new ArrayBuffer(0)) });
    expect(Array.from(d.frame_start_ms)).toEqual([10, 10.5, 11, 11.5]);
    const none = decoded([]);
    expect(none.meta.n_frames).toBe(0);
    expect(Array.from(none.spike_ptr)).toEqual([0]);
    expect(frameAt(none, 5)).toBe(0);
  });
});

describe("frameAt", () => {
  it("finds the last frame starting at or before t on a uniform grid, clamped", () => {
    const d = decoded(regularFrames(10));
    expect(d.meta.uniform).toBe(true);
    expect(frameAt(d, 0)).toBe(0);
    expect(frameAt(d, 3)).toBe(3);
    expect(frameAt(d, 3.999)).toBe(3);
    expect(frameAt(d, 4 - 1e-9)).toBe(4); // float rounding at a frame's start counts as that frame
    expect(frameAt(d, -5)).toBe(0);
    expect(frameAt(d, 1e6)).toBe(9);
  });

  it("bisects non-uniform frame times and agrees with a linear scan", () => {
    const times = [0, 0.5, 2, 2.25, 7, 7.1, 9];
    const d = decoded(times.map((t) => ({ t, spikes: [] })));
    expect(d.meta.uniform).toBe(false);
    for (let t = -1; t <= 10; t += 0.05) {
      let want = 0;
      times.forEach((ft, k) => {
        if (ft <= t + 1e-9) want = k;
      });
      expect(frameAt(d, t), `t = ${t}`).toBe(want);
    }
  });
});

describe("appendFrames", () => {
  it("several messages give the same data as decoding the whole recording at once", () => {
    for (const indexBytes of [2, 4] as const) {
      const all = regularFrames(12, 8, 3);
      const opts = { nChannels: 3, indexBytes };
      let d = decoded(all.slice(0, 2), { ...opts, tEndMs: 2 });
      for (const [a, b] of [[2, 5], [5, 6], [6, 12]]) {
        const { msg, buffers } = appendMessage(all.slice(a, b), a, b, { ...opts, unaligned: a === 5 });
        d = appendFrames(d, msg, buffers);
      }
      expect(content(d)).toEqual(content(decoded(all, opts)));
      expect(d.meta.message).toBe("");
    }
  });

  it("starts from an empty recording (a live run's first message)", () => {
    const all = regularFrames(4);
    const empty = { ...payload([]).meta, message: "Nothing recorded yet" };
    let d = decode(empty, payload([]).buffers);
    const { msg, buffers } = appendMessage(all, 0, 4);
    d = appendFrames(d, msg, buffers);
    expect(content(d)).toEqual(content(decoded(all)));
    expect(frameAt(d, 2.5)).toBe(2);
  });

  it("grows its arrays geometrically: one frame per message costs no copy most of the time", () => {
    const all = regularFrames(2000);
    let d = decoded(all.slice(0, 1), { tEndMs: 1 });
    const stores = new Set<ArrayBufferLike>();
    for (let k = 1; k < all.length; k++) {
      const { msg, buffers } = appendMessage(all.slice(k, k + 1), k, k + 1);
      d = appendFrames(d, msg, buffers);
      stores.add(d.spike_ptr.buffer);
    }
    expect(content(d)).toEqual(content(decoded(all)));
    expect(stores.size).toBeLessThanOrEqual(3); // 1024, 2048 and 4096 elements
  });

  it("ignores a message out of order (the final state resends everything)", () => {
    const all = regularFrames(6);
    const d = decoded(all.slice(0, 3), { tEndMs: 3 });
    const { msg, buffers } = appendMessage(all.slice(4, 6), 4, 6);
    expect(appendFrames(d, msg, buffers)).toBe(d);
  });

  it("notices frame times that stop being uniform", () => {
    const d = decoded(regularFrames(3), { tEndMs: 3 });
    const { msg, buffers } = appendMessage([{ t: 3, spikes: [] }, { t: 3.7, spikes: [1] }], 3, 5);
    const after = appendFrames(d, msg, buffers);
    expect(after.meta.uniform).toBe(false);
    expect(frameAt(after, 3.6)).toBe(3);
    expect(frameAt(after, 3.8)).toBe(4);
  });
});
