/* three.js objects for a scene: neurons, lights, probes, scopes. Built once per view from
 * the decoded payload; per frame only uniforms, the flashing neurons' compact buffer and the
 * light intensity texture change. */
import * as THREE from "three";
import type { SceneData } from "./data";
import { FlashingNeurons } from "./flashes";
import { RestingNeurons, groupTexture, neuronGroups, restingAlpha } from "./neurons";
import type { SpikeState } from "./playback";
import { ROI_DARKEN, lighten } from "./colors";

const LIGHT_VERTEX = /* glsl */ `
attribute float transmittance;
attribute float source;
uniform sampler2D uIntensity;
uniform float uSize;
uniform float uScale;
uniform float uGain;
varying float vAlpha;
void main() {
  float intensity = texelFetch(uIntensity, ivec2(int(source + 0.5), 0), 0).r;
  // cleo's alpha (0.6 · T · intensity), with a gain (additive light on a dark background needs
  // more than alpha blending on matplotlib's white one to read as clearly), damped for dense
  // clouds by the model's intensity_scale as cleo's static plot does
  vAlpha = min(1.0, uGain * 0.6 * transmittance * intensity);
  vec4 mv = modelViewMatrix * vec4(position, 1.0);
  gl_Position = projectionMatrix * mv;
  gl_PointSize = vAlpha > 0.001 ? max(1.0, uSize * uScale / -mv.z) : 0.0;
}`;

const LIGHT_FRAGMENT = /* glsl */ `
uniform vec3 uColor;
varying float vAlpha;
void main() {
  vec2 d = gl_PointCoord - vec2(0.5);
  float r = dot(d, d);
  if (r > 0.25) discard;
  float soft = 1.0 - smoothstep(0.12, 0.25, r);
  gl_FragColor = vec4(uColor, vAlpha * soft);
}`;

const LIGHT_GAIN = 2.5;

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
  private resting: RestingNeurons;
  private disposables: Array<{ dispose(): void }> = [];

  constructor(
    public data: SceneData,
    spikes: SpikeState,
  ) {
    const meta = data.meta;
    const group = neuronGroups(data);
    const groups = groupTexture(meta.groups);
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
      vertexShader: LIGHT_VERTEX,
      fragmentShader: LIGHT_FRAGMENT,
      uniforms: {
        uIntensity: { value: texture },
        uSize: { value: lm.marker_size },
        uScale: { value: 1 },
        uGain: { value: LIGHT_GAIN * Math.min(1, lm.intensity_scale > 0 ? lm.intensity_scale : 1) },
        uColor: { value: new THREE.Color(lm.color[0], lm.color[1], lm.color[2]) },
      },
      transparent: true,
      depthWrite: false,
      blending: THREE.AdditiveBlending,
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
    // each contact as a small "x" of two line segments, like cleo's marker="x"
    const box = this.data.meta.axes;
    const span = Math.max(box.xlim[1] - box.xlim[0], box.ylim[1] - box.ylim[0], box.zlim[1] - box.zlim[0]);
    const h = span * 0.006;
    const verts: number[] = [];
    for (const [x, y, z] of contacts) {
      verts.push(x - h, y, z - h, x + h, y, z + h, x - h, y, z + h, x + h, y, z - h);
      verts.push(x, y - h, z - h, x, y + h, z + h, x, y - h, z + h, x, y + h, z - h);
    }
    const geom = new THREE.BufferGeometry();
    geom.setAttribute("position", new THREE.Float32BufferAttribute(verts, 3));
    const light = lighten(color);
    const mat = new THREE.LineBasicMaterial({ color: new THREE.Color(light[0], light[1], light[2]) });
    this.root.add(new THREE.LineSegments(geom, mat));
    this.disposables.push(geom, mat);
  }

  private addScope(loc: number[], dir: number[], depth: number, width: number, rois: number[][], color: number[]): void {
    const c = new THREE.Color(color[0], color[1], color[2]);
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
    if (rois.length) {
      const g = new THREE.BufferGeometry();
      g.setAttribute("position", new THREE.Float32BufferAttribute(rois.flat(), 3));
      const m = new THREE.PointsMaterial({ color: c.clone().multiplyScalar(ROI_DARKEN), size: 7, sizeAttenuation: false });
      this.root.add(new THREE.Points(g, m));
      this.disposables.push(g, m);
    }
  }

  /** Update per-frame state; cheap when nothing changed. */
  update(frame: number, decayFrames: number, pixelRatio: number, scale: number): void {
    this.resting.setPixelRatio(pixelRatio);
    this.flashes.update(frame, decayFrames, pixelRatio);
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
