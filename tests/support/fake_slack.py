"""A local Slack Web API on loopback: speaks the wire protocol the SDK uses and records calls.

Web API methods are `POST {base}/{method}` with a form or JSON body and the bot token as a
Bearer header; `files_upload_v2` is `files.getUploadURLExternal`, a POST of the bytes to the
upload URL it returned, then `files.completeUploadExternal`. Dropped files are served at
`url_private_download` URLs that demand the bot token, like Slack's file hosts.
"""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web


@dataclass
class Call:
    method: str
    args: dict[str, Any]
    token: str | None
    answer: dict[str, Any] = field(default_factory=dict)


@dataclass
class FakeSlack:
    token: str
    users: dict[str, dict[str, Any]] = field(default_factory=dict)  # Slack id -> users.info user
    calls: list[Call] = field(default_factory=list)
    uploads: dict[str, bytes] = field(default_factory=dict)  # file id -> uploaded bytes
    served: dict[str, tuple[bytes, str]] = field(default_factory=dict)  # path -> (bytes, type)
    base: str = ""
    _ts: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _runner: web.AppRunner | None = None

    @property
    def api_url(self) -> str:
        return f"{self.base}/api/"

    def called(self, method: str) -> list[Call]:
        return [c for c in self.calls if c.method == method]

    def serve_file(self, name: str, data: bytes, mimetype: str) -> dict[str, Any]:
        """A file as a Slack message's `files` entry lists it."""
        path = f"/files-pri/T1-F{len(self.served) + 1}/{name}"
        self.served[path] = (data, mimetype)
        return {
            "id": f"F{len(self.served)}",
            "name": name,
            "mimetype": mimetype,
            "size": len(data),
            "url_private_download": f"{self.base}{path}",
        }

    async def start(self) -> None:
        app = web.Application()
        app.router.add_post("/api/{method}", self._api)
        app.router.add_get("/api/{method}", self._api)  # users.info and other reads are GETs
        app.router.add_post("/upload/{file_id}", self._upload)
        app.router.add_get("/files-pri/{rest:.*}", self._file)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.base = f"http://127.0.0.1:{port}"

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    def _authorised(self, request: web.Request) -> str | None:
        header = request.headers.get("Authorization", "")
        return header[7:] if header.startswith("Bearer ") else None

    async def _args(self, request: web.Request) -> dict[str, Any]:
        if request.method == "GET":
            return dict(request.query)
        if request.content_type == "application/json":
            body: dict[str, Any] = await request.json()
            return body
        form = await request.post()
        args: dict[str, Any] = {k: str(v) for k, v in form.items()}
        args.update({k: v for k, v in request.query.items()})
        return args

    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        args = await self._args(request)
        token = self._authorised(request)
        call = Call(method, args, token)
        self.calls.append(call)
        call.answer = (
            self._answer(method, args)
            if token == self.token
            else {"ok": False, "error": "invalid_auth"}
        )
        return web.json_response(call.answer)

    def _answer(self, method: str, args: dict[str, Any]) -> dict[str, Any]:
        if method == "auth.test":
            return {"ok": True, "user_id": "UBOT", "bot_id": "BBOT", "team_id": "T1", "team": "T"}
        if method == "users.info":
            user = self.users.get(str(args.get("user")))
            return {"ok": True, "user": user} if user else {"ok": False, "error": "user_not_found"}
        if method in ("chat.postMessage", "chat.update", "chat.postEphemeral"):
            where = str(args.get("channel"))
            where = "D" + where[1:] if where.startswith("U") else where
            ts = str(args.get("ts") or f"1700000000.{next(self._ts):06d}")
            return {"ok": True, "channel": where, "ts": ts, "message_ts": ts}
        if method == "conversations.open":
            return {"ok": True, "channel": {"id": "D" + str(args.get("users"))[1:]}}
        if method in ("views.open", "views.update"):
            return {"ok": True, "view": {"id": str(args.get("view_id") or "V1")}}
        if method == "files.getUploadURLExternal":
            file_id = f"FUP{len(self.uploads) + 1}"
            self.uploads[file_id] = b""
            return {"ok": True, "upload_url": f"{self.base}/upload/{file_id}", "file_id": file_id}
        if method == "files.completeUploadExternal":
            listed = args.get("files")
            files = json.loads(listed) if isinstance(listed, str) else listed or []
            return {"ok": True, "files": [{"id": f["id"], "title": f.get("title")} for f in files]}
        if method == "files.info":
            return {"ok": True, "file": {"id": args.get("file")}}
        return {"ok": False, "error": "unknown_method"}

    async def _upload(self, request: web.Request) -> web.Response:
        file_id = request.match_info["file_id"]
        if file_id not in self.uploads:
            return web.Response(status=404, text="unknown upload")
        self.uploads[file_id] = await request.read()
        self.calls.append(Call("upload", {"file_id": file_id}, None))
        return web.Response(text=f"OK - {len(self.uploads[file_id])}")

    async def _file(self, request: web.Request) -> web.Response:
        if self._authorised(request) != self.token:
            return web.Response(status=403)
        found = self.served.get(request.path)
        if found is None:
            return web.Response(status=404)
        return web.Response(body=found[0], content_type=found[1])

    def sequence(self) -> list[str]:
        return [c.method for c in self.calls]
