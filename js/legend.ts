/* The legend over the 3D view: one row per neuron group and device, in cleo's order. */
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

  constructor() {
    this.el.className = "cleo-legend";
  }

  show(meta: SceneMeta): void {
    this.el.replaceChildren(
      ...legendItems(meta).map(({ name, color, kind }) => {
        const row = document.createElement("div");
        const sw = document.createElement("span");
        sw.className = `cleo-swatch cleo-swatch-${kind}`;
        sw.style.background = kind === "cross" ? "transparent" : cssColor(color); // a triangle is clipped from its box
        sw.style.color = cssColor(color);
        if (kind === "cross") sw.textContent = "×";
        const label = document.createElement("span");
        label.textContent = name; // names are text, never HTML
        row.append(sw, label);
        return row;
      }),
    );
  }
}
