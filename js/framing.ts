/* Framing: the camera distance and screen shift that show a whole box, with its labels, in a
 * region of the canvas, for any box shape and canvas aspect. Measured on the projected corners
 * and label boxes themselves (not on a bounding sphere), so tall, flat and long boxes all fill
 * the region as far as their shape allows. */
import * as THREE from "three";
import { type Projector, type ScreenRect, projector } from "./projection";

/** What must be in sight: its screen bounds for a projector, or null if some of it is behind
 * the camera. */
export type Extent = (project: Projector, eye: THREE.Vector3) => ScreenRect | null;

export interface FitRequest {
  fov: number; // vertical, degrees
  width: number; // canvas, CSS px
  height: number;
  region: ScreenRect; // where the content must lie, CSS px
  target: THREE.Vector3; // the point the camera looks at (world)
  direction: THREE.Vector3; // from the target towards the camera (world, unit)
  up: THREE.Vector3;
  object: THREE.Object3D; // whose local coordinates `extent` works in
  extent: Extent;
}

export interface Fit {
  distance: number;
  /** shift of the picture, CSS px (x right, y down), that centres the content in the region */
  shiftX: number;
  shiftY: number;
  bounds: ScreenRect; // of the content before the shift
}

const ITERATIONS = 40;

/** The smallest camera distance at which the content fits the region (width and height), and
 * the shift that centres it there. `near` bounds the distance from below (the camera stays
 * in front of everything). */
export function fitCamera(req: FitRequest, near: number): Fit {
  const cam = new THREE.PerspectiveCamera(req.fov, req.width / req.height, near / 10, near * 1e6);
  req.object.updateMatrixWorld();
  const regionW = req.region.right - req.region.left;
  const regionH = req.region.bottom - req.region.top;
  const measure = (d: number): ScreenRect | null => {
    cam.position.copy(req.target).addScaledVector(req.direction, d);
    cam.up.copy(req.up);
    cam.lookAt(req.target);
    cam.updateMatrixWorld();
    cam.updateProjectionMatrix();
    const eye = req.object.worldToLocal(cam.position.clone());
    return req.extent(projector(cam, req.object, req.width, req.height), eye);
  };
  const fits = (b: ScreenRect | null) => b !== null && b.right - b.left <= regionW && b.bottom - b.top <= regionH;
  let lo = near;
  let hi = Math.max(near * 2, 1e-9);
  let hiBounds = measure(hi);
  for (let i = 0; i < 200 && !fits(hiBounds); i++) {
    lo = hi;
    hi *= 2;
    hiBounds = measure(hi);
  }
  for (let i = 0; i < ITERATIONS; i++) {
    const mid = (lo + hi) / 2;
    const b = measure(mid);
    if (fits(b)) {
      hi = mid;
      hiBounds = b;
    } else lo = mid;
  }
  const b = hiBounds ?? { left: 0, top: 0, right: req.width, bottom: req.height };
  return {
    distance: hi,
    shiftX: (req.region.left + req.region.right) / 2 - (b.left + b.right) / 2,
    shiftY: (req.region.top + req.region.bottom) / 2 - (b.top + b.bottom) / 2,
    bounds: b,
  };
}

/** Screen bounds of points and rectangles (null if any point is behind the camera). */
export function bounds(points: THREE.Vector3[], project: Projector, rects: ScreenRect[] = []): ScreenRect | null {
  const out = { left: Infinity, top: Infinity, right: -Infinity, bottom: -Infinity };
  for (const p of points) {
    const s = project(p);
    if (!(s.w > 0)) return null;
    out.left = Math.min(out.left, s.x);
    out.right = Math.max(out.right, s.x);
    out.top = Math.min(out.top, s.y);
    out.bottom = Math.max(out.bottom, s.y);
  }
  for (const r of rects) {
    out.left = Math.min(out.left, r.left);
    out.right = Math.max(out.right, r.right);
    out.top = Math.min(out.top, r.top);
    out.bottom = Math.max(out.bottom, r.bottom);
  }
  return out;
}

/** The camera direction of mplot3d's view (azimuth, elevation in degrees), z up. */
export function viewDirection(azimDeg: number, elevDeg: number): THREE.Vector3 {
  const a = (azimDeg * Math.PI) / 180;
  const e = (elevDeg * Math.PI) / 180;
  return new THREE.Vector3(Math.cos(e) * Math.cos(a), Math.cos(e) * Math.sin(a), Math.sin(e));
}

export interface ViewRequest {
  fov: number;
  width: number; // canvas, CSS px
  height: number;
  margin: number; // free px around the content
  marginBottom: number; // free px above the canvas's bottom (the control bar)
  legend: ScreenRect | null; // the legend's box over the canvas, if shown
  target: THREE.Vector3;
  direction: THREE.Vector3;
  object: THREE.Object3D;
  corners: THREE.Vector3[]; // of the box, in `object`'s coordinates
  labels: (project: Projector, eye: THREE.Vector3) => ScreenRect[]; // label boxes for a camera
}

/** Fit the box and its labels in the canvas minus the margins, beside the legend or below it
 * (whichever shows the box larger; over it only if neither leaves room). */
export function frameView(req: ViewRequest): Fit {
  const full = { left: req.margin, top: req.margin, right: req.width - req.margin, bottom: req.height - req.marginBottom };
  const regions: ScreenRect[] = [];
  if (req.legend) {
    const beside = { ...full, left: req.legend.right + req.margin };
    const below = { ...full, top: req.legend.bottom + req.margin };
    for (const r of [beside, below]) if (r.right - r.left > 40 && r.bottom - r.top > 40) regions.push(r);
  }
  if (!regions.length) regions.push(full);
  req.object.updateMatrixWorld();
  const world = req.corners.map((c) => req.object.localToWorld(c.clone()));
  const depth = Math.max(...world.map((w) => w.clone().sub(req.target).dot(req.direction)));
  const size = Math.max(...world.map((w) => w.distanceTo(req.target)), 1e-9);
  const near = depth + 0.05 * size; // the camera stays in front of the box
  let best: Fit | null = null;
  for (const region of regions) {
    const fit = fitCamera(
      {
        fov: req.fov,
        width: req.width,
        height: req.height,
        region,
        target: req.target,
        direction: req.direction,
        up: new THREE.Vector3(0, 0, 1),
        object: req.object,
        extent: (project, eye) => bounds(req.corners, project, req.labels(project, eye)),
      },
      near,
    );
    if (!best || fit.distance < best.distance) best = fit;
  }
  return best as Fit;
}
