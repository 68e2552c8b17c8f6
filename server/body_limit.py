"""WSGI middleware: refuse request bodies larger than a limit with 413, before anything reads or parses them.

Wired first in the paste pipeline of server/kinto.ini and server/production.ini.example:

    [pipeline:main]
    pipeline = bodylimit gzip kinto
    [filter:bodylimit]
    use = call:server.body_limit:filter_factory
    max_body = 10485760          # bytes as sent (compressed or not); gzip's own limit caps the decompressed size

- A `Content-Length` above the limit -> 413 at once; nothing of the body is read.
- No `Content-Length` (chunked transfer-encoding, when the server passes the stream through): the body is
  read in 64 KiB pieces up to the limit; one byte more -> 413. A body within the limit is handed on as an
  ordinary body with its Content-Length, so Kinto and the gzip filter see nothing unusual.
- The 413 has Kinto's JSON error shape (errno 113) and `Connection: close` (the rest of the body is not read).

waitress (the development and test server) reads a whole request before calling the application; its own
`max_request_body_size` ([server:main] in kinto.ini) is set to the same limit so that an oversized body is
refused while it is still arriving rather than buffered first. Behind gunicorn or another server that
streams, this middleware is what stops it; behind nginx keep `client_max_body_size` at the same value.
Hand-written (a few lines) because WebOb/paste offer no pre-read size limit with a JSON error.
"""
from __future__ import annotations

import io
import json

DEFAULT_MAX_BODY = 10 * 1024 * 1024
_CHUNK = 64 * 1024


def _too_large(start_response, limit: int):
    body = json.dumps({"code": 413, "errno": 113, "error": "Request Entity Too Large",
                       "message": f"Request body larger than {limit} bytes"}).encode()
    start_response("413 Request Entity Too Large", [("Content-Type", "application/json"),
                                                     ("Content-Length", str(len(body))), ("Connection", "close")])
    return [body]


class BodyLimitMiddleware:
    def __init__(self, app, max_body: int = DEFAULT_MAX_BODY):
        self.app = app
        self.max_body = int(max_body)

    def __call__(self, environ, start_response):
        length = environ.get("CONTENT_LENGTH") or ""
        if length.strip():
            try:
                declared = int(length)
            except ValueError:
                declared = -1
            if declared > self.max_body:
                return _too_large(start_response, self.max_body)
            return self.app(environ, start_response)
        chunked = "chunked" in (environ.get("HTTP_TRANSFER_ENCODING") or "").lower()
        if chunked or environ.get("wsgi.input_terminated"):
            stream, buf = environ["wsgi.input"], io.BytesIO()
            while True:
                piece = stream.read(min(_CHUNK, self.max_body + 1 - buf.tell()))
                if not piece:
                    break
                buf.write(piece)
                if buf.tell() > self.max_body:
                    return _too_large(start_response, self.max_body)
            environ["wsgi.input"] = io.BytesIO(buf.getvalue())
            environ["CONTENT_LENGTH"] = str(buf.tell())
            environ.pop("HTTP_TRANSFER_ENCODING", None)
            environ.pop("wsgi.input_terminated", None)
        return self.app(environ, start_response)


def filter_factory(global_conf, max_body=None, **_):
    """paste.deploy entry point (`use = call:server.body_limit:filter_factory`)."""
    limit = int(max_body) if max_body not in (None, "") else DEFAULT_MAX_BODY

    def make(app):
        return BodyLimitMiddleware(app, max_body=limit)
    return make
