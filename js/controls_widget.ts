/* anywidget entry of PlayerControls (Python: player.controls): the control bar alone, driving
 * the player model it references. Part of the front end (index.ts); also built alone
 * (static/controls.js, no three.js) for development with anywidget's hot reload.
 *
 * Its `_role`: "" (a plain view), "sidebar" (in JupyterLab's sidebar: announced, see sidebar.ts)
 * or "sidebar-fallback" (in the cell's output, shown with a notice only while no sidebar view of
 * the player is on the page). */
import type { AnyModel, RenderProps } from "@anywidget/types";
import { ControlBar } from "./controls";
import { bindKeys } from "./focus";
import { acquire, release } from "./registry";
import { FALLBACK_GRACE_MS, announceSidebar, onSidebarChange, sidebarShown } from "./sidebar";
import { adoptStylesWhenAttached } from "./styles";
import type { PlayerModel } from "./types";

const NO_SIDEBAR = "No sidebar here (it needs JupyterLab): the player's controls are shown here instead.";

async function render({ model, el }: RenderProps): Promise<() => void> {
  const stopStyling = adoptStylesWhenAttached(el);
  const ref = String((model as AnyModel).get("player") ?? "");
  const player = (await model.widget_manager.get_model(ref.replace(/^IPY_MODEL_/, ""))) as PlayerModel;
  const role = String((model as AnyModel).get("_role") ?? "");
  const uid = player.get("_uid") || ref;
  const s = acquire(player);
  const root = document.createElement("div");
  root.className = "cleo-player cleo-controls-only";
  root.tabIndex = 0;
  const bar = new ControlBar(s.playback, {});
  root.append(bar.el);
  const unbindKeys = bindKeys(root, bar);
  const cleanups: Array<() => void> = [];
  if (role === "sidebar") {
    // announced while it is in the page: a host without a sidebar may still render it, detached
    let unannounce: (() => void) | null = null;
    const update = () => {
      if (root.isConnected && !unannounce) unannounce = announceSidebar(uid);
      else if (!root.isConnected && unannounce) {
        unannounce();
        unannounce = null;
      }
    };
    const observer = new ResizeObserver(update); // fires when it is laid out in a page, or leaves it
    observer.observe(root);
    cleanups.push(() => {
      observer.disconnect();
      unannounce?.();
    });
  }
  if (role === "sidebar-fallback") {
    root.classList.add("cleo-sidebar-fallback");
    const notice = document.createElement("div");
    notice.className = "cleo-notice";
    notice.textContent = NO_SIDEBAR;
    root.prepend(notice);
    let waited = false;
    const update = () => {
      root.hidden = !waited || sidebarShown(uid);
    };
    const timer = setTimeout(() => {
      waited = true;
      update();
    }, FALLBACK_GRACE_MS);
    update();
    cleanups.push(onSidebarChange(update), () => clearTimeout(timer));
  }
  el.append(root);
  return () => {
    for (const cleanup of cleanups) cleanup();
    stopStyling();
    unbindKeys();
    bar.dispose();
    root.remove();
    release(player, s);
  };
}

export default { render };
