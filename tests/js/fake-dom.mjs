// The few DOM calls the renderers make, recorded so tests can read back what was built.
// Every property set on an element that is not part of this fake becomes an attribute, so a
// renderer that starts setting something new (onclick, src, style…) shows up in the output.

const INTERNAL = new Set(["tagName", "childNodes", "attributes", "dataset", "textContent", "className"]);

class FakeNode {
  constructor() {
    this.childNodes = [];
  }

  append(...nodes) {
    for (const node of nodes) {
      if (node instanceof FakeFragment) this.childNodes.push(...node.childNodes.splice(0));
      else this.childNodes.push(typeof node === "string" ? new FakeText(node) : node);
    }
  }

  get textContent() {
    return this.childNodes.map((n) => n.textContent).join("");
  }

  set textContent(value) {
    this.childNodes = [new FakeText(String(value))];
  }
}

class FakeText extends FakeNode {
  constructor(data) {
    super();
    this.data = data;
  }

  get textContent() {
    return this.data;
  }
}

class FakeFragment extends FakeNode {}

class FakeElement extends FakeNode {
  constructor(tag) {
    super();
    this.tagName = tag.toUpperCase();
    this.attributes = new Map();
    const attributes = this.attributes;
    this.dataset = new Proxy(
      {},
      {
        set(_, name, value) {
          attributes.set(`data-${name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`, String(value));
          return true;
        },
      },
    );
    return new Proxy(this, {
      set(target, prop, value) {
        if (typeof prop !== "string" || INTERNAL.has(prop) || prop in FakeElement.prototype || prop in FakeNode.prototype) {
          target[prop] = value;
        } else {
          attributes.set(prop.toLowerCase(), String(value));
        }
        return true;
      },
      get(target, prop) {
        if (typeof prop === "string" && attributes.has(prop)) return attributes.get(prop);
        return target[prop];
      },
    });
  }

  set className(value) {
    this.attributes.set("class", String(value));
  }

  get className() {
    return this.attributes.get("class") || "";
  }
}

export const fakeDocument = {
  createElement: (tag) => new FakeElement(tag),
  createTextNode: (data) => new FakeText(String(data)),
  createDocumentFragment: () => new FakeFragment(),
};

/** Every element under `node`, depth first. */
export function elements(node) {
  const out = [];
  for (const child of node.childNodes) {
    if (child instanceof FakeElement) out.push(child, ...elements(child));
    else if (!(child instanceof FakeText)) out.push(...elements(child));
  }
  return out;
}

const escapeText = (s) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

/** The node as HTML, text escaped the way a browser serialises it. */
export function toHtml(node) {
  if (node instanceof FakeText) return escapeText(node.data);
  const inner = node.childNodes.map(toHtml).join("");
  if (!(node instanceof FakeElement)) return inner;
  const tag = node.tagName.toLowerCase();
  const attrs = [...node.attributes].map(([k, v]) => ` ${k}="${escapeText(v).replace(/"/g, "&quot;")}"`).join("");
  return ["br", "hr"].includes(tag) ? `<${tag}${attrs}>` : `<${tag}${attrs}>${inner}</${tag}>`;
}
