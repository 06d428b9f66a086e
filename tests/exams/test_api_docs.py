"""Swagger UI (/api/v1/docs/) and Redoc (/api/v1/redoc/) are served by the app itself, with
every script, stylesheet and icon from this site: fetched over HTTP from a live server."""

from __future__ import annotations

import re
import urllib.request
from urllib.parse import urljoin, urlsplit

import pytest
from django.conf import settings

ASSET = re.compile(r"""(?:src|href)=["']([^"']+)["']""")
PAGES = {
    "/api/v1/docs/": ["swagger-ui-bundle.js", "swagger-ui-standalone-preset.js", "swagger-ui.css"],
    "/api/v1/redoc/": ["redoc.standalone.js", "api-redoc.js"],
}


def _get(url: str) -> tuple[int, dict[str, str], bytes]:
    with urllib.request.urlopen(url, timeout=30) as response:
        return response.status, dict(response.headers), response.read()


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("path", list(PAGES))
def test_the_docs_page_and_all_its_assets_come_from_this_site(live_server, path):
    status, headers, body = _get(live_server.url + path)
    assert status == 200 and headers["Content-Type"].startswith("text/html")
    assert headers["Content-Security-Policy"] == settings.CONTENT_SECURITY_POLICY
    page = body.decode()
    assert "<script>" not in page, "an inline script would need the policy weakened"
    assets = ASSET.findall(page)
    for expected in PAGES[path]:
        assert any(asset.endswith(expected) for asset in assets), (expected, assets)
    for asset in assets:
        url = urljoin(live_server.url + path, asset.replace("&amp;", "&"))
        assert urlsplit(url).netloc == urlsplit(live_server.url).netloc, f"{asset} is elsewhere"
        status, headers, content = _get(url)
        assert status == 200 and content, url
        if asset.endswith(".js") or "script" in asset:
            assert "javascript" in headers["Content-Type"], (url, headers["Content-Type"])


@pytest.mark.django_db(transaction=True)
def test_both_pages_read_the_served_schema(live_server):
    _, _, redoc = _get(live_server.url + "/api/v1/redoc/")
    assert b'data-schema-url="/api/v1/schema/"' in redoc
    status, headers, schema = _get(live_server.url + "/api/v1/schema/?format=json")
    assert status == 200 and b'"openapi"' in schema
    _, _, script = _get(live_server.url + "/api/v1/docs/?script=")
    assert b"SwaggerUIBundle" in script and b"/api/v1/schema/" in script
