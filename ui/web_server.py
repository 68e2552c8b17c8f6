"""Web mode server: Flet's own FastAPI app plus one route, the one-time PDF download (see
services.printing.downloads). Flet 1.0 gives no hook to add a route to the server `ft.run` builds, so web mode
builds the same ASGI app with `ft.run(..., export_asgi_app=True)`, puts the download route in front of the
Flet mount and serves it with uvicorn, exactly as Flet's own web runner does.

    app = web_app(main, assets_dir="assets")       # ASGI app: Flet at "/", downloads at /_print/<session>/<token>
    serve(main, host="127.0.0.1", port=8550, assets_dir="assets")
"""
from __future__ import annotations

import asyncio
import contextlib
import os
import sys
from urllib.parse import quote

from starlette.concurrency import iterate_in_threadpool
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response, StreamingResponse
from starlette.routing import Route

from services.printing.downloads import ROUTE_PREFIX, STORE, DownloadStore


def download_route(store: DownloadStore = STORE) -> Route:
    async def download(request: Request) -> Response:
        item = store.take(request.path_params["session"], request.path_params["token"])
        if item is None or (item.chunks is None and not item.path.is_file()):
            return PlainTextResponse("Not found", status_code=404, headers={"Cache-Control": "no-store"})
        ascii_name = item.filename.encode("ascii", "replace").decode().replace('"', "_").replace("?", "_")
        disposition = "inline" if item.inline else "attachment"
        headers = {"Content-Disposition": f"{disposition}; filename=\"{ascii_name}\"; "
                                          f"filename*=UTF-8''{quote(item.filename)}",
                   "Cache-Control": "no-store", "X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer"}
        if item.chunks is not None:          # a decrypted attachment: streamed, never written out in plain
            return StreamingResponse(iterate_in_threadpool(iter(item.chunks())), media_type=item.media_type,
                                     headers=headers)
        data = await asyncio.to_thread(item.path.read_bytes)
        return Response(data, media_type=item.media_type, headers=headers)

    return Route(ROUTE_PREFIX + "/{session}/{token}", download, methods=["GET"])


def web_app(main, *, assets_dir: str, store: DownloadStore = STORE):
    import flet as ft
    asgi = ft.run(main, view=ft.AppView.WEB_BROWSER, assets_dir=assets_dir, no_cdn=True, name="",
                  export_asgi_app=True)
    asgi.router.routes.insert(0, download_route(store))      # before the Flet mount at "/", which takes the rest
    return asgi


def serve(main, *, host: str, port: int, assets_dir: str) -> None:
    import uvicorn
    url = f"http://{host}:{port}/"
    if not os.environ.get("FLET_FORCE_WEB_SERVER"):
        import webbrowser
        sys.stderr.write(f"Pháp lý cơ sở: {url}\n")
        with contextlib.suppress(Exception):     # no browser is fine: the URL was printed
            webbrowser.open(url)
    uvicorn.run(web_app(main, assets_dir=assets_dir), host=host, port=port, log_level="warning",
                ws="websockets-sansio")
