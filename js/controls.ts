/* The control bar: play/pause, step, first/last, scrubber, time readout, speed, loop,
 * reset camera, screenshot, fullscreen. Bound to a Playback, so every view of a player stays in
 * sync. The scrubber gets room first: when the bar is narrow, speed, loop and the view's
 * actions fold into a menu, and below that the readout leaves out the run's end, so the bar
 * stays one row down to about 420 px. (It may wrap below that: a bar that cannot wrap would
 * keep its player from shrinking into a narrow box.) */
import { type IconName, icon } from "./icons";
import type { Playback } from "./playback";
import type { LoopMode } from "./types";

export const SPEED_PRESETS = [1, 0.1, 0.01, 0.001];
const LOOP_LABELS: Array<[LoopMode, string]> = [
  ["loop", "loop"],
  ["once", "once"],
  ["pingpong", "ping-pong"],
];
/* the scrubber gets at least this much of the bar, else less-used controls fold into a menu */
const MIN_SCRUB_PX = 140;
const MIN_SCRUB_SHARE = 0.2;
const GAP_PX = 4; // .cleo-controls gap

function decimals(dtMs: number): number {
  if (!(dtMs > 0)) return 1;
  return Math.min(4, Math.max(1, Math.ceil(-Math.log10(dtMs) - 1e-9)));
}

/** A speed as the presets print it: "2×", "1×", "1/4×", "1/10×", or "0.3×" when 1/speed is
 * not a whole number. */
export function speedLabel(s: number): string {
  if (s < 1) {
    const inv = 1 / s;
    const whole = Math.round(inv);
    if (Math.abs(inv - whole) < 1e-6 * inv) return `1/${whole}×`;
  }
  return `${+s.toPrecision(3)}×`;
}

/** The time readout's two parts: the frame's window ("99.0–100.0", so the last frame of a
 * 100 ms run reads as ending at 100 ms; its start is Python's `player.time`) and the run's end
 * (" / 100.0"). Written together: "t = 99.0–100.0 / 100.0 ms". */
export function timeReadout(pb: Playback): [string, string] {
  const meta = pb.data.meta;
  const d = decimals(meta.dt_ms);
  const n = pb.nFrames;
  if (meta.n_frames === 0 || n === 0) return ["–", " / –"];
  const f = Math.min(Math.max(pb.frame, 0), n - 1);
  const end = f + 1 < n ? pb.frameStart(f + 1) : meta.t_end_ms;
  return [`${pb.frameStart(f).toFixed(d)}–${end.toFixed(d)}`, ` / ${meta.t_end_ms.toFixed(d)}`];
}

function button(iconName: IconName, title: string, cls: string, text = ""): HTMLButtonElement {
  const b = document.createElement("button");
  b.type = "button";
  b.append(icon(iconName));
  if (text) {
    const t = document.createElement("span");
    t.className = "cleo-btn-text";
    t.textContent = text;
    b.append(t);
  }
  b.title = title;
  b.setAttribute("aria-label", title);
  b.className = `cleo-btn ${cls}`;
  return b;
}

/** A select with a caption shown when it sits in the menu. */
function captioned(caption: string, control: HTMLElement): HTMLLabelElement {
  const label = document.createElement("label");
  label.className = "cleo-item";
  const c = document.createElement("span");
  c.className = "cleo-caption";
  c.textContent = caption;
  label.append(c, control);
  return label;
}

export interface ControlActions {
  resetCamera?: () => void;
  fullscreen?: () => void;
  screenshot?: () => void;
}

/** How much room the bar has: everything inline, less-used controls in a menu, or also the
 * run's end time left out of the readout. */
export type BarLayout = "wide" | "menu" | "narrow";

export class ControlBar {
  readonly el = document.createElement("div");
  private playBtn: HTMLButtonElement;
  private scrub: HTMLInputElement;
  private readout: HTMLSpanElement;
  private readPrefix = document.createElement("span");
  private readNow = document.createElement("span");
  private readTotal = document.createElement("span");
  private speedSel: HTMLSelectElement;
  private loopSel: HTMLSelectElement;
  private steps: HTMLButtonElement[];
  private extras: HTMLElement[] = []; // folded into the menu when the bar is narrow
  private menuBtn: HTMLButtonElement;
  private menu = document.createElement("div");
  private unsubscribe: () => void;
  private resizeObserver: ResizeObserver;
  private extrasWidth = 0;
  private totalWidth = 0;
  layout: BarLayout = "wide";

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
    this.steps = [first, prev, this.playBtn, next, last];
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
    this.readPrefix.className = "cleo-time-prefix";
    this.readPrefix.textContent = "t = ";
    this.readNow.className = "cleo-time-now";
    this.readTotal.className = "cleo-time-total";
    this.readout.append(this.readPrefix, this.readNow, this.readTotal, " ms");
    this.readout.title = "the frame's time window / the run's end";

    this.speedSel = document.createElement("select");
    this.speedSel.className = "cleo-speed";
    this.speedSel.title = "playback speed relative to real time";
    this.speedSel.onchange = () => this.pb.setSpeed(Number(this.speedSel.value));

    this.loopSel = document.createElement("select");
    this.loopSel.className = "cleo-loop";
    this.loopSel.title = "at the end";
    for (const [v, l] of LOOP_LABELS) this.loopSel.add(new Option(l, v));
    this.loopSel.onchange = () => this.pb.setLoop(this.loopSel.value as LoopMode);

    this.extras.push(captioned("speed", this.speedSel), captioned("at the end", this.loopSel));
    const action = (name: IconName, title: string, cls: string, text: string, run?: () => void) => {
      if (!run) return;
      const b = button(name, title, cls, text);
      b.onclick = () => {
        this.closeMenu();
        run();
      };
      this.extras.push(b);
    };
    action("reset", "reset camera: frame the whole box", "cleo-reset-camera", "reset camera", actions.resetCamera);
    action("screenshot", "save the 3D view as a PNG", "cleo-screenshot", "save PNG", actions.screenshot);
    action("fullscreen", "fullscreen", "cleo-fullscreen", "fullscreen", actions.fullscreen);

    this.menuBtn = button("menu", "more: speed, loop, camera, PNG, fullscreen", "cleo-menu-btn");
    this.menuBtn.setAttribute("aria-haspopup", "true");
    this.menuBtn.setAttribute("aria-expanded", "false");
    this.menuBtn.onclick = () => (this.menu.hidden ? this.openMenu() : this.closeMenu());
    this.menu.className = "cleo-menu";
    this.menu.hidden = true;
    this.el.dataset.layout = this.layout;

    this.el.append(...this.steps, this.scrub, this.readout, ...this.extras, this.menuBtn, this.menu);
    this.unsubscribe = this.pb.subscribeUi(() => this.sync());
    this.sync();
    this.resizeObserver = new ResizeObserver(() => this.fit());
    this.resizeObserver.observe(this.el);
  }

  /** Fold the less-used controls into the menu when the scrubber would get too little room. */
  fit(): void {
    const w = this.el.clientWidth;
    if (w <= 0) return;
    // widths are measured while shown: the extras inline, the run's end in the readout
    if (this.layout === "wide") this.extrasWidth = this.extras.reduce((s, e) => s + e.offsetWidth + GAP_PX, 0);
    if (this.layout !== "narrow") this.totalWidth = this.readTotal.offsetWidth + this.readPrefix.offsetWidth;
    const style = getComputedStyle(this.el);
    const padding = parseFloat(style.paddingLeft) + parseFloat(style.paddingRight);
    const steps = this.steps.reduce((s, b) => s + b.offsetWidth + GAP_PX, 0);
    const readout = this.readout.offsetWidth - (this.layout === "narrow" ? 0 : this.totalWidth) + GAP_PX;
    const room = w - padding - steps - readout; // for the scrubber and what else is inline
    const need = Math.max(MIN_SCRUB_PX, MIN_SCRUB_SHARE * w);
    const menu = this.menuBtn.offsetWidth || 28;
    let layout: BarLayout = "narrow";
    if (room - this.totalWidth - this.extrasWidth >= need) layout = "wide";
    else if (room - this.totalWidth - menu - GAP_PX >= need) layout = "menu";
    this.setLayout(layout);
  }

  private setLayout(layout: BarLayout): void {
    if (layout === this.layout) return;
    this.layout = layout;
    this.el.dataset.layout = layout;
    if (layout === "wide") {
      this.closeMenu();
      this.menuBtn.before(...this.extras);
    } else {
      this.menu.append(...this.extras);
    }
  }

  private openMenu(): void {
    this.menu.hidden = false;
    this.menuBtn.setAttribute("aria-expanded", "true");
    document.addEventListener("pointerdown", this.outside, true);
    document.addEventListener("keydown", this.escape, true);
  }

  private closeMenu(): void {
    if (this.menu.hidden) return;
    this.menu.hidden = true;
    this.menuBtn.setAttribute("aria-expanded", "false");
    document.removeEventListener("pointerdown", this.outside, true);
    document.removeEventListener("keydown", this.escape, true);
  }

  private escape = (e: KeyboardEvent): void => {
    if (e.key !== "Escape") return;
    const inside = this.el.contains(document.activeElement);
    this.closeMenu();
    if (inside) this.menuBtn.focus();
    e.stopPropagation(); // Escape closes the menu only (not, e.g., the notebook's edit mode)
  };

  private outside = (e: Event): void => {
    // the event's path, not its target: in a shadow root (marimo) a document listener sees the
    // shadow host as the target, and would close the menu under a click on its own items
    const path = e.composedPath();
    if (!path.includes(this.menu) && !path.includes(this.menuBtn)) this.closeMenu();
  };

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
    const [now, total] = timeReadout(pb);
    const widest = `${n}|${pb.data.meta.t_end_ms}`; // the readout's width follows the longest text
    if (this.readNow.dataset.widest !== widest) {
      this.readNow.dataset.widest = widest;
      const end = pb.data.meta.t_end_ms.toFixed(decimals(pb.data.meta.dt_ms));
      const longest = Math.max(now.length, 1 + 2 * end.length); // start "–" end
      this.readNow.style.minWidth = `${longest}ch`;
    }
    if (this.readNow.textContent !== now) this.readNow.textContent = now;
    if (this.readTotal.textContent !== total) this.readTotal.textContent = total;
    this.el.dataset.frame = String(pb.frame);
    this.el.dataset.playing = String(pb.playing);
    this.syncSpeed();
    if (this.loopSel.value !== pb.loop) this.loopSel.value = pb.loop;
  }

  private syncSpeed(): void {
    const s = this.pb.speed;
    const speeds = [...SPEED_PRESETS];
    if (!speeds.some((v) => Math.abs(v - s) < 1e-12)) speeds.push(s);
    speeds.sort((a, b) => b - a); // fastest first, as the presets
    const key = speeds.join(",");
    if (this.speedSel.dataset.key !== key) {
      this.speedSel.replaceChildren(...speeds.map((v) => new Option(speedLabel(v), String(v))));
      this.speedSel.dataset.key = key;
    }
    const match = speeds.find((v) => Math.abs(v - s) < 1e-12);
    if (match !== undefined) this.speedSel.value = String(match);
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
    this.resizeObserver.disconnect();
    this.closeMenu();
    this.el.remove();
  }
}
