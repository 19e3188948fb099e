/* Styles for the player (class names are prefixed cleo-), put where each view lives: the
 * document, or the shadow root a host renders widgets in (marimo), once per root. */
import { TIMELINE_STYLES } from "./timeline_styles";

export const STYLES = `
.cleo-player { position: relative; width: 100%; min-width: 0; max-width: 100%; box-sizing: border-box; outline: none; font: 13px/1.3 system-ui, sans-serif;
  color: #ddd; background: #111318; border-radius: 4px; overflow: hidden; }
.cleo-player:focus-within { outline: 2px solid #4a90d9; outline-offset: -2px; }
.cleo-stage { position: relative; width: 100%; }
.cleo-canvas { display: block; width: 100%; touch-action: none; }
.cleo-overlay { position: absolute; inset: 0; display: none; align-items: center; justify-content: center;
  text-align: center; padding: 2em; color: #eee; background: rgba(17, 19, 24, 0.55); pointer-events: none; }
.cleo-overlay.cleo-overlay-action { pointer-events: auto; cursor: pointer; }
.cleo-snapshot { display: block; width: 100%; }
.cleo-legend { position: absolute; top: 8px; left: 10px; pointer-events: none; font-size: 12px;
  background: rgba(17, 19, 24, 0.6); padding: 4px 8px; border-radius: 4px; }
.cleo-legend:empty { display: none; }
.cleo-legend > div, .cleo-legend > button { display: flex; align-items: center; gap: 6px; white-space: nowrap; }
.cleo-legend > button { pointer-events: auto; cursor: pointer; font: inherit; color: inherit; background: none;
  border: none; padding: 0; margin: 0; text-align: left; border-radius: 2px; }
.cleo-legend > button:hover span:last-child { text-decoration: underline; }
.cleo-legend > button:focus-visible { outline: 1px solid #4a90d9; outline-offset: 1px; }
.cleo-legend > button.cleo-legend-hidden { opacity: 0.4; }
.cleo-legend > button.cleo-legend-hidden span:last-child { text-decoration: line-through; }
.cleo-tooltip { position: absolute; left: 0; top: 0; z-index: 4; pointer-events: none; padding: 4px 7px; border-radius: 4px;
  background: rgba(27, 30, 37, 0.94); border: 1px solid #3a404d; color: #eee; font-size: 12px; line-height: 1.35;
  white-space: nowrap; box-shadow: 0 2px 8px rgba(0, 0, 0, 0.45); }
.cleo-tooltip[hidden] { display: none; }
.cleo-tooltip > div:first-child { font-weight: 600; }
.cleo-swatch { display: inline-block; width: 10px; height: 10px; }
.cleo-swatch-dot { border-radius: 50%; }
.cleo-swatch-cross { width: auto; height: auto; font-weight: bold; line-height: 10px; }
.cleo-swatch-triangle { clip-path: polygon(50% 0, 100% 100%, 0 100%); }
.cleo-controls { position: relative; display: flex; align-items: center; gap: 4px; padding: 4px 6px;
  background: #1b1e25; flex-wrap: wrap; white-space: nowrap; }
.cleo-btn { background: #2a2f3a; color: #eee; border: 1px solid #3a404d; border-radius: 3px;
  min-width: 28px; height: 26px; cursor: pointer; padding: 0 5px; display: inline-flex; gap: 6px;
  align-items: center; justify-content: center; flex: none; }
.cleo-btn:hover:not(:disabled) { background: #394052; }
.cleo-btn:disabled { opacity: 0.4; cursor: default; }
.cleo-btn-text, .cleo-caption { display: none; }
.cleo-scrub { flex: 1 1 0; min-width: 60px; margin: 0 4px; }
.cleo-time { flex: none; font-variant-numeric: tabular-nums; text-align: right; padding: 0 4px; }
.cleo-time-now { display: inline-block; text-align: right; }
.cleo-controls[data-layout="narrow"] .cleo-time-total, .cleo-controls[data-layout="narrow"] .cleo-time-prefix { display: none; }
.cleo-item { flex: none; display: inline-flex; align-items: center; gap: 6px; }
.cleo-controls select { background: #2a2f3a; color: #eee; border: 1px solid #3a404d; border-radius: 3px; height: 26px; }
.cleo-hint { position: absolute; left: 50%; top: 50%; transform: translate(-50%, -50%); padding: 6px 12px;
  border-radius: 4px; background: rgba(17, 19, 24, 0.85); color: #eee; pointer-events: none; opacity: 0;
  transition: opacity 0.15s; white-space: nowrap; }
.cleo-hint.cleo-hint-shown { opacity: 1; }
.cleo-notice { padding: 4px 8px; font-size: 12px; color: #ddd; }
.cleo-player[hidden] { display: none; }
.cleo-menu-btn { display: none; }
.cleo-controls[data-layout="menu"] .cleo-menu-btn, .cleo-controls[data-layout="narrow"] .cleo-menu-btn { display: inline-flex; }
.cleo-menu { position: absolute; right: 6px; bottom: calc(100% + 4px); z-index: 5; display: flex; flex-direction: column;
  align-items: stretch; gap: 6px; padding: 8px; background: #1b1e25; border: 1px solid #3a404d; border-radius: 4px;
  box-shadow: 0 4px 14px rgba(0, 0, 0, 0.5); }
.cleo-menu[hidden] { display: none; }
.cleo-controls-only { overflow: visible; }
.cleo-controls-only .cleo-menu { bottom: auto; top: calc(100% + 4px); }
.cleo-menu .cleo-item { justify-content: space-between; }
.cleo-menu .cleo-caption, .cleo-menu .cleo-btn-text { display: inline; }
.cleo-menu .cleo-btn { justify-content: flex-start; padding: 0 8px; }
${TIMELINE_STYLES}`;

const STYLE_ID = "cleo-player-styles";
/** roots that hold the styles already (a shadow root cannot be searched from the document) */
const styled = new WeakSet<Node>();
let sheet: CSSStyleSheet | null = null;

/** Put the styles in the document or shadow root ``el`` lives in, once per root. Returns false
 * while ``el`` is not in one yet (call again once it is attached). */
export function adoptStyles(el: Element): boolean {
  const root = el.getRootNode();
  if (styled.has(root)) return true;
  if (root instanceof ShadowRoot) {
    // a constructed sheet, shared by every shadow root of the page; a <style> element where
    // the browser cannot adopt sheets
    if ("adoptedStyleSheets" in root && typeof CSSStyleSheet.prototype.replaceSync === "function") {
      if (sheet === null) {
        sheet = new CSSStyleSheet();
        sheet.replaceSync(STYLES);
      }
      root.adoptedStyleSheets = [...root.adoptedStyleSheets, sheet];
    } else {
      const style = document.createElement("style");
      style.id = STYLE_ID;
      style.textContent = STYLES;
      root.prepend(style);
    }
  } else if (root instanceof Document) {
    if (!root.getElementById(STYLE_ID)) {
      const style = root.createElement("style");
      style.id = STYLE_ID;
      style.textContent = STYLES;
      root.head.append(style);
    }
  } else {
    return false;
  }
  styled.add(root);
  return true;
}

/** {@link adoptStyles} now, or as soon as ``el`` is attached (a host may render a view before
 * it puts the element in its page). Returns a function that stops waiting. */
export function adoptStylesWhenAttached(el: Element): () => void {
  if (adoptStyles(el)) return () => {};
  const observer = new ResizeObserver(() => {
    if (adoptStyles(el)) observer.disconnect();
  });
  observer.observe(el);
  return () => observer.disconnect();
}
