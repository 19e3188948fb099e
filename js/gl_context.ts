/* A view's WebGL renderer and the life of its context. Browsers allow about 16 WebGL contexts
 * per page, so a view out of sight for a while gives its context back (keeping a picture of its
 * last frame in its place) and takes a new one when it comes back into sight; a context the
 * browser took away is restored with a click, or when the view comes back into sight. */
import * as THREE from "three";
import { OrbitControls } from "three/addons/controls/OrbitControls.js";

export const BACKGROUND = 0x111318;
const RELEASE_AFTER_MS = 2000;
const LOST_MESSAGE = "The 3D view lost its WebGL context (too many 3D views on the page?). Click to restore it.";

/** What the context needs from its view. */
export interface ContextHost {
  /** the element the canvas (or the snapshot standing in for it) goes into, first */
  stage: HTMLElement;
  /** observed for visibility */
  root: HTMLElement;
  camera: THREE.PerspectiveCamera;
  /** a new renderer is ready (sized by the view's next resize) */
  attached(): void;
  /** draw now (the context is usable) */
  render(): void;
  requestRender(): void;
  /** the user started turning, zooming or panning the camera */
  userMoved(): void;
  /** show a message over the view ("" hides it); `action`: the message is clickable */
  showMessage(message: string, action: boolean): void;
  /** the message shown when the context is fine */
  message(): string;
}

export class GLContext {
  renderer: THREE.WebGLRenderer;
  orbit: OrbitControls;
  /** counts the WebGL contexts drawn with (new or restored): GPU resources of an older one are gone */
  generation = 0;
  private lost = false;
  private released = false;
  private snapshot: HTMLImageElement | null = null;
  private releaseTimer: ReturnType<typeof setTimeout> | null = null;
  private visibility: IntersectionObserver;

  constructor(private host: ContextHost) {
    [this.renderer, this.orbit] = this.attach(null);
    this.visibility = new IntersectionObserver((entries) => this.onVisibility(entries[entries.length - 1].isIntersecting));
    this.visibility.observe(host.root);
  }

  /** Whether the renderer can draw. */
  get usable(): boolean {
    return !this.lost && !this.released;
  }

  /** Make the context usable now (a view out of sight gave it back); false if it is lost. */
  ensure(): boolean {
    if (this.released) this.reattach();
    return this.usable;
  }

  /** Restore a context the browser took (e.g. on a click on the message). */
  restore(): void {
    if (this.lost) this.reattach();
  }

  /** A renderer and orbit controls on a new canvas (the camera and the old target are kept). */
  private attach(old: OrbitControls | null): [THREE.WebGLRenderer, OrbitControls] {
    // no multisampling on the canvas: the static layer (static_layer.ts) antialiases the lines
    // and meshes in its own target
    const renderer = new THREE.WebGLRenderer({ antialias: false, preserveDrawingBuffer: true, alpha: false });
    renderer.setPixelRatio(window.devicePixelRatio || 1);
    renderer.setClearColor(BACKGROUND, 1);
    this.generation++;
    const canvas = renderer.domElement;
    canvas.className = "cleo-canvas";
    canvas.addEventListener("webglcontextlost", this.onLost);
    canvas.addEventListener("webglcontextrestored", this.onRestored);
    canvas.addEventListener("pointerdown", () => this.host.root.focus({ preventScroll: true }));
    this.host.stage.prepend(canvas);
    const orbit = new OrbitControls(this.host.camera, canvas);
    if (old) {
      // the new controls looked at (0, 0, 0) on creation: look at the old target again
      orbit.target.copy(old.target);
      orbit.update();
    }
    orbit.addEventListener("change", () => this.host.requestRender());
    orbit.addEventListener("start", () => this.host.userMoved());
    return [renderer, orbit];
  }

  /** Free the WebGL context; keep a picture of the last frame in its place. */
  private detach(keepPicture: boolean): void {
    const canvas = this.renderer.domElement;
    if (keepPicture && !this.lost) {
      this.snapshot ??= document.createElement("img");
      this.snapshot.className = "cleo-snapshot";
      this.snapshot.src = canvas.toDataURL();
      this.snapshot.style.height = canvas.style.height;
      this.host.stage.prepend(this.snapshot);
    }
    this.orbit.dispose();
    canvas.removeEventListener("webglcontextlost", this.onLost);
    canvas.removeEventListener("webglcontextrestored", this.onRestored);
    this.renderer.dispose();
    this.renderer.forceContextLoss();
    canvas.remove();
  }

  /** Get a fresh WebGL context (after a release or a context the browser took away). */
  private reattach(): void {
    this.detach(false);
    [this.renderer, this.orbit] = this.attach(this.orbit);
    this.snapshot?.remove();
    this.released = false;
    this.lost = false;
    this.host.showMessage(this.host.message(), false);
    this.host.attached();
    this.host.render();
  }

  private onVisibility(visible: boolean): void {
    if (this.releaseTimer !== null) clearTimeout(this.releaseTimer);
    this.releaseTimer = null;
    if (visible && !this.usable) this.reattach();
    else if (!visible && !this.released && !document.fullscreenElement) {
      this.releaseTimer = setTimeout(() => {
        this.releaseTimer = null;
        this.detach(true);
        this.released = true;
      }, RELEASE_AFTER_MS);
    }
  }

  private onLost = (e: Event): void => {
    e.preventDefault(); // lets the browser restore it
    this.lost = true;
    this.host.showMessage(LOST_MESSAGE, true);
  };

  private onRestored = (): void => {
    this.lost = false;
    this.generation++;
    this.renderer.setClearColor(BACKGROUND, 1); // three.js restores its state with a black one
    this.host.showMessage(this.host.message(), false);
    this.host.render();
  };

  dispose(): void {
    this.visibility.disconnect();
    if (this.releaseTimer !== null) clearTimeout(this.releaseTimer);
    if (!this.released) this.detach(false);
  }
}
