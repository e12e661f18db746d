"""The explorer's routes: the page and its assets, and a clear page when unbuilt."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx2
from fastapi import FastAPI

from graphsvc.api.explore import explore_router


class Client:
    """Requests to an app holding only the explorer's routes, served from a folder."""

    def __init__(self, static_dir: Path) -> None:
        self.app = FastAPI()
        self.app.include_router(explore_router(static_dir))

    def get(self, path: str, *, follow_redirects: bool = True) -> httpx2.Response:
        async def fetch() -> httpx2.Response:
            transport = httpx2.ASGITransport(app=self.app)
            async with httpx2.AsyncClient(
                transport=transport, base_url="http://explorer.test"
            ) as client:
                response = await client.get(path, follow_redirects=follow_redirects)
                await response.aread()
                return response

        return asyncio.run(fetch())


def client(static_dir: Path) -> Client:
    return Client(static_dir)


def test_the_page_and_its_assets_are_served(tmp_path: Path) -> None:
    (tmp_path / "index.html").write_text("<title>explorer</title>")
    (tmp_path / "explorer.js").write_text("export {};")
    explorer = client(tmp_path)

    page = explorer.get("/explore/")
    script = explorer.get("/explore/explorer.js")
    redirect = explorer.get("/explore?view=node&id=B1", follow_redirects=False)

    assert (page.status_code, page.text) == (200, "<title>explorer</title>")
    assert script.status_code == 200
    assert script.headers["content-type"].startswith("text/javascript")
    assert redirect.status_code == 307
    assert redirect.headers["location"] == "/explore/?view=node&id=B1"


def test_only_files_of_the_bundle_are_served(tmp_path: Path) -> None:
    (tmp_path / "index.html").write_text("<title>explorer</title>")
    (tmp_path / ".hidden").write_text("no")
    explorer = client(tmp_path)

    assert explorer.get("/explore/.hidden").status_code == 404
    assert explorer.get("/explore/missing.js").status_code == 404
    assert explorer.get("/explore/..%2Fsecret").status_code == 404
    # Longer than a file name can be: the file system refuses to look it up.
    assert explorer.get("/explore/" + "a" * 300).status_code == 404


def test_an_unbuilt_explorer_says_how_to_build_it(tmp_path: Path) -> None:
    explorer = client(tmp_path / "static")

    page = explorer.get("/explore/")

    assert page.status_code == 503
    assert "The explorer is not built" in page.text
    assert "make explorer" in page.text
