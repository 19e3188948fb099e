/* Screenshots of a view: the 3D picture exactly as shown (same camera, same frame, the legend
 * over it), rendered at `scale` times the screen's pixel ratio, as a PNG. Labels and markers
 * keep their size relative to the picture; only the sharpness grows with the scale. */
import { Vector2, type WebGLRenderer } from "three";
import type { Legend } from "./legend";

/** What a screenshot needs from its view. */
export interface Capturable {
  renderer: WebGLRenderer;
  stage: HTMLElement;
  legend: Legend;
  /** make the WebGL context usable (a view out of sight may have given it back); false if it cannot */
  ensureContext(): boolean;
  /** draw the current frame now */
  render(): void;
}

export const MAX_SCALE = 8;

/** The view as a PNG. Rejects with a message for the user when it cannot be taken. */
export function capture(view: Capturable, scale = 1): Promise<Blob> {
  if (!(scale > 0 && scale <= MAX_SCALE)) return Promise.reject(new Error(`scale must be in (0, ${MAX_SCALE}], got ${scale}`));
  if (!view.ensureContext()) return Promise.reject(new Error("the 3D view has no WebGL context (lost); click it to restore it"));
  const r = view.renderer;
  const ratio = r.getPixelRatio();
  const size = r.getSize(new Vector2());
  const width = Math.max(1, Math.round(size.x));
  const height = Math.max(1, Math.round(size.y));
  const k = ratio * scale;
  const limit = r.capabilities.maxTextureSize;
  if (Math.round(width * k) > limit || Math.round(height * k) > limit) {
    return Promise.reject(new Error(`a ${Math.round(width * k)} x ${Math.round(height * k)} px picture is more than this browser draws (${limit} px a side): use a smaller scale`));
  }
  const out = document.createElement("canvas");
  try {
    r.setPixelRatio(k);
    r.setSize(width, height, false);
    view.render();
    out.width = r.domElement.width;
    out.height = r.domElement.height;
    const ctx = out.getContext("2d") as CanvasRenderingContext2D;
    ctx.drawImage(r.domElement, 0, 0);
    view.legend.drawOn(ctx, view.stage, out.width / width);
  } finally {
    r.setPixelRatio(ratio);
    r.setSize(width, height, false);
    view.render();
  }
  return new Promise((resolve, reject) =>
    out.toBlob((blob) => (blob ? resolve(blob) : reject(new Error("the browser could not encode the PNG"))), "image/png"),
  );
}

/** Save a blob as a file download named `name`. */
export function download(blob: Blob, name: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement("a");
  a.href = url;
  a.download = name;
  a.style.display = "none";
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** A file name from the player's groups and the frame's time, e.g. cleo-player_exc-inh_t42.0ms.png */
export function fileName(groups: string[], timeMs: number): string {
  const safe = groups.map((g) => g.replace(/[^A-Za-z0-9_-]+/g, "-")).join("-") || "scene";
  return `cleo-player_${safe}_t${Number.isFinite(timeMs) ? timeMs.toFixed(1) : "0"}ms.png`;
}
