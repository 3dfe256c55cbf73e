// The frame editor: a photo on a canvas with zoom; frames are four draggable corners each.
import { h } from "./dom.js";

const HANDLE = 7; // handle half-size in screen pixels
const HIT = 12; // how close (screen pixels) a press must be to grab a corner
export const CORNER_NAMES = ["Top left", "Top right", "Bottom right", "Bottom left"];
const MIN_ZOOM = 0.05;
const MAX_ZOOM = 4;

function inside(point, quad) {
  let hit = false;
  for (let i = 0, j = quad.length - 1; i < quad.length; j = i, i += 1) {
    const [xi, yi] = quad[i];
    const [xj, yj] = quad[j];
    if (yi > point[1] !== yj > point[1] && point[0] < ((xj - xi) * (point[1] - yi)) / (yj - yi) + xi) hit = !hit;
  }
  return hit;
}

/** Whether the corners, in order, turn the same way all round (a drawable billboard face). */
export function isConvex(quad) {
  let sign = 0;
  for (let i = 0; i < 4; i += 1) {
    const [ax, ay] = quad[i];
    const [bx, by] = quad[(i + 1) % 4];
    const [cx, cy] = quad[(i + 2) % 4];
    const cross = (bx - ax) * (cy - by) - (by - ay) * (cx - bx);
    if (cross === 0) return false;
    if (sign === 0) sign = Math.sign(cross);
    else if (Math.sign(cross) !== sign) return false;
  }
  return true;
}

function css(name, fallback) {
  const value = getComputedStyle(document.documentElement).getPropertyValue(name).trim();
  return value || fallback;
}

/**
 * frameEditor({image, width, height, onChange, onSelect}) → editor
 * editor.frames is [{points: [[x, y] × 4], settings}] in photo pixels; call editor.draw() after
 * changing it from outside. onChange(kind) fires on every edit ("move" while dragging, "done"
 * when a drag ends or a frame is added or removed); onSelect(index) when the selection changes.
 */
export function frameEditor({ image, width, height, onChange = () => {}, onSelect = () => {} }) {
  const canvas = h("canvas", {
    class: "frame-canvas",
    tabindex: "0",
    role: "img",
    "aria-label": "Billboard photo with its frames. Drag a corner to move it, drag inside a frame to move the frame, or drag on the photo to draw a new frame. Keys: 1 to 4 choose a corner, the arrow keys move it (Shift: 10 pixels), Page Up and Page Down choose a frame.",
  });
  const viewport = h("div", { class: "frame-viewport" }, canvas);
  const editor = {
    element: viewport,
    canvas,
    frames: [],
    selected: -1,
    corner: 0,
    zoom: 1,
    draw,
    setZoom,
    fit,
    select,
    addFrame,
    removeSelected,
  };
  let drag = null;

  function clampPoint([x, y]) {
    return [Math.round(Math.min(width, Math.max(0, x))), Math.round(Math.min(height, Math.max(0, y)))];
  }

  function toPhoto(event) {
    const rect = canvas.getBoundingClientRect();
    return [(event.clientX - rect.left) / editor.zoom, (event.clientY - rect.top) / editor.zoom];
  }

  function setZoom(zoom) {
    editor.zoom = Math.min(MAX_ZOOM, Math.max(MIN_ZOOM, zoom));
    const ratio = window.devicePixelRatio || 1;
    canvas.width = Math.round(width * editor.zoom * ratio);
    canvas.height = Math.round(height * editor.zoom * ratio);
    canvas.style.width = `${Math.round(width * editor.zoom)}px`;
    canvas.style.height = `${Math.round(height * editor.zoom)}px`;
    draw();
    return editor.zoom;
  }

  function fit() {
    const available = viewport.clientWidth || 800;
    return setZoom(Math.min(1, available / width));
  }

  function select(index, corner = editor.corner) {
    editor.selected = index;
    editor.corner = corner;
    draw();
    onSelect(index);
  }

  function addFrame(points, settings = null) {
    editor.frames.push({ points: points.map(clampPoint), settings: settings ? { ...settings } : {} });
    select(editor.frames.length - 1, 0);
    onChange("done");
  }

  function removeSelected() {
    if (editor.selected < 0) return;
    editor.frames.splice(editor.selected, 1);
    select(Math.min(editor.selected, editor.frames.length - 1));
    onChange("done");
  }

  function draw() {
    const ctx = canvas.getContext("2d");
    const ratio = window.devicePixelRatio || 1;
    const scale = editor.zoom * ratio;
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.clearRect(0, 0, canvas.width, canvas.height);
    ctx.setTransform(scale, 0, 0, scale, 0, 0);
    if (image.complete && image.naturalWidth) ctx.drawImage(image, 0, 0, width, height);
    const accent = css("--accent", "#2b59c3");
    const danger = css("--danger", "#b3261e");
    const line = 2 / editor.zoom;
    const list = drag && drag.kind === "draw" ? [...editor.frames, { points: drag.points, drawing: true }] : editor.frames;
    list.forEach((frame, index) => {
      const selected = index === editor.selected || frame.drawing;
      const ok = isConvex(frame.points);
      ctx.beginPath();
      frame.points.forEach(([x, y], i) => (i ? ctx.lineTo(x, y) : ctx.moveTo(x, y)));
      ctx.closePath();
      ctx.fillStyle = ok ? "rgba(43, 89, 195, 0.18)" : "rgba(179, 38, 30, 0.25)";
      ctx.fill();
      ctx.lineWidth = selected ? line * 1.5 : line;
      ctx.strokeStyle = ok ? (selected ? accent : "#ffffff") : danger;
      ctx.setLineDash(selected ? [] : [6 / editor.zoom, 4 / editor.zoom]);
      ctx.stroke();
      ctx.setLineDash([]);
      if (frame.drawing) return;
      const [lx, ly] = frame.points[0];
      ctx.font = `${14 / editor.zoom}px system-ui, sans-serif`;
      ctx.fillStyle = "#ffffff";
      ctx.strokeStyle = "#000000";
      ctx.lineWidth = 3 / editor.zoom;
      const label = `Frame ${index + 1}`;
      ctx.strokeText(label, lx + 6 / editor.zoom, ly + 18 / editor.zoom);
      ctx.fillText(label, lx + 6 / editor.zoom, ly + 18 / editor.zoom);
      const size = (selected ? HANDLE : HANDLE - 2) / editor.zoom;
      frame.points.forEach(([x, y], i) => {
        ctx.fillStyle = selected && i === editor.corner ? accent : "#ffffff";
        ctx.strokeStyle = selected ? accent : "#000000";
        ctx.lineWidth = 1.5 / editor.zoom;
        ctx.fillRect(x - size, y - size, size * 2, size * 2);
        ctx.strokeRect(x - size, y - size, size * 2, size * 2);
      });
    });
  }

  function cornerAt(point) {
    const reach = HIT / editor.zoom;
    const order = editor.frames.map((_, i) => i).sort((a, b) => (b === editor.selected) - (a === editor.selected));
    for (const index of order) {
      const corner = editor.frames[index].points.findIndex(([x, y]) => Math.abs(x - point[0]) <= reach && Math.abs(y - point[1]) <= reach);
      if (corner >= 0) return { index, corner };
    }
    return null;
  }

  canvas.addEventListener("pointerdown", (event) => {
    if (event.button !== 0) return;
    canvas.focus();
    const point = toPhoto(event);
    const hit = cornerAt(point);
    if (hit) {
      drag = { kind: "corner", ...hit };
      select(hit.index, hit.corner);
    } else {
      const index = editor.frames.findIndex((f) => inside(point, f.points));
      if (index >= 0) {
        drag = { kind: "move", index, from: point, original: editor.frames[index].points.map((p) => [...p]) };
        select(index);
      } else {
        drag = { kind: "draw", from: point, points: [point, point, point, point] };
      }
    }
    canvas.setPointerCapture(event.pointerId);
    event.preventDefault();
  });

  canvas.addEventListener("pointermove", (event) => {
    if (!drag) return;
    const point = toPhoto(event);
    if (drag.kind === "corner") {
      editor.frames[drag.index].points[drag.corner] = clampPoint(point);
      onChange("move");
    } else if (drag.kind === "move") {
      const dx = Math.max(-Math.min(...drag.original.map((p) => p[0])), Math.min(width - Math.max(...drag.original.map((p) => p[0])), point[0] - drag.from[0]));
      const dy = Math.max(-Math.min(...drag.original.map((p) => p[1])), Math.min(height - Math.max(...drag.original.map((p) => p[1])), point[1] - drag.from[1]));
      editor.frames[drag.index].points = drag.original.map(([x, y]) => clampPoint([x + dx, y + dy]));
      onChange("move");
    } else {
      const [x0, y0] = clampPoint(drag.from);
      const [x1, y1] = clampPoint(point);
      drag.points = [
        [x0, y0],
        [x1, y0],
        [x1, y1],
        [x0, y1],
      ];
    }
    draw();
  });

  const finish = (event) => {
    if (!drag) return;
    const ended = drag;
    drag = null;
    if (canvas.hasPointerCapture(event.pointerId)) canvas.releasePointerCapture(event.pointerId);
    if (ended.kind === "draw") {
      const [[x0, y0], , [x1, y1]] = ended.points;
      // A click (or a tiny drag) only clears the selection; a real drag draws a frame.
      if (Math.abs(x1 - x0) * editor.zoom >= 8 && Math.abs(y1 - y0) * editor.zoom >= 8) {
        const left = Math.min(x0, x1);
        const right = Math.max(x0, x1);
        const top = Math.min(y0, y1);
        const bottom = Math.max(y0, y1);
        addFrame([
          [left, top],
          [right, top],
          [right, bottom],
          [left, bottom],
        ]);
        return;
      }
      select(-1);
      return;
    }
    draw();
    onChange("done");
  };
  canvas.addEventListener("pointerup", finish);
  canvas.addEventListener("pointercancel", finish);

  canvas.addEventListener("keydown", (event) => {
    if (event.key === "PageDown" || event.key === "PageUp") {
      if (!editor.frames.length) return;
      event.preventDefault();
      const step = event.key === "PageDown" ? 1 : -1;
      select((editor.selected + step + editor.frames.length) % editor.frames.length);
      return;
    }
    if (["1", "2", "3", "4"].includes(event.key) && editor.selected >= 0) {
      event.preventDefault();
      select(editor.selected, Number(event.key) - 1);
      return;
    }
    const moves = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1] };
    if (moves[event.key] && editor.selected >= 0) {
      event.preventDefault();
      const step = event.shiftKey ? 10 : 1;
      const [x, y] = editor.frames[editor.selected].points[editor.corner];
      editor.frames[editor.selected].points[editor.corner] = clampPoint([x + moves[event.key][0] * step, y + moves[event.key][1] * step]);
      draw();
      onChange("done");
    }
  });

  viewport.addEventListener(
    "wheel",
    (event) => {
      if (!event.ctrlKey) return;
      event.preventDefault();
      setZoom(editor.zoom * (event.deltaY < 0 ? 1.1 : 1 / 1.1));
    },
    { passive: false },
  );
  return editor;
}
