/* anywidget entry of PlayerControls (Python: player.controls): the control bar alone, driving
 * the player model it references. Part of the front end (index.ts); also built alone
 * (static/controls.js, no three.js) for development with anywidget's hot reload. */
import type { AnyModel, RenderProps } from "@anywidget/types";
import { ControlBar } from "./controls";
import { bindKeys } from "./focus";
import { acquire, release } from "./registry";
import { adoptStylesWhenAttached } from "./styles";
import type { PlayerModel } from "./types";

async function render({ model, el }: RenderProps): Promise<() => void> {
  const stopStyling = adoptStylesWhenAttached(el);
  const ref = String((model as AnyModel).get("player") ?? "");
  const player = (await model.widget_manager.get_model(ref.replace(/^IPY_MODEL_/, ""))) as PlayerModel;
  const s = acquire(player);
  const root = document.createElement("div");
  root.className = "cleo-player cleo-controls-only";
  root.tabIndex = 0;
  const bar = new ControlBar(s.playback, {});
  root.append(bar.el);
  const unbindKeys = bindKeys(root, bar);
  el.append(root);
  return () => {
    stopStyling();
    unbindKeys();
    bar.dispose();
    root.remove();
    release(player, s);
  };
}

export default { render };
