/* The baseline for benchmarks/player_perf.py: a bare three.js Points draw of the same neurons
 * as cleo draws them (per-neuron colour, translucent, alpha 0.2): one BufferGeometry, a
 * PointsMaterial, one draw call per frame, same canvas size, a similar camera. */
import * as THREE from "three";

export interface Bare {
  renders: number;
  running: boolean;
}

export function start(el: HTMLElement, positions: Float32Array, width: number, height: number, size: number): Bare {
  const renderer = new THREE.WebGLRenderer({ antialias: true, preserveDrawingBuffer: true });
  renderer.setPixelRatio(1);
  renderer.setSize(width, height);
  el.append(renderer.domElement);
  const geom = new THREE.BufferGeometry();
  geom.setAttribute("position", new THREE.BufferAttribute(positions, 3));
  const colors = new Float32Array(positions.length);
  for (let i = 0; i < colors.length; i += 3) colors.set(i < colors.length / 2 ? [0.94, 0.25, 0.15] : [0.02, 0.41, 0.99], i);
  geom.setAttribute("color", new THREE.BufferAttribute(colors, 3));
  geom.computeBoundingSphere();
  const material = new THREE.PointsMaterial({
    vertexColors: true,
    size,
    sizeAttenuation: false,
    transparent: true,
    opacity: 0.2,
    depthWrite: false,
  });
  const scene = new THREE.Scene();
  scene.add(new THREE.Points(geom, material));
  const sphere = geom.boundingSphere as THREE.Sphere;
  const camera = new THREE.PerspectiveCamera(30, width / height, sphere.radius / 100, sphere.radius * 100);
  camera.up.set(0, 0, 1);
  camera.position.copy(sphere.center).add(new THREE.Vector3(1, -1.7, 1.2).multiplyScalar(sphere.radius * 1.5));
  camera.lookAt(sphere.center);
  const bare: Bare = { renders: 0, running: true };
  const loop = () => {
    if (bare.running) {
      renderer.render(scene, camera);
      bare.renders++;
    }
    requestAnimationFrame(loop);
  };
  requestAnimationFrame(loop);
  return bare;
}
