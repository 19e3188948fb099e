/* The front end: anywidget entry of the Player (a 3D view with its control bar) and, as
 * `controls`, of PlayerControls; imported once per page by js/loader.ts. */
import type { RenderProps } from "@anywidget/types";
import { acquire, allViews, release, sharedModel } from "./registry";
import { adoptStylesWhenAttached } from "./styles";
import type { PlayerTraits } from "./types";
import { PlayerView } from "./view";

async function render({ model: proxy, el }: RenderProps<PlayerTraits>): Promise<() => void> {
  const stopStyling = adoptStylesWhenAttached(el);
  const model = await sharedModel(proxy);
  const s = acquire(model);
  const view = new PlayerView(el, model, s.playback);
  s.views.add(view);
  allViews.add(view);
  return () => {
    stopStyling();
    allViews.delete(view);
    s.views.delete(view);
    view.dispose();
    release(model, s);
  };
}

export default { render };
export { default as controls } from "./controls_widget";
