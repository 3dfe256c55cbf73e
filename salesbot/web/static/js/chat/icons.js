// Line icons of the chat page (inline SVG: the CSP allows no icon font or remote image).
import { svg } from "../dom.js";

export const CLIP = "M21 11l-8.5 8.5a5 5 0 0 1-7-7L14 4a3.5 3.5 0 0 1 5 5l-8.5 8.5a2 2 0 0 1-3-3L15 7";
export const PIN = "M9 4h6l-1 6 3 3H7l3-3zM12 13v7";

export function icon(path) {
  return svg(
    "svg",
    { viewBox: "0 0 24 24", width: 18, height: 18, "aria-hidden": "true", focusable: "false" },
    svg("path", { d: path, fill: "none", stroke: "currentColor", "stroke-width": 1.8, "stroke-linecap": "round", "stroke-linejoin": "round" }),
  );
}
