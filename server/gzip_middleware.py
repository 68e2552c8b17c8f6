"""WSGI middleware: gzip for Kinto, in both directions (Kinto itself never compresses and rejects gzip bodies).

Wired in front of Kinto by a paste pipeline in server/kinto.ini and server/production.ini.example:

    [pipeline:main]
    pipeline = gzip kinto
    [filter:gzip]
    use = call:server.gzip_middleware:filter_factory
    min_size = 500                      # responses smaller than this go out as they are
    max_request_body = 10485760         # decompressed request bodies larger than this get 413 (zip bombs)
    level = 6

or in Python: `app = GzipMiddleware(kinto_app, min_size=500)`.

What it does:
- Responses: a JSON body larger than `min_size` bytes is gzipped when the request's Accept-Encoding allows gzip
  (WebOb parses the header, q-values included); every JSON response gets `Vary: Accept-Encoding`. HEAD, 304,
  204, other content types and bodies already encoded are left alone.
- Requests: a body sent with `Content-Encoding: gzip` is decompressed as a stream, at most `max_request_body`
  bytes (more -> 413, errno 113, whatever the compressed size); a broken gzip stream -> 400 (errno 107); any
  other Content-Encoding -> 415. Kinto then sees an ordinary JSON body with the right Content-Length.
- Every response carries `Accept-Encoding: gzip` (RFC 7694 §3): the client may compress its request bodies.
- ETags are kept as Kinto makes them (strong, `"<timestamp>"`). Kinto's ETag is the version of the record or
  list (a timestamp), not a hash of the bytes; Kinto compares If-Match / If-None-Match by timestamp, and the
  sync client builds its If-Match values from record timestamps. Weakening them (W/"…", what nginx does) would
  make any client that echoes the ETag into If-Match get 400 from Kinto. Caches keep the gzip and identity
  variants apart through `Vary: Accept-Encoding`, and Kinto serves no byte ranges, so the strong ETag shared
  by both encodings does no harm.
"""
from __future__ import annotations

import gzip
import io
import json
import zlib

from webob import Request, Response

JSON_TYPES = ("application/json",)
_CHUNK = 64 * 1024


class BodyTooLarge(Exception):
    pass


def _kinto_error(status: int, errno: int, error: str, message: str) -> Response:
    """An error in Kinto's JSON shape ({code, errno, error, message})."""
    resp = Response(status=status, content_type="application/json", charset=None)
    resp.body = json.dumps({"code": status, "errno": errno, "error": error, "message": message}).encode()
    return resp


def gunzip_stream(stream, compressed_length: int | None, limit: int) -> bytes:
    """Decompress a gzip body read from `stream` (at most `compressed_length` bytes); BodyTooLarge as soon as
    the output would exceed `limit`; zlib.error on a broken stream (also on trailing garbage)."""
    d = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)      # gzip container only
    out = io.BytesIO()
    remaining = compressed_length

    def feed(data: bytes) -> None:
        while data:
            room = limit - out.tell()
            chunk = d.decompress(data, room + 1)
            out.write(chunk)
            if out.tell() > limit:
                raise BodyTooLarge
            data = d.unconsumed_tail

    while remaining is None or remaining > 0:
        chunk = stream.read(_CHUNK if remaining is None else min(_CHUNK, remaining))
        if not chunk:
            break
        if remaining is not None:
            remaining -= len(chunk)
        feed(chunk)
        if d.eof:
            break
    if not d.eof:
        raise zlib.error("truncated gzip stream")
    if d.unused_data or remaining:
        raise zlib.error("data after the gzip stream")   # concatenated members are not accepted
    tail = d.flush()
    out.write(tail)
    if out.tell() > limit:
        raise BodyTooLarge
    return out.getvalue()


class GzipMiddleware:
    def __init__(self, app, min_size: int = 500, max_request_body: int = 10 * 1024 * 1024, level: int = 6):
        self.app = app
        self.min_size = int(min_size)
        self.max_request_body = int(max_request_body)
        self.level = int(level)

    def __call__(self, environ, start_response):
        req = Request(environ)
        resp = self._decode_request(req)
        if resp is None:
            resp = req.get_response(self.app)
            self._encode_response(req, resp)
        resp.headers["Accept-Encoding"] = "gzip"          # RFC 7694: gzip request bodies are welcome
        return resp(environ, start_response)

    # --- requests ---------------------------------------------------------------------------------------------
    def _decode_request(self, req: Request) -> Response | None:
        codings = [c.strip().lower() for c in (req.headers.get("Content-Encoding") or "").split(",") if c.strip()]
        codings = [c for c in codings if c != "identity"]
        if not codings:
            return None
        if codings != ["gzip"] and codings != ["x-gzip"]:
            return _kinto_error(415, 107, "Unsupported Media Type",
                                f"Content-Encoding {', '.join(codings)} is not supported (use gzip)")
        try:
            body = gunzip_stream(req.body_file_raw, req.content_length, self.max_request_body)
        except BodyTooLarge:
            return _kinto_error(413, 113, "Request Entity Too Large",
                                f"Decompressed request body larger than {self.max_request_body} bytes")
        except (zlib.error, EOFError, OSError) as exc:
            return _kinto_error(400, 107, "Invalid parameters", f"Invalid gzip request body: {exc}")
        del req.headers["Content-Encoding"]
        req.body = body                                    # also sets CONTENT_LENGTH
        return None

    # --- responses --------------------------------------------------------------------------------------------
    def _encode_response(self, req: Request, resp: Response) -> None:
        ctype = (resp.content_type or "").lower()
        if ctype not in JSON_TYPES:
            return
        vary = [v for v in (resp.vary or ()) if v.lower() != "accept-encoding"]
        resp.vary = vary + ["Accept-Encoding"]
        if (req.method == "HEAD" or resp.status_int in (204, 304) or resp.status_int < 200
                or resp.content_encoding not in (None, "identity")):
            return
        if not req.accept_encoding.acceptable_offers(["gzip"]):
            return
        body = resp.body
        if len(body) <= self.min_size:
            return
        resp.body = gzip.compress(body, compresslevel=self.level, mtime=0)
        resp.content_encoding = "gzip"


def _int(value, default: int) -> int:
    return int(value) if value not in (None, "") else default


def filter_factory(global_conf, min_size=None, max_request_body=None, level=None, **_):
    """paste.deploy entry point (`use = call:server.gzip_middleware:filter_factory`)."""
    def make(app):
        return GzipMiddleware(app, min_size=_int(min_size, 500),
                              max_request_body=_int(max_request_body, 10 * 1024 * 1024), level=_int(level, 6))
    return make
