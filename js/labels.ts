/* Text labels of constant screen size, all in one draw call: the texts are packed into one
 * canvas texture and drawn as instanced quads anchored at 3D points, each shifted by an offset
 * in screen pixels and shown or hidden per label (the axis layout moves them as the camera
 * turns). Drawn last and without depth test, with a dark outline, so no point cloud or probe
 * hides them. (One sprite per label cost a draw call each, a measurable share of a frame in
 * software WebGL.) */
import * as THREE from "three";

const FONT_PX = 48;
const ROW_PX = FONT_PX + 16;
const ATLAS_WIDTH = 1024;
const OUTLINE_PX = 10; // the dark outline around each glyph, in atlas pixels
const OUTLINE_COLOR = "rgba(17, 19, 24, 0.9)"; // the view's background

const VERTEX = /* glsl */ `
attribute vec3 anchor;
attribute vec4 uvRect;
attribute vec2 sizePx;
attribute vec2 offsetPx;
uniform vec2 uViewport;
uniform float uScale;
varying vec2 vUv;
void main() {
  vec4 clip = projectionMatrix * modelViewMatrix * vec4(anchor, 1.0);
  clip.xy += (position.xy * sizePx * uScale + offsetPx) * 2.0 / uViewport * clip.w;
  gl_Position = clip;
  vUv = uvRect.xy + (position.xy + 0.5) * uvRect.zw;
}`;

const FRAGMENT = /* glsl */ `
uniform sampler2D uMap;
varying vec2 vUv;
void main() {
  vec4 t = texture2D(uMap, vUv);
  if (t.a < 0.02) discard;
  gl_FragColor = t;
}`;

interface Label {
  text: string;
  at: THREE.Vector3;
  px: number; // text height on screen, CSS pixels
}

/** A label's box on screen, CSS pixels. */
export interface LabelSize {
  width: number;
  height: number;
}

export class LabelLayer {
  private labels: Label[] = [];
  private mesh: THREE.Mesh | null = null;
  private material: THREE.ShaderMaterial | null = null;
  private geom: THREE.InstancedBufferGeometry | null = null;
  private sizes: LabelSize[] = [];
  private quads: Array<[number, number]> = []; // each label's quad size, CSS pixels
  private shown: boolean[] = [];
  private scale = 1;
  private disposables: Array<{ dispose(): void }> = [];

  constructor(private color: string) {}

  /** Add a label; its index (for place / size). */
  add(text: string, at: THREE.Vector3, px: number): number {
    this.labels.push({ text, at: at.clone(), px });
    return this.labels.length - 1;
  }

  /** The mesh drawing every label added so far. */
  build(): THREE.Mesh {
    const canvas = document.createElement("canvas");
    const ctx = canvas.getContext("2d") as CanvasRenderingContext2D;
    ctx.font = `${FONT_PX}px sans-serif`;
    const widths = this.labels.map((l) => Math.ceil(ctx.measureText(l.text).width) + 8 + 2 * OUTLINE_PX);
    const places: Array<[number, number]> = [];
    let x = 0;
    let y = 0;
    for (const w of widths) {
      if (x + w > ATLAS_WIDTH) {
        x = 0;
        y += ROW_PX;
      }
      places.push([x, y]);
      x += w;
    }
    canvas.width = ATLAS_WIDTH;
    canvas.height = Math.max(y + ROW_PX, ROW_PX);
    ctx.font = `${FONT_PX}px sans-serif`;
    ctx.textBaseline = "middle";
    ctx.textAlign = "center";
    ctx.lineJoin = "round";
    ctx.lineWidth = OUTLINE_PX;
    ctx.strokeStyle = OUTLINE_COLOR;
    ctx.fillStyle = this.color;
    const n = this.labels.length;
    const anchor = new Float32Array(n * 3);
    const uvRect = new Float32Array(n * 4);
    const sizePx = new Float32Array(n * 2);
    const offsetPx = new Float32Array(n * 2);
    this.sizes = [];
    this.quads = [];
    this.labels.forEach((l, i) => {
      const [px, py] = places[i];
      const w = widths[i];
      ctx.strokeText(l.text, px + w / 2, py + ROW_PX / 2);
      ctx.fillText(l.text, px + w / 2, py + ROW_PX / 2);
      anchor.set([l.at.x, l.at.y, l.at.z], i * 3);
      // the texture is flipped (flipY): v grows upward from the canvas bottom
      uvRect.set([px / canvas.width, 1 - (py + ROW_PX) / canvas.height, w / canvas.width, ROW_PX / canvas.height], i * 4);
      const h = l.px * (ROW_PX / FONT_PX);
      this.quads.push([(h * w) / ROW_PX, h]);
      sizePx.set(this.quads[i], i * 2);
      // the text's own box (without the atlas padding), for layout
      this.sizes.push({ width: (h * (w - 2 * OUTLINE_PX)) / ROW_PX, height: l.px * 1.15 });
    });
    this.shown = this.labels.map(() => true);
    const texture = new THREE.CanvasTexture(canvas);
    texture.colorSpace = THREE.SRGBColorSpace;
    texture.anisotropy = 4;
    const quad = new THREE.PlaneGeometry(1, 1);
    const geom = new THREE.InstancedBufferGeometry();
    geom.index = quad.index;
    geom.setAttribute("position", quad.getAttribute("position"));
    geom.setAttribute("anchor", new THREE.InstancedBufferAttribute(anchor, 3));
    geom.setAttribute("uvRect", new THREE.InstancedBufferAttribute(uvRect, 4));
    geom.setAttribute("sizePx", new THREE.InstancedBufferAttribute(sizePx, 2));
    geom.setAttribute("offsetPx", new THREE.InstancedBufferAttribute(offsetPx, 2));
    geom.instanceCount = n;
    this.geom = geom;
    this.material = new THREE.ShaderMaterial({
      vertexShader: VERTEX,
      fragmentShader: FRAGMENT,
      uniforms: { uMap: { value: texture }, uViewport: { value: new THREE.Vector2(1, 1) }, uScale: { value: this.scale } },
      transparent: true,
      depthWrite: false,
      depthTest: false, // always readable: drawn over light clouds, probes and neurons
      side: THREE.DoubleSide, // the quads face the screen whatever the parent's (mirrored) transform
    });
    this.mesh = new THREE.Mesh(geom, this.material);
    this.mesh.frustumCulled = false;
    this.mesh.renderOrder = 10; // after everything else (lights are 1)
    this.disposables.push(texture, quad, geom, this.material);
    return this.mesh;
  }

  /** Label i's text box on screen, CSS pixels (after build). */
  size(i: number): LabelSize {
    const s = this.sizes[i];
    return { width: s.width * this.scale, height: s.height * this.scale };
  }

  /** Draw every label `scale` times its size (small views use smaller text). */
  setScale(scale: number): void {
    this.scale = scale;
    if (this.material) this.material.uniforms.uScale.value = scale;
  }

  /** Put label i at `anchor` (local coordinates) shifted by (dx, dy) CSS pixels (y down), or
   * hide it. Call commit() after a batch. */
  place(i: number, anchor: THREE.Vector3, dx: number, dy: number, visible: boolean): void {
    const g = this.geom;
    if (!g) return;
    (g.getAttribute("anchor") as THREE.InstancedBufferAttribute).setXYZ(i, anchor.x, anchor.y, anchor.z);
    (g.getAttribute("offsetPx") as THREE.InstancedBufferAttribute).setXY(i, dx, -dy);
    if (this.shown[i] !== visible) {
      this.shown[i] = visible;
      const [w, h] = visible ? this.quads[i] : [0, 0];
      (g.getAttribute("sizePx") as THREE.InstancedBufferAttribute).setXY(i, w, h);
    }
  }

  /** Whether label i is shown. */
  visible(i: number): boolean {
    return this.shown[i] ?? false;
  }

  /** Upload what place() changed. */
  commit(): void {
    const g = this.geom;
    if (!g) return;
    for (const name of ["anchor", "offsetPx", "sizePx"]) g.getAttribute(name).needsUpdate = true;
  }

  /** The canvas size in CSS pixels (labels keep their pixel size on screen). */
  setViewport(width: number, height: number): void {
    this.material?.uniforms.uViewport.value.set(Math.max(width, 1), Math.max(height, 1));
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
    this.disposables = [];
  }
}
