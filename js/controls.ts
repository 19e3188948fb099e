/* The control bar: play/pause, step, first/last, scrubber, time readout, speed, loop,
 * reset camera, fullscreen. Bound to a Playback, so every view of a player stays in sync. */
import type { Playback } from "./playback";
import type { LoopMode } from "./types";

export const SPEED_PRESETS: Array<[number, string]> = [
  [1, "1×"],
  [0.1, "1/10×"],
  [0.01, "1/100×"],
  [0.001, "1/1000×"],
];
const LOOP_LABELS: Array<[LoopMode, string]> = [
  ["loop", "loop"],
  ["once", "once"],
  ["pingpong", "ping-pong"],
];

function decimals(dtMs: number): number {
  if (!(dtMs > 0)) return 1;
  return Math.min(4, Math.max(1, Math.ceil(-Math.log10(dtMs) - 1e-9)));
}

export function timeReadout(pb: Playback): string {
  const meta = pb.data.meta;
  const d = decimals(meta.dt_ms);
  if (meta.n_frames === 0) return "t = – / – ms";
  return `t = ${pb.frameStart(pb.frame).toFixed(d)} / ${meta.t_end_ms.toFixed(d)} ms`;
}

/* Inline SVG icons (no icon font: headless and offline pages may lack the glyphs). */
const ICONS: Record<string, string> = {
  first: "M5 4h2v16H5zM19 4v16L8 12z",
  prev: "M6 4h2v16H6zM18 4v16L9 12z",
  play: "M7 4v16l13-8z",
  pause: "M6 4h4v16H6zM14 4h4v16h-4z",
  next: "M16 4h2v16h-2zM6 4v16l9-8z",
  last: "M17 4h2v16h-2zM5 4v16l11-8z",
  reset: "M12 5a7 7 0 1 1-6.3 4H3l3.5-4L10 9H7.9A5 5 0 1 0 12 7z",
  fullscreen: "M4 4h6v2H6v4H4zM14 4h6v6h-2V6h-4zM4 14h2v4h4v2H4zM18 14h2v6h-6v-2h4z",
};

function icon(name: string): SVGSVGElement {
  const ns = "http://www.w3.org/2000/svg";
  const svg = document.createElementNS(ns, "svg");
  svg.setAttribute("viewBox", "0 0 24 24");
  svg.setAttribute("width", "14");
  svg.setAttribute("height", "14");
  svg.setAttribute("aria-hidden", "true");
  const path = document.createElementNS(ns, "path");
  path.setAttribute("d", ICONS[name]);
  path.setAttribute("fill", "currentColor");
  svg.append(path);
  return svg;
}

function button(iconName: string, title: string, cls: string): HTMLButtonElement {
  const b = document.createElement("button");
  b.type = "button";
  b.append(icon(iconName));
  b.title = title;
  b.setAttribute("aria-label", title);
  b.className = `cleo-btn ${cls}`;
  return b;
}

export interface ControlActions {
  resetCamera?: () => void;
  fullscreen?: () => void;
}

export class ControlBar {
  readonly el = document.createElement("div");
  private playBtn: HTMLButtonElement;
  private scrub: HTMLInputElement;
  private readout: HTMLSpanElement;
  private speedSel: HTMLSelectElement;
  private loopSel: HTMLSelectElement;
  private unsubscribe: () => void;

  constructor(
    private pb: Playback,
    actions: ControlActions,
  ) {
    this.el.className = "cleo-controls";
    const first = button("first", "first frame (Home)", "cleo-first");
    const prev = button("prev", "previous frame (←)", "cleo-prev");
    this.playBtn = button("play", "play (space)", "cleo-play");
    const next = button("next", "next frame (→)", "cleo-next");
    const last = button("last", "last frame (End)", "cleo-last");
    first.onclick = () => this.pb.stepBy(-this.pb.frame);
    prev.onclick = () => this.pb.stepBy(-1);
    this.playBtn.onclick = () => this.pb.toggle();
    next.onclick = () => this.pb.stepBy(1);
    last.onclick = () => this.pb.stepBy(this.pb.nFrames - 1 - this.pb.frame);

    this.scrub = document.createElement("input");
    this.scrub.type = "range";
    this.scrub.className = "cleo-scrub";
    this.scrub.min = "0";
    this.scrub.step = "1";
    this.scrub.setAttribute("aria-label", "frame");
    this.scrub.oninput = () => {
      if (this.pb.playing) this.pb.pause();
      this.pb.seek(Number(this.scrub.value));
    };

    this.readout = document.createElement("span");
    this.readout.className = "cleo-time";

    this.speedSel = document.createElement("select");
    this.speedSel.className = "cleo-speed";
    this.speedSel.title = "playback speed relative to real time";
    this.speedSel.onchange = () => this.pb.setSpeed(Number(this.speedSel.value));

    this.loopSel = document.createElement("select");
    this.loopSel.className = "cleo-loop";
    this.loopSel.title = "at the end";
    for (const [v, l] of LOOP_LABELS) this.loopSel.add(new Option(l, v));
    this.loopSel.onchange = () => this.pb.setLoop(this.loopSel.value as LoopMode);

    const parts: HTMLElement[] = [first, prev, this.playBtn, next, last, this.scrub, this.readout, this.speedSel, this.loopSel];
    if (actions.resetCamera) {
      const b = button("reset", "reset camera", "cleo-reset-camera");
      b.onclick = actions.resetCamera;
      parts.push(b);
    }
    if (actions.fullscreen) {
      const b = button("fullscreen", "fullscreen", "cleo-fullscreen");
      b.onclick = actions.fullscreen;
      parts.push(b);
    }
    this.el.append(...parts);
    this.unsubscribe = this.pb.subscribeUi(() => this.sync());
    this.sync();
  }

  /** Reflect the playback state in the widgets. */
  sync(): void {
    const pb = this.pb;
    const n = pb.nFrames;
    const state = pb.playing ? "pause" : "play";
    if (this.playBtn.dataset.icon !== state) {
      this.playBtn.replaceChildren(icon(state));
      this.playBtn.dataset.icon = state;
      this.playBtn.title = `${state} (space)`;
      this.playBtn.setAttribute("aria-label", state);
    }
    const max = String(Math.max(n - 1, 0));
    if (this.scrub.max !== max) this.scrub.max = max;
    if (Number(this.scrub.value) !== pb.frame) this.scrub.value = String(pb.frame);
    if (this.scrub.disabled !== (n === 0)) this.scrub.disabled = n === 0;
    if (this.playBtn.disabled !== (n === 0)) this.playBtn.disabled = n === 0;
    const text = timeReadout(pb);
    if (this.readout.textContent !== text) this.readout.textContent = text;
    this.el.dataset.frame = String(pb.frame);
    this.el.dataset.playing = String(pb.playing);
    this.syncSpeed();
    if (this.loopSel.value !== pb.loop) this.loopSel.value = pb.loop;
  }

  private syncSpeed(): void {
    const s = this.pb.speed;
    const options = [...SPEED_PRESETS];
    if (!options.some(([v]) => Math.abs(v - s) < 1e-12)) options.push([s, `${+s.toPrecision(3)}×`]);
    const key = options.map(([v]) => v).join(",");
    if (this.speedSel.dataset.key !== key) {
      this.speedSel.replaceChildren(...options.map(([v, l]) => new Option(l, String(v))));
      this.speedSel.dataset.key = key;
    }
    const match = options.find(([v]) => Math.abs(v - s) < 1e-12);
    if (match) this.speedSel.value = String(match[0]);
  }

  /** Keyboard shortcuts, for the element that has focus. */
  handleKey(e: KeyboardEvent): boolean {
    const pb = this.pb;
    switch (e.key) {
      case " ":
        pb.toggle();
        return true;
      case "ArrowLeft":
        pb.stepBy(-1);
        return true;
      case "ArrowRight":
        pb.stepBy(1);
        return true;
      case "Home":
        pb.stepBy(-pb.frame);
        return true;
      case "End":
        pb.stepBy(pb.nFrames - 1 - pb.frame);
        return true;
      default:
        return false;
    }
  }

  dispose(): void {
    this.unsubscribe();
    this.el.remove();
  }
}
