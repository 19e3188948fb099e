import * as THREE from "three";
import { describe, expect, it } from "vitest";
import { ExtrasLayer } from "../extras";
import type { ExtraDesc, ExtrasData, MaterialDesc, PlayerModel } from "../types";
import { dataView } from "./wire";

/** A model with the two traits ExtrasLayer reads, and change events. */
class FakeModel {
  traits: { _extras: ExtraDesc[]; _extras_data: ExtrasData } = { _extras: [], _extras_data: {} };
  handlers = new Map<string, Set<() => void>>();
  get(key: "_extras" | "_extras_data") {
    return this.traits[key];
  }
  set(extras: ExtraDesc[], data: ExtrasData = this.traits._extras_data) {
    this.traits = { _extras: extras, _extras_data: data };
    for (const name of ["change:_extras", "change:_extras_data"]) for (const f of this.handlers.get(name) ?? []) f();
  }
  on(name: string, f: () => void) {
    if (!this.handlers.has(name)) this.handlers.set(name, new Set());
    this.handlers.get(name)!.add(f);
  }
  off(name: string, f: () => void) {
    this.handlers.get(name)?.delete(f);
  }
}

function layer(extras: ExtraDesc[] = [], data: ExtrasData = {}) {
  const model = new FakeModel();
  model.traits = { _extras: extras, _extras_data: data };
  const camera = new THREE.PerspectiveCamera();
  let changes = 0;
  const extrasLayer = new ExtrasLayer(model as unknown as PlayerModel, camera, () => changes++);
  return { model, camera, extrasLayer, changes: () => changes };
}

const microtasks = () => new Promise<void>((resolve) => queueMicrotask(resolve));

function material(kind: MaterialDesc["kind"], extra: Partial<MaterialDesc> = {}): MaterialDesc {
  return {
    kind,
    key: `m-${kind}`,
    color: [1, 0.5, 0],
    opacity: 0.4,
    transparent: true,
    side: "DoubleSide",
    vertexColors: false,
    depthTest: true,
    depthWrite: false,
    visible: true,
    wireframe: false,
    emissive: [0, 0, 0],
    emissiveIntensity: 1,
    specular: [0.1, 0.1, 0.1],
    shininess: 30,
    roughness: 1,
    metalness: 0,
    flatShading: false,
    size: 3,
    sizeAttenuation: true,
    linewidth: 1,
    ...extra,
  } as MaterialDesc;
}

function object(desc: Partial<ExtraDesc>): ExtraDesc {
  return {
    type: "Mesh",
    name: "",
    visible: true,
    position: [0, 0, 0],
    rotation: [0, 0, 0, "XYZ"],
    quaternion: null,
    scale: [1, 1, 1],
    matrix: null,
    renderOrder: 0,
    children: [],
    ...desc,
  };
}

const TRIANGLE = Float32Array.from([0, 0, 0, 100, 0, 0, 0, 100, 0]);
const COLORS = Float32Array.from([1, 0, 0, 0.5, 0.5, 0.5, 0, 0, 1]);

function triangleMesh(key = "tri", extra: Partial<ExtraDesc> = {}): ExtraDesc {
  return object({
    id: "mesh-1",
    name: "triangle",
    geometry: {
      kind: "BufferGeometry",
      key,
      attributes: { position: { itemSize: 3, count: 3 }, color: { itemSize: 3, count: 3 } },
      index: { count: 3 },
    },
    material: material("MeshBasicMaterial", { vertexColors: true }),
    ...extra,
  });
}

function triangleData(key = "tri", unaligned = false): ExtrasData {
  return {
    [key]: {
      position: dataView(TRIANGLE, unaligned),
      color: dataView(COLORS, unaligned),
      index: dataView(Uint32Array.from([0, 1, 2]), unaligned),
    },
  };
}

describe("ExtrasLayer", () => {
  it("builds a BufferGeometry from its buffers: positions, index, sRGB colours made linear", () => {
    for (const unaligned of [false, true]) {
      const { extrasLayer } = layer([triangleMesh()], triangleData("tri", unaligned));
      expect(extrasLayer.count).toBe(1);
      const mesh = extrasLayer.root.children[0] as THREE.Mesh;
      expect(mesh).toBeInstanceOf(THREE.Mesh);
      expect(mesh.name).toBe("triangle");
      expect(mesh.userData.cleoExtraId).toBe("mesh-1");
      const g = mesh.geometry;
      expect(Array.from(g.getAttribute("position").array)).toEqual(Array.from(TRIANGLE));
      expect(Array.from(g.getIndex()!.array)).toEqual([0, 1, 2]);
      const color = Array.from(g.getAttribute("color").array);
      const linear = new THREE.Color().setRGB(0.5, 0.5, 0.5, THREE.SRGBColorSpace);
      expect(color.slice(0, 3)).toEqual([1, 0, 0]);
      expect(color[3]).toBeCloseTo(linear.r, 6);
      expect(color[3]).toBeLessThan(0.25); // sRGB 0.5 is about 0.21 linear
      expect(g.boundingSphere).not.toBeNull();
    }
  });

  it("leaves the model's colour buffer as it was (every view shares it)", () => {
    const data = triangleData();
    layer([triangleMesh()], data);
    const dv = data.tri.color;
    expect(Array.from(new Float32Array(dv.buffer, dv.byteOffset, 9))).toEqual(Array.from(COLORS));
  });

  it("skips an object whose buffers have not arrived, and builds it when they do", async () => {
    const { model, extrasLayer, changes } = layer([triangleMesh()], {});
    expect(extrasLayer.count).toBe(0);
    model.set([triangleMesh()], triangleData());
    await microtasks();
    expect(extrasLayer.count).toBe(1);
    expect(changes()).toBe(1); // both traits changed: one rebuild
  });

  it("makes the primitives with their parameters, and each material kind", () => {
    const sphere = object({
      type: "Mesh",
      geometry: {
        kind: "SphereGeometry",
        key: "s",
        params: { radius: 7, widthSegments: 12, heightSegments: 9, phiStart: 0, phiLength: 6, thetaStart: 0, thetaLength: 3 },
      },
      material: material("MeshStandardMaterial", { roughness: 0.3, metalness: 0.7 }),
    });
    const box = object({
      type: "Points",
      geometry: {
        kind: "BoxGeometry",
        key: "b",
        params: { width: 1, height: 2, depth: 3, widthSegments: 1, heightSegments: 1, depthSegments: 1 },
      },
      material: material("PointsMaterial", { size: 5 }),
    });
    const cone = object({
      type: "LineLoop",
      geometry: {
        kind: "ConeGeometry",
        key: "c",
        params: { radius: 2, height: 4, radialSegments: 8, heightSegments: 1, openEnded: true, thetaStart: 0, thetaLength: 6 },
      },
      material: material("LineBasicMaterial"),
    });
    const { extrasLayer } = layer([sphere, box, cone]);
    const [s, b, c] = extrasLayer.root.children as THREE.Mesh[];
    expect((s.geometry as THREE.SphereGeometry).parameters).toMatchObject({ radius: 7, widthSegments: 12, heightSegments: 9 });
    expect(s.material).toBeInstanceOf(THREE.MeshStandardMaterial);
    expect((s.material as THREE.MeshStandardMaterial).metalness).toBe(0.7);
    expect(b).toBeInstanceOf(THREE.Points);
    expect((b.material as THREE.PointsMaterial).size).toBe(5);
    expect((b.geometry as THREE.BoxGeometry).parameters.depth).toBe(3);
    expect(c).toBeInstanceOf(THREE.LineLoop);
    expect((c.geometry as THREE.ConeGeometry).parameters.openEnded).toBe(true);
    const m = s.material as THREE.Material;
    expect([m.transparent, m.opacity, m.side, m.depthWrite]).toEqual([true, 0.4, THREE.DoubleSide, false]);
  });

  it("places objects by position / rotation / scale, a quaternion, or a matrix; renders after the scene", () => {
    const quaternion: [number, number, number, number] = [0, 0, Math.SQRT1_2, Math.SQRT1_2];
    const matrix = new THREE.Matrix4().makeTranslation(1, 2, 3).toArray();
    const { extrasLayer } = layer([
      triangleMesh("tri", { position: [1, 2, 3], rotation: [0.5, 0, 0, "ZYX"], scale: [2, 2, 2], renderOrder: 1 }),
      triangleMesh("tri", { quaternion }),
      triangleMesh("tri", { matrix }),
    ], triangleData());
    const [a, b, c] = extrasLayer.root.children;
    expect(a.position.toArray()).toEqual([1, 2, 3]);
    expect(a.rotation.order).toBe("ZYX");
    expect(a.rotation.x).toBeCloseTo(0.5);
    expect(a.scale.x).toBe(2);
    expect(a.renderOrder).toBe(3); // after the neurons (0) and the light clouds (1)
    expect(b.quaternion.toArray()).toEqual(quaternion);
    expect(c.matrixAutoUpdate).toBe(false);
    expect(c.position.toArray()).toEqual([1, 2, 3]);
  });

  it("builds groups with their children, and hides what is not visible", () => {
    const group = object({ type: "Group", name: "region", children: [triangleMesh(), triangleMesh("tri", { visible: false })] });
    const { extrasLayer } = layer([group], triangleData());
    expect(extrasLayer.count).toBe(3);
    const g = extrasLayer.root.children[0];
    expect(g).toBeInstanceOf(THREE.Group);
    expect(g.children.map((c) => c.visible)).toEqual([true, false]);
  });

  it("reuses a geometry whose content is unchanged, and frees what is no longer used", async () => {
    const { model, extrasLayer } = layer([triangleMesh()], triangleData());
    const before = (extrasLayer.root.children[0] as THREE.Mesh).geometry;
    let disposed = 0;
    before.addEventListener("dispose", () => disposed++);
    model.set([triangleMesh("tri", { position: [5, 0, 0] })]); // moved from Python: same geometry key
    await microtasks();
    const moved = extrasLayer.root.children[0] as THREE.Mesh;
    expect(moved.position.x).toBe(5);
    expect(moved.geometry).toBe(before);
    model.set([], {});
    await microtasks();
    expect(extrasLayer.count).toBe(0);
    expect(disposed).toBe(1);
  });

  it("lights lit materials with lamps that follow the camera, only while one is shown", async () => {
    const lit = triangleMesh("tri", { material: material("MeshLambertMaterial") });
    const { model, camera, extrasLayer } = layer([lit], triangleData());
    expect(camera.children.length).toBe(1);
    const mesh = extrasLayer.root.children[0] as THREE.Mesh;
    expect(mesh.geometry.getAttribute("normal")).toBeDefined(); // computed for lighting
    model.set([triangleMesh()]);
    await microtasks();
    expect(camera.children.length).toBe(0);
    model.set([triangleMesh("tri", { material: material("MeshPhongMaterial"), visible: false })]);
    await microtasks();
    expect(camera.children.length).toBe(0); // hidden: no lights needed
  });

  it("stops listening when disposed", async () => {
    const { model, extrasLayer, changes } = layer([triangleMesh()], triangleData());
    extrasLayer.dispose();
    expect(extrasLayer.root.children.length).toBe(0);
    model.set([triangleMesh(), triangleMesh()]);
    await microtasks();
    expect(changes()).toBe(0);
    expect(model.handlers.get("change:_extras")?.size ?? 0).toBe(0);
  });
});
