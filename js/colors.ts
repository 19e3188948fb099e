/* Colour helpers shared by the scene and the legend. */
import { Color } from "three";

/** Imaged neurons (a scope's ROIs) in the scope's colour times this, in the scene and legend. */
export const ROI_DARKEN = 0.6;

/** Probe contacts are dark gray in cleo (white background); light here on a dark one, with the
 * same contrast to the background. */
export function lighten(c: number[]): number[] {
  const col = new Color(c[0], c[1], c[2]).offsetHSL(0, 0, 0.5);
  return [col.r, col.g, col.b];
}
