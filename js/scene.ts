/* three.js objects for a scene: neurons, lights, probes, scopes. Built once per view from
 * the decoded payload; per frame only uniforms, the flashing neurons' compact buffer and the
 * light intensity texture change. */
import * as THREE from "three";
import type { SceneData } from "./data";
import { FlashingNeurons } from "./flashes";
import { RestingNeurons, groupTexture, neuronGroups, restingAlpha, setGroupTexels } from "./neurons";
import type { SpikeState } from "./playback";
import { ROI_DARKEN, lighten } from "./colors";

const LIGHT_VERTEX = /* glsl */ `
attribute float transmittance;
attribute float source;
uniform sampler2D uIntensity;
uniform float uSize;
uniform float uScale;
varying float vAlpha;
void main() {
  float intensity = texelFetch(uIntensity, ivec2(int(source + 0.5), 0), 0).r;
  vAlpha = LIGHT_ALPHA * transmittance * intensity; // cleo's alpha: 0.6 · T · intensity
  vec4 mv = modelViewMatrix * vec4(position, 1.0);
  gl_Position = projectionMatrix * mv;
  gl_PointSize = vAlpha > 0.001 ? max(1.0, uSize * uScale / -mv.z) : 0.0;
}`;

/* A hard round marker, as matplotlib's "o" without edge, alpha-blended: however many overlap,
 * the colour stays the wavelength's colour (additive blending would saturate it to white). */
const LIGHT_FRAGMENT = /* glsl */ `
uniform vec3 uColor;
varying float vAlpha;
void main() {
  vec2 d = gl_PointCoord - vec2(0.5);
  float r = dot(d, d);
  if (r > 0.25) discard;
  gl_FragColor = vec4(uColor, vAlpha * (1.0 - smoothstep(0.2, 0.25, r)));
}`;

/** cleo's light alpha at full brightness and transmittance (Light._alpha_cmap_for_wavelength) */
const LIGHT_ALPHA = 0.6;

/* Markers of a constant size on screen, in a shape (defines CROSS or TRIANGLE): probe contacts
 * (cleo's "x") and imaged neurons (cleo's "^"). */
const MARKER_VERTEX = /* glsl */ `
uniform float uSize;
uniform float uPixelRatio;
void main() {
  gl_Position = projectionMatrix * modelViewMatrix * vec4(position, 1.0);
  gl_PointSize = uSize * uPixelRatio;
}`;

const MARKER_FRAGMENT = /* glsl */ `
uniform vec3 uColor;
uniform float uSize;
uniform float uPixelRatio;
void main() {
  vec2 d = gl_PointCoord - vec2(0.5); // y down
  float px = 1.0 / (uSize * uPixelRatio); // one pixel in point coordinates
#ifdef CROSS
  float w = 1.1 * px * 1.4142; // half the stroke width, measured across the diagonal
  float a = 1.0 - smoothstep(w - px, w + px, abs(abs(d.x) - abs(d.y)));
  a *= 1.0 - smoothstep(0.42 - px, 0.42, max(abs(d.x), abs(d.y)));
#else
  // an upward triangle: apex at the top, base at the bottom
  float y = d.y + 0.5; // 0 at the top, 1 at the bottom
  float halfWidth = 0.46 * (y - 0.1) / 0.8;
  float a = smoothstep(-px, px, min(0.9 - y, halfWidth - abs(d.x)));
#endif
  if (a < 0.02) discard;
  gl_FragColor = vec4(uColor, a);
}`;

const PROBE_MARKER_PX = 11; // probe contacts: cleo's s=40 "x" on a 100 dpi figure, a little larger
const ROI_MARKER_PX = 9; // imaged neurons: cleo's "^" (s=20 by default)

export interface LightLayer {
  points: THREE.Points;
  material: THREE.ShaderMaterial;
  intensity: Float32Array;
  texture: THREE.DataTexture;
  track: number;
  trackOffset: number;
  nSources: number;
  maxValue: number;
}

export class SceneObjects {
  readonly root = new THREE.Group();
  /** every neuron at rest (static) */
  readonly neurons: THREE.Points;
  readonly neuronMaterial: THREE.ShaderMaterial;
  /** the neurons flashing or fading at the current frame (per frame) */
  readonly flashes: FlashingNeurons;
  readonly lights: LightLayer[] = [];
  private markerMaterials: THREE.ShaderMaterial[] = [];
  private resting: RestingNeurons;
  private groupStyles: THREE.DataTexture;
  private hiddenKey = "";
  /** per neuron: its group, or -1 when outside the axis limits (never drawn nor picked) */
  readonly group: Float32Array;
  private disposables: Array<{ dispose(): void }> = [];

  constructor(
    public data: SceneData,
    spikes: SpikeState,
  ) {
    const meta = data.meta;
    const group = neuronGroups(data);
    const groups = groupTexture(meta.groups);
    this.group = group;
    this.groupStyles = groups;
    this.resting = new RestingNeurons(data, group, groups);
    this.neurons = this.resting.points;
    this.neuronMaterial = this.resting.material;
    this.flashes = new FlashingNeurons(spikes, data.positions, group, groups, restingAlpha(data));
    this.root.add(this.neurons, this.flashes.points);
    this.disposables.push(this.resting, this.flashes, groups);

    for (const lm of meta.lights) this.addLight(lm);
    for (const p of meta.probes) this.addProbe(p.contacts, p.color);
    for (const s of meta.scopes) this.addScope(s.location, s.direction, s.focus_depth, s.img_width, s.rois, s.color);
  }

  private addLight(lm: SceneData["meta"]["lights"][number]): void {
    const d = this.data;
    const geom = new THREE.BufferGeometry();
    geom.setAttribute("position", new THREE.BufferAttribute(d.light_points.subarray(lm.offset * 3, (lm.offset + lm.count) * 3), 3));
    geom.setAttribute("transmittance", new THREE.BufferAttribute(d.light_transmittance.subarray(lm.offset, lm.offset + lm.count), 1));
    geom.setAttribute("source", new THREE.BufferAttribute(d.light_source.subarray(lm.offset, lm.offset + lm.count), 1));
    const intensity = new Float32Array(Math.max(lm.n_sources, 1));
    const texture = new THREE.DataTexture(intensity, intensity.length, 1, THREE.RedFormat, THREE.FloatType);
    texture.needsUpdate = true;
    const material = new THREE.ShaderMaterial({
      defines: { LIGHT_ALPHA: LIGHT_ALPHA.toFixed(3) },
      vertexShader: LIGHT_VERTEX,
      fragmentShader: LIGHT_FRAGMENT,
      uniforms: {
        uIntensity: { value: texture },
        uSize: { value: lm.marker_size },
        uScale: { value: 1 },
        uColor: { value: new THREE.Color(lm.color[0], lm.color[1], lm.color[2]) },
      },
      transparent: true,
      depthWrite: false,
      blending: THREE.NormalBlending,
    });
    const points = new THREE.Points(geom, material);
    points.frustumCulled = false;
    points.renderOrder = 1;
    this.root.add(points);
    this.disposables.push(geom, material, texture);
    const track = lm.track >= 0 ? d.meta.tracks[lm.track] : null;
    this.lights.push({
      points,
      material,
      intensity,
      texture,
      track: lm.track,
      trackOffset: track ? track.offset : 0,
      nSources: lm.n_sources,
      maxValue: lm.max_value,
    });
  }

  private addProbe(contacts: number[][], color: number[]): void {
    // cleo's dark grey "x" markers (on white), light here on the dark background: clearly
    // visible at any zoom, drawn over the light clouds
    const light = lighten(color);
    this.addMarkers(contacts, light, PROBE_MARKER_PX, "CROSS", 3);
  }

  /** Screen-size markers of a shape at points (transparent pass, drawn after the lights). */
  private addMarkers(points: number[][], color: number[], sizePx: number, shape: "CROSS" | "TRIANGLE", order: number): void {
    const geom = new THREE.BufferGeometry();
    geom.setAttribute("position", new THREE.Float32BufferAttribute(points.flat(), 3));
    const mat = new THREE.ShaderMaterial({
      defines: { [shape]: 1 },
      vertexShader: MARKER_VERTEX,
      fragmentShader: MARKER_FRAGMENT,
      uniforms: {
        uColor: { value: new THREE.Color(color[0], color[1], color[2]) }, // written out as given (sRGB)
        uSize: { value: sizePx },
        uPixelRatio: { value: 1 },
      },
      transparent: true,
      depthWrite: false,
    });
    const markers = new THREE.Points(geom, mat);
    markers.frustumCulled = false;
    markers.renderOrder = order;
    this.root.add(markers);
    this.markerMaterials.push(mat);
    this.disposables.push(geom, mat);
  }

  private addScope(loc: number[], dir: number[], depth: number, width: number, rois: number[][], color: number[]): void {
    const c = new THREE.Color().setRGB(color[0], color[1], color[2], THREE.SRGBColorSpace); // as the legend shows it
    const origin = new THREE.Vector3(loc[0], loc[1], loc[2]);
    const direction = new THREE.Vector3(dir[0], dir[1], dir[2]).normalize();
    const len = depth > 0 ? depth : width / 2;
    const arrow = new THREE.ArrowHelper(direction, origin, len, c.getHex(), len * 0.12, len * 0.06);
    this.root.add(arrow);
    this.disposables.push({ dispose: () => arrow.dispose() });
    const disk = new THREE.CircleGeometry(width / 2, 64);
    const diskMat = new THREE.MeshBasicMaterial({ color: c, transparent: true, opacity: 0.2, side: THREE.DoubleSide, depthWrite: false });
    const mesh = new THREE.Mesh(disk, diskMat);
    mesh.position.copy(origin).addScaledVector(direction, depth);
    mesh.quaternion.setFromUnitVectors(new THREE.Vector3(0, 0, 1), direction);
    this.root.add(mesh);
    this.disposables.push(disk, diskMat);
    if (rois.length) this.addMarkers(rois, color.map((v) => v * ROI_DARKEN), ROI_MARKER_PX, "TRIANGLE", 3);
  }

  /** Draw no neuron (resting or flashing) of the groups named in `hidden`. Returns whether
   * that changed anything (the static picture must then be drawn again). */
  setHiddenGroups(hidden: ReadonlySet<string>): boolean {
    const key = this.data.meta.groups.map((g) => (hidden.has(g.name) ? "1" : "0")).join("");
    if (key === this.hiddenKey || (this.hiddenKey === "" && !key.includes("1"))) {
      this.hiddenKey = key;
      return false;
    }
    this.hiddenKey = key;
    setGroupTexels(this.groupStyles, this.data.meta.groups, hidden);
    return true;
  }

  /** Update per-frame state; cheap when nothing changed. */
  update(frame: number, decayFrames: number, pixelRatio: number, scale: number): void {
    this.resting.setPixelRatio(pixelRatio);
    this.flashes.update(frame, decayFrames, pixelRatio);
    for (const m of this.markerMaterials) m.uniforms.uPixelRatio.value = pixelRatio;
    const d = this.data;
    const nCh = d.meta.n_channels;
    for (const l of this.lights) {
      l.material.uniforms.uScale.value = scale;
      if (l.track < 0 || d.meta.n_frames === 0) {
        l.intensity.fill(0);
      } else {
        const base = frame * nCh + l.trackOffset;
        for (let s = 0; s < l.nSources; s++) {
          const v = d.values[base + s] / (l.maxValue > 0 ? l.maxValue : 1);
          l.intensity[s] = Math.min(Math.max(v, 0), 1);
        }
      }
      l.texture.needsUpdate = true;
    }
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
    this.disposables = [];
  }
}
