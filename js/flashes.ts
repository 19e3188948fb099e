/* The neurons that flash or fade at the current frame, drawn over the resting neurons.
 *
 * Per frame only the spike state's active list (the neurons whose last spike lies in the decay
 * window, see SpikeState) is copied into a compact buffer: position, last spike frame and group
 * per active neuron, so a frame costs in proportion to the activity, not to the network.
 *
 * A flash looks as it always has: the group colour 35 % whiter at full brightness b = 1, opaque,
 * 1.4 times larger, fading over the decay to the resting look (opacity and size follow b).
 * It is drawn over the neuron's own resting disc (part of the static picture), so inside that
 * disc it is composited to give what the flash alone gives over whatever lies behind: with the
 * resting disc (colour c_r, opacity a_r) beneath, drawing colour
 *     c' = (a c_f - (1 - b) a_r c_r) / b   at opacity b
 * yields a c_f + (1 - a) D for any background D, where a = mix(a_r, 1, b) is the flash's opacity
 * and c_f its colour; outside the resting disc (the larger flash's rim) it is drawn as is. */
import * as THREE from "three";
import { GROUP_STYLE_GLSL } from "./neurons";
import type { SpikeState } from "./playback";

/** Flashes draw after the resting neurons (0) and before the light clouds (1); everything
 * transparent from here on is drawn per frame (static_layer.ts). */
export const FLASH_RENDER_ORDER = 0.5;
const STRIDE = 5; // floats per active neuron: x, y, z, last spike, group

const FLASH_VERTEX = /* glsl */ `
attribute float lastSpike;
attribute float group;
uniform float uFrame;
uniform float uStep;
uniform float uDecay;
uniform float uPixelRatio;
varying vec3 vColor;
varying vec3 vRest;
varying float vFlash;
varying float vRestR2;
${GROUP_STYLE_GLSL}
void main() {
  float age = uFrame - lastSpike;
  float b = 0.0;
  if (age >= 0.0) {
    age = max(0.0, age - (uStep - 1.0));
    if (age < 0.5) b = 1.0;
    else if (uDecay > 0.0) b = max(0.0, 1.0 - age / uDecay);
  }
  if (b <= 0.0 || group < 0.0) { gl_Position = vec4(2.0, 2.0, 2.0, 1.0); gl_PointSize = 0.0; return; }
  vec4 style = groupStyle(group);
  if (style.a <= 0.0) { gl_Position = vec4(2.0, 2.0, 2.0, 1.0); gl_PointSize = 0.0; return; } // a hidden group
  float grow = 1.0 + 0.4 * b * b; // larger at the flash, back fast
  vFlash = b;
  vRest = style.rgb;
  vColor = mix(style.rgb, vec3(1.0), 0.35 * b);
  vRestR2 = 0.25 / (grow * grow); // the resting disc, in this point's coordinates
  gl_Position = projectionMatrix * modelViewMatrix * vec4(position, 1.0);
  gl_PointSize = style.a * uPixelRatio * grow;
}`;

const FLASH_FRAGMENT = /* glsl */ `
uniform float uBaseAlpha;
varying vec3 vColor;
varying vec3 vRest;
varying float vFlash;
varying float vRestR2;
void main() {
  vec2 d = gl_PointCoord - vec2(0.5);
  float r = dot(d, d);
  if (r > 0.25) discard;
  float a = mix(uBaseAlpha, 1.0, vFlash);
  if (r <= vRestR2) {
    vec3 c = (a * vColor - (1.0 - vFlash) * uBaseAlpha * vRest) / vFlash;
    gl_FragColor = vec4(clamp(c, 0.0, 1.0), vFlash);
  } else {
    gl_FragColor = vec4(vColor, a);
  }
}`;

export class FlashingNeurons {
  readonly points: THREE.Points;
  readonly material: THREE.ShaderMaterial;
  /** neurons in the compact buffer (drawn this frame) */
  count = 0;
  private geometry = new THREE.BufferGeometry();
  private buffer: THREE.InterleavedBuffer;
  private version = -1;

  constructor(
    private spikes: SpikeState,
    private positions: Float32Array,
    private group: Float32Array,
    groups: THREE.DataTexture,
    baseAlpha: number,
  ) {
    this.buffer = this.allocate(256);
    this.material = new THREE.ShaderMaterial({
      vertexShader: FLASH_VERTEX,
      fragmentShader: FLASH_FRAGMENT,
      uniforms: {
        uGroups: { value: groups },
        uFrame: { value: 0 },
        uStep: { value: 1 },
        uDecay: { value: 0 },
        uPixelRatio: { value: 1 },
        uBaseAlpha: { value: baseAlpha },
      },
      transparent: true,
      depthWrite: false,
    });
    this.points = new THREE.Points(this.geometry, this.material);
    this.points.frustumCulled = false;
    this.points.renderOrder = FLASH_RENDER_ORDER;
  }

  private allocate(capacity: number): THREE.InterleavedBuffer {
    const buffer = new THREE.InterleavedBuffer(new Float32Array(capacity * STRIDE), STRIDE);
    buffer.setUsage(THREE.DynamicDrawUsage);
    this.geometry.dispose(); // frees the old GPU buffer, if any
    this.geometry.setAttribute("position", new THREE.InterleavedBufferAttribute(buffer, 3, 0));
    this.geometry.setAttribute("lastSpike", new THREE.InterleavedBufferAttribute(buffer, 1, 3));
    this.geometry.setAttribute("group", new THREE.InterleavedBufferAttribute(buffer, 1, 4));
    return buffer;
  }

  /** Uniforms for this frame; the compact buffer when the spike state changed. */
  update(frame: number, decayFrames: number, pixelRatio: number): void {
    const u = this.material.uniforms;
    u.uFrame.value = frame;
    u.uStep.value = this.spikes.step;
    u.uDecay.value = decayFrames;
    u.uPixelRatio.value = pixelRatio;
    if (this.spikes.version === this.version) return;
    this.version = this.spikes.version;
    const { active, nActive, lastSpike } = this.spikes;
    if (nActive * STRIDE > this.buffer.array.length) {
      this.buffer = this.allocate(Math.max(nActive, 2 * (this.buffer.array.length / STRIDE)));
    }
    const out = this.buffer.array as Float32Array;
    const pos = this.positions;
    const group = this.group;
    let k = 0;
    for (let i = 0; i < nActive; i++) {
      const n = active[i];
      if (group[n] < 0) continue; // hidden: outside the axis limits
      out[k] = pos[3 * n];
      out[k + 1] = pos[3 * n + 1];
      out[k + 2] = pos[3 * n + 2];
      out[k + 3] = lastSpike[n];
      out[k + 4] = group[n];
      k += STRIDE;
    }
    this.count = k / STRIDE;
    this.geometry.setDrawRange(0, this.count);
    this.buffer.clearUpdateRanges();
    if (k > 0) {
      this.buffer.addUpdateRange(0, k);
      this.buffer.needsUpdate = true;
    }
  }

  dispose(): void {
    this.geometry.dispose();
    this.material.dispose();
  }
}
