/* The playback clock and spike state, one per player model, shared by all its views.
 *
 * Spike state: `lastSpike[n]` holds the frame of neuron n's most recent applied spike. Moving
 * forward applies the spikes of the new frames (cost ∝ spikes, not neurons). Seeking re-applies
 * the frames of the decay window ending at the target frame; the shader treats entries in the
 * future or older than the decay as "resting", so stale entries never need clearing and a
 * seek shows exactly what continuous playback shows at that frame. */
import { type SceneData, frameAt } from "./data";
import type { LoopMode, PlayerModel } from "./types";

export const NO_SPIKE = -1e9;
const SYNC_INTERVAL_MS = 100; // browser -> kernel frame sync while playing (~10 Hz)

export interface DirtyRange {
  min: number;
  max: number;
}

export class SpikeState {
  readonly lastSpike: Float32Array;
  /** frames advanced by the last update (spikes in skipped frames still flash fully) */
  step = 1;
  version = 0;
  private current = -1;
  private min = Infinity;
  private max = -1;
  private trackers = new Set<DirtyRange>();

  constructor(public data: SceneData) {
    this.lastSpike = new Float32Array(data.meta.n_neurons).fill(NO_SPIKE);
  }

  /** A range of indices changed since its owner last uploaded (starts fully dirty). */
  track(): DirtyRange {
    const r = { min: 0, max: this.lastSpike.length - 1 };
    this.trackers.add(r);
    return r;
  }

  untrack(r: DirtyRange): void {
    this.trackers.delete(r);
  }

  private applyFrame(f: number): void {
    const { spikePtr, spikeIdx } = this.data;
    const last = this.lastSpike;
    const end = spikePtr[f + 1];
    for (let s = spikePtr[f]; s < end; s++) {
      const n = spikeIdx[s];
      last[n] = f;
      if (n < this.min) this.min = n;
      if (n > this.max) this.max = n;
    }
  }

  private flushDirty(): void {
    if (this.max < this.min) return;
    for (const r of this.trackers) {
      r.min = Math.min(r.min, this.min);
      r.max = Math.max(r.max, this.max);
    }
    this.min = Infinity;
    this.max = -1;
  }

  /** Bring the state to frame f; `windowFrames` = frames a flash stays visible. */
  goTo(f: number, windowFrames: number, continuous: boolean): void {
    const nFrames = this.data.meta.n_frames;
    if (nFrames === 0) return;
    f = Math.min(Math.max(f, 0), nFrames - 1);
    if (continuous && f > this.current && this.current >= 0) {
      for (let k = this.current + 1; k <= f; k++) this.applyFrame(k);
      this.step = f - this.current;
    } else if (f !== this.current) {
      for (let k = Math.max(0, f - windowFrames); k <= f; k++) this.applyFrame(k);
      this.step = 1;
    } else {
      this.step = 1;
    }
    this.current = f;
    this.flushDirty();
    this.version++;
  }

  /** Forget everything (e.g. the decay changed). */
  invalidate(): void {
    this.lastSpike.fill(NO_SPIKE);
    this.min = 0;
    this.max = this.lastSpike.length - 1;
    this.flushDirty();
    this.current = -1;
    this.version++;
  }
}

type Listener = () => void;

/** Owns the frame, the playing flag and the clock; syncs them with the model. */
export class Playback {
  frame = 0;
  playing = false;
  speed = 0.1;
  loop: LoopMode = "loop";
  decayMs = 0;
  spikes: SpikeState;
  private direction = 1;
  private simT = 0; // ms, continuous position while playing
  private lastTs: number | null = null;
  private raf: number | null = null;
  private lastSync = 0;
  private syncTimer: ReturnType<typeof setTimeout> | null = null;
  private listeners = new Set<Listener>();
  private modelHandlers: Array<[string, () => void]> = [];

  constructor(
    private model: PlayerModel,
    public data: SceneData,
  ) {
    this.spikes = new SpikeState(data);
    this.speed = model.get("speed");
    this.loop = model.get("loop");
    this.decayMs = model.get("decay");
    this.frame = this.clampFrame(model.get("frame"));
    this.spikes.goTo(this.frame, this.windowFrames(), false);
    this.simT = this.frameStart(this.frame);
    this.bind("change:frame", () => {
      const f = this.model.get("frame");
      if (f !== this.frame) this.seek(f, false);
    });
    this.bind("change:playing", () => {
      const p = this.model.get("playing");
      if (p !== this.playing) (p ? this.play(false) : this.pause(false));
    });
    this.bind("change:speed", () => {
      this.speed = this.model.get("speed");
      this.emit();
    });
    this.bind("change:loop", () => {
      this.loop = this.model.get("loop");
      this.emit();
    });
    this.bind("change:decay", () => {
      this.decayMs = this.model.get("decay");
      this.spikes.invalidate();
      this.spikes.goTo(this.frame, this.windowFrames(), false);
      this.emit();
    });
    if (model.get("playing")) this.play(false);
  }

  private bind(evt: string, fn: () => void): void {
    this.model.on(evt, fn);
    this.modelHandlers.push([evt, fn]);
  }

  get nFrames(): number {
    return this.data.meta.n_frames;
  }

  /** decay expressed in frames (the shader fades a flash over this many frames) */
  decayFrames(): number {
    return this.data.meta.dt_ms > 0 ? this.decayMs / this.data.meta.dt_ms : 0;
  }

  windowFrames(): number {
    return Math.ceil(this.decayFrames()) + 1;
  }

  frameStart(f: number): number {
    return this.nFrames ? this.data.frameTimes[f] : this.data.meta.t_end_ms;
  }

  private clampFrame(f: number): number {
    return Math.min(Math.max(Math.round(f) || 0, 0), Math.max(this.nFrames - 1, 0));
  }

  subscribe(fn: Listener): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  private emit(): void {
    for (const fn of this.listeners) fn();
  }

  /** Replace the data (new recording from Python); keeps the frame if it still exists. */
  setData(data: SceneData): void {
    this.data = data;
    this.spikes = new SpikeState(data);
    this.frame = this.clampFrame(this.frame);
    this.spikes.goTo(this.frame, this.windowFrames(), false);
    this.simT = this.frameStart(this.frame);
    if (this.nFrames === 0 && this.playing) this.pause(true);
    this.emit();
  }

  /** Frames were appended (live run): keep the spike state; follow the end if we were there. */
  appendData(data: SceneData): void {
    const wasAtEnd = this.nFrames === 0 || this.frame >= this.nFrames - 1;
    this.data = data;
    this.spikes.data = data;
    if (wasAtEnd && !this.playing && this.nFrames > 0) this.seek(this.nFrames - 1);
    else this.emit();
  }

  // --- user actions -------------------------------------------------------------------------
  seek(f: number, sync = true): void {
    f = this.clampFrame(f);
    this.frame = f;
    this.spikes.goTo(f, this.windowFrames(), false);
    this.simT = this.frameStart(f);
    if (sync) this.syncFrame(true);
    this.emit();
  }

  stepBy(k: number): void {
    if (this.playing) this.pause();
    this.seek(this.frame + k);
  }

  play(sync = true): void {
    if (this.nFrames === 0) return;
    if (this.loop === "once" && this.frame >= this.nFrames - 1 && this.direction > 0) this.seek(0, sync);
    this.playing = true;
    this.lastTs = null;
    this.simT = this.frameStart(this.frame);
    if (sync) {
      this.model.set("playing", true);
      this.model.save_changes();
    }
    this.schedule();
    this.emit();
  }

  pause(sync = true): void {
    this.playing = false;
    if (this.raf !== null) cancelAnimationFrame(this.raf);
    this.raf = null;
    if (sync) {
      this.model.set("playing", false);
      this.syncFrame(true);
    }
    this.spikes.goTo(this.frame, this.windowFrames(), false);
    this.emit();
  }

  toggle(): void {
    this.playing ? this.pause() : this.play();
  }

  setSpeed(speed: number): void {
    this.speed = speed;
    this.model.set("speed", speed);
    this.model.save_changes();
    this.emit();
  }

  setLoop(loop: LoopMode): void {
    this.loop = loop;
    this.model.set("loop", loop);
    this.model.save_changes();
    this.emit();
  }

  // --- clock --------------------------------------------------------------------------------
  private schedule(): void {
    if (this.raf === null) this.raf = requestAnimationFrame((ts) => this.tick(ts));
  }

  private tick(ts: number): void {
    this.raf = null;
    if (!this.playing) return;
    const n = this.nFrames;
    if (this.lastTs !== null) {
      const dtReal = Math.min(ts - this.lastTs, 250); // a hidden tab must not jump far
      this.simT += dtReal * this.speed * this.direction;
      const t0 = this.frameStart(0);
      const tEnd = this.data.meta.t_end_ms;
      let next = frameAt(this.data, this.simT);
      let wrapped = false;
      if (this.direction > 0 && this.simT >= tEnd) {
        if (this.loop === "loop") {
          this.simT = t0 + ((this.simT - t0) % Math.max(tEnd - t0, 1e-9));
          next = frameAt(this.data, this.simT);
          wrapped = true;
        } else if (this.loop === "pingpong") {
          this.direction = -1;
          this.simT = this.frameStart(n - 1);
          next = n - 1;
        } else {
          next = n - 1;
          this.advanceTo(next, false);
          this.pause();
          return;
        }
      } else if (this.direction < 0 && this.simT < t0) {
        this.direction = 1;
        this.simT = t0;
        next = 0;
        wrapped = true;
      }
      if (next !== this.frame) this.advanceTo(next, !wrapped && this.direction > 0);
    }
    this.lastTs = ts;
    this.schedule();
  }

  private advanceTo(f: number, continuous: boolean): void {
    this.frame = f;
    this.spikes.goTo(f, this.windowFrames(), continuous);
    this.syncFrame(false);
    this.emit();
  }

  /** Tell the kernel the frame: throttled while playing, exact otherwise. */
  private syncFrame(exact: boolean): void {
    const now = performance.now();
    const send = () => {
      this.syncTimer = null;
      this.lastSync = performance.now();
      if (this.model.get("frame") !== this.frame) this.model.set("frame", this.frame);
      this.model.save_changes();
    };
    if (exact || now - this.lastSync >= SYNC_INTERVAL_MS) {
      if (this.syncTimer !== null) clearTimeout(this.syncTimer);
      send();
    } else if (this.syncTimer === null) {
      this.syncTimer = setTimeout(send, SYNC_INTERVAL_MS - (now - this.lastSync));
    }
  }

  dispose(): void {
    if (this.raf !== null) cancelAnimationFrame(this.raf);
    if (this.syncTimer !== null) clearTimeout(this.syncTimer);
    for (const [evt, fn] of this.modelHandlers) this.model.off(evt as "change:frame", fn);
    this.listeners.clear();
  }
}
