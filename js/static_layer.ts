/* Draws a view's scene so that, with the camera still, a frame costs in proportion to what
 * changes. The scene splits, in three.js's own drawing order, into
 *
 *   static:    every opaque object, and the transparent ones drawn before the flashes (the
 *              resting neurons, a scope's disc, ...): axes, probes, scopes, extras;
 *   per frame: the transparent objects from the flashes on (flashing neurons, light clouds,
 *              labels, transparent extras), which are cheap.
 *
 * The static part is rendered into an offscreen multisampled target (colour and depth) when
 * what it shows changes: the camera, the canvas size, the pixel ratio, a new WebGL context,
 * any static object (added, removed, moved, shown, hidden, its material or geometry replaced)
 * or `invalidate()` (for changes only the owner knows of, like a uniform). Every frame then
 * copies that picture and its depth to the canvas and draws the per-frame objects over it, in
 * the same order as before, depth-tested against the static objects.
 *
 * Because the full path (mode "full": the static part re-rendered every frame) does exactly
 * the same with a fresh static picture, both give the same pixels. The canvas itself has no
 * multisampling: the static part, which holds the lines and meshes, is antialiased in the
 * target; the per-frame points and labels have soft or discarded edges anyway. */
import * as THREE from "three";
import { FLASH_RENDER_ORDER } from "./flashes";

/** "auto": re-render the static part only when it changed; "full": every frame. */
export type RenderMode = "auto" | "full";

const STATIC_LAYER = 1;
const FRAME_LAYER = 2;
const SAMPLES = 4; // what the browsers' antialiased canvases use

const COPY_VERTEX = /* glsl */ `
void main() { gl_Position = vec4(position.xy, 0.0, 1.0); }`;

const COPY_FRAGMENT = /* glsl */ `
uniform sampler2D uColor;
uniform sampler2D uDepth;
void main() {
  ivec2 p = ivec2(gl_FragCoord.xy);
  gl_FragColor = texelFetch(uColor, p, 0);
  gl_FragDepth = texelFetch(uDepth, p, 0).r;
}`;

type Drawable = THREE.Object3D & { material: THREE.Material | THREE.Material[]; geometry: THREE.BufferGeometry };

function drawable(o: THREE.Object3D): o is Drawable {
  const d = o as Partial<THREE.Mesh & THREE.Points & THREE.Line & THREE.Sprite>;
  return !!(d.isMesh || d.isPoints || d.isLine || d.isSprite);
}

function transparent(m: THREE.Material | THREE.Material[]): boolean {
  return Array.isArray(m) ? m.length > 0 && m.every((x) => x.transparent) : m.transparent;
}

/** Whether three.js sorts a transparent object at or after the flashes: by group order (the
 * render order of the nearest THREE.Group above it), then render order. */
function perFrame(o: Drawable, groupOrder: number): boolean {
  if (!transparent(o.material)) return false;
  return groupOrder > 0 || (groupOrder === 0 && o.renderOrder >= FLASH_RENDER_ORDER);
}

export class StaticLayer {
  mode: RenderMode = "auto";
  /** times the static part was rendered (for tests and benchmarks) */
  builds = 0;
  private target: THREE.WebGLRenderTarget | null = null;
  private copy: THREE.Mesh<THREE.BufferGeometry, THREE.ShaderMaterial>;
  private copyScene = new THREE.Scene();
  private copyCamera = new THREE.OrthographicCamera(-1, 1, 1, -1, 0, 1);
  private version = 0;
  private key: number[] = [];
  private next: number[] = [];
  private renderer: THREE.WebGLRenderer | null = null;
  private size = new THREE.Vector2();

  constructor() {
    this.copy = new THREE.Mesh(
      new THREE.PlaneGeometry(2, 2),
      new THREE.ShaderMaterial({
        vertexShader: COPY_VERTEX,
        fragmentShader: COPY_FRAGMENT,
        uniforms: { uColor: { value: null }, uDepth: { value: null } },
        depthTest: true,
        depthFunc: THREE.AlwaysDepth,
        depthWrite: true,
        blending: THREE.NoBlending,
        toneMapped: false,
      }),
    );
    this.copy.frustumCulled = false;
    this.copyScene.add(this.copy);
  }

  /** The static part changed in a way only its owner knows (e.g. a uniform): re-render it. */
  invalidate(): void {
    this.version++;
  }

  /** Draw one frame of `scene` on the renderer's canvas. `generation` counts the renderer's
   * WebGL contexts (a restored context has lost the target). */
  render(renderer: THREE.WebGLRenderer, scene: THREE.Scene, camera: THREE.Camera, generation: number): void {
    scene.updateMatrixWorld();
    if (camera.parent === null) camera.updateMatrixWorld();
    const next = this.next;
    next.length = 0;
    renderer.getDrawingBufferSize(this.size);
    next.push(this.version, generation, this.size.x, this.size.y, renderer.getPixelRatio());
    next.push(...camera.matrixWorld.elements, ...camera.projectionMatrix.elements);
    this.classify(scene, 0, next);
    const target = this.ensureTarget(renderer);
    if (this.mode === "full" || renderer !== this.renderer || !sameKey(next, this.key)) {
      this.renderStatic(renderer, scene, camera, target);
      this.renderer = renderer;
      [this.key, this.next] = [next, this.key];
    }
    const mask = camera.layers.mask;
    const autoClear = renderer.autoClear;
    try {
      renderer.autoClear = false; // the copy writes every pixel's colour and depth
      renderer.setRenderTarget(null);
      renderer.render(this.copyScene, this.copyCamera);
      camera.layers.mask = 1 << FRAME_LAYER;
      renderer.render(scene, camera);
    } finally {
      camera.layers.mask = mask;
      renderer.autoClear = autoClear;
    }
  }

  /** Put each drawable on the static or the per-frame layer (and on layer 0, for raycasts),
   * everything else (groups, lights) on all; note the static ones in the key. */
  private classify(o: THREE.Object3D, groupOrder: number, key: number[]): void {
    if ((o as THREE.Group).isGroup) groupOrder = o.renderOrder; // as three.js sorts
    if (drawable(o)) {
      const frame = perFrame(o, groupOrder);
      o.layers.mask = 1 | (1 << (frame ? FRAME_LAYER : STATIC_LAYER));
      if (!frame && o.visible) {
        const m = o.material;
        key.push(o.id, o.geometry.id, Array.isArray(m) ? -m.length : m.id, Array.isArray(m) ? 0 : m.version);
        key.push(...o.matrixWorld.elements);
      }
    } else if (!(o as THREE.Camera).isCamera) {
      o.layers.enableAll();
    }
    if (!o.visible) return; // three.js draws nothing below an invisible object
    for (const c of o.children) this.classify(c, groupOrder, key);
  }

  private ensureTarget(renderer: THREE.WebGLRenderer): THREE.WebGLRenderTarget {
    const { x: w, y: h } = this.size;
    if (this.target && this.target.width === w && this.target.height === h) return this.target;
    this.target?.dispose();
    const depth = new THREE.DepthTexture(w, h);
    const target = new THREE.WebGLRenderTarget(w, h, {
      samples: Math.min(SAMPLES, renderer.capabilities.maxSamples),
      depthBuffer: true,
      depthTexture: depth,
      colorSpace: THREE.SRGBColorSpace,
    });
    // Render it exactly as the canvas: materials encode their output to sRGB and the clear
    // colour is the canvas's (three.js does both for the canvas and for XR targets, whose
    // texture's colour space it follows), into plain 8-bit storage, so that blending happens
    // on the same values as on the canvas.
    (target as unknown as { isXRRenderTarget: boolean }).isXRRenderTarget = true;
    target.texture.internalFormat = "RGBA8";
    target.texture.generateMipmaps = false;
    this.target = target;
    this.copy.material.uniforms.uColor.value = target.texture;
    this.copy.material.uniforms.uDepth.value = depth;
    return target;
  }

  private renderStatic(
    renderer: THREE.WebGLRenderer,
    scene: THREE.Scene,
    camera: THREE.Camera,
    target: THREE.WebGLRenderTarget,
  ): void {
    const mask = camera.layers.mask;
    const autoClear = renderer.autoClear;
    try {
      camera.layers.mask = 1 << STATIC_LAYER;
      renderer.autoClear = true;
      renderer.setRenderTarget(target);
      renderer.render(scene, camera);
    } finally {
      camera.layers.mask = mask;
      renderer.autoClear = autoClear;
      renderer.setRenderTarget(null);
    }
    this.builds++;
  }

  dispose(): void {
    this.target?.depthTexture?.dispose();
    this.target?.dispose();
    this.target = null;
    this.copy.geometry.dispose();
    this.copy.material.dispose();
  }
}

function sameKey(a: number[], b: number[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
