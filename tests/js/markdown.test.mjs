// The Markdown renderer never turns model or user text into markup: hostile HTML stays text,
// links go only to the web, e-mail or this site. (tests/e2e/test_markdown.py checks the same in
// a real browser with generated inputs; these pin the known attacks, fast.)
import assert from "node:assert/strict";
import { test } from "node:test";

import { elements, fakeDocument, toHtml } from "./fake-dom.mjs";

globalThis.document = fakeDocument;
const { renderMarkdown, safeHref } = await import("../../salesbot/web/static/js/markdown.js");

const ALLOWED_TAGS = new Set(["P", "BR", "STRONG", "EM", "DEL", "CODE", "PRE", "A", "UL", "OL", "LI", "BLOCKQUOTE", "HR", "H3", "H4", "H5", "H6", "TABLE", "THEAD", "TBODY", "TR", "TH", "TD", "DIV"]);
const ALLOWED_ATTRS = new Set(["href", "target", "rel", "class", "start", "data-lang", "scope"]);

// Independent of safeHref: the web, e-mail, or a path on this site (not //host or /\\host).
const SAFE_HREF = /^(https?:\/\/|mailto:|\/(?![/\\]))/i;

const render = (source) => renderMarkdown(source);
const html = (source) => toHtml(render(source));
const links = (source) => elements(render(source)).filter((el) => el.tagName === "A");

function assertSafe(source) {
  for (const el of elements(render(source))) {
    assert.ok(ALLOWED_TAGS.has(el.tagName), `${el.tagName} from ${JSON.stringify(source)}`);
    for (const [name, value] of el.attributes) {
      assert.ok(ALLOWED_ATTRS.has(name), `${name} on ${el.tagName} from ${JSON.stringify(source)}`);
      if (name === "href") assert.match(value, SAFE_HREF, `${value} from ${JSON.stringify(source)}`);
    }
  }
}

const HOSTILE = [
  "<script>alert(1)</script>",
  '<img src=x onerror="alert(1)">',
  "<a href=\"javascript:alert(1)\">click</a>",
  "<iframe src=//evil.example></iframe>",
  '<svg onload="alert(1)"></svg>',
  "**<b onmouseover=alert(1)>bold</b>**",
  "[click](javascript:alert(1))",
  "[click](JaVaScRiPt:alert(1))",
  "[click](java\tscript:alert(1))",
  "[click](data:text/html;base64,PHNjcmlwdD4=)",
  "[click](vbscript:msgbox)",
  "[click](//evil.example/path)",
  "[click](/\\evil.example)",
  "[click](file:///etc/passwd)",
  "[**x**](javascript:alert(1))",
  "javascript:alert(1)",
  "```html\n<script>alert(1)</script>\n```",
  "```js onload=alert(1)\ncode\n```",
  "| <b>h</b> |\n|---|\n| <i>c</i> |",
  "> <script>x</script>\n> > [a](javascript:x)",
  "- <img src=x>\n  - [b](data:x)",
  "# <h1>title</h1>",
  "`<script>`",
];

test("hostile HTML and links never become markup", () => {
  for (const source of HOSTILE) assertSafe(source);
});

test("raw HTML is shown as its text", () => {
  const fragment = render("<script>alert(1)</script> and <img src=x onerror=alert(1)>");
  assert.equal(elements(fragment).map((el) => el.tagName).join(), "P");
  assert.equal(fragment.textContent, "<script>alert(1)</script> and <img src=x onerror=alert(1)>");
  assert.equal(html("<b>hi</b>"), "<p>&lt;b&gt;hi&lt;/b&gt;</p>");
});

test("links with a forbidden scheme stay text", () => {
  for (const source of ["[click](javascript:alert(1))", "[click](data:text/html,x)", "[click](//evil.example)", "[click](/\\evil.example)"]) {
    assert.deepEqual(links(source), [], source);
    assert.equal(render(source).textContent, source);
  }
});

test("web links open in a new tab without the opener; site paths stay in the app", () => {
  const [web] = links("see [the site](https://example.com/a?b=1)");
  assert.equal(web.attributes.get("href"), "https://example.com/a?b=1");
  assert.equal(web.attributes.get("target"), "_blank");
  assert.equal(web.attributes.get("rel"), "noopener noreferrer");
  assert.equal(web.textContent, "the site");
  const [local] = links("[history](/proposals/history)");
  assert.equal(local.attributes.get("href"), "/proposals/history");
  assert.equal(local.attributes.has("target"), false);
  const [mail] = links("[write](mailto:sales@example.com)");
  assert.equal(mail.attributes.get("href"), "mailto:sales@example.com");
});

test("bare web addresses link without their trailing punctuation", () => {
  const fragment = render("Open https://example.com/file.pdf, then reply.");
  const [auto] = links("Open https://example.com/file.pdf, then reply.");
  assert.equal(auto.attributes.get("href"), "https://example.com/file.pdf");
  assert.equal(fragment.textContent, "Open https://example.com/file.pdf, then reply.");
});

test("safeHref allows the web, e-mail and this site only", () => {
  assert.equal(safeHref("https://example.com"), "https://example.com/");
  assert.equal(safeHref(" http://example.com/x "), "http://example.com/x");
  assert.equal(safeHref("mailto:a@b.c"), "mailto:a@b.c");
  assert.equal(safeHref("/chat/1"), "/chat/1");
  for (const bad of ["javascript:alert(1)", "JAVASCRIPT:x", "data:text/html,x", "vbscript:x", "//evil.example", "/\\evil.example", "ftp://x", "chat/1", "", "https://"]) {
    assert.equal(safeHref(bad), null, bad);
  }
});

test("code keeps its text verbatim and its language as data", () => {
  assert.equal(html("```py\nif a < b:\n    print('<x>')\n```"), '<pre><code data-lang="py">if a &lt; b:\n    print(\'&lt;x&gt;\')</code></pre>');
  assert.equal(html("use `<br>` here"), "<p>use <code>&lt;br&gt;</code> here</p>");
});

test("blocks: headings start at h3, lists, quotes, rules, tables with alignment", () => {
  assert.equal(html("# Title"), "<h3>Title</h3>");
  assert.equal(html("###### Six"), "<h6>Six</h6>");
  assert.equal(html("- a\n- **b**"), "<ul><li>a</li><li><strong>b</strong></li></ul>");
  assert.equal(html("3. c\n4. d"), '<ol start="3"><li>c</li><li>d</li></ol>');
  assert.equal(html("> quoted"), "<blockquote><p>quoted</p></blockquote>");
  assert.equal(html("---"), "<hr>");
  assert.equal(
    html("| Item | Price |\n|:---|---:|\n| A | 1 |"),
    '<div class="table-wrap"><table><thead><tr><th scope="col" class="align-left">Item</th><th scope="col" class="align-right">Price</th></tr></thead>' +
      '<tbody><tr><td class="align-left">A</td><td class="align-right">1</td></tr></tbody></table></div>',
  );
  assert.equal(html("one\ntwo"), "<p>one<br>two</p>");
  assert.equal(html("*em* _em_ ~~del~~ __strong__"), "<p><em>em</em> <em>em</em> <del>del</del> <strong>strong</strong></p>");
});

test("deep nesting and huge input are cut short, as text", () => {
  const deep = `${"> ".repeat(50)}[x](javascript:y)`;
  assertSafe(deep);
  assert.ok(elements(render(deep)).filter((el) => el.tagName === "BLOCKQUOTE").length <= 7);
  const huge = `<b>${"a".repeat(200_001)}`;
  const fragment = render(huge);
  assert.deepEqual(elements(fragment).map((el) => el.tagName), ["P"]);
  assert.equal(fragment.textContent, huge);
});

test("anything but a string renders nothing", () => {
  for (const value of [null, undefined, 42, { toString: () => "<b>x</b>" }]) assert.equal(html(value), "");
});
