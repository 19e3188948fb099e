/* One view of a player: canvas, camera, orbit controls, legend, message overlay and the
 * control bar. Renders on demand (frame change, camera move, resize). */
import * as THREE from "three";
import type { OrbitControls } from "three/addons/controls/OrbitControls.js";
import { AxesBox } from "./axes";
import { ControlBar } from "./controls";
import { ExtrasLayer } from "./extras";
import { bindKeys, bindPointer, isFullscreen } from "./focus";
import { frameView, viewDirection } from "./framing";
import { GLContext } from "./gl_context";
import { Inspector } from "./inspector";
import { Legend } from "./legend";
import type { Playback } from "./playback";
import { SceneObjects } from "./scene";
import { capture, download, fileName } from "./screenshot";
import { StaticLayer } from "./static_layer";
import { Timeline } from "./timeline";
import type { PlayerModel } from "./types";

const FOV = 30;
const MARGIN_PX = 10; // free space around the framed box and its labels
const MARGIN_BOTTOM_PX = 14; // the box never touches the control bar

export class PlayerView {
  readonly root = document.createElement("div");
  readonly stage = document.createElement("div");
  readonly camera = new THREE.PerspectiveCamera(FOV, 1, 0.1, 1e7);
  readonly scene = new THREE.Scene();
  readonly bar: ControlBar;
  readonly timeline: Timeline; // raster and traces under the 3D view, on the same clock
  private content = new THREE.Group();
  private objects: SceneObjects | null = null;
  /** draws the frames: the static part once while the camera is still, then only what changes */
  readonly layer = new StaticLayer();
  private axes: AxesBox | null = null;
  private extras: ExtrasLayer; // pythreejs objects added from Python (player.add)
  private gl: GLContext;
  private overlay = document.createElement("div");
  readonly legend = new Legend();
  /** hover tooltip, selection, hidden groups (see inspector.ts) */
  readonly inspector: Inspector;
  private pending: number | null = null;
  private unsubscribe: () => void;
  private unbindInput: Array<() => void>;
  private resizeObserver: ResizeObserver;
  /** the user turned, zoomed or panned the camera: resizes keep the view instead of refitting */
  userMoved = false;
  private shift: [number, number] = [0, 0]; // picture shift, fractions of the canvas size
  private waitShown = ""; // the waiting message shown (see showWaiting)
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
      userMoved: () => {
        this.userMoved = true;
      },
      showMessage: (message, action) => this.showMessage(message, action),
      message: () => this.pb.data.meta.message,
    });
    this.bar = new ControlBar(pb, {
      resetCamera: () => this.resetCamera(),
      fullscreen: () => this.toggleFullscreen(),
      screenshot: () => this.saveScreenshot(),
    });
    this.timeline = new Timeline(model, pb);
    this.root.append(this.stage, this.timeline.el, this.bar.el);
    el.append(this.root);
    this.overlay.addEventListener("click", () => this.gl.restore());

    this.scene.add(this.content);
    this.scene.add(this.camera); // the extras' headlamp is a child of the camera
    this.extras = new ExtrasLayer(model, this.camera, () => this.requestRender());
    this.inspector = new Inspector({
      stage: this.stage,
      model,
      pb,
      camera: this.camera,
      content: this.content,
      canvas: () => this.renderer.domElement,
      objects: () => this.objects,
      timeline: this.timeline,
      legend: this.legend,
      layer: this.layer,
      requestRender: () => this.requestRender(),
    });
    this.build();

    this.unbindInput = [
      bindKeys(this.root, this.bar),
      bindPointer({ root: this.root, stage: this.stage, setWheelZoom: (on) => (this.orbit.enableZoom = on) }),
    ];
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
    this.inspector.build();
    this.showMessage(meta.message);
    if (first || !this.userMoved) this.fit();
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

  /** mplot3d's default view (azimuth −60°, elevation 30°), framing the whole box with its
   * labels; the view refits on resizes again until the user moves the camera. */
  resetCamera(): void {
    this.userMoved = false;
    this.fit();
  }

  /** Frame the box and its labels from mplot3d's default direction, in the part of the canvas
   * the legend leaves free (beside it or below it, whichever shows the box larger). */
  fit(): void {
    const axes = this.axes;
    if (!axes) return;
    const width = Math.max(this.stage.clientWidth, 1);
    const height = this.stageHeight();
    const l = this.legend.el;
    const dir = viewDirection(-60, 30);
    const fit = frameView({
      fov: FOV,
      width,
      height,
      margin: MARGIN_PX,
      marginBottom: MARGIN_BOTTOM_PX,
      legend: l.offsetWidth && l.offsetHeight ? { left: l.offsetLeft, top: l.offsetTop, right: l.offsetLeft + l.offsetWidth, bottom: l.offsetTop + l.offsetHeight } : null,
      target: this.center,
      direction: dir,
      object: this.content,
      corners: axes.corners(),
      labels: (project, eye) => AxesBox.labelRects(axes.layout(project, eye)),
    });
    this.camera.up.set(0, 0, 1);
    this.camera.position.copy(this.center).addScaledVector(dir, fit.distance);
    this.orbit.target.copy(this.center);
    this.shift = [fit.shiftX / width, fit.shiftY / height];
    this.applyShift(width, height);
    this.orbit.update();
    this.requestRender();
  }

  /** Shift the picture on the canvas (a lens shift: the camera still turns about the box). */
  private applyShift(width: number, height: number): void {
    this.camera.setViewOffset(width, height, -this.shift[0] * width, -this.shift[1] * height, width, height);
  }

  /** The 3D view as shown, as a PNG rendered at `scale` times the screen's pixel ratio. */
  screenshot(scale = 1): Promise<Blob> {
    return capture(this, scale);
  }

  ensureContext(): boolean {
    return this.gl.ensure();
  }

  /** The camera button: download the view as a PNG named after the player and the time. */
  private saveScreenshot(): void {
    const meta = this.pb.data.meta;
    const name = fileName(
      meta.groups.map((g) => g.name),
      this.pb.nFrames ? this.pb.frameStart(this.pb.frame) : 0,
    );
    this.screenshot(1).then(
      (blob) => download(blob, name),
      (err: Error) => {
        this.showMessage(`Could not save the picture: ${err.message}`);
        setTimeout(() => this.showMessage(this.pb.data.meta.message), 5000);
      },
    );
  }

  private toggleFullscreen(): void {
    if (isFullscreen(this.root)) void document.exitFullscreen();
    else void this.root.requestFullscreen?.();
  }

  private stageHeight(): number {
    return this.renderer.domElement.clientHeight || this.model.get("height");
  }

  private resize = (): void => {
    const full = isFullscreen(this.root);
    // the canvas is 100% wide in CSS, so it follows its container instead of sizing it;
    // before the first layout the width is 0 and the ResizeObserver calls again
    const width = Math.max(this.stage.clientWidth, 1);
    const height = full ? Math.max(window.innerHeight - this.bar.el.offsetHeight - this.timeline.el.offsetHeight, 100) : this.model.get("height");
    this.stage.style.height = `${height}px`;
    this.renderer.setSize(width, height, false);
    this.renderer.domElement.style.height = `${height}px`;
    this.camera.aspect = width / height;
    this.applyShift(width, height);
    this.axes?.setViewport(width, height);
    // until the user moves the camera, every new size (window, sidebar, height) refits the box
    if (!this.userMoved && width > 1) this.fit();
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
    this.inspector.beforeRender(this.renderer.getPixelRatio());
    this.scene.updateMatrixWorld();
    this.axes?.update(this.camera, this.content);
    this.layer.render(this.renderer, this.scene, this.camera, this.gl.generation);
    this.renders++;
    this.showWaiting();
    if (!this.pb.ready) return; // a windowed recording's first spikes are on their way: no frame yet
    if (this.firstRenderAt === null) this.firstRenderAt = performance.now();
    this.root.dataset.frame = String(this.pb.frame);
  }

  /** While spikes come from the kernel (windowed recordings), say so in the overlay. */
  private showWaiting(): void {
    const message = this.pb.waitMessage();
    if (message === this.waitShown) return;
    this.waitShown = message;
    this.showMessage(message || this.pb.data.meta.message);
  }

  dispose(): void {
    this.unsubscribe();
    for (const unbind of this.unbindInput) unbind();
    this.resizeObserver.disconnect();
    this.model.off("change:height", this.resize);
    document.removeEventListener("fullscreenchange", this.resize);
    if (this.pending !== null) cancelAnimationFrame(this.pending);
    this.bar.dispose();
    this.inspector.dispose();
    this.timeline.dispose();
    this.objects?.dispose();
    this.axes?.dispose();
    this.extras.dispose();
    this.layer.dispose();
    this.gl.dispose();
    this.root.remove();
  }
}
