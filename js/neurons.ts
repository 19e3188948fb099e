/* The neurons at rest: one Points draw of every neuron in its group's colour and size, at the
 * groups' resting opacity. It never changes while the camera is still, so it belongs to the
 * static picture (static_layer.ts); flashes are drawn over it (flashes.ts).
 *
 * Colours and sizes come from a small float texture indexed by group (texel g: RGB, marker
 * diameter in CSS px), not from uniform arrays sized by the group count, which stop compiling
 * beyond a GPU's uniform slots (about 500 groups on real GPUs): any number of groups draws.
 * A group hidden from the legend or `player.hidden` has size 0 there: neither its resting
 * neurons nor its flashes are drawn. */
import * as THREE from "three";
import type { SceneData } from "./data";

/** Texels per row of the group texture (WebGL 2 guarantees textures 2048 wide). */
const GROUP_ROW = 1024;

/** GLSL: `groupStyle(g)` = (r, g, b, marker diameter in CSS px) of group g. */
export const GROUP_STYLE_GLSL = /* glsl */ `
uniform sampler2D uGroups;
vec4 groupStyle(float group) {
  int g = int(group + 0.5);
  return texelFetch(uGroups, ivec2(g % ${GROUP_ROW}, g / ${GROUP_ROW}), 0);
}`;

type GroupLook = { name?: string; color: number[]; size: number };

/** The group texture: one RGBA float texel per group (colour, size), rows of GROUP_ROW; a
 * group in `hidden` gets size 0, which the shaders draw as nothing. */
export function groupTexture(groups: ReadonlyArray<GroupLook>, hidden: ReadonlySet<string> = new Set()): THREE.DataTexture {
  const n = Math.max(groups.length, 1);
  const width = Math.min(n, GROUP_ROW);
  const height = Math.ceil(n / GROUP_ROW);
  const texels = new Float32Array(width * height * 4);
  const texture = new THREE.DataTexture(texels, width, height, THREE.RGBAFormat, THREE.FloatType);
  setGroupTexels(texture, groups, hidden);
  return texture;
}

/** Rewrite the group texture's texels: hidden groups (by name) get size 0. */
export function setGroupTexels(texture: THREE.DataTexture, groups: ReadonlyArray<GroupLook>, hidden: ReadonlySet<string>): void {
  const texels = texture.image.data as Float32Array;
  groups.forEach((g, k) => texels.set([g.color[0], g.color[1], g.color[2], g.name !== undefined && hidden.has(g.name) ? 0 : g.size], 4 * k));
  if (!groups.length) texels.set([1, 1, 1, 1]);
  texture.needsUpdate = true;
}

/** Per neuron: its group index, or -1 when hidden (outside the axis limits). */
export function neuronGroups(data: SceneData): Float32Array {
  const n = data.meta.n_neurons;
  const group = new Float32Array(n);
  data.meta.groups.forEach((g, k) => group.fill(k, g.offset, g.offset + g.count));
  if (data.visible) for (let i = 0; i < n; i++) if (!data.visible[i]) group[i] = -1;
  return group;
}

/** The resting opacity of neurons (cleo's `alpha`, the first group's). */
export function restingAlpha(data: SceneData): number {
  return data.meta.groups.length ? data.meta.groups[0].alpha : 0.2;
}

const RESTING_VERTEX = /* glsl */ `
attribute float group;
uniform float uPixelRatio;
varying vec3 vColor;
${GROUP_STYLE_GLSL}
void main() {
  if (group < 0.0) { gl_Position = vec4(2.0, 2.0, 2.0, 1.0); gl_PointSize = 0.0; return; }
  vec4 style = groupStyle(group);
  if (style.a <= 0.0) { gl_Position = vec4(2.0, 2.0, 2.0, 1.0); gl_PointSize = 0.0; return; } // a hidden group
  vColor = style.rgb;
  gl_Position = projectionMatrix * modelViewMatrix * vec4(position, 1.0);
  gl_PointSize = style.a * uPixelRatio;
}`;

const RESTING_FRAGMENT = /* glsl */ `
uniform float uBaseAlpha;
varying vec3 vColor;
void main() {
  vec2 d = gl_PointCoord - vec2(0.5);
  if (dot(d, d) > 0.25) discard;
  gl_FragColor = vec4(vColor, uBaseAlpha);
}`;

/** Every neuron at rest (position and group per neuron; few attributes keep the vertex work
 * close to a bare Points draw). */
export class RestingNeurons {
  readonly points: THREE.Points;
  readonly material: THREE.ShaderMaterial;
  private geometry = new THREE.BufferGeometry();

  constructor(data: SceneData, group: Float32Array, groups: THREE.DataTexture) {
    this.geometry.setAttribute("position", new THREE.BufferAttribute(data.positions, 3));
    this.geometry.setAttribute("group", new THREE.BufferAttribute(group, 1));
    this.geometry.computeBoundingSphere();
    this.material = new THREE.ShaderMaterial({
      vertexShader: RESTING_VERTEX,
      fragmentShader: RESTING_FRAGMENT,
      uniforms: {
        uGroups: { value: groups },
        uPixelRatio: { value: 1 },
        uBaseAlpha: { value: restingAlpha(data) },
      },
      transparent: true,
      depthWrite: false,
    });
    this.points = new THREE.Points(this.geometry, this.material);
    this.points.frustumCulled = false;
  }

  setPixelRatio(ratio: number): void {
    this.material.uniforms.uPixelRatio.value = ratio;
  }

  dispose(): void {
    this.geometry.dispose();
    this.material.dispose();
  }
}
