/* Where points of an object land on the canvas, for layout on the CPU (axis labels, framing). */
import * as THREE from "three";

/** A point on the canvas: CSS pixels from the top-left corner; `w` > 0 when in front of the camera. */
export interface ScreenPoint {
  x: number;
  y: number;
  w: number;
}

/** Maps a point in an object's local coordinates to the canvas. */
export type Projector = (p: THREE.Vector3) => ScreenPoint;

/** The projector of `object`'s local coordinates through `camera` onto a width × height canvas
 * (matrices as they are: call updateMatrixWorld first). */
export function projector(camera: THREE.Camera, object: THREE.Object3D, width: number, height: number): Projector {
  const m = new THREE.Matrix4().multiplyMatrices(camera.projectionMatrix, camera.matrixWorldInverse).multiply(object.matrixWorld);
  const v = new THREE.Vector4();
  return (p) => {
    v.set(p.x, p.y, p.z, 1).applyMatrix4(m);
    const w = v.w;
    return { x: ((v.x / w + 1) / 2) * width, y: ((1 - v.y / w) / 2) * height, w };
  };
}

/** An axis-aligned rectangle on the canvas, CSS pixels. */
export interface ScreenRect {
  left: number;
  top: number;
  right: number;
  bottom: number;
}

export function overlaps(a: ScreenRect, b: ScreenRect, pad = 0): boolean {
  return a.left < b.right + pad && b.left < a.right + pad && a.top < b.bottom + pad && b.top < a.bottom + pad;
}
