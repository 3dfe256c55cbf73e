"""The safe Markdown renderer: model text never becomes markup, whatever it contains."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from playwright.sync_api import Browser, Page

from tests.e2e.support import console_errors, new_page

ALLOWED_TAGS = {
    "P", "BR", "STRONG", "EM", "DEL", "CODE", "PRE", "A", "UL", "OL", "LI", "BLOCKQUOTE", "HR",
    "H3", "H4", "H5", "H6", "TABLE", "THEAD", "TBODY", "TR", "TH", "TD", "DIV",
}  # fmt: skip
ALLOWED_ATTRS = {"href", "target", "rel", "class", "start", "data-lang", "scope"}

RENDER = """async (source) => {
  const { renderMarkdown } = await import('/static/js/markdown.js');
  const host = document.createElement('div');
  host.append(renderMarkdown(source));
  const elements = [...host.querySelectorAll('*')].map((el) => ({
    tag: el.tagName,
    attrs: [...el.attributes].map((a) => [a.name, a.value]),
  }));
  return { html: host.innerHTML, text: host.textContent, elements };
}"""


@pytest.fixture(scope="module")
def md_page(browser: Browser, base_url: str) -> Iterator[Page]:
    pg = new_page(browser)
    pg.goto(base_url + "/login")
    yield pg
    assert console_errors(pg) == []
    pg.context.close()


def render(page: Page, source: str) -> dict[str, Any]:
    result: dict[str, Any] = page.evaluate(RENDER, source)
    return result


def assert_safe(result: dict[str, Any]) -> None:
    for el in result["elements"]:
        assert el["tag"] in ALLOWED_TAGS, result["html"]
        for name, value in el["attrs"]:
            assert name in ALLOWED_ATTRS, result["html"]
            if name == "href":
                assert value.startswith(("http://", "https://", "mailto:")) or (
                    value.startswith("/") and not value.startswith(("//", "/\\"))
                ), value


def test_html_in_the_source_stays_text(md_page: Page) -> None:
    source = '<script>alert(1)</script> <img src=x onerror="alert(2)"> <b>bold</b>'
    result = render(md_page, source)
    assert_safe(result)
    assert result["text"] == source
    assert [e["tag"] for e in result["elements"]] == ["P"]


def test_dangerous_links_are_not_links(md_page: Page) -> None:
    for source in (
        "[click](javascript:alert(1))",
        "[click](data:text/html;base64,PHNjcmlwdD4=)",
        "[click](//evil.example/x)",
        "[click](vbscript:msgbox)",
    ):
        result = render(md_page, source)
        assert_safe(result)
        assert all(e["tag"] != "A" for e in result["elements"]), source


def test_common_markdown_renders(md_page: Page) -> None:
    source = (
        "### Totals\n\n"
        "**Net** is *before* VAT, see `pricing`.\n\n"
        "- The Landmark\n- The Dubai Gateway\n\n"
        "1. first\n2. second\n\n"
        "| Option | Total |\n|---|---:|\n| 2 weeks | AED 1,500,000 |\n\n"
        "```\n<not html>\n```\n\n"
        "> quoted\n\n"
        "[Download](/api/files/1/content) or https://example.com/page."
    )
    result = render(md_page, source)
    assert_safe(result)
    tags = [e["tag"] for e in result["elements"]]
    for tag in ("H5", "STRONG", "EM", "CODE", "UL", "OL", "TABLE", "PRE", "BLOCKQUOTE", "A"):
        assert tag in tags, tag
    assert "<not html>" in result["text"]
    assert "&lt;not html&gt;" in result["html"]
    links = [dict(e["attrs"]) for e in result["elements"] if e["tag"] == "A"]
    assert links[0] == {"href": "/api/files/1/content"}
    assert links[1]["href"] == "https://example.com/page"
    assert links[1]["rel"] == "noopener noreferrer"
    right = [dict(e["attrs"]) for e in result["elements"] if e["tag"] == "TD"][1]
    assert right["class"] == "align-right"


HOSTILE = st.lists(
    st.sampled_from(
        [
            *"ab <>&\"'=/\\*_`~[]()|#->!:.\n1",
            *("<script>", "javascript:", "onerror=", "http://x.y", "```", "| --- |", "**", "- "),
        ]
    ),
    max_size=80,
).map("".join)


@settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(source=HOSTILE)
def test_any_input_renders_only_safe_nodes(md_page: Page, source: str) -> None:
    assert_safe(render(md_page, source))


PLAIN = st.text(alphabet=st.sampled_from(list("abc XYZ,;?0123456789")), max_size=200)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(source=PLAIN)
def test_plain_text_is_kept_verbatim(md_page: Page, source: str) -> None:
    result = render(md_page, source)
    assert result["text"].strip() == source.strip() or not source.strip()
