/* The legend over the 3D view: one row per neuron group and device, in cleo's order. A neuron
 * group's row is a button that hides or shows the group (keyboard: Tab to it, Enter). */
import { ROI_DARKEN, lighten } from "./colors";
import type { SceneMeta } from "./types";

export type SwatchKind = "dot" | "patch" | "cross" | "triangle";

export interface LegendItem {
  name: string;
  color: number[];
  kind: SwatchKind;
}

export function cssColor(c: number[]): string {
  return `rgb(${c.map((v) => Math.round(v * 255)).join(",")})`;
}

/** Groups, then lights, probes and scopes (with their ROIs), as cleo's legend lists them. */
export function legendItems(meta: SceneMeta): LegendItem[] {
  return [
    ...meta.groups.map((g): LegendItem => ({ name: g.name, color: g.color, kind: "dot" })),
    ...meta.lights.map((l): LegendItem => ({ name: l.name, color: l.color, kind: "patch" })),
    ...meta.probes.map((p): LegendItem => ({ name: p.name, color: lighten(p.color), kind: "cross" })),
    ...meta.scopes.flatMap((s): LegendItem[] => [
      { name: s.name, color: s.color, kind: "patch" },
      ...(s.rois.length ? [{ name: `${s.sensor || s.name} ROIs`, color: s.color.map((c) => c * ROI_DARKEN), kind: "triangle" as const }] : []),
    ]),
  ];
}

export class Legend {
  readonly el = document.createElement("div");
  /** a neuron group's entry was clicked (or pressed with Enter): show or hide that group */
  onToggle: ((name: string) => void) | null = null;
  private hidden: ReadonlySet<string> = new Set();

  constructor() {
    this.el.className = "cleo-legend";
  }

  /** Mark the entries of hidden groups (dimmed, aria-pressed="false"). */
  setHidden(hidden: ReadonlySet<string>): void {
    this.hidden = hidden;
    for (const row of this.el.querySelectorAll<HTMLButtonElement>("button.cleo-legend-group")) {
      const shown = !hidden.has(row.dataset.group ?? "");
      row.setAttribute("aria-pressed", String(shown));
      row.classList.toggle("cleo-legend-hidden", !shown);
      row.title = `${shown ? "Hide" : "Show"} ${row.dataset.group ?? ""}`;
    }
  }

  /** Paint the legend as shown onto a picture of `stage` drawn `k` times its CSS size (for
   * screenshots: the HTML legend is not in the WebGL canvas). */
  drawOn(ctx: CanvasRenderingContext2D, stage: HTMLElement, k: number): void {
    if (!this.el.offsetWidth || !this.el.isConnected) return;
    const origin = stage.getBoundingClientRect();
    const rect = (e: Element) => {
      const r = e.getBoundingClientRect();
      return { x: (r.left - origin.left) * k, y: (r.top - origin.top) * k, w: r.width * k, h: r.height * k };
    };
    const box = rect(this.el);
    const style = getComputedStyle(this.el);
    ctx.save();
    ctx.fillStyle = style.backgroundColor;
    ctx.beginPath();
    ctx.roundRect(box.x, box.y, box.w, box.h, 4 * k);
    ctx.fill();
    ctx.textBaseline = "middle";
    for (const row of this.el.children) {
      const [sw, label] = row.children as unknown as [HTMLElement, HTMLElement];
      ctx.globalAlpha = parseFloat(getComputedStyle(row).opacity) || 1; // hidden groups dimmed
      const s = rect(sw);
      const kind = sw.dataset.kind as SwatchKind;
      ctx.fillStyle = sw.style.color;
      if (kind === "cross") {
        ctx.font = `bold ${parseFloat(getComputedStyle(sw).fontSize) * k}px ${style.fontFamily}`;
        ctx.fillText("×", s.x, s.y + s.h / 2);
      } else {
        ctx.beginPath();
        if (kind === "dot") ctx.arc(s.x + s.w / 2, s.y + s.h / 2, s.w / 2, 0, 2 * Math.PI);
        else if (kind === "triangle") {
          ctx.moveTo(s.x + s.w / 2, s.y);
          ctx.lineTo(s.x + s.w, s.y + s.h);
          ctx.lineTo(s.x, s.y + s.h);
        } else ctx.rect(s.x, s.y, s.w, s.h);
        ctx.fill();
      }
      const l = rect(label);
      const ls = getComputedStyle(label);
      ctx.fillStyle = ls.color;
      ctx.font = `${parseFloat(ls.fontSize) * k}px ${ls.fontFamily}`;
      ctx.fillText(label.textContent ?? "", l.x, l.y + l.h / 2);
    }
    ctx.restore();
  }

  /** One row per item; a neuron group's row is a toggle button (shown: aria-pressed="true"). */
  show(meta: SceneMeta): void {
    const groups = meta.groups.length;
    this.el.replaceChildren(
      ...legendItems(meta).map(({ name, color, kind }, i) => {
        const row = document.createElement(i < groups ? "button" : "div");
        if (row instanceof HTMLButtonElement) {
          row.type = "button";
          row.className = "cleo-legend-group";
          row.dataset.group = name;
          row.addEventListener("click", () => this.onToggle?.(name));
        }
        const sw = document.createElement("span");
        sw.className = `cleo-swatch cleo-swatch-${kind}`;
        sw.dataset.kind = kind;
        sw.style.background = kind === "cross" ? "transparent" : cssColor(color); // a triangle is clipped from its box
        sw.style.color = cssColor(color);
        if (kind === "cross") sw.textContent = "×";
        const label = document.createElement("span");
        label.textContent = name; // names are text, never HTML
        row.append(sw, label);
        return row;
      }),
    );
    this.setHidden(this.hidden);
  }
}
