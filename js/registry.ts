/* One Playback per player model, shared by all its views: full players and controls-only views
 * (which may come from another copy of the bundle, so the registry lives on globalThis). */
import { appendFrames, decode } from "./data";
import { Playback } from "./playback";
import type { AppendMessage, PlayerModel, SpikeChunkMessage } from "./types";
import { withWindow } from "./window";

/** What a view needs to hear about besides the frame: new data, appended frames. */
export interface DataListener {
  build(): void;
  dataAppended(): void;
  /** the view as a PNG (3D views only) */
  screenshot?(scale: number): Promise<Blob>;
  root?: HTMLElement;
}

/** Python's `player.screenshot()` request, answered by one view of this page. */
interface ScreenshotRequest {
  type: "screenshot";
  id: string;
  scale: number;
}

/** Answer a screenshot request with the PNG of the first view on the page (as a binary
 * buffer), or with the reason it could not be taken. A page with no 3D view of the player
 * stays silent: another front end may have one. */
const answered = new Set<string>(); // requests Python sends again until one view answers

async function answerScreenshot(model: PlayerModel, views: Set<DataListener>, msg: ScreenshotRequest): Promise<void> {
  const view = [...views].find((v) => v.screenshot && v.root?.isConnected);
  if (!view?.screenshot || answered.has(msg.id)) return;
  answered.add(msg.id);
  setTimeout(() => answered.delete(msg.id), 60_000); // Python stops asking long before
  try {
    const blob = await view.screenshot(Number(msg.scale) || 1);
    const buffer = await blob.arrayBuffer();
    model.send({ type: "screenshot", id: msg.id, ok: true }, undefined, [buffer]);
  } catch (err) {
    model.send({ type: "screenshot", id: msg.id, ok: false, error: String((err as Error)?.message ?? err) });
  }
}

export interface Shared {
  playback: Playback;
  views: Set<DataListener>;
  users: number;
  detach: () => void;
}

const registry = globalThis as unknown as {
  __cleoPlayerShared?: Map<string, Shared>;
  __cleoPlayers?: Set<unknown>;
};
/* keyed by the player's `_uid`: anywidget hands each view its own proxy of the model */
const shared = (registry.__cleoPlayerShared ??= new Map<string, Shared>());
/** every live 3D view, for tests and benchmarks (window.__cleoPlayers) */
export const allViews = (registry.__cleoPlayers ??= new Set<unknown>());

/** The widget manager's own model for a view's model proxy: listeners bound to it outlive the
 * view (anywidget removes a view's listeners with the view). The proxy if there is none. */
export async function sharedModel(model: PlayerModel): Promise<PlayerModel> {
  const uid = model.get("_uid");
  if (!uid) return model;
  try {
    return (await model.widget_manager.get_model(uid)) as PlayerModel;
  } catch {
    return model;
  }
}

export function acquire(model: PlayerModel): Shared {
  const key = model.get("_uid") || "";
  let s = key ? shared.get(key) : undefined;
  if (!s) {
    const load = () => withWindow(decode(model.get("_meta"), model.get("_data")), (msg) => model.send(msg));
    const playback = new Playback(model, load());
    const views = new Set<DataListener>();
    const onData = () => {
      // a live run ends with the full recording: keep following the end if we were there
      const follow = !playback.playing && playback.nFrames > 0 && playback.frame >= playback.nFrames - 1;
      playback.data.window?.dispose();
      playback.setData(load());
      for (const v of views) v.build();
      if (follow && playback.nFrames > 0) playback.seek(playback.nFrames - 1);
    };
    const onMessage = (msg: AppendMessage | SpikeChunkMessage | ScreenshotRequest, buffers: DataView[]) => {
      if (msg?.type === "screenshot") {
        void answerScreenshot(model, views, msg);
        return;
      }
      if (msg?.type === "spike_chunk") {
        playback.data.window?.receive(msg, buffers);
        return;
      }
      if (msg?.type !== "append") return;
      playback.appendData(appendFrames(playback.data, msg, buffers));
      for (const v of views) v.dataAppended();
    };
    model.on("change:_data", onData);
    model.on("msg:custom", onMessage);
    const detach = () => {
      model.off("change:_data", onData);
      model.off("msg:custom", onMessage);
      playback.data.window?.dispose();
    };
    s = { playback, views, users: 0, detach };
    if (key) shared.set(key, s);
  }
  s.users++;
  return s;
}

export function release(model: PlayerModel, s: Shared): void {
  s.users--;
  if (s.users === 0) {
    s.detach();
    s.playback.dispose();
    const key = model.get("_uid") || "";
    if (shared.get(key) === s) shared.delete(key);
  }
}
