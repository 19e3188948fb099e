/* anywidget entry: one Playback per player model, shared by all its views. */
import type { RenderProps } from "@anywidget/types";
import { decode } from "./data";
import { Playback } from "./playback";
import { STYLES } from "./styles";
import type { PlayerModel, PlayerTraits } from "./types";
import { PlayerView } from "./view";

interface Shared {
  playback: Playback;
  views: Set<PlayerView>;
  onData: () => void;
}

const shared = new WeakMap<object, Shared>();
/** every live view, for tests and benchmarks (window.__cleoPlayers) */
const allViews = new Set<PlayerView>();
(globalThis as unknown as { __cleoPlayers: Set<PlayerView> }).__cleoPlayers = allViews;

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
    model.on("change:_data", onData);
    s = { playback, views, onData };
    shared.set(model, s);
  }
  return s;
}

function release(model: PlayerModel, view: PlayerView): void {
  const s = shared.get(model);
  if (!s) return;
  s.views.delete(view);
  if (s.views.size === 0) {
    model.off("change:_data", s.onData);
    s.playback.dispose();
    shared.delete(model);
  }
}

function render({ model, el }: RenderProps<PlayerTraits>): () => void {
  injectStyles(el.ownerDocument);
  const s = acquire(model);
  const view = new PlayerView(el, model, s.playback);
  s.views.add(view);
  allViews.add(view);
  return () => {
    allViews.delete(view);
    view.dispose();
    release(model, view);
  };
}

export default { render };
