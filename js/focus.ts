/* Keyboard, wheel and context menu of a player inside a host page (JupyterLab, Notebook 7,
 * marimo, a plain page): while the player has focus its keys act on it and never reach the
 * host's shortcuts; the wheel zooms only when the player has focus (or with Ctrl / ⌘ held),
 * otherwise the page scrolls past it; right-drag pans without opening a context menu.
 *
 * How the hosts route these events (JupyterLab 4 and Notebook 7 are Lumino applications):
 * - keys: the application listens to `keydown` on the document and runs the command bound to the
 *   key for the focused element (← / → fold headings and move the cell selection in command
 *   mode). JupyterLab 4 listens in the bubbling phase, so stopping the event at the player is
 *   enough there; Notebook 7 listens in the capture phase, before any element of ours sees the
 *   event. The documented opt-out for both is the `data-lm-suppress-shortcuts` attribute on an
 *   ancestor of the event's target: no key binding fires for such events. Our own listener then
 *   stops the event at the player (preventDefault + stopPropagation), so no bubbling listener of
 *   the host (marimo, VS Code, JupyterLab) acts on it either.
 * - context menu: the application opens its menu from a `contextmenu` listener on the document
 *   (bubbling), and documents `data-jp-suppress-context-menu` to leave an element alone; a
 *   shift + right-click gives the browser's own menu. We keep the same convention.
 */

/** The keys the player answers, with no modifier held. */
export const PLAYER_KEYS = new Set([" ", "ArrowLeft", "ArrowRight", "Home", "End"]);
const HINT_MS = 1200;

/** The document or shadow root an element lives in (marimo renders widgets in a shadow root). */
export function rootNode(el: Node): Document | ShadowRoot | null {
  const root = el.getRootNode();
  return root instanceof Document || root instanceof ShadowRoot ? root : null;
}

/** Whether ``el`` is the element shown fullscreen (in its own document or shadow root: the
 * document only sees the shadow host). */
export function isFullscreen(el: Element): boolean {
  return (rootNode(el) ?? document).fullscreenElement === el;
}

/** Whether focus is on ``el`` or inside it (across a shadow root too). */
export function hasFocus(el: Element): boolean {
  return el.matches(":focus-within");
}

export interface KeyTarget {
  /** act on a key; true if it was the player's */
  handleKey(e: KeyboardEvent): boolean;
}

/** Routes the player's keys to ``target`` while ``root`` (or anything in it) has focus; marks
 * ``root`` so the host's shortcuts leave its keys alone. Returns a function that unbinds. */
export function bindKeys(root: HTMLElement, target: KeyTarget): () => void {
  // Lumino tests the attribute on each element from the event's target up, after testing whether
  // that element matches a binding's selector: bindings for the focused element itself
  // (`... :focus`, Notebook 7's ← / →) are only suppressed by the attribute on that element, so
  // every element of the player that takes focus gets it
  const suppress = (el: Element): void => el.setAttribute("data-lm-suppress-shortcuts", "true");
  suppress(root);
  const onFocusIn = (e: FocusEvent): void => {
    if (e.target instanceof Element) suppress(e.target);
  };
  root.addEventListener("focusin", onFocusIn);
  const onKey = (e: KeyboardEvent): void => {
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    if (e.key === "Escape") {
      // hand the keys back to the host: focus the nearest focusable element around the player
      // (a notebook cell), as if the user had clicked beside it
      const around = root.parentElement?.closest<HTMLElement>("[tabindex]");
      if (around) around.focus({ preventScroll: true });
      else (rootNode(root)?.activeElement as HTMLElement | null)?.blur();
      e.stopPropagation();
      return;
    }
    if (e.key === "Enter") {
      // Enter activates the focused button or select (the browser's default); the host must
      // not act on it too (JupyterLab: enter edit mode, taking focus away)
      e.stopPropagation();
      return;
    }
    if (!PLAYER_KEYS.has(e.key)) return;
    // the same keys act the same wherever the focus is in the player: a focused button must not
    // click on space, a scrubber or select must not move on its own
    if (target.handleKey(e)) {
      e.preventDefault();
      e.stopPropagation();
    }
  };
  root.addEventListener("keydown", onKey);
  // a click on a control focuses it in Chrome and Firefox, but not in Safari: keep the focus in
  // the player (on its root) when the clicked element does not take it
  const onPointerDown = (e: PointerEvent): void => {
    queueMicrotask(() => {
      if (!hasFocus(root) && root.contains(e.target as Node)) root.focus({ preventScroll: true });
    });
  };
  root.addEventListener("pointerdown", onPointerDown);
  return () => {
    root.removeEventListener("focusin", onFocusIn);
    root.removeEventListener("keydown", onKey);
    root.removeEventListener("pointerdown", onPointerDown);
  };
}

export interface PointerHost {
  /** the element holding the focus ring and the keys (the player's root) */
  root: HTMLElement;
  /** the area over the 3D view (canvas, legend, overlays) */
  stage: HTMLElement;
  /** turn wheel zoom of the 3D view on or off for the event being dispatched */
  setWheelZoom(on: boolean): void;
}

function isMac(): boolean {
  return /Mac|iPhone|iPad/.test(navigator.platform || navigator.userAgent);
}

/** Wheel and context-menu rules over the 3D view. Returns a function that unbinds. */
export function bindPointer(host: PointerHost): () => void {
  const { root, stage } = host;
  const hint = document.createElement("div");
  hint.className = "cleo-hint";
  hint.textContent = `${isMac() ? "⌘" : "Ctrl"} + scroll to zoom`;
  hint.setAttribute("aria-hidden", "true");
  stage.append(hint);
  let hintTimer: ReturnType<typeof setTimeout> | null = null;

  // capture: runs before the 3D view's own wheel listener (on the canvas), which zooms and
  // cancels the page's scrolling when zoom is on; bubble: turns zoom back on for everything else
  // (middle-drag dolly, pinch)
  const onWheelCapture = (e: WheelEvent): void => {
    const zoom = hasFocus(root) || e.ctrlKey || e.metaKey;
    host.setWheelZoom(zoom);
    if (!zoom) {
      hint.classList.add("cleo-hint-shown");
      if (hintTimer !== null) clearTimeout(hintTimer);
      hintTimer = setTimeout(() => {
        hintTimer = null;
        hint.classList.remove("cleo-hint-shown");
      }, HINT_MS);
    }
  };
  const onWheelBubble = (): void => host.setWheelZoom(true);
  stage.addEventListener("wheel", onWheelCapture, { capture: true, passive: true });
  stage.addEventListener("wheel", onWheelBubble, { passive: true });

  // right-drag pans: no menu over the view, neither the host's nor the browser's; shift +
  // right-click gives the browser's menu (the 3D view's own listener would cancel it)
  stage.setAttribute("data-jp-suppress-context-menu", "");
  const onContextMenu = (e: MouseEvent): void => {
    if (!e.shiftKey) e.preventDefault();
    e.stopPropagation();
  };
  stage.addEventListener("contextmenu", onContextMenu, { capture: true });
  return () => {
    stage.removeEventListener("wheel", onWheelCapture, { capture: true });
    stage.removeEventListener("wheel", onWheelBubble);
    stage.removeEventListener("contextmenu", onContextMenu, { capture: true });
    if (hintTimer !== null) clearTimeout(hintTimer);
    hint.remove();
  };
}
