/* The playback clock and spike state, one per player model, shared by all its views.
 *
 * Spike state: `lastSpike[n]` holds the frame of neuron n's most recent applied spike. Moving
 * forward applies the spikes of the new frames (cost ∝ spikes, not neurons). Seeking re-applies
 * the frames of the decay window ending at the target frame; entries in the future or older
 * than the decay mean "resting", so stale entries never need clearing and a seek shows exactly
 * what continuous playback shows at that frame. `active` lists the neurons whose flash may
 * show at the current frame (cost ∝ those neurons): the views draw only these over the
 * resting picture. */
import { type SceneData, frameAt } from "./data";
import type { LoopMode, PlayerModel } from "./types";

export const NO_SPIKE = -1e9;
const SYNC_INTERVAL_MS = 100; // browser -> kernel frame sync while playing (~10 Hz)
const UI_INTERVAL_MS = 50; // control bars while playing (20 Hz)
const WAIT_MESSAGE_MS = 300; // waiting longer than this for spikes from the kernel: say so

export class SpikeState {
  readonly lastSpike: Float32Array;
  /** frames advanced by the last update (spikes in skipped frames still flash fully) */
  step = 1;
  version = 0;
  /** `active[0..nActive)`: neurons whose last spike lies in the decay window of the current
   * frame (a superset of those flashing), ascending */
  active = new Uint32Array(64);
  nActive = 0;
  private current = -1;
  /** entries not at their spike's own frame (wrap, backward steps): a seek must clear them */
  private synthetic = false;
  /** neurons whose entry was written since the last update (may repeat) */
  private applied = new Uint32Array(64);
  private nApplied = 0;
  private listed: Uint8Array;
  /** frames applied while their spikes were not in the browser (windowed data): stays 0, as
   * the playback only moves to frames whose spikes are there (tests check it) */
  missed = 0;

  constructor(public data: SceneData) {
    this.lastSpike = new Float32Array(data.meta.n_neurons).fill(NO_SPIKE);
    this.listed = new Uint8Array(data.meta.n_neurons);
  }

  private applyFrame(f: number, as: number = f): void {
    const spikePtr = this.data.spike_ptr;
    let spikeIdx = this.data.spike_idx;
    let base = 0;
    if (this.data.window) {
      const chunk = this.data.window.frameSpikes(f);
      if (chunk === null) {
        this.missed++;
        return;
      }
      spikeIdx = chunk.idx;
      base = chunk.base;
    }
    const last = this.lastSpike;
    const start = spikePtr[f] - base;
    const end = spikePtr[f + 1] - base;
    if (this.nApplied + end - start > this.applied.length) {
      const grown = new Uint32Array(Math.max(2 * this.applied.length, this.nApplied + end - start));
      grown.set(this.applied.subarray(0, this.nApplied));
      this.applied = grown;
    }
    const applied = this.applied;
    let k = this.nApplied;
    for (let s = start; s < end; s++) {
      const n = spikeIdx[s];
      last[n] = as;
      applied[k++] = n;
    }
    this.nApplied = k;
  }

  /** The active list at frame f after a step: the previous one and the neurons just applied,
   * without repeats, keeping those whose last spike is within `windowFrames` of the frame
   * (cost ∝ that list, not the network). */
  private updateActive(f: number, step: number, windowFrames: number): void {
    const last = this.lastSpike;
    const listed = this.listed;
    const need = this.nActive + this.nApplied;
    let out = this.active;
    if (need > out.length) out = new Uint32Array(Math.max(2 * out.length, need));
    let k = 0;
    const keep = (n: number) => {
      if (listed[n]) return;
      const age = f - last[n];
      if (age >= 0 && age - (step - 1) < windowFrames) {
        listed[n] = 1;
        out[k++] = n;
      }
    };
    for (let i = 0; i < this.nActive; i++) keep(this.active[i]);
    for (let i = 0; i < this.nApplied; i++) keep(this.applied[i]);
    for (let i = 0; i < k; i++) listed[out[i]] = 0;
    out.subarray(0, k).sort(); // index order, the order a full draw of the neurons has
    this.active = out;
    this.nActive = k;
    this.nApplied = 0;
  }

  private finish(f: number, step: number, windowFrames: number): void {
    this.current = f;
    this.step = step;
    this.updateActive(f, step, windowFrames);
    this.version++;
  }

  private clamp(f: number): number {
    return Math.min(Math.max(f, 0), this.data.meta.n_frames - 1);
  }

  /** Exactly the state continuous playback has at frame f: the decay window re-applied. */
  seek(f: number, windowFrames: number): void {
    if (this.data.meta.n_frames === 0) return;
    f = this.clamp(f);
    if (this.synthetic) this.invalidate(); // flashes placed by wrap/backward steps must go
    for (let k = Math.max(0, f - windowFrames); k <= f; k++) this.applyFrame(k);
    this.finish(f, 1, windowFrames);
  }

  /** Forward to f: every spike of the frames passed flashes (cost ∝ those spikes). */
  forward(f: number, windowFrames: number): void {
    f = this.clamp(f);
    if (this.current < 0 || f < this.current) return this.seek(f, windowFrames);
    for (let k = this.current + 1; k <= f; k++) this.applyFrame(k);
    this.finish(f, Math.max(f - this.current, 1), windowFrames);
  }

  /** Forward past the last frame to f after wrapping to the start (loop mode): the spikes of
   * the last frames count as just before frame 0, so they flash too. */
  wrapForward(f: number, windowFrames: number): void {
    const n = this.data.meta.n_frames;
    f = this.clamp(f);
    if (this.current < 0) return this.seek(f, windowFrames);
    for (let k = this.current + 1; k < n; k++) this.applyFrame(k, k - n);
    for (let k = 0; k <= f; k++) this.applyFrame(k);
    this.synthetic = true;
    this.finish(f, n - 1 - this.current + f + 1, windowFrames);
  }

  /** Backward to f (ping-pong): the frame's window, plus the skipped frames' spikes flashing now. */
  backward(f: number, windowFrames: number): void {
    f = this.clamp(f);
    const from = this.current;
    this.seek(f, windowFrames);
    for (let k = f + 1; k < from; k++) this.applyFrame(k, f);
    if (from > f + 1) this.synthetic = true;
    this.finish(f, 1, windowFrames);
  }

  /** Forget everything (e.g. the decay changed). */
  invalidate(): void {
    this.synthetic = false;
    this.lastSpike.fill(NO_SPIKE);
    this.nActive = 0;
    this.nApplied = 0;
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
  /** the spike state shows `frame` (false until a windowed recording's first spikes arrive) */
  ready = true;
  /** since when playback or a seek waits for spikes from the kernel (windowed data), or null */
  waitingSince: number | null = null;
  /** total ms spent waiting so far (for benchmarks) */
  waitedMs = 0;
  private pendingSeek: { frame: number; sync: boolean } | null = null;
  private unwatchWindow: (() => void) | null = null;
  private waitTimer: ReturnType<typeof setTimeout> | null = null;
  private direction = 1;
  private simT = 0; // ms, continuous position while playing
  private lastTs: number | null = null;
  private raf: number | null = null;
  private lastSync = 0;
  private syncTimer: ReturnType<typeof setTimeout> | null = null;
  private listeners = new Set<Listener>();
  private uiListeners = new Set<Listener>();
  private uiLast = 0;
  private uiShownPlaying = false;
  private uiTimer: ReturnType<typeof setTimeout> | null = null;
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
    this.watchWindow();
    this.ready = false;
    this.showSpikes(this.frame, false);
    this.simT = this.frameStart(this.frame);
    this.bind("change:frame", () => {
      const f = this.model.get("frame");
      if (f !== this.frame) this.seek(f, false);
    });
    this.bind("change:playing", () => {
      const p = this.model.get("playing");
      if (p === this.playing) return;
      if (p) this.play(false);
      else this.pauseAtModelFrame();
    });
    this.bind("change:speed", () => {
      this.speed = this.model.get("speed");
      this.emit();
    });
    this.bind("change:loop", () => {
      this.loop = this.model.get("loop");
      if (this.loop !== "pingpong") this.direction = 1; // only ping-pong plays backwards
      this.emit();
    });
    this.bind("change:decay", () => {
      this.decayMs = this.model.get("decay");
      this.spikes.invalidate();
      this.ready = false;
      this.showSpikes(this.frame, false);
      this.emit();
    });
    this.bind("change:_epoch", () => this.acknowledge());
    this.acknowledge();
    if (model.get("playing")) this.play(false);
  }

  /** Tell Python that the views have applied its latest seek or pause (`_epoch`): frames the
   * browser sends from now on know of it; Python ignores those sent before (see Player.set_state). */
  private acknowledge(): void {
    const epoch = this.model.get("_epoch") ?? 0;
    if (this.model.get("_ack") === epoch) return;
    this.model.set("_ack", epoch);
    this.model.save_changes();
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
    return this.nFrames ? this.data.frame_start_ms[f] : this.data.meta.t_end_ms;
  }

  private clampFrame(f: number): number {
    return Math.min(Math.max(Math.round(f) || 0, 0), Math.max(this.nFrames - 1, 0));
  }

  subscribe(fn: Listener): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** Like subscribe, for control bars: while playing, at most every UI_INTERVAL_MS (a readout
   * changing 60 times a second is unreadable, and DOM updates cost the 3D views frames), all
   * bars together; any other change (pause, seek, speed, loop) at once. */
  subscribeUi(fn: Listener): () => void {
    this.uiListeners.add(fn);
    return () => this.uiListeners.delete(fn);
  }

  private emit(): void {
    for (const fn of this.listeners) fn();
    const now = performance.now();
    if (!this.playing || !this.uiShownPlaying || now - this.uiLast >= UI_INTERVAL_MS) {
      if (this.uiTimer !== null) clearTimeout(this.uiTimer);
      this.uiTimer = null;
      this.emitUi();
    } else if (this.uiTimer === null) {
      this.uiTimer = setTimeout(() => {
        this.uiTimer = null;
        this.emitUi();
      }, UI_INTERVAL_MS - (now - this.uiLast));
    }
  }

  private emitUi(): void {
    this.uiLast = performance.now();
    this.uiShownPlaying = this.playing;
    for (const fn of this.uiListeners) fn();
  }

  /** Replace the data (new recording from Python); keeps the frame if it still exists. */
  setData(data: SceneData): void {
    this.data = data;
    this.spikes = new SpikeState(data);
    this.frame = this.clampFrame(this.frame);
    this.watchWindow();
    this.ready = false;
    this.pendingSeek = null;
    this.showSpikes(this.frame, false);
    this.simT = this.frameStart(this.frame);
    if (this.nFrames === 0 && this.playing) this.pause(true);
    if (this.playing) this.schedule();
    this.emit();
  }

  /** Frames were appended (live run): keep the spike state; follow the end if we were there. */
  appendData(data: SceneData): void {
    const wasAtEnd = this.nFrames === 0 || this.frame >= this.nFrames - 1;
    this.data = data;
    this.spikes.data = data;
    if (this.playing) this.schedule(); // a clock waiting for a second frame starts
    if (wasAtEnd && !this.playing && this.nFrames > 0) this.seek(this.nFrames - 1);
    else this.emit();
  }

  // --- user actions -------------------------------------------------------------------------
  seek(f: number, sync = true): void {
    f = this.clampFrame(f);
    if (!this.showSpikes(f, sync)) return; // shown once its spikes are in the browser
    this.frame = f;
    this.simT = this.frameStart(f);
    if (sync) this.syncFrame(true);
    this.emit();
  }

  // --- windowed data: spikes fetched from the kernel around the playhead ---------------------
  /** Put the spike state at frame f (its decay window re-applied) if the spikes it needs are in
   * the browser; otherwise ask for them, remember f, and return false (seek() finishes the
   * move when they arrive; meanwhile the frame shown stays what it was). */
  private showSpikes(f: number, sync: boolean): boolean {
    const w = this.windowFrames();
    const win = this.data.window;
    if (win && this.nFrames > 0 && !win.need(f - w, f)) {
      this.pendingSeek = { frame: f, sync };
      this.startWaiting();
      return false;
    }
    this.pendingSeek = null;
    this.stopWaiting();
    this.spikes.seek(f, w);
    this.ready = true;
    win?.focus(f - w, f, this.direction, this.loop === "loop");
    return true;
  }

  private watchWindow(): void {
    this.unwatchWindow?.();
    this.unwatchWindow = this.data.window?.subscribe(() => this.windowChanged()) ?? null;
  }

  /** Spikes arrived (or the kernel stopped answering): finish a waiting seek, keep fetching. */
  private windowChanged(): void {
    const pending = this.pendingSeek;
    if (pending !== null) {
      const wasReady = this.ready;
      this.seek(pending.frame, pending.sync);
      if (!wasReady && this.ready) this.emit();
    } else if (this.ready) {
      this.data.window?.focus(this.frame - this.windowFrames(), this.frame, this.direction, this.loop === "loop");
    }
    this.emit();
  }

  private startWaiting(): void {
    if (this.waitingSince !== null) return;
    this.waitingSince = performance.now();
    // say so if it takes a while (the view shows a message then)
    this.waitTimer = setTimeout(() => this.emit(), WAIT_MESSAGE_MS);
  }

  private stopWaiting(): void {
    if (this.waitingSince === null) return;
    this.waitedMs += performance.now() - this.waitingSince;
    this.waitingSince = null;
    if (this.waitTimer !== null) clearTimeout(this.waitTimer);
    this.waitTimer = null;
  }

  /** What to tell the user while spikes are on their way (empty: nothing to say). */
  waitMessage(): string {
    const win = this.data.window;
    if (win?.unanswered)
      return "This recording's spikes come from the Python kernel, which does not answer (busy, or not running).";
    if (this.waitingSince !== null && performance.now() - this.waitingSince >= WAIT_MESSAGE_MS)
      return "Loading spikes from the kernel…";
    return "";
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

  /** Pause; the picture becomes exactly what a seek to the frame shows, unless `keepFlashes`
   * (playback stopping at the end keeps the flashes of the frames it just skipped). */
  pause(sync = true, keepFlashes = false): void {
    this.playing = false;
    if (this.raf !== null) cancelAnimationFrame(this.raf);
    this.raf = null;
    if (sync) {
      this.model.set("playing", false);
      this.syncFrame(true);
    }
    if (!keepFlashes && this.ready) this.showSpikes(this.frame, false); // exactly what a seek shows
    this.emit();
  }

  /** Paused from outside (Python's `pause()`, another client): stop at the frame the model
   * holds. While playing, the kernel hears of the frame at most every SYNC_INTERVAL_MS, so
   * the view ran a few frames ahead of it; going back to the model's frame makes the screen
   * and Python's `frame` agree, so that `frame = k` right after shows k even when k is that
   * value (the same value is no change, and nothing would be sent). */
  private pauseAtModelFrame(): void {
    if (this.syncTimer !== null) clearTimeout(this.syncTimer);
    this.syncTimer = null;
    this.frame = this.clampFrame(this.model.get("frame"));
    this.simT = this.frameStart(this.frame);
    this.pause(false);
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
    if (loop !== "pingpong") this.direction = 1;
    this.model.set("loop", loop);
    this.model.save_changes();
    this.emit();
  }

  // --- clock --------------------------------------------------------------------------------
  /** Ask for the next clock tick; none while there is nothing to advance (fewer than two
   * frames: playing would redraw one picture 60 times a second). New frames restart it. */
  private schedule(): void {
    if (this.raf === null && this.nFrames > 1) this.raf = requestAnimationFrame((ts) => this.tick(ts));
  }

  private tick(ts: number): void {
    this.raf = null;
    if (!this.playing) return;
    const n = this.nFrames;
    if (this.lastTs !== null) {
      const dtReal = Math.min(ts - this.lastTs, 250); // a hidden tab must not jump far
      const simBefore = this.simT;
      this.simT += dtReal * this.speed * this.direction;
      const t0 = this.frameStart(0);
      const tEnd = this.data.meta.t_end_ms;
      const w = this.windowFrames();
      const from = this.frame;
      let moved = true;
      if (this.direction > 0 && this.simT >= tEnd) {
        if (this.loop === "loop") {
          this.simT = t0 + ((this.simT - t0) % Math.max(tEnd - t0, 1e-9));
          const f = frameAt(this.data, this.simT);
          moved = this.moveTo(f, [[from + 1, n - 1], [0, f]], () => this.spikes.wrapForward(f, w));
        } else {
          moved = this.moveTo(n - 1, [[from + 1, n - 1]], () => this.spikes.forward(n - 1, w));
          if (moved && this.loop === "pingpong") {
            this.direction = -1;
            this.simT = this.frameStart(n - 1);
          } else if (moved) {
            this.pause(true, true);
            return;
          }
        }
      } else if (this.direction < 0 && this.simT < t0) {
        moved = this.moveTo(0, [[0, from]], () => this.spikes.backward(0, w));
        if (moved) {
          this.direction = 1;
          this.simT = t0;
        }
      } else {
        const next = frameAt(this.data, this.simT);
        if (next !== this.frame) {
          moved =
            this.direction > 0
              ? this.moveTo(next, [[from + 1, next]], () => this.spikes.forward(next, w))
              : this.moveTo(next, [[next - w, from]], () => this.spikes.backward(next, w));
        }
      }
      if (!moved) this.simT = simBefore; // the clock waits for the spikes of the frames ahead
    }
    this.lastTs = ts;
    this.schedule();
  }

  /** Move to frame f (the spike state updated by `update`) if the frames of `ranges` (inclusive
   * lo..hi pairs), which that applies, are in the browser; otherwise ask for them and stay. */
  private moveTo(f: number, ranges: Array<[number, number]>, update: () => void): boolean {
    if (this.data.window) {
      // every range asked for at once (no short-circuit), so all missing chunks travel together
      const missing = ranges.filter(([lo, hi]) => lo <= hi && !this.data.window?.need(Math.max(lo, 0), hi));
      if (!this.ready || missing.length) {
        this.startWaiting();
        return false;
      }
    }
    this.stopWaiting();
    this.frame = f;
    update();
    this.data.window?.focus(f - this.windowFrames(), f, this.direction, this.loop === "loop");
    this.syncFrame(false);
    this.emit();
    return true;
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
    this.unwatchWindow?.();
    this.stopWaiting();
    if (this.raf !== null) cancelAnimationFrame(this.raf);
    if (this.syncTimer !== null) clearTimeout(this.syncTimer);
    if (this.uiTimer !== null) clearTimeout(this.uiTimer);
    for (const [evt, fn] of this.modelHandlers) this.model.off(evt as "change:frame", fn);
    this.listeners.clear();
    this.uiListeners.clear();
  }
}
