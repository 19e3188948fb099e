/* The model contract. Trait names and meanings are defined in
 * ../src/cleo_player/player.py (Player) and ../src/cleo_player/payload.py (the wire format). */
import type { AnyModel } from "@anywidget/types";

export type LoopMode = "loop" | "once" | "pingpong";

export interface GroupMeta {
  name: string;
  color: [number, number, number];
  size: number; // marker diameter, CSS px
  alpha: number; // resting opacity
  offset: number; // first global neuron index
  count: number;
}

export interface TrackMeta {
  name: string;
  kind: string;
  unit: string;
  n_channels: number;
  offset: number; // first channel in the values table
}

export interface LightMeta {
  name: string;
  color: [number, number, number];
  wavelength_nm: number;
  model: string;
  track: number; // index into tracks, or -1
  n_sources: number;
  marker_size: number; // point diameter, axis units
  max_value: number;
  intensity_scale: number;
  offset: number;
  count: number;
  source_coords: number[][];
  source_direction: number[][];
}

export interface ProbeMeta {
  name: string;
  color: [number, number, number];
  contacts: number[][];
}

export interface ScopeMeta {
  name: string;
  color: [number, number, number];
  location: number[];
  direction: number[];
  focus_depth: number;
  img_width: number;
  rois: number[][];
  sensor: string;
}

export interface AxesMeta {
  unit: string;
  xlim: [number, number];
  ylim: [number, number];
  zlim: [number, number];
  invert_z: boolean;
}

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
}

export type Buffers = Record<string, DataView>;

export interface PlayerTraits {
  frame: number;
  playing: boolean;
  speed: number;
  loop: LoopMode;
  decay: number; // ms
  height: number;
  _meta: SceneMeta;
  _uid: string;
  _data: Buffers;
  [key: string]: unknown;
}

export type PlayerModel = AnyModel<PlayerTraits>;
