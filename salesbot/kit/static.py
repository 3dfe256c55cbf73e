"""Static files with a content fingerprint in the URL, cached for a year by browsers and CDNs.

The fingerprint is a digest of the whole directory, taken at start-up, so one URL prefix
(`/static/v-<digest>/...`) serves every file and ES-module relative imports stay fingerprinted
without a build step. A changed file changes the digest and with it every URL. A request with
another digest (an old page during a rolling deploy) still gets the current file, but marked
`no-cache` rather than immutable; plain `/static/...` URLs are served `no-cache` too.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from starlette.responses import Response
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"
PREFIX = "v-"


def tree_digest(directory: Path, length: int = 12) -> str:
    """A digest of every file's relative path and bytes under `directory`."""
    digest = hashlib.sha256()
    for path in sorted(p for p in directory.rglob("*") if p.is_file()):
        digest.update(path.relative_to(directory).as_posix().encode() + b"\0")
        digest.update(path.read_bytes())
    return digest.hexdigest()[:length]


class FingerprintedStaticFiles(StaticFiles):
    """`StaticFiles` that understands `v-<digest>/` prefixes and sets Cache-Control."""

    def __init__(self, directory: Path) -> None:
        super().__init__(directory=directory)
        self.version = tree_digest(directory)

    def url(self, mount: str, path: str) -> str:
        """The fingerprinted URL of `path` under the mount point (e.g. "/static")."""
        return f"{mount.rstrip('/')}/{PREFIX}{self.version}/{path.lstrip('/')}"

    async def get_response(self, path: str, scope: Scope) -> Response:
        head, _, rest = path.partition("/")
        if head.startswith(PREFIX) and rest:
            response = await super().get_response(rest, scope)
            current = head == PREFIX + self.version
        else:
            response = await super().get_response(path, scope)
            current = False
        if response.status_code in (200, 304):
            response.headers["Cache-Control"] = IMMUTABLE if current else REVALIDATE
        return response
