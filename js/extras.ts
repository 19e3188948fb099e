/* Scene extras: three.js objects built from the descriptions of pythreejs objects added in
 * Python with player.add(obj) (see ../src/cleo_player/extras.py: the Player traits `_extras`,
 * JSON, and `_extras_data`, the arrays per geometry key).
 *
 * The layer's root goes into the view's content group, so extras are in axis units like the
 * neurons and share the z flip (an object at z = 300 is drawn 300 µm deep). Geometries and
 * materials are cached by their content key: moving an object from Python rebuilds only its
 * Object3D. Lit materials get a soft ambient light and a directional light that follows the
 * camera (a headlamp). */
import * as THREE from "three";
import type { BufferGeometryDesc, ExtraDesc, ExtrasData, MaterialDesc, PlayerModel, PrimitiveGeometryDesc, RGB } from "./types";

/** Extras draw after the player's own translucent points (neurons 0, light clouds 1). */
const RENDER_ORDER = 2;
const AMBIENT_INTENSITY = 0.9;
const HEADLAMP_INTENSITY = 2.4;


const SIDES = { FrontSide: THREE.FrontSide, BackSide: THREE.BackSide, DoubleSide: THREE.DoubleSide } as const;
const LIT = new Set(["MeshLambertMaterial", "MeshPhongMaterial", "MeshStandardMaterial"]);

function srgb(c: RGB): THREE.Color {
  return new THREE.Color().setRGB(c[0], c[1], c[2], THREE.SRGBColorSpace);
}

function float32(dv: DataView | undefined, n: number): Float32Array | null {
  if (!dv || dv.byteLength < n * 4) return null;
  if (dv.byteOffset % 4 === 0) return new Float32Array(dv.buffer as ArrayBuffer, dv.byteOffset, n);
  return new Float32Array((dv.buffer as ArrayBuffer).slice(dv.byteOffset, dv.byteOffset + n * 4));
}

function uint32(dv: DataView | undefined, n: number): Uint32Array | null {
  if (!dv || dv.byteLength < n * 4) return null;
  if (dv.byteOffset % 4 === 0) return new Uint32Array(dv.buffer as ArrayBuffer, dv.byteOffset, n);
  return new Uint32Array((dv.buffer as ArrayBuffer).slice(dv.byteOffset, dv.byteOffset + n * 4));
}

function primitive(g: PrimitiveGeometryDesc): THREE.BufferGeometry {
  const p = g.params as Record<string, number> & Record<"openEnded", boolean>;
  switch (g.kind) {
    case "SphereGeometry":
      return new THREE.SphereGeometry(p.radius, p.widthSegments, p.heightSegments, p.phiStart, p.phiLength, p.thetaStart, p.thetaLength);
    case "BoxGeometry":
      return new THREE.BoxGeometry(p.width, p.height, p.depth, p.widthSegments, p.heightSegments, p.depthSegments);
    case "CylinderGeometry":
      return new THREE.CylinderGeometry(
        p.radiusTop, p.radiusBottom, p.height, p.radialSegments, p.heightSegments, p.openEnded, p.thetaStart, p.thetaLength,
      ); // prettier-ignore
    case "ConeGeometry":
      return new THREE.ConeGeometry(p.radius, p.height, p.radialSegments, p.heightSegments, p.openEnded, p.thetaStart, p.thetaLength);
    case "PlaneGeometry":
      return new THREE.PlaneGeometry(p.width, p.height, p.widthSegments, p.heightSegments);
  }
}

function bufferGeometry(g: BufferGeometryDesc, data: ExtrasData): THREE.BufferGeometry | null {
  const arrays = data[g.key];
  if (!arrays) return null; // its arrays have not arrived (yet)
  const geom = new THREE.BufferGeometry();
  for (const [name, a] of Object.entries(g.attributes)) {
    const values = float32(arrays[name], a.count * a.itemSize);
    if (!values) return null;
    if (name === "color") {
      // pythreejs colours are sRGB (three.js r97 had no colour management): to linear, on a copy
      // (the model's buffer is shared by every view of the player)
      const linear = values.slice();
      const c = new THREE.Color();
      for (let i = 0; i + 2 < linear.length; i += a.itemSize) {
        c.setRGB(linear[i], linear[i + 1], linear[i + 2], THREE.SRGBColorSpace);
        linear[i] = c.r;
        linear[i + 1] = c.g;
        linear[i + 2] = c.b;
      }
      geom.setAttribute(name, new THREE.BufferAttribute(linear, a.itemSize));
    } else {
      geom.setAttribute(name, new THREE.BufferAttribute(values, a.itemSize));
    }
  }
  if (g.index) {
    const index = uint32(arrays.index, g.index.count);
    if (!index) return null;
    geom.setIndex(new THREE.BufferAttribute(index, 1));
  }
  geom.computeBoundingSphere();
  return geom;
}

function material(m: MaterialDesc): THREE.Material {
  const common = {
    color: srgb(m.color),
    opacity: m.opacity,
    transparent: m.transparent,
    side: SIDES[m.side],
    vertexColors: m.vertexColors,
    depthTest: m.depthTest,
    depthWrite: m.depthWrite,
    visible: m.visible,
  };
  switch (m.kind) {
    case "MeshBasicMaterial":
      return new THREE.MeshBasicMaterial({ ...common, wireframe: m.wireframe });
    case "MeshLambertMaterial":
      return new THREE.MeshLambertMaterial({
        ...common, wireframe: m.wireframe, emissive: srgb(m.emissive), emissiveIntensity: m.emissiveIntensity,
      }); // prettier-ignore
    case "MeshPhongMaterial":
      return new THREE.MeshPhongMaterial({
        ...common, wireframe: m.wireframe, emissive: srgb(m.emissive), emissiveIntensity: m.emissiveIntensity,
        specular: srgb(m.specular), shininess: m.shininess, flatShading: m.flatShading,
      }); // prettier-ignore
    case "MeshStandardMaterial":
      return new THREE.MeshStandardMaterial({
        ...common, wireframe: m.wireframe, emissive: srgb(m.emissive), emissiveIntensity: m.emissiveIntensity,
        roughness: m.roughness, metalness: m.metalness, flatShading: m.flatShading,
      }); // prettier-ignore
    case "PointsMaterial":
      return new THREE.PointsMaterial({ ...common, size: m.size, sizeAttenuation: m.sizeAttenuation });
    case "LineBasicMaterial":
      return new THREE.LineBasicMaterial({ ...common, linewidth: m.linewidth });
  }
}

export class ExtrasLayer {
  /** goes into the view's content group */
  readonly root = new THREE.Group();
  private geometries = new Map<string, THREE.BufferGeometry>();
  private materials = new Map<string, THREE.Material>();
  private lights = new THREE.Group();
  private scheduled = false;
  private disposed = false;

  constructor(
    private model: PlayerModel,
    private camera: THREE.Camera,
    private changed: () => void,
  ) {
    this.root.name = "cleo-extras";
    this.lights.name = "cleo-extras-lights";
    const ambient = new THREE.AmbientLight(0xffffff, AMBIENT_INTENSITY);
    const headlamp = new THREE.DirectionalLight(0xffffff, HEADLAMP_INTENSITY);
    // camera space: from above left, behind the viewer, towards the view direction
    headlamp.position.set(-0.5, 0.8, 1);
    headlamp.target.position.set(0, 0, -1);
    this.lights.add(ambient, headlamp, headlamp.target);
    model.on("change:_extras", this.schedule);
    model.on("change:_extras_data", this.schedule);
    this.rebuild();
  }

  /** Both traits change together (one message): rebuild once, after both. */
  private schedule = (): void => {
    if (this.scheduled) return;
    this.scheduled = true;
    queueMicrotask(() => {
      this.scheduled = false;
      if (this.disposed) return;
      this.rebuild();
      this.changed();
    });
  };

  /** number of objects (roots and descendants) built, for tests */
  get count(): number {
    let n = -1;
    this.root.traverse(() => n++);
    return n;
  }

  rebuild(): void {
    const descs = (this.model.get("_extras") as ExtraDesc[] | undefined) ?? [];
    const data = (this.model.get("_extras_data") as ExtrasData | undefined) ?? {};
    const used = { geometries: new Set<string>(), materials: new Set<string>(), lit: false };
    const built: THREE.Object3D[] = [];
    for (const d of descs) {
      const obj = this.build(d, data, used);
      if (obj) built.push(obj);
    }
    this.root.clear();
    if (built.length) this.root.add(...built);
    for (const [key, g] of this.geometries) {
      if (!used.geometries.has(key)) {
        g.dispose();
        this.geometries.delete(key);
      }
    }
    for (const [key, m] of this.materials) {
      if (!used.materials.has(key)) {
        m.dispose();
        this.materials.delete(key);
      }
    }
    if (used.lit && this.lights.parent !== this.camera) this.camera.add(this.lights);
    else if (!used.lit && this.lights.parent) this.lights.removeFromParent();
  }

  private build(
    d: ExtraDesc,
    data: ExtrasData,
    used: { geometries: Set<string>; materials: Set<string>; lit: boolean },
  ): THREE.Object3D | null {
    let obj: THREE.Object3D;
    if (d.type === "Group" || !d.geometry || !d.material) {
      obj = new THREE.Group();
    } else {
      const gd = d.geometry;
      let geom = this.geometries.get(gd.key);
      if (!geom) {
        const made = gd.kind === "BufferGeometry" ? bufferGeometry(gd, data) : primitive(gd);
        if (!made) return null;
        geom = made;
        this.geometries.set(gd.key, geom);
      }
      used.geometries.add(gd.key);
      let mat = this.materials.get(d.material.key);
      if (!mat) {
        mat = material(d.material);
        this.materials.set(d.material.key, mat);
      }
      used.materials.add(d.material.key);
      const lit = LIT.has(d.material.kind);
      if (lit && d.material.visible && d.visible) used.lit = true;
      if (lit && d.type === "Mesh" && !geom.getAttribute("normal")) geom.computeVertexNormals();
      switch (d.type) {
        case "Mesh":
          obj = new THREE.Mesh(geom, mat);
          break;
        case "Points":
          obj = new THREE.Points(geom, mat);
          break;
        case "LineSegments":
          obj = new THREE.LineSegments(geom, mat);
          break;
        case "LineLoop":
          obj = new THREE.LineLoop(geom, mat);
          break;
        default:
          obj = new THREE.Line(geom, mat);
      }
    }
    obj.name = d.name;
    obj.visible = d.visible;
    obj.renderOrder = RENDER_ORDER + d.renderOrder;
    if (d.matrix) {
      obj.matrixAutoUpdate = false;
      obj.matrix.fromArray(d.matrix);
      obj.matrix.decompose(obj.position, obj.quaternion, obj.scale);
    } else {
      obj.position.set(...d.position);
      obj.scale.set(...d.scale);
      if (d.quaternion) obj.quaternion.set(...d.quaternion);
      else obj.rotation.set(d.rotation[0], d.rotation[1], d.rotation[2], d.rotation[3] as THREE.EulerOrder);
    }
    if (d.id) obj.userData.cleoExtraId = d.id;
    for (const c of d.children) {
      const child = this.build(c, data, used);
      if (child) obj.add(child);
    }
    return obj;
  }

  dispose(): void {
    this.disposed = true;
    this.model.off("change:_extras", this.schedule);
    this.model.off("change:_extras_data", this.schedule);
    this.root.removeFromParent();
    this.root.clear();
    this.lights.removeFromParent();
    for (const g of this.geometries.values()) g.dispose();
    for (const m of this.materials.values()) m.dispose();
    this.geometries.clear();
    this.materials.clear();
  }
}
