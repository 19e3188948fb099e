/* Styles for the player, injected once per document (class names are prefixed cleo-). */
import { TIMELINE_STYLES } from "./timeline_styles";

export const STYLES = `
.cleo-player { position: relative; width: 100%; min-width: 0; max-width: 100%; box-sizing: border-box; outline: none; font: 13px/1.3 system-ui, sans-serif;
  color: #ddd; background: #111318; border-radius: 4px; overflow: hidden; }
.cleo-player:focus-visible { box-shadow: 0 0 0 2px #4a90d9; }
.cleo-stage { position: relative; width: 100%; }
.cleo-canvas { display: block; width: 100%; touch-action: none; }
.cleo-overlay { position: absolute; inset: 0; display: none; align-items: center; justify-content: center;
  text-align: center; padding: 2em; color: #eee; background: rgba(17, 19, 24, 0.55); pointer-events: none; }
.cleo-overlay.cleo-overlay-action { pointer-events: auto; cursor: pointer; }
.cleo-snapshot { display: block; width: 100%; }
.cleo-legend { position: absolute; top: 8px; left: 10px; pointer-events: none; font-size: 12px;
  background: rgba(17, 19, 24, 0.6); padding: 4px 8px; border-radius: 4px; }
.cleo-legend:empty { display: none; }
.cleo-legend > div { display: flex; align-items: center; gap: 6px; white-space: nowrap; }
.cleo-swatch { display: inline-block; width: 10px; height: 10px; }
.cleo-swatch-dot { border-radius: 50%; }
.cleo-swatch-cross { width: auto; height: auto; font-weight: bold; line-height: 10px; }
.cleo-controls { display: flex; align-items: center; gap: 4px; padding: 4px 6px; background: #1b1e25;
  flex-wrap: wrap; }
.cleo-btn { background: #2a2f3a; color: #eee; border: 1px solid #3a404d; border-radius: 3px;
  min-width: 28px; height: 26px; cursor: pointer; padding: 0 6px; display: inline-flex;
  align-items: center; justify-content: center; }
.cleo-btn:hover:not(:disabled) { background: #394052; }
.cleo-btn:disabled { opacity: 0.4; cursor: default; }
.cleo-scrub { flex: 1 1 120px; min-width: 80px; }
.cleo-time { font-variant-numeric: tabular-nums; min-width: 12em; text-align: center; }
.cleo-controls select { background: #2a2f3a; color: #eee; border: 1px solid #3a404d; border-radius: 3px; height: 26px; }
${TIMELINE_STYLES}`;
