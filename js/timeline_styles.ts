/* Styles of the timeline (js/timeline.ts), part of the player's one style sheet (styles.ts). */
export const TIMELINE_STYLES = `
.cleo-timeline { position: relative; width: 100%; overflow: hidden; background: #0d0f13;
  border-top: 1px solid #262a33; box-sizing: content-box; cursor: crosshair; user-select: none;
  -webkit-user-select: none; touch-action: pan-y; }
.cleo-timeline canvas { position: absolute; left: 0; top: 0; width: 100%; display: block; pointer-events: none; }
.cleo-timeline-labels { position: absolute; inset: 0; pointer-events: none; font-size: 10px; line-height: 12px; }
.cleo-timeline-label { position: absolute; left: 4px; margin-top: 1px; padding: 0 4px 0 3px; border-radius: 2px;
  background: rgba(13, 15, 19, 0.72); color: #d6d9e0; white-space: nowrap; }
.cleo-timeline-label::before { content: ""; display: inline-block; width: 7px; height: 7px; margin-right: 4px;
  border-radius: 50%; background: var(--cleo-swatch, #888); }
.cleo-timeline-range { margin-left: 6px; color: #8a91a0; }
.cleo-timeline-tick { position: absolute; transform: translateX(-50%); color: #8a91a0; white-space: nowrap; }
.cleo-timeline-unit { position: absolute; right: 4px; color: #8a91a0; background: #0d0f13; padding-left: 3px; }
.cleo-timeline-playhead { position: absolute; left: -1px; top: 0; bottom: 0; width: 2px; background: #f4f4f4;
  box-shadow: 0 0 2px rgba(0, 0, 0, 0.8); pointer-events: none; will-change: transform; visibility: hidden; }
.cleo-timeline-hover { position: absolute; left: 0; right: 0; display: none; pointer-events: none;
  background: rgba(255, 255, 255, 0.22); box-shadow: 0 0 0 1px rgba(255, 255, 255, 0.55); min-height: 2px; }
.cleo-timeline-brush { position: absolute; top: 0; bottom: 0; display: none; pointer-events: none;
  background: rgba(74, 144, 217, 0.25); border-left: 1px solid #4a90d9; border-right: 1px solid #4a90d9; }
`;
