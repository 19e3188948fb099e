import { describe, expect, it } from "vitest";
import { decode } from "../data";
import { NO_SPIKE, SpikeState } from "../playback";
import { payload, type Frame } from "./wire";

// 4 neurons, 6 frames of 1 ms
const FRAMES: Frame[] = [
  { t: 0, spikes: [0] },
  { t: 1, spikes: [1, 2] },
  { t: 2, spikes: [] },
  { t: 3, spikes: [3] },
  { t: 4, spikes: [0, 1] },
  { t: 5, spikes: [2] },
];
const N = FRAMES.length;

function state(): SpikeState {
  const { meta, buffers } = payload(FRAMES, { nNeurons: 4 });
  return new SpikeState(decode(meta, buffers));
}

const last = (s: SpikeState) => Array.from(s.lastSpike);
const R = NO_SPIKE;
/** What the shader shows at frame f with a window of w frames: entries in the future or older
 * than the window rest, so they need no clearing. */
const shown = (s: SpikeState, f: number, w: number) => last(s).map((e) => (e <= f && e >= f - w ? e : R));

describe("SpikeState", () => {
  it("starts with every neuron resting", () => {
    expect(last(state())).toEqual([R, R, R, R]);
  });

  it("seek applies exactly the frames of the decay window ending at the frame", () => {
    const s = state();
    s.seek(4, 1); // frames 3..4
    expect(last(s)).toEqual([4, 4, R, 3]);
    expect(s.step).toBe(1);
    const fresh = state();
    fresh.seek(4, 10); // the window reaches back to frame 0
    expect(last(fresh)).toEqual([4, 4, 1, 3]);
  });

  it("forward applies every frame passed, so spikes of skipped frames flash too", () => {
    const s = state();
    s.seek(0, 1);
    s.forward(3, 1);
    expect(last(s)).toEqual([0, 1, 1, 3]);
    expect(s.step).toBe(3); // frames advanced: the shader flashes all of them fully
    s.forward(5, 1);
    expect(last(s)).toEqual([4, 4, 5, 3]);
    expect(s.step).toBe(2);
  });

  it("forward to an earlier frame is a seek: the same picture", () => {
    const s = state();
    s.seek(5, 1);
    s.forward(1, 0);
    const seeked = state();
    seeked.seek(1, 0);
    expect(shown(s, 1, 0)).toEqual(shown(seeked, 1, 0));
    expect(shown(s, 1, 0)).toEqual([R, 1, 1, R]);
    expect(last(s)[0]).toBe(4); // a stale entry in the future, left in place: it rests
  });

  it("wrapForward counts the last frames' spikes as just before frame 0", () => {
    const s = state();
    s.seek(3, 0);
    s.wrapForward(1, 2); // frames 4, 5 as -2, -1; then frames 0, 1
    expect(last(s)).toEqual([0, 1, 1, 3]);
    const t = state();
    t.seek(4, 0);
    t.wrapForward(0, 2); // frame 5 as -1, then frame 0
    expect(last(t)).toEqual([0, 4, -1, R]);
    expect(t.step).toBe(N - 1 - 4 + 0 + 1);
  });

  it("a seek after a wrap clears the flashes the wrap placed", () => {
    const s = state();
    s.seek(4, 0);
    s.wrapForward(0, 2); // frame 5's spike placed at -1: inside frame 0's window of 2
    s.seek(0, 2);
    const fresh = state();
    fresh.seek(0, 2);
    expect(shown(s, 0, 2)).toEqual(shown(fresh, 0, 2));
    expect(shown(s, 0, 2)).toEqual([0, R, R, R]);
  });

  it("backward shows the frame's window plus the skipped frames' spikes at the frame", () => {
    const s = state();
    s.seek(5, 0);
    s.backward(1, 0); // frames 2..4 were passed: their spikes flash at frame 1
    expect(last(s)).toEqual([1, 1, 1, 1]);
    expect(s.step).toBe(1);
    s.seek(1, 0); // and a seek shows exactly frame 1 again
    expect(last(s)).toEqual([R, 1, 1, R]);
  });

  it("keeps the active list: the neurons within the decay window, ascending; counts versions", () => {
    const s = state();
    const active = () => Array.from(s.active.subarray(0, s.nActive));
    const v = s.version;
    s.seek(4, 2); // window of 2 frames: spikes at frames 3 and 4
    expect(active()).toEqual([0, 1, 3]);
    expect(s.version).toBe(v + 1);
    s.forward(5, 2); // neuron 3 (frame 3) leaves the window, neuron 2 (frame 5) joins it
    expect(active()).toEqual([0, 1, 2]);
    expect(s.version).toBe(v + 2);
    // every neuron whose last spike is in the window is listed, and no other
    const inWindow = last(s).flatMap((e, n) => (e !== R && 5 - e >= 0 && 5 - e < 2 ? [n] : []));
    expect(active()).toEqual(inWindow);
    s.invalidate();
    expect(active()).toEqual([]);
    expect(last(s)).toEqual([R, R, R, R]);
    expect(s.version).toBe(v + 3);
  });

  it("clamps frames and does nothing without frames", () => {
    const s = state();
    s.seek(99, 0);
    expect(last(s)).toEqual([R, R, 5, R]);
    const { meta, buffers } = payload([], { nNeurons: 4 });
    const empty = new SpikeState(decode(meta, buffers));
    empty.seek(0, 3);
    expect(last(empty)).toEqual([R, R, R, R]);
  });

  it("follows appended data: forward into frames that arrived later", () => {
    const { meta, buffers } = payload(FRAMES.slice(0, 3), { nNeurons: 4, tEndMs: 3 });
    const s = new SpikeState(decode(meta, buffers));
    s.seek(2, 0);
    const full = payload(FRAMES, { nNeurons: 4 });
    s.data = decode(full.meta, full.buffers);
    s.forward(4, 0);
    expect(last(s)).toEqual([4, 4, R, 3]); // frames 3 and 4 applied on top of frame 2's window
  });
});
