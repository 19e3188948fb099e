/* Text labels of constant screen size, all in one draw call: the texts are packed into one
 * canvas texture and drawn as instanced quads anchored at 3D points. (One sprite per label
 * cost a draw call each, a measurable share of a frame in software WebGL.) */
import * as THREE from "three";

const FONT_PX = 48;
const ROW_PX = FONT_PX + 16;
const ATLAS_WIDTH = 1024;

const VERTEX = /* glsl */ `
attribute vec3 anchor;
attribute vec4 uvRect;
attribute vec2 sizePx;
uniform vec2 uViewport;
varying vec2 vUv;
void main() {
  vec4 clip = projectionMatrix * modelViewMatrix * vec4(anchor, 1.0);
  clip.xy += position.xy * sizePx * 2.0 / uViewport * clip.w;
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

export class LabelLayer {
  private labels: Label[] = [];
  private mesh: THREE.Mesh | null = null;
  private material: THREE.ShaderMaterial | null = null;
  private disposables: Array<{ dispose(): void }> = [];

  constructor(private color: string) {}

  add(text: string, at: THREE.Vector3, px: number): void {
    this.labels.push({ text, at: at.clone(), px });
  }

  /** The mesh drawing every label added so far. */
  build(): THREE.Mesh {
    const canvas = document.createElement("canvas");
    const ctx = canvas.getContext("2d") as CanvasRenderingContext2D;
    ctx.font = `${FONT_PX}px sans-serif`;
    const widths = this.labels.map((l) => Math.ceil(ctx.measureText(l.text).width) + 8);
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
    ctx.fillStyle = this.color;
    ctx.textBaseline = "middle";
    ctx.textAlign = "center";
    const n = this.labels.length;
    const anchor = new Float32Array(n * 3);
    const uvRect = new Float32Array(n * 4);
    const sizePx = new Float32Array(n * 2);
    this.labels.forEach((l, i) => {
      const [px, py] = places[i];
      const w = widths[i];
      ctx.fillText(l.text, px + w / 2, py + ROW_PX / 2);
      anchor.set([l.at.x, l.at.y, l.at.z], i * 3);
      // the texture is flipped (flipY): v grows upward from the canvas bottom
      uvRect.set([px / canvas.width, 1 - (py + ROW_PX) / canvas.height, w / canvas.width, ROW_PX / canvas.height], i * 4);
      const h = l.px * (ROW_PX / FONT_PX);
      sizePx.set([(h * w) / ROW_PX, h], i * 2);
    });
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
    geom.instanceCount = n;
    this.material = new THREE.ShaderMaterial({
      vertexShader: VERTEX,
      fragmentShader: FRAGMENT,
      uniforms: { uMap: { value: texture }, uViewport: { value: new THREE.Vector2(1, 1) } },
      transparent: true,
      depthWrite: false,
      side: THREE.DoubleSide, // the quads face the screen whatever the parent's (mirrored) transform
    });
    this.mesh = new THREE.Mesh(geom, this.material);
    this.mesh.frustumCulled = false;
    this.mesh.renderOrder = 2;
    this.disposables.push(texture, quad, geom, this.material);
    return this.mesh;
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
