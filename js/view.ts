/* One view of a player: canvas, camera, orbit controls, legend, message overlay and the
 * control bar. Renders on demand (frame change, camera move, resize). */
import * as THREE from "three";
import { OrbitControls } from "three/addons/controls/OrbitControls.js";
import { AxesBox } from "./axes";
import { lighten } from "./colors";
import { ControlBar } from "./controls";
import { ExtrasLayer } from "./extras";
import type { Playback } from "./playback";
import { SceneObjects } from "./scene";
import type { PlayerModel } from "./types";

const BACKGROUND = 0x111318;
const FOV = 30;

function cssColor(c: number[]): string {
  return `rgb(${c.map((v) => Math.round(v * 255)).join(",")})`;
}

export class PlayerView {
  readonly root = document.createElement("div");
  readonly stage = document.createElement("div");
  renderer: THREE.WebGLRenderer;
  readonly camera = new THREE.PerspectiveCamera(FOV, 1, 0.1, 1e7);
  readonly scene = new THREE.Scene();
  readonly bar: ControlBar;
  private content = new THREE.Group();
  private objects: SceneObjects | null = null;
  private axes: AxesBox | null = null;
  private extras: ExtrasLayer; // pythreejs objects added from Python (player.add)
  private orbit: OrbitControls;
  private snapshot: HTMLImageElement | null = null;
  private released = false;
  private releaseTimer: ReturnType<typeof setTimeout> | null = null;
  private visibility: IntersectionObserver;
  private overlay = document.createElement("div");
  private legend = document.createElement("div");
  private pending: number | null = null;
  private unsubscribe: () => void;
  private resizeObserver: ResizeObserver;
  private contextLost = false;
  private framed = false;
  private center = new THREE.Vector3();
  private radius = 1;
  /** number of frames rendered, and when the first one was (for tests and benchmarks) */
  renders = 0;
  firstRenderAt: number | null = null;

  constructor(
    el: HTMLElement,
    private model: PlayerModel,
    private pb: Playback,
  ) {
    this.root.className = "cleo-player";
    this.root.tabIndex = 0;
    this.stage.className = "cleo-stage";
    this.overlay.className = "cleo-overlay";
    this.legend.className = "cleo-legend";
    this.stage.append(this.legend, this.overlay);
    [this.renderer, this.orbit] = this.attachRenderer();
    this.bar = new ControlBar(pb, { resetCamera: () => this.resetCamera(), fullscreen: () => this.toggleFullscreen() });
    this.root.append(this.stage, this.bar.el);
    el.append(this.root);
    this.overlay.addEventListener("click", () => {
      if (this.contextLost) this.reattach();
    });

    this.scene.add(this.content);
    this.scene.add(this.camera); // the extras' headlamp is a child of the camera
    this.extras = new ExtrasLayer(model, this.camera, () => this.requestRender());
    this.build();

    this.root.addEventListener("keydown", (e) => {
      if ((e.target as HTMLElement).tagName === "INPUT" && e.key !== " ") return;
      if (this.bar.handleKey(e)) {
        e.preventDefault();
        e.stopPropagation();
      }
    });
    this.unsubscribe = pb.subscribe(() => this.requestRender());
    this.resizeObserver = new ResizeObserver(() => this.resize());
    this.resizeObserver.observe(this.stage);
    this.model.on("change:height", this.resize);
    document.addEventListener("fullscreenchange", this.resize);
    // a view scrolled out of sight gives its WebGL context back (browsers allow ~16 per page)
    this.visibility = new IntersectionObserver((entries) => this.onVisibility(entries[entries.length - 1].isIntersecting));
    this.visibility.observe(this.root);
    this.resize();
  }

  /** A renderer and orbit controls on a new canvas (the camera and its target are kept). */
  private attachRenderer(): [THREE.WebGLRenderer, OrbitControls] {
    const renderer = new THREE.WebGLRenderer({ antialias: true, preserveDrawingBuffer: true, alpha: false });
    renderer.setPixelRatio(window.devicePixelRatio || 1);
    renderer.setClearColor(BACKGROUND, 1);
    const canvas = renderer.domElement;
    canvas.className = "cleo-canvas";
    canvas.addEventListener("webglcontextlost", this.onContextLost);
    canvas.addEventListener("webglcontextrestored", this.onContextRestored);
    canvas.addEventListener("pointerdown", () => this.root.focus({ preventScroll: true }));
    this.stage.prepend(canvas);
    const orbit = new OrbitControls(this.camera, canvas);
    if (this.orbit) {
      // the new controls looked at (0, 0, 0) on creation: look at the old target again
      orbit.target.copy(this.orbit.target);
      orbit.update();
    }
    orbit.addEventListener("change", () => this.requestRender());
    return [renderer, orbit];
  }

  /** Free the WebGL context; keep a picture of the last frame in its place. */
  private detachRenderer(keepPicture: boolean): void {
    const canvas = this.renderer.domElement;
    if (keepPicture && !this.contextLost) {
      this.snapshot ??= document.createElement("img");
      this.snapshot.className = "cleo-snapshot";
      this.snapshot.src = canvas.toDataURL();
      this.snapshot.style.height = canvas.style.height;
      this.stage.prepend(this.snapshot);
    }
    this.orbit.dispose();
    canvas.removeEventListener("webglcontextlost", this.onContextLost);
    canvas.removeEventListener("webglcontextrestored", this.onContextRestored);
    this.renderer.dispose();
    this.renderer.forceContextLoss();
    canvas.remove();
  }

  /** Get a fresh WebGL context (after a release or a context the browser took away). */
  private reattach(): void {
    this.detachRenderer(false);
    [this.renderer, this.orbit] = this.attachRenderer();
    this.snapshot?.remove();
    this.released = false;
    this.contextLost = false;
    this.showMessage(this.pb.data.meta.message);
    this.resize();
    this.render();
  }

  private onVisibility(visible: boolean): void {
    if (this.releaseTimer !== null) clearTimeout(this.releaseTimer);
    this.releaseTimer = null;
    if (visible && (this.released || this.contextLost)) this.reattach();
    else if (!visible && !this.released && !document.fullscreenElement) {
      this.releaseTimer = setTimeout(() => {
        this.releaseTimer = null;
        this.detachRenderer(true);
        this.released = true;
      }, 2000);
    }
  }

  /** (Re)build the three.js objects from the playback's data (camera kept unless first). */
  build(): void {
    const first = this.objects === null;
    this.objects?.dispose();
    this.axes?.dispose();
    this.content.clear();
    const data = this.pb.data;
    const meta = data.meta;
    this.objects = new SceneObjects(data, this.pb.spikes);
    this.axes = new AxesBox(meta.axes);
    this.axes.setViewport(this.stage.clientWidth, this.stageHeight());
    this.content.add(this.axes.group, this.objects.root, this.extras.root);
    // cleo's convention: +z is depth, drawn downward when invert_z
    this.content.scale.set(1, 1, meta.axes.invert_z ? -1 : 1);
    const [x0, x1] = meta.axes.xlim;
    const [y0, y1] = meta.axes.ylim;
    const [z0, z1] = meta.axes.zlim;
    this.center.set((x0 + x1) / 2, (y0 + y1) / 2, ((z0 + z1) / 2) * (meta.axes.invert_z ? -1 : 1));
    this.radius = 0.5 * Math.hypot(x1 - x0, y1 - y0, z1 - z0) || 1;
    this.camera.near = this.radius / 100;
    this.camera.far = this.radius * 100;
    this.camera.updateProjectionMatrix();
    this.buildLegend();
    this.showMessage(meta.message);
    if (first) this.resetCamera();
    else this.requestRender();
  }

  /** New frames were appended to the same scene (live run). */
  dataAppended(): void {
    if (this.objects) this.objects.data = this.pb.data;
    this.showMessage(this.pb.data.meta.message);
    this.requestRender();
  }

  private showMessage(message: string): void {
    this.overlay.textContent = message || "";
    this.overlay.style.display = message ? "flex" : "none";
  }

  private buildLegend(): void {
    const meta = this.pb.data.meta;
    const items: Array<[string, number[], string]> = [
      ...meta.groups.map((g): [string, number[], string] => [g.name, g.color, "dot"]),
      ...meta.lights.map((l): [string, number[], string] => [l.name, l.color, "patch"]),
      ...meta.probes.map((p): [string, number[], string] => [p.name, lighten(p.color), "cross"]),
      ...meta.scopes.flatMap((s): Array<[string, number[], string]> => [
        [s.name, s.color, "patch"],
        ...(s.rois.length ? [[`${s.sensor || s.name} ROIs`, s.color.map((c) => c * 0.6), "dot"] as [string, number[], string]] : []),
      ]),
    ];
    this.legend.replaceChildren(
      ...items.map(([name, color, kind]) => {
        const row = document.createElement("div");
        const sw = document.createElement("span");
        sw.className = `cleo-swatch cleo-swatch-${kind}`;
        sw.style.background = kind === "cross" ? "transparent" : cssColor(color);
        sw.style.color = cssColor(color);
        if (kind === "cross") sw.textContent = "×";
        const label = document.createElement("span");
        label.textContent = name; // names are text, never HTML
        row.append(sw, label);
        return row;
      }),
    );
  }

  /** mplot3d's default view: azimuth −60°, elevation 30°, whole box in sight. */
  resetCamera(): void {
    const azim = (-60 * Math.PI) / 180;
    const elev = (30 * Math.PI) / 180;
    // the box is flat, so vertically 0.8 of its bounding sphere fits; a narrow view must also
    // fit the whole sphere across
    const vHalf = ((FOV / 2) * Math.PI) / 180;
    const hHalf = Math.atan(Math.tan(vHalf) * Math.max(this.camera.aspect, 1e-3));
    const dist = Math.max((0.8 * this.radius) / Math.sin(vHalf), this.radius / Math.sin(hHalf));
    const dir = new THREE.Vector3(Math.cos(elev) * Math.cos(azim), Math.cos(elev) * Math.sin(azim), Math.sin(elev));
    this.camera.up.set(0, 0, 1);
    this.camera.position.copy(this.center).addScaledVector(dir, dist);
    this.orbit.target.copy(this.center);
    this.orbit.update();
    this.requestRender();
  }

  private toggleFullscreen(): void {
    if (document.fullscreenElement) void document.exitFullscreen();
    else void this.root.requestFullscreen?.();
  }

  private stageHeight(): number {
    return this.renderer.domElement.clientHeight || this.model.get("height");
  }

  private resize = (): void => {
    const full = document.fullscreenElement === this.root;
    // the canvas is 100% wide in CSS, so it follows its container instead of sizing it;
    // before the first layout the width is 0 and the ResizeObserver calls again
    const width = Math.max(this.stage.clientWidth, 1);
    const height = full ? Math.max(window.innerHeight - this.bar.el.offsetHeight, 100) : this.model.get("height");
    this.stage.style.height = `${height}px`;
    this.renderer.setSize(width, height, false);
    this.renderer.domElement.style.height = `${height}px`;
    this.camera.aspect = width / height;
    this.camera.updateProjectionMatrix();
    this.axes?.setViewport(width, height);
    if (!this.framed && width > 1) {
      this.framed = true; // the first real size: frame the box for this aspect
      this.resetCamera();
    }
    this.requestRender();
  };

  requestRender(): void {
    if (this.pending !== null) return;
    this.pending = requestAnimationFrame(() => {
      this.pending = null;
      this.render();
    });
  }

  render(): void {
    if (this.contextLost || this.released || !this.objects) return;
    const size = this.renderer.getDrawingBufferSize(new THREE.Vector2());
    // pixels per world unit at distance 1, for light points sized in world units
    const scale = size.y / (2 * Math.tan(((this.camera.fov / 2) * Math.PI) / 180));
    this.objects.update(this.pb.frame, this.pb.decayFrames(), this.renderer.getPixelRatio(), scale);
    this.renderer.render(this.scene, this.camera);
    this.renders++;
    if (this.firstRenderAt === null) this.firstRenderAt = performance.now();
    this.root.dataset.frame = String(this.pb.frame);
  }

  private onContextLost = (e: Event): void => {
    e.preventDefault(); // lets the browser restore it
    this.contextLost = true;
    this.overlay.classList.add("cleo-overlay-action");
    this.showMessage("The 3D view lost its WebGL context (too many 3D views on the page?). Click to restore it.");
  };

  private onContextRestored = (): void => {
    this.contextLost = false;
    this.renderer.setClearColor(BACKGROUND, 1); // three.js restores its state with a black one
    this.overlay.classList.remove("cleo-overlay-action");
    this.showMessage(this.pb.data.meta.message);
    this.render();
  };

  dispose(): void {
    this.unsubscribe();
    this.resizeObserver.disconnect();
    this.visibility.disconnect();
    if (this.releaseTimer !== null) clearTimeout(this.releaseTimer);
    this.model.off("change:height", this.resize);
    document.removeEventListener("fullscreenchange", this.resize);
    if (this.pending !== null) cancelAnimationFrame(this.pending);
    this.bar.dispose();
    this.objects?.dispose();
    this.axes?.dispose();
    this.extras.dispose();
    if (!this.released) this.detachRenderer(false);
    this.root.remove();
  }
}
