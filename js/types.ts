/* The model contract, mirroring ../src/cleo_player/payload.py (the wire format: `SceneMeta`,
 * `Buffers`, `AppendMessage`, same names), ../src/cleo_player/widget/player.py (the traits:
 * `PlayerTraits`) and ../src/cleo_player/extras.py (scene extras: `ExtraDesc`). */
import type { AnyModel } from "@anywidget/types";

export type LoopMode = "loop" | "once" | "pingpong";
export type Vec3 = [number, number, number];
export type RGB = [number, number, number];

export interface GroupMeta {
  name: string;
  color: RGB;
  size: number; // marker diameter, CSS px
  alpha: number; // resting opacity
  offset: number; // first global neuron index
  count: number;
}

/** Where a device track's channels sit in the `values` table. */
export interface TrackMeta {
  name: string;
  kind: string;
  unit: string;
  n_channels: number;
  offset: number; // first channel in the values table
}

export interface LightMeta {
  name: string;
  color: RGB;
  wavelength_nm: number;
  model: string;
  track: number; // index into tracks, or -1
  n_sources: number;
  marker_size: number; // point diameter, axis units (as cleo draws it: its size times marker_scale)
  max_value: number;
  intensity_scale: number;
  offset: number; // first point in the light_* buffers
  count: number;
  source_coords: number[][];
  source_direction: number[][];
}

export interface ProbeMeta {
  name: string;
  color: RGB;
  contacts: number[][];
}

export interface ScopeMeta {
  name: string;
  color: RGB;
  location: number[];
  direction: number[];
  focus_depth: number;
  img_width: number;
  rois: number[][];
  sensor: string;
}

export interface AxesMeta {
  unit: string; // brian2's name, e.g. "um"
  unit_label: string; // as printed on the axes, e.g. "µm"
  xlim: [number, number];
  ylim: [number, number];
  zlim: [number, number];
  invert_z: boolean;
}

/** How a big recording's spikes travel (payload.windowed_payload): in chunks of frames. */
export interface WindowMeta {
  key: string; // ties requests and answers to this payload
  chunk_frames: number[]; // each chunk's first frame, then n_frames
  budget_bytes: number; // the browser holds at most this many bytes of spikes
}

/** `Player._meta` (payload.scene_payload). */
export interface SceneMeta {
  version: number;
  message: string;
  n_frames: number;
  n_neurons: number;
  n_spikes: number;
  index_bytes: 2 | 4;
  dt_ms: number;
  t0_ms: number;
  t_end_ms: number;
  uniform: boolean;
  all_visible: boolean;
  axes: AxesMeta;
  groups: GroupMeta[];
  tracks: TrackMeta[];
  n_channels: number;
  lights: LightMeta[];
  probes: ProbeMeta[];
  scopes: ScopeMeta[];
  window: WindowMeta | null; // null: every spike is in `spike_idx`
}

/** The per-frame buffers, in an append message's order (payload.FRAME_BUFFERS). */
export const FRAME_BUFFERS = ["spike_ptr", "spike_idx", "frame_start_ms", "values"] as const;
export type FrameBufferName = (typeof FRAME_BUFFERS)[number];

/** `Player._data`: the named binary buffers (see payload.py's table). */
export interface Buffers {
  positions: DataView;
  visible: DataView;
  spike_ptr: DataView;
  spike_idx: DataView;
  frame_start_ms: DataView;
  values: DataView;
  light_points: DataView;
  light_transmittance: DataView;
  light_source: DataView;
}

/** A live-run message (payload.append_message): frames first_frame .. n_frames - 1. */
export interface AppendMessage {
  type: "append";
  first_frame: number;
  n_frames: number;
  t_end_ms: number;
  buffers: FrameBufferName[];
}

/** Browser -> kernel: send these chunks of a windowed recording's spikes. */
export interface SpikeChunksRequest {
  type: "spike_chunks";
  key: string;
  chunks: number[];
}

/** Kernel -> browser (payload.SpikeStore.chunk_message): one chunk, its `spike_idx` in one
 * buffer, i.e. spike_idx[spike_ptr[first_frame] .. spike_ptr[stop_frame]]. */
export interface SpikeChunkMessage {
  type: "spike_chunk";
  key: string;
  chunk: number;
  first_frame: number;
  stop_frame: number;
  buffers: ["spike_idx"];
}

/** A custom trace (payload.trace_payload): samples offset .. offset + count - 1 of the
 * `_trace_data` buffers; min / max over its values. */
export interface TraceMeta {
  name: string;
  unit: string;
  color: RGB;
  offset: number;
  count: number;
  min: number;
  max: number;
}

/** `Player._trace_data`: every custom trace's samples, concatenated in `_traces` order. */
export interface TraceBuffers {
  t_ms: DataView; // float64, sample times, ms
  values: DataView; // float64
}

// --- scene extras: pythreejs objects described by ../src/cleo_player/extras.py ---------------
export interface PrimitiveGeometryDesc {
  kind: "SphereGeometry" | "BoxGeometry" | "CylinderGeometry" | "ConeGeometry" | "PlaneGeometry";
  key: string;
  params: Record<string, number | boolean>;
}

export interface BufferGeometryDesc {
  kind: "BufferGeometry";
  key: string;
  attributes: Record<string, { itemSize: number; count: number }>;
  index: { count: number } | null;
}

export type GeometryDesc = PrimitiveGeometryDesc | BufferGeometryDesc;

export interface MaterialCommon {
  key: string;
  color: RGB; // sRGB
  opacity: number;
  transparent: boolean;
  side: "FrontSide" | "BackSide" | "DoubleSide";
  vertexColors: boolean;
  depthTest: boolean;
  depthWrite: boolean;
  visible: boolean;
}

export interface MeshBasicDesc extends MaterialCommon {
  kind: "MeshBasicMaterial";
  wireframe: boolean;
}

export interface MeshLambertDesc extends MaterialCommon {
  kind: "MeshLambertMaterial";
  wireframe: boolean;
  emissive: RGB;
  emissiveIntensity: number;
}

export interface MeshPhongDesc extends MaterialCommon {
  kind: "MeshPhongMaterial";
  wireframe: boolean;
  emissive: RGB;
  emissiveIntensity: number;
  specular: RGB;
  shininess: number;
  flatShading: boolean;
}

export interface MeshStandardDesc extends MaterialCommon {
  kind: "MeshStandardMaterial";
  wireframe: boolean;
  emissive: RGB;
  emissiveIntensity: number;
  roughness: number;
  metalness: number;
  flatShading: boolean;
}

export interface PointsDesc extends MaterialCommon {
  kind: "PointsMaterial";
  size: number;
  sizeAttenuation: boolean;
}

export interface LineBasicDesc extends MaterialCommon {
  kind: "LineBasicMaterial";
  linewidth: number;
}

export type MaterialDesc = MeshBasicDesc | MeshLambertDesc | MeshPhongDesc | MeshStandardDesc | PointsDesc | LineBasicDesc;

export interface ExtraDesc {
  id?: string; // the pythreejs widget's model id (roots only)
  type: "Mesh" | "Points" | "Line" | "LineSegments" | "LineLoop" | "Group";
  name: string;
  visible: boolean;
  position: Vec3;
  rotation: [number, number, number, string];
  quaternion: [number, number, number, number] | null;
  scale: Vec3;
  matrix: number[] | null; // column-major, when matrixAutoUpdate is off
  renderOrder: number;
  geometry?: GeometryDesc;
  material?: MaterialDesc;
  children: ExtraDesc[];
}

export type ExtrasData = Record<string, Record<string, DataView>>;

/** The Player's synced traits (widget/player.py). */
export interface PlayerTraits {
  frame: number;
  playing: boolean;
  speed: number;
  loop: LoopMode;
  decay: number; // ms
  height: number;
  _epoch: number; // Python's seeks and pauses, counted
  _ack: number; // the last _epoch the views applied (frames sent before it are stale)
  timeline: boolean;
  timeline_height: number | null; // CSS px; null: a third of height
  selected: Array<[string, number]>; // selected neurons: (group name, index within the group)
  hidden: string[]; // names of the hidden neuron groups
  _meta: SceneMeta;
  _uid: string;
  _data: Buffers;
  _extras: ExtraDesc[];
  _extras_data: ExtrasData;
  _traces: TraceMeta[];
  _trace_data: TraceBuffers;
}

export type PlayerModel = AnyModel<PlayerTraits>;
