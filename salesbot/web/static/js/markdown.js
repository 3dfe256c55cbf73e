// A small, safe Markdown renderer: it builds DOM nodes with textContent, so raw HTML in the
// source (from the model or a user) is shown as text and can never become markup.

const MAX_DEPTH = 6;
const MAX_SOURCE = 200_000;

/** Links may go to the web, to e-mail, or to a path on this site; anything else stays text. */
export function safeHref(raw) {
  const url = raw.trim();
  if (/^\/(?![/\\])/.test(url)) return url;
  if (/^(https?:\/\/|mailto:)/i.test(url)) {
    try {
      const parsed = new URL(url);
      if (["http:", "https:", "mailto:"].includes(parsed.protocol)) return parsed.href;
    } catch {
      return null;
    }
  }
  return null;
}

const INLINE = [
  { kind: "code", re: /`([^`\n]+)`/g },
  { kind: "link", re: /\[([^\]\n]{1,500})\]\(([^()\s]{1,2000})\)/g },
  { kind: "strong", re: /\*\*(?=\S)([^\n]*?\S)\*\*/g },
  { kind: "strong", re: /__(?=\S)([^\n]*?\S)__/g },
  { kind: "del", re: /~~(?=\S)([^\n]*?\S)~~/g },
  { kind: "em", re: /\*(?=[^\s*])([^*\n]*?[^\s*])\*/g },
  { kind: "em", re: /(?<![\w])_(?=[^\s_])([^_\n]*?[^\s_])_(?![\w])/g },
  { kind: "auto", re: /\bhttps?:\/\/[^\s<>"'`]+[^\s<>"'`.,;:!?)\]]/g },
];

function textWithBreaks(text, out) {
  const lines = text.split("\n");
  lines.forEach((line, i) => {
    if (i > 0) out.push(document.createElement("br"));
    if (line) out.push(document.createTextNode(line));
  });
}

/** Inline Markdown → an array of nodes. */
export function renderInline(text, depth = 0) {
  const out = [];
  if (depth > MAX_DEPTH) {
    textWithBreaks(text, out);
    return out;
  }
  // The next match of each pattern, recomputed only when the scan has passed it.
  const next = INLINE.map(() => ({ index: -1, match: null }));
  let pos = 0;
  while (pos < text.length) {
    let best = -1;
    for (let i = 0; i < INLINE.length; i += 1) {
      const slot = next[i];
      if (slot.index !== Infinity && slot.index < pos) {
        const re = INLINE[i].re;
        re.lastIndex = pos;
        const m = re.exec(text);
        slot.match = m;
        slot.index = m ? m.index : Infinity;
      }
      if (slot.index !== Infinity && (best === -1 || slot.index < next[best].index)) best = i;
    }
    if (best === -1) break;
    const { match } = next[best];
    if (match.index > pos) textWithBreaks(text.slice(pos, match.index), out);
    out.push(inlineNode(INLINE[best].kind, match, depth));
    pos = match.index + match[0].length;
  }
  if (pos < text.length) textWithBreaks(text.slice(pos), out);
  return out;
}

function inlineNode(kind, match, depth) {
  if (kind === "code") {
    const code = document.createElement("code");
    code.textContent = match[1];
    return code;
  }
  if (kind === "link" || kind === "auto") {
    const label = kind === "link" ? match[1] : match[0];
    const href = safeHref(kind === "link" ? match[2] : match[0]);
    if (!href) return document.createTextNode(match[0]);
    const a = document.createElement("a");
    a.href = href;
    if (!href.startsWith("/")) {
      a.target = "_blank";
      a.rel = "noopener noreferrer";
    }
    if (kind === "link") a.append(...renderInline(label, depth + 1));
    else a.textContent = label;
    return a;
  }
  const el = document.createElement(kind);
  el.append(...renderInline(match[1], depth + 1));
  return el;
}

/* ---------- blocks ---------- */

const FENCE = /^\s{0,3}(```|~~~)\s*([\w+-]*)\s*$/;
const HEADING = /^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$/;
const RULE = /^\s{0,3}([-*_])(\s*\1){2,}\s*$/;
const QUOTE = /^\s{0,3}>\s?(.*)$/;
const BULLET = /^(\s*)[-*+]\s+(.*)$/;
const ORDERED = /^(\s*)(\d{1,9})[.)]\s+(.*)$/;
const TABLE_SEP = /^\s*\|?\s*:?-{1,}:?\s*(\|\s*:?-{1,}:?\s*)*\|?\s*$/;

function splitRow(line) {
  let row = line.trim();
  if (row.startsWith("|")) row = row.slice(1);
  if (row.endsWith("|") && !row.endsWith("\\|")) row = row.slice(0, -1);
  return row.split(/(?<!\\)\|/).map((cell) => cell.trim().replace(/\\\|/g, "|"));
}

function isBlockStart(line, nextLine) {
  return (
    FENCE.test(line) ||
    HEADING.test(line) ||
    RULE.test(line) ||
    QUOTE.test(line) ||
    BULLET.test(line) ||
    ORDERED.test(line) ||
    (line.includes("|") && nextLine !== undefined && TABLE_SEP.test(nextLine) && nextLine.includes("-"))
  );
}

function renderTable(header, aligns, rows, depth) {
  const table = document.createElement("table");
  const thead = document.createElement("thead");
  const tr = document.createElement("tr");
  header.forEach((cell, i) => {
    const th = document.createElement("th");
    th.scope = "col";
    if (aligns[i]) th.className = `align-${aligns[i]}`;
    th.append(...renderInline(cell, depth));
    tr.append(th);
  });
  thead.append(tr);
  const tbody = document.createElement("tbody");
  for (const row of rows) {
    const r = document.createElement("tr");
    header.forEach((_, i) => {
      const td = document.createElement("td");
      if (aligns[i]) td.className = `align-${aligns[i]}`;
      td.append(...renderInline(row[i] ?? "", depth));
      r.append(td);
    });
    tbody.append(r);
  }
  table.append(thead, tbody);
  const wrap = document.createElement("div");
  wrap.className = "table-wrap";
  wrap.append(table);
  return wrap;
}

function renderList(lines, start, depth) {
  // Consecutive items of one kind; deeper-indented lines belong to the item above.
  const first = lines[start];
  const ordered = ORDERED.test(first) && !BULLET.test(first);
  const list = document.createElement(ordered ? "ol" : "ul");
  if (ordered) {
    const n = Number(ORDERED.exec(first)[2]);
    if (n !== 1) list.start = n;
  }
  const baseIndent = (ordered ? ORDERED : BULLET).exec(first)[1].length;
  let i = start;
  while (i < lines.length) {
    const m = (ordered ? ORDERED : BULLET).exec(lines[i]);
    if (!m || m[1].length !== baseIndent) break;
    const content = [ordered ? m[3] : m[2]];
    i += 1;
    while (i < lines.length && lines[i].trim() !== "") {
      const indent = lines[i].length - lines[i].trimStart().length;
      if (indent <= baseIndent && (BULLET.test(lines[i]) || ORDERED.test(lines[i]))) break;
      if (indent <= baseIndent && isBlockStart(lines[i], lines[i + 1])) break;
      content.push(lines[i].slice(Math.min(indent, baseIndent + 2)));
      i += 1;
    }
    const li = document.createElement("li");
    li.append(...renderBlocks(content.join("\n"), depth + 1, true));
    list.append(li);
  }
  return { node: list, next: i };
}

/* Each block reader looks at lines[i]: null when the block is not its kind, otherwise
   {node, next} with the index of the first line after the block. */

function readFence(lines, i) {
  const fence = FENCE.exec(lines[i]);
  if (!fence) return null;
  const close = new RegExp(`^\\s{0,3}${fence[1]}\\s*$`);
  const body = [];
  let next = i + 1;
  while (next < lines.length && !close.test(lines[next])) {
    body.push(lines[next]);
    next += 1;
  }
  const pre = document.createElement("pre");
  const code = document.createElement("code");
  if (fence[2]) code.dataset.lang = fence[2];
  code.textContent = body.join("\n");
  pre.append(code);
  return { node: pre, next: next + 1 };
}

function readHeading(lines, i, depth) {
  const heading = HEADING.exec(lines[i]);
  if (!heading) return null;
  // The page and the thread own h1 and h2: the model's headings start at h3.
  const el = document.createElement(`h${Math.min(6, heading[1].length + 2)}`);
  el.append(...renderInline(heading[2], depth));
  return { node: el, next: i + 1 };
}

function readRule(lines, i) {
  return RULE.test(lines[i]) ? { node: document.createElement("hr"), next: i + 1 } : null;
}

function readQuote(lines, i, depth) {
  if (!QUOTE.test(lines[i])) return null;
  const body = [];
  let next = i;
  while (next < lines.length && QUOTE.test(lines[next])) {
    body.push(QUOTE.exec(lines[next])[1]);
    next += 1;
  }
  const quote = document.createElement("blockquote");
  if (depth < MAX_DEPTH) quote.append(...renderBlocks(body.join("\n"), depth + 1));
  else quote.textContent = body.join("\n");
  return { node: quote, next };
}

function readList(lines, i, depth) {
  if (!(BULLET.test(lines[i]) || ORDERED.test(lines[i])) || depth >= MAX_DEPTH) return null;
  return renderList(lines, i, depth);
}

function readTable(lines, i, depth) {
  const line = lines[i];
  if (!(line.includes("|") && i + 1 < lines.length && TABLE_SEP.test(lines[i + 1]) && lines[i + 1].includes("-"))) return null;
  const header = splitRow(line);
  const aligns = splitRow(lines[i + 1]).map((c) =>
    c.startsWith(":") && c.endsWith(":") ? "center" : c.endsWith(":") ? "right" : c.startsWith(":") ? "left" : "",
  );
  let next = i + 2;
  const rows = [];
  while (next < lines.length && lines[next].includes("|") && lines[next].trim() !== "") {
    rows.push(splitRow(lines[next]));
    next += 1;
  }
  return { node: renderTable(header, aligns, rows, depth), next };
}

const BLOCK_READERS = [readFence, readHeading, readRule, readQuote, readList, readTable];

/** Block Markdown → an array of nodes. `tight` renders a lone paragraph without <p>. */
function renderBlocks(source, depth, tight = false) {
  const lines = source.replace(/\r\n?/g, "\n").split("\n");
  const out = [];
  let i = 0;
  while (i < lines.length) {
    if (lines[i].trim() === "") {
      i += 1;
      continue;
    }
    let block = null;
    for (const read of BLOCK_READERS) {
      block = read(lines, i, depth);
      if (block) break;
    }
    if (block) {
      out.push(block.node);
      i = block.next;
      continue;
    }
    const para = [lines[i]];
    i += 1;
    while (i < lines.length && lines[i].trim() !== "" && !isBlockStart(lines[i], lines[i + 1])) {
      para.push(lines[i]);
      i += 1;
    }
    const nodes = renderInline(para.join("\n"), depth);
    if (tight && out.length === 0 && i >= lines.length) {
      out.push(...nodes);
    } else {
      const p = document.createElement("p");
      p.append(...nodes);
      out.push(p);
    }
  }
  return out;
}

/** Render Markdown into a DocumentFragment of safe nodes. */
export function renderMarkdown(source) {
  const fragment = document.createDocumentFragment();
  const text = typeof source === "string" ? source : "";
  if (text.length > MAX_SOURCE) {
    const p = document.createElement("p");
    p.textContent = text;
    fragment.append(p);
    return fragment;
  }
  fragment.append(...renderBlocks(text, 0));
  return fragment;
}
