/* Rings around the selected neurons (and a fainter one around the neuron under the pointer),
 * drawn over everything: screen-size rings, not depth-tested. They are transparent and ordered
 * after the flashes, so the static layer (static_layer.ts) draws them per frame: changing the
 * selection never touches the static picture. */
import * as THREE from "three";

/** After the probe and ROI markers (3): drawn last. */
export const RING_RENDER_ORDER = 4;
const RING_PX = 18; // ring diameter at least this (CSS px), else the marker's size plus a margin

const RING_VERTEX = /* glsl */ `
attribute float size;
attribute float strength;
uniform float uPixelRatio;
varying float vStrength;
varying float vPx;
void main() {
  vStrength = strength;
  gl_Position = projectionMatrix * modelViewMatrix * vec4(position, 1.0);
  gl_PointSize = size * uPixelRatio;
  vPx = 1.0 / max(gl_PointSize, 1.0);
}`;

/* A white ring with a dark edge on both sides (visible on any background); the hovered
 * neuron's ring (strength < 1) is thinner and fainter. */
const RING_FRAGMENT = /* glsl */ `
varying float vStrength;
varying float vPx;
void main() {
  float r = length(gl_PointCoord - vec2(0.5));
  float w = (vStrength > 0.99 ? 1.6 : 1.0) * vPx; // half the stroke width
  float ring = 1.0 - smoothstep(w, w + vPx, abs(r - (0.5 - 3.0 * vPx)));
  float edge = 1.0 - smoothstep(w + vPx, w + 2.5 * vPx, abs(r - (0.5 - 3.0 * vPx)));
  float a = max(ring, 0.7 * edge) * (vStrength > 0.99 ? 1.0 : 0.75);
  if (a < 0.02) discard;
  gl_FragColor = vec4(vec3(ring), a);
}`;

export class SelectionRings {
  readonly points: THREE.Points;
  private geometry = new THREE.BufferGeometry();
  private material: THREE.ShaderMaterial;
  /** rings drawn (selected + hovered), for tests */
  count = 0;

  constructor() {
    this.material = new THREE.ShaderMaterial({
      vertexShader: RING_VERTEX,
      fragmentShader: RING_FRAGMENT,
      uniforms: { uPixelRatio: { value: 1 } },
      transparent: true,
      depthTest: false,
      depthWrite: false,
    });
    this.points = new THREE.Points(this.geometry, this.material);
    this.points.frustumCulled = false;
    this.points.renderOrder = RING_RENDER_ORDER;
  }

  /** Rings around `neurons` (and a faint one around `hovered`, unless -1 or selected).
   * `markerPx[n]`: neuron n's marker diameter, CSS px (0: do not ring it, e.g. hidden). */
  set(positions: Float32Array, neurons: number[], hovered: number, markerPx: (n: number) => number): void {
    const list = neurons.filter((n) => markerPx(n) > 0);
    const withHover = hovered >= 0 && markerPx(hovered) > 0 && !list.includes(hovered);
    const count = list.length + (withHover ? 1 : 0);
    const xyz = new Float32Array(3 * count);
    const size = new Float32Array(count);
    const strength = new Float32Array(count);
    const put = (k: number, n: number, s: number) => {
      xyz.set(positions.subarray(3 * n, 3 * n + 3), 3 * k);
      size[k] = Math.max(RING_PX, markerPx(n) * 1.6 + 8);
      strength[k] = s;
    };
    list.forEach((n, k) => put(k, n, 1));
    if (withHover) put(list.length, hovered, 0.5);
    this.geometry.dispose();
    this.geometry.setAttribute("position", new THREE.BufferAttribute(xyz, 3));
    this.geometry.setAttribute("size", new THREE.BufferAttribute(size, 1));
    this.geometry.setAttribute("strength", new THREE.BufferAttribute(strength, 1));
    this.geometry.setDrawRange(0, count);
    this.count = count;
    this.points.visible = count > 0;
  }

  setPixelRatio(ratio: number): void {
    this.material.uniforms.uPixelRatio.value = ratio;
  }

  dispose(): void {
    this.geometry.dispose();
    this.material.dispose();
  }
}
