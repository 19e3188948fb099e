/* The control bar's icons: inline SVG (no icon font: headless and offline pages may lack the
 * glyphs), each unmistakable at 16 px: first = bar + double triangle, previous = triangle +
 * bar (one step), next / last mirror them, reset camera = a box in a viewfinder's corners,
 * screenshot = a camera, menu = three dots. */

interface IconSpec {
  d: string;
  stroke?: boolean; // drawn as lines (else filled)
}

const ICONS: Record<string, IconSpec> = {
  first: { d: "M4 5h2.2v14H4zM13 5v14l-6.2-7zM20.5 5v14l-6.2-7z" },
  prev: { d: "M15 5v14l-8-7zM17 5h2.2v14H17z" },
  play: { d: "M7 4v16l13-8z" },
  pause: { d: "M6 4h4v16H6zM14 4h4v16h-4z" },
  next: { d: "M4.8 5H7v14H4.8zM9 5v14l8-7z" },
  last: { d: "M3.5 5v14l6.2-7zM11 5v14l6.2-7zM17.8 5H20v14h-2.2z" },
  reset: {
    d: "M1.5 5.5v-4h4M18.5 1.5h4v4M22.5 18.5v4h-4M5.5 22.5h-4v-4M12 4.5l6.5 3.75v7.5L12 19.5l-6.5-3.75v-7.5zM5.5 8.25L12 12l6.5-3.75M12 12v7.5",
    stroke: true,
  },
  screenshot: { d: "M3 8h4l2-3h6l2 3h4v11H3zM12 10a3.5 3.5 0 1 0 0 7a3.5 3.5 0 1 0 0-7", stroke: true },
  fullscreen: { d: "M4 4h6v2H6v4H4zM14 4h6v6h-2V6h-4zM4 14h2v4h4v2H4zM18 14h2v6h-6v-2h4z" },
  menu: { d: "M12 4.5a2 2 0 1 0 0 4a2 2 0 1 0 0-4M12 10a2 2 0 1 0 0 4a2 2 0 1 0 0-4M12 15.5a2 2 0 1 0 0 4a2 2 0 1 0 0-4" },
};

export type IconName = keyof typeof ICONS;

export function icon(name: IconName, size = 16): SVGSVGElement {
  const ns = "http://www.w3.org/2000/svg";
  const spec = ICONS[name];
  const svg = document.createElementNS(ns, "svg");
  svg.setAttribute("viewBox", "0 0 24 24");
  svg.setAttribute("width", String(size));
  svg.setAttribute("height", String(size));
  svg.setAttribute("aria-hidden", "true");
  svg.dataset.icon = String(name);
  const path = document.createElementNS(ns, "path");
  path.setAttribute("d", spec.d);
  if (spec.stroke) {
    path.setAttribute("fill", "none");
    path.setAttribute("stroke", "currentColor");
    path.setAttribute("stroke-width", "1.8");
    path.setAttribute("stroke-linejoin", "round");
    path.setAttribute("stroke-linecap", "round");
  } else {
    path.setAttribute("fill", "currentColor");
  }
  svg.append(path);
  return svg;
}
