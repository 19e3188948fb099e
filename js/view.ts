/* One view of a player: canvas, camera, orbit controls, legend, message overlay and the
 * control bar. Renders on demand (frame change, camera move, resize). */
import * as THREE from "three";
import type { OrbitControls } from "three/addons/controls/OrbitControls.js";
import { AxesBox } from "./axes";
import { ControlBar } from "./controls";
import { ExtrasLayer } from "./extras";
import { GLContext } from "./gl_context";
import { Legend } from "./legend";
import type { Playback } from "./playback";
import { SceneObjects } from "./scene";
import { Timeline } from "./timeline";
import type { PlayerModel } from "./types";

const FOV = 30;

export class PlayerView {
  readonly root = document.createElement("div");
  readonly stage = document.createElement("div");
  readonly camera = new THREE.PerspectiveCamera(FOV, 1, 0.1, 1e7);
  readonly scene = new THREE.Scene();
  readonly bar: ControlBar;
  readonly timeline: Timeline; // raster and traces under the 3D view, on the same clock
  private content = new THREE.Group();
  private objects: SceneObjects | null = null;
  private axes: AxesBox | null = null;
  private extras: ExtrasLayer; // pythreejs objects added from Python (player.add)
  private gl: GLContext;
  private overlay = document.createElement("div");
  private legend = new Legend();
  private pending: number | null = null;
  private unsubscribe: () => void;
  private resizeObserver: ResizeObserver;
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
    this.stage.append(this.legend.el, this.overlay);
    this.gl = new GLContext({
      stage: this.stage,
      root: this.root,
      camera: this.camera,
      attached: () => this.resize(),
      render: () => this.render(),
      requestRender: () => this.requestRender(),
      showMessage: (message, action) => this.showMessage(message, action),
      message: () => this.pb.data.meta.message,
    });
    this.bar = new ControlBar(pb, { resetCamera: () => this.resetCamera(), fullscreen: () => this.toggleFullscreen() });
    this.timeline = new Timeline(model, pb);
    this.root.append(this.stage, this.timeline.el, this.bar.el);
    el.append(this.root);
    this.overlay.addEventListener("click", () => this.gl.restore());

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
    this.resize();
  }

  get renderer(): THREE.WebGLRenderer {
    return this.gl.renderer;
  }

  private get orbit(): OrbitControls {
    return this.gl.orbit;
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
    this.legend.show(meta);
    this.timeline.build();
    this.showMessage(meta.message);
    if (first) this.resetCamera();
    else this.requestRender();
  }

  /** New frames were appended to the same scene (live run). */
  dataAppended(): void {
    if (this.objects) this.objects.data = this.pb.data;
    this.timeline.dataAppended();
    this.showMessage(this.pb.data.meta.message);
    this.requestRender();
  }

  private showMessage(message: string, action = false): void {
    this.overlay.textContent = message || "";
    this.overlay.style.display = message ? "flex" : "none";
    this.overlay.classList.toggle("cleo-overlay-action", action);
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
    const height = full ? Math.max(window.innerHeight - this.bar.el.offsetHeight - this.timeline.el.offsetHeight, 100) : this.model.get("height");
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
    if (!this.gl.usable || !this.objects) return;
    const size = this.renderer.getDrawingBufferSize(new THREE.Vector2());
    // pixels per world unit at distance 1, for light points sized in world units
    const scale = size.y / (2 * Math.tan(((this.camera.fov / 2) * Math.PI) / 180));
    this.objects.update(this.pb.frame, this.pb.decayFrames(), this.renderer.getPixelRatio(), scale);
    this.renderer.render(this.scene, this.camera);
    this.renders++;
    if (this.firstRenderAt === null) this.firstRenderAt = performance.now();
    this.root.dataset.frame = String(this.pb.frame);
  }

  dispose(): void {
    this.unsubscribe();
    this.resizeObserver.disconnect();
    this.model.off("change:height", this.resize);
    document.removeEventListener("fullscreenchange", this.resize);
    if (this.pending !== null) cancelAnimationFrame(this.pending);
    this.bar.dispose();
    this.timeline.dispose();
    this.objects?.dispose();
    this.axes?.dispose();
    this.extras.dispose();
    this.gl.dispose();
    this.root.remove();
  }
}
