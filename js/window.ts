/* A big recording's spikes in the browser: chunks of frames fetched from the kernel around the
 * playhead, at most `budget_bytes` of them held (see "Big recordings" in
 * ../src/cleo_player/payload.py). The playback asks `need(lo, hi)` before it shows frames, says
 * where it is with `focus(...)`, and hears about arrivals through `subscribe`. */
import type { SceneData } from "./data";
import type { SpikeChunkMessage, SpikeChunksRequest, WindowMeta } from "./types";

type Index = Uint16Array | Uint32Array;

interface Chunk {
  idx: Index;
  base: number; // global index of the chunk's first spike
  bytes: number;
}

/** A frame's spikes: `idx[spike_ptr[f] - base .. spike_ptr[f + 1] - base]`. */
export interface FrameSpikes {
  idx: Index;
  base: number;
}

const MAX_PREFETCH_IN_FLIGHT = 2; // chunks asked for ahead of need at a time
const NO_ANSWER_MS = 10_000; // a request unanswered this long: say the kernel does not answer

export class SpikeWindow {
  /** most bytes of spikes held at once, chunks asked for and received (tests, benchmarks) */
  maxBytes = 0;
  requested = 0;
  received = 0;
  /** a request went unanswered for NO_ANSWER_MS (no kernel behind the page, or a busy one) */
  unanswered = false;
  /** ms from request to arrival of the latest chunks (at most 100; for benchmarks) */
  readonly roundTrips: number[] = [];
  private askedAt = new Map<number, number>();
  private resident = new Map<number, Chunk>();
  private inFlight = new Map<number, ReturnType<typeof setTimeout>>();
  private bytes = 0;
  private kept = new Set<number>(); // chunks that must stay: the frames shown and those needed next
  private ahead: number[] = []; // chunks to hold next, nearest first
  private listeners = new Set<() => void>();

  constructor(
    readonly meta: WindowMeta,
    private ptr: Uint32Array,
    private indexBytes: 2 | 4,
    private send: (msg: SpikeChunksRequest) => void,
  ) {}

  get nChunks(): number {
    return this.meta.chunk_frames.length - 1;
  }

  /** bytes of spikes held now */
  get heldBytes(): number {
    return this.bytes;
  }

  subscribe(fn: () => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** The chunk holding frame f. */
  chunkOf(f: number): number {
    const starts = this.meta.chunk_frames;
    let lo = 0;
    let hi = this.nChunks - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid] <= f) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  private chunkBytes(c: number): number {
    const starts = this.meta.chunk_frames;
    return (this.ptr[starts[c + 1]] - this.ptr[starts[c]]) * this.indexBytes;
  }

  /** Frame f's spikes, or null when its chunk is not in the browser. */
  frameSpikes(f: number): FrameSpikes | null {
    return this.resident.get(this.chunkOf(f)) ?? null;
  }

  /** Whether frames lo..hi are all in the browser; asks at once for the chunks missing. */
  need(lo: number, hi: number): boolean {
    const a = this.chunkOf(Math.max(lo, 0));
    const b = this.chunkOf(Math.max(hi, lo, 0));
    const missing: number[] = [];
    for (let c = a; c <= b; c++) {
      this.kept.add(c);
      if (!this.resident.has(c) && !this.inFlight.has(c)) missing.push(c);
    }
    this.request(missing);
    for (let c = a; c <= b; c++) if (!this.resident.has(c)) return false;
    return true;
  }

  /** The playhead is at frame f (showing frames lo..f), moving in `direction`: keep those
   * chunks, and ask ahead for the next ones while they fit in the budget. */
  focus(lo: number, f: number, direction: number, loop: boolean): void {
    const first = this.chunkOf(Math.max(lo, 0));
    const last = this.chunkOf(Math.max(f, 0));
    this.kept.clear();
    let room = this.meta.budget_bytes;
    for (let c = first; c <= last; c++) {
      this.kept.add(c);
      room -= this.chunkBytes(c);
    }
    const ahead: number[] = [];
    let c = direction >= 0 ? last : first;
    for (let k = 0; k < this.nChunks; k++) {
      c += direction >= 0 ? 1 : -1;
      if (c >= this.nChunks || c < 0) {
        if (!loop) break;
        c = (c + this.nChunks) % this.nChunks;
      }
      if (this.kept.has(c)) break;
      room -= this.chunkBytes(c);
      if (room < 0) break;
      ahead.push(c);
    }
    this.ahead = ahead;
    const slots = MAX_PREFETCH_IN_FLIGHT - this.inFlight.size;
    this.request(ahead.filter((x) => !this.resident.has(x) && !this.inFlight.has(x)).slice(0, Math.max(slots, 0)));
  }

  private request(chunks: number[]): void {
    if (!chunks.length) return;
    for (const c of chunks) {
      this.askedAt.set(c, performance.now());
      this.inFlight.set(
        c,
        setTimeout(() => {
          this.unanswered = true;
          this.notify();
        }, NO_ANSWER_MS),
      );
    }
    this.requested += chunks.length;
    this.send({ type: "spike_chunks", key: this.meta.key, chunks });
  }

  /** A chunk arrived from the kernel (messages of another payload are ignored). */
  receive(msg: SpikeChunkMessage, buffers: DataView[]): void {
    if (msg.key !== this.meta.key) return;
    const c = msg.chunk;
    const timer = this.inFlight.get(c);
    if (timer !== undefined) clearTimeout(timer);
    this.inFlight.delete(c);
    this.unanswered = false;
    const asked = this.askedAt.get(c);
    if (asked !== undefined) {
      this.askedAt.delete(c);
      if (this.roundTrips.push(performance.now() - asked) > 100) this.roundTrips.shift();
    }
    const dv = buffers[msg.buffers.indexOf("spike_idx")];
    if (this.resident.has(c) || !dv || c < 0 || c >= this.nChunks) return;
    // a copy of its own: aligned for the index type, and freed when the chunk is dropped
    const idx = this.indexBytes === 2 ? new Uint16Array(dv.byteLength / 2) : new Uint32Array(dv.byteLength / 4);
    new Uint8Array(idx.buffer).set(new Uint8Array(dv.buffer, dv.byteOffset, dv.byteLength));
    this.resident.set(c, { idx, base: this.ptr[this.meta.chunk_frames[c]], bytes: idx.byteLength });
    this.bytes += idx.byteLength;
    this.received++;
    this.evict();
    this.maxBytes = Math.max(this.maxBytes, this.bytes);
    this.notify();
  }

  /** Drop chunks until the budget holds: those neither kept nor ahead first, the farthest
   * first; never the kept ones. */
  private evict(): void {
    if (this.bytes <= this.meta.budget_bytes) return;
    const aheadRank = new Map(this.ahead.map((c, i) => [c, i]));
    const victims = [...this.resident.keys()]
      .filter((c) => !this.kept.has(c))
      .sort((x, y) => this.rank(y, aheadRank) - this.rank(x, aheadRank));
    for (const c of victims) {
      if (this.bytes <= this.meta.budget_bytes) break;
      const chunk = this.resident.get(c);
      if (!chunk) continue;
      this.resident.delete(c);
      this.bytes -= chunk.bytes;
    }
  }

  /** How soon a chunk may go: higher goes first (not ahead before ahead, far before near). */
  private rank(c: number, aheadRank: Map<number, number>): number {
    const k = aheadRank.get(c);
    if (k !== undefined) return -k;
    let near = this.nChunks;
    for (const k of this.kept) near = Math.min(near, Math.abs(c - k));
    return this.nChunks + near;
  }

  private notify(): void {
    for (const fn of [...this.listeners]) fn();
  }

  dispose(): void {
    for (const timer of this.inFlight.values()) clearTimeout(timer);
    this.inFlight.clear();
    this.listeners.clear();
    this.resident.clear();
    this.bytes = 0;
  }
}

/** The data with its spike window when the payload is windowed (`send` asks the kernel). */
export function withWindow(data: SceneData, send: (msg: SpikeChunksRequest) => void): SceneData {
  const meta = data.meta.window;
  if (!meta) return data;
  return { ...data, window: new SpikeWindow(meta, data.spike_ptr, data.meta.index_bytes, send) };
}
