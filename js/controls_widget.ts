/* anywidget entry of PlayerControls (Python: player.controls): the control bar alone, driving
 * the player model it references. A separate, small bundle: no three.js. */
import type { AnyModel, RenderProps } from "@anywidget/types";
import { ControlBar } from "./controls";
import { acquire, injectStyles, release } from "./registry";
import type { PlayerModel } from "./types";

async function render({ model, el }: RenderProps): Promise<() => void> {
  injectStyles(el.ownerDocument);
  const ref = String((model as AnyModel).get("player") ?? "");
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
    release(player, s);
  };
}

export default { render };
