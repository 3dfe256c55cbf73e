"""Static assets: fingerprinted URLs cached for a year, the HTML shell revalidated, gzip."""

from __future__ import annotations

import re
from pathlib import Path

import httpx

from salesbot.kit.static import IMMUTABLE, FingerprintedStaticFiles, tree_digest

STATIC_DIR = Path(__file__).resolve().parents[3] / "salesbot" / "web" / "static"
FINGERPRINTED = re.compile(r'(?:src|href)="(/static/v-[0-9a-f]{12}/[^"]+)"')


async def _asset_urls(client: httpx.AsyncClient) -> list[str]:
    page = await client.get("/login")
    assert page.status_code == 200
    return FINGERPRINTED.findall(page.text)


async def test_html_shell_is_revalidated_and_references_fingerprinted_assets(
    client: httpx.AsyncClient,
) -> None:
    page = await client.get("/login")
    assert page.headers["cache-control"] == "no-cache"
    urls = await _asset_urls(client)
    names = {url.split("/", 3)[3] for url in urls}
    assert {"app.css", "favicon.svg", "js/main.js", "js/theme-init.js"} <= names
    assert len({url.split("/")[2] for url in urls}) == 1  # one fingerprint for the whole tree
    assert '"/static/app.css"' not in page.text and '"/static/js/main.js"' not in page.text
    docs = await client.get("/docs")
    assert docs.headers["cache-control"] == "no-cache"
    assert FINGERPRINTED.search(docs.text)


async def test_fingerprinted_assets_are_immutable_and_current(client: httpx.AsyncClient) -> None:
    for url in await _asset_urls(client):
        response = await client.get(url)
        assert response.status_code == 200, url
        assert response.headers["cache-control"] == IMMUTABLE
        assert response.content == (STATIC_DIR / url.split("/", 3)[3]).read_bytes()


async def test_module_imports_resolve_under_the_same_fingerprint(
    client: httpx.AsyncClient,
) -> None:
    main = next(url for url in await _asset_urls(client) if url.endswith("/js/main.js"))
    source = (await client.get(main)).text
    relative = re.search(r'from "\./([\w./-]+\.js)"', source)
    assert relative is not None  # main.js imports its siblings relatively
    imported = await client.get(main.rsplit("/", 1)[0] + "/" + relative.group(1))
    assert imported.status_code == 200
    assert imported.headers["cache-control"] == IMMUTABLE


async def test_other_fingerprints_and_plain_urls_must_revalidate(
    client: httpx.AsyncClient,
) -> None:
    for url in ("/static/v-000000000000/app.css", "/static/app.css"):
        response = await client.get(url)
        assert response.status_code == 200, url
        assert response.headers["cache-control"] == "no-cache"
        assert response.content == (STATIC_DIR / "app.css").read_bytes()
    current = (await _asset_urls(client))[0].split("/")[2]
    assert (await client.get(f"/static/{current}/no-such-file.js")).status_code == 404


async def test_text_assets_are_gzipped(client: httpx.AsyncClient) -> None:
    css = next(url for url in await _asset_urls(client) if url.endswith("app.css"))
    response = await client.get(css, headers={"Accept-Encoding": "gzip"})
    assert response.headers["content-encoding"] == "gzip"
    assert int(response.headers["content-length"]) < (STATIC_DIR / "app.css").stat().st_size
    assert response.content == (STATIC_DIR / "app.css").read_bytes()  # httpx decompressed it
    plain = await client.get(css, headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in plain.headers
    swagger = await client.get(
        "/static/swagger/swagger-ui-bundle.js", headers={"Accept-Encoding": "gzip"}
    )
    assert swagger.headers["content-encoding"] == "gzip"


def test_a_changed_file_changes_the_fingerprint(tmp_path: Path) -> None:
    (tmp_path / "js").mkdir()
    (tmp_path / "js" / "a.js").write_text("export const a = 1;\n")
    before = FingerprintedStaticFiles(tmp_path)
    assert before.version == tree_digest(tmp_path)
    assert before.url("/static", "js/a.js") == f"/static/v-{before.version}/js/a.js"
    (tmp_path / "js" / "a.js").write_text("export const a = 2;\n")
    assert FingerprintedStaticFiles(tmp_path).version != before.version
    (tmp_path / "js" / "a.js").write_text("export const a = 1;\n")
    assert tree_digest(tmp_path) == before.version  # content, not time, decides
    (tmp_path / "js" / "a.js").rename(tmp_path / "js" / "b.js")
    assert tree_digest(tmp_path) != before.version  # a renamed file is a different tree
