/* anywidget entry. One Playback per player model, shared by all its views (full players and
 * controls-only views), so every view of a player shows the same frame. */
import type { AnyModel, RenderProps } from "@anywidget/types";
import { ControlBar } from "./controls";
import { type AppendMessage, appendFrames, decode } from "./data";
import { Playback } from "./playback";
import { STYLES } from "./styles";
import type { PlayerModel, PlayerTraits } from "./types";
import { PlayerView } from "./view";

interface Shared {
  playback: Playback;
  views: Set<PlayerView>;
  users: number;
  detach: () => void;
}

/* Registries live on globalThis: each widget model may import its own copy of this bundle
 * (anywidget evaluates the ESM per model), yet a player and its controls-only view must share
 * one Playback. */
const registry = globalThis as unknown as {
  __cleoPlayerShared?: WeakMap<object, Shared>;
  __cleoPlayers?: Set<PlayerView>;
};
const shared = (registry.__cleoPlayerShared ??= new WeakMap<object, Shared>());
/** every live view, for tests and benchmarks (window.__cleoPlayers) */
const allViews = (registry.__cleoPlayers ??= new Set<PlayerView>());

function injectStyles(doc: Document): void {
  if (doc.getElementById("cleo-player-styles")) return;
  const style = doc.createElement("style");
  style.id = "cleo-player-styles";
  style.textContent = STYLES;
  doc.head.append(style);
}

function acquire(model: PlayerModel): Shared {
  let s = shared.get(model);
  if (!s) {
    const playback = new Playback(model, decode(model.get("_meta"), model.get("_data")));
    const views = new Set<PlayerView>();
    const onData = () => {
      playback.setData(decode(model.get("_meta"), model.get("_data")));
      for (const v of views) v.build();
    };
    const onMessage = (msg: AppendMessage, buffers: DataView[]) => {
      if (msg?.type !== "append") return;
      playback.appendData(appendFrames(playback.data, msg, buffers));
      for (const v of views) v.dataAppended();
    };
    model.on("change:_data", onData);
    model.on("msg:custom", onMessage);
    const detach = () => {
      model.off("change:_data", onData);
      model.off("msg:custom", onMessage);
    };
    s = { playback, views, users: 0, detach };
    shared.set(model, s);
  }
  s.users++;
  return s;
}

function release(model: PlayerModel): void {
  const s = shared.get(model);
  if (!s) return;
  s.users--;
  if (s.users === 0) {
    s.detach();
    s.playback.dispose();
    shared.delete(model);
  }
}

function renderPlayer(model: PlayerModel, el: HTMLElement): () => void {
  const s = acquire(model);
  const view = new PlayerView(el, model, s.playback);
  s.views.add(view);
  allViews.add(view);
  return () => {
    allViews.delete(view);
    s.views.delete(view);
    view.dispose();
    release(model);
  };
}

/** A controls-only view (Python: player.controls) of the player model it references. */
async function renderControls(model: AnyModel, el: HTMLElement): Promise<() => void> {
  const ref = String(model.get("player") ?? "");
  const player = (await model.widget_manager.get_model(ref.replace(/^IPY_MODEL_/, ""))) as PlayerModel;
  const s = acquire(player);
  const root = document.createElement("div");
  root.className = "cleo-player cleo-controls-only";
  root.tabIndex = 0;
  const bar = new ControlBar(s.playback, {});
  root.append(bar.el);
  root.addEventListener("keydown", (e) => {
    if ((e.target as HTMLElement).tagName === "INPUT" && e.key !== " ") return;
    if (bar.handleKey(e)) {
      e.preventDefault();
      e.stopPropagation();
    }
  });
  el.append(root);
  return () => {
    bar.dispose();
    root.remove();
    release(player);
  };
}

async function render({ model, el }: RenderProps<PlayerTraits>): Promise<() => void> {
  injectStyles(el.ownerDocument);
  if (model.get("player") !== undefined) return renderControls(model as unknown as AnyModel, el);
  return renderPlayer(model, el);
}

export default { render };
