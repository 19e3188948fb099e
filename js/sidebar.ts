/* Which players have their controls in a sidebar (a JupyterLab sidecar) on this page, so that a
 * controls view in "sidebar-fallback" role (Python: player.show_controls() where there is no
 * sidebar, e.g. Notebook 7) shows in the cell's output only while none is there. On globalThis:
 * one page may hold views from several copies of the front end (development builds). */

const state = ((globalThis as unknown as { __cleoPlayerSidebars?: { shown: Map<string, number>; listeners: Set<() => void> } })
  .__cleoPlayerSidebars ??= { shown: new Map(), listeners: new Set() });

/** How long a fallback waits for the sidebar view before it shows (a sidebar view is rendered
 * with the same cell's output, a moment later at most). */
export const FALLBACK_GRACE_MS = 1500;

function changed(): void {
  for (const f of [...state.listeners]) f();
}

/** A sidebar view of the player ``uid`` is on the page until the returned function is called. */
export function announceSidebar(uid: string): () => void {
  state.shown.set(uid, (state.shown.get(uid) ?? 0) + 1);
  changed();
  return () => {
    const n = (state.shown.get(uid) ?? 1) - 1;
    if (n > 0) state.shown.set(uid, n);
    else state.shown.delete(uid);
    changed();
  };
}

export function sidebarShown(uid: string): boolean {
  return (state.shown.get(uid) ?? 0) > 0;
}

/** Calls ``f`` whenever a sidebar view comes or goes; returns a function that stops. */
export function onSidebarChange(f: () => void): () => void {
  state.listeners.add(f);
  return () => state.listeners.delete(f);
}
