"""A small Kinto HTTP client on `requests`: compact JSON, byte counting, retries with backoff, error classes.

    http = KintoHTTP("https://sync.example.vn/v1", ("officer-a", "secret"))
    info = http.server_info()                 # GET /v1/ (batch_max_requests, authenticated user)
    r = http.request("GET", "/buckets/c-07090/collections/persons/records", params={"_since": 0})
    subs = http.batch([{"method": "PUT", "path": "...", "headers": {"If-None-Match": "*"}, "body": {...}}])
    http.bytes_sent, http.bytes_received      # everything on the wire, headers included

Why `requests` and not kinto-http: the engine needs (1) byte counts of every request/response for the summary,
(2) its own conditional headers per sub-request and `Response-Behavior: diff`, (3) one retry policy for
connection errors/5xx/409 with error classes of our own, and (4) Next-Page URLs followed as given. kinto-http
hides the session and logs every batch sub-request at WARNING; a thin layer is shorter than working around it.

Retries (tenacity): connection errors, timeouts, 5xx, 409 "please retry" and 429, with exponential backoff and
the server's Retry-After; a batch is re-sent whole (its sub-requests are conditional, so a re-send is safe).
A response cut or spoiled on the way (issue 16 §1) is a transient network error too, retried the same way and
reported as OfflineError (exit 5) when the retries run out: a cut inside the status line or the headers
(http.client/urllib3 ProtocolError, RemoteDisconnected, BadStatusLine), a body shorter than its Content-Length
(IncompleteRead → ChunkedEncodingError), a broken gzip stream (ContentDecodingError), and a "200" whose body is
not a whole JSON object (JSONDecodeError; urllib3 logs MissingHeaderBodySeparatorDefect when the cut fell inside
the headers) or a batch answer without one sub-response per sub-request. Every body is decoded once, inside the
retried attempt, so no caller ever meets an unreadable body.
Compression: the client asks for gzip responses (`Accept-Encoding: gzip`; server/gzip_middleware.py or nginx
compresses them). Kinto itself rejects gzip request bodies, so a request body (a batch POST) larger than
GZIP_MIN_BYTES is gzipped only once the server has advertised `Accept-Encoding: gzip` on an earlier response
(RFC 7694; the middleware does); a 415 to a gzip body turns request compression off for the session and
re-sends the body plain. bytes_sent/bytes_received count what is on the wire: compressed bodies, response
bodies as read from the socket (before requests decompresses them), plus headers.
"""
from __future__ import annotations

import base64
import gzip
import http.client
import ipaddress
import json
import logging
import threading
import time
from urllib.parse import urlsplit

import requests
import urllib3.exceptions
from tenacity import RetryCallState, Retrying, retry_if_exception, stop_after_attempt, wait_exponential

from services.sync.errors import OfflineError, ServerError, SyncPermissionError, WrongPasswordError

log = logging.getLogger(__name__)

RETRY_STATUSES = {409, 429, 500, 502, 503, 504}
GZIP_MIN_BYTES = 1024          # smaller request bodies are not worth compressing
GZIP_LEVEL = 6


# What a cut or spoiled link raises while reading a response (see the module docstring).
TRANSIENT_ERRORS = (requests.ConnectionError, requests.Timeout, requests.exceptions.ChunkedEncodingError,
                    requests.exceptions.ContentDecodingError, http.client.HTTPException,
                    urllib3.exceptions.HTTPError)


class UnreadableResponse(Exception):
    """A response that arrived but cannot be read whole (truncated or garbage body): retried, then offline."""


class Utf8BasicAuth(requests.auth.AuthBase):
    """HTTP Basic with the credentials encoded as UTF-8 (RFC 7617 charset="UTF-8", what Kinto decodes).
    requests' HTTPBasicAuth encodes str credentials as latin-1, which fails on Vietnamese letters (issue 16 §3)."""

    def __init__(self, user: str, password: str):
        token = base64.b64encode(f"{user}:{password}".encode()).decode("ascii")
        self.header = f"Basic {token}"

    def __call__(self, r):
        r.headers["Authorization"] = self.header
        return r


def dumps(value) -> bytes:
    """Compact UTF-8 JSON (Vietnamese letters as UTF-8, 2–3 bytes, not 6-byte \\u escapes)."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


class _Retry(Exception):
    """A response worth retrying (5xx, 409, 429); carries it for the final classification."""

    def __init__(self, response: requests.Response | None = None, wait: float | None = None):
        super().__init__(response.status_code if response is not None else "retry")
        self.response = response
        self.wait = wait


def _retry_after(resp: requests.Response) -> float | None:
    try:
        return float(resp.headers.get("Retry-After", ""))
    except ValueError:
        return None


def _is_loopback(url: str) -> bool:
    host = urlsplit(url).hostname or ""
    try:
        return host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class KintoHTTP:
    """One sync's HTTP session. Counts bytes; raises services.sync.errors types."""

    def __init__(self, server_url: str, auth: tuple[str, str] | None, *, timeout: tuple[float, float] = (10, 120),
                 attempts: int = 6, backoff: float = 0.5, max_backoff: float = 8.0,
                 server_info: dict | None = None):
        url = server_url.rstrip("/")
        if not url.endswith("/v1"):
            url += "/v1"
        self.url = url
        self.timeout = timeout
        self.attempts, self.backoff, self.max_backoff = attempts, backoff, max_backoff
        self.session = requests.Session()
        if _is_loopback(url):
            self.session.trust_env = False     # never send loopback traffic through a proxy from the environment
        self.session.auth = Utf8BasicAuth(*auth) if auth else None
        self.session.headers.update({"Accept-Encoding": "gzip", "Accept": "application/json",
                                     "User-Agent": "plcs-sync/1"})
        self.session.hooks["response"].append(self._count)
        self.bytes_sent = 0
        self.bytes_received = 0
        self.requests = 0
        self.gzip_requests = False     # set once a response advertises Accept-Encoding: gzip (RFC 7694)
        self._info: dict | None = None
        self._lock = threading.Lock()  # the byte counters are updated from the push pipeline's threads too
        # Settings remembered from an earlier sync (batch_max_requests, gzip uploads): GET /v1/ is skipped and
        # the login is checked by a `GET /` sub-request of the first batch instead (engine.pull).
        self.info_cached = False
        if server_info and (server_info.get("settings") or {}).get("batch_max_requests"):
            self._info = {"settings": dict(server_info["settings"])}
            self.info_cached = True
            self.gzip_requests = bool(server_info.get("gzip_requests"))

    # --- accounting -------------------------------------------------------------------------------------------
    def _count(self, resp: requests.Response, *args, **kwargs):
        req = resp.request
        body = req.body or b""
        sent = (len(f"{req.method} {req.path_url} HTTP/1.1\r\n")
                + sum(len(k) + len(str(v)) + 4 for k, v in req.headers.items()) + 2
                + (len(body) if isinstance(body, (bytes, bytearray)) else len(str(body).encode())))
        raw = getattr(resp, "raw", None)
        raw_headers = getattr(raw, "headers", None) or resp.headers
        _ = resp.content                 # read the body now: the raw stream then knows its wire size
        size = None
        try:
            size = int(raw.tell()) if raw is not None else None   # bytes read from the socket (compressed)
        except (AttributeError, TypeError, ValueError, OSError):
            size = None
        if not size:
            try:
                size = int(resp.headers.get("Content-Length"))
            except (TypeError, ValueError):
                size = len(resp.content)
        received = (len(f"HTTP/1.1 {resp.status_code} {resp.reason}\r\n")
                    + sum(len(k) + len(str(v)) + 4 for k, v in raw_headers.items()) + 2 + size)
        with self._lock:
            self.bytes_sent += sent
            self.bytes_received += received
            self.requests += 1
        if not self.gzip_requests and _accepts_gzip(resp.headers.get("Accept-Encoding")):
            self.gzip_requests = True
        return resp

    def close(self) -> None:
        self.session.close()

    # --- requests -----------------------------------------------------------------------------------------------
    def _wait(self, state: RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        if isinstance(exc, _Retry) and exc.wait is not None:
            return min(exc.wait, self.max_backoff)
        return wait_exponential(multiplier=self.backoff, max=self.max_backoff)(state)

    def _full(self, path: str) -> str:
        if path.startswith("http://") or path.startswith("https://"):
            return path                       # Next-Page URLs are absolute: follow them as they are
        return self.url + path

    def request(self, method: str, path: str, *, body=None, headers: dict | None = None,
                params=None, expect=None, retry_bad_request: bool = False) -> requests.Response:
        """One request with retries. Returns the response for 2xx/3xx and for 4xx other than 401/403 (the
        caller decides: 404, 412...). Raises WrongPasswordError (401), SyncPermissionError (403),
        OfflineError (no connection or no readable answer after retries), ServerError (5xx after retries).
        The JSON body is decoded inside the attempt (resp.json() then returns it without decoding again);
        `expect(body)` may check its shape of a 200 and return False to have a malformed answer retried.
        `retry_bad_request`: a 400 for the request as a whole is retried too — for requests the engine builds
        itself and whose refusals of single records come inside a 200 (the bulk endpoint), a request-level 400
        means the body was damaged on the way (e.g. a broken gzip stream), never a bad record."""
        plain = dumps(body) if body is not None else None
        hdrs = dict(headers or {})
        data = plain
        if plain is not None:
            hdrs["Content-Type"] = "application/json"
            if self.gzip_requests and len(plain) > GZIP_MIN_BYTES:
                data = gzip.compress(plain, compresslevel=GZIP_LEVEL, mtime=0)
                hdrs["Content-Encoding"] = "gzip"

        def attempt():
            nonlocal data
            resp = self.session.request(method, self._full(path), data=data, headers=hdrs, params=params,
                                        timeout=self.timeout)
            if resp.status_code == 415 and hdrs.get("Content-Encoding") == "gzip":
                log.info("server refused a gzip body (415): sending plain bodies from now on")
                self.gzip_requests = False
                data = plain
                del hdrs["Content-Encoding"]
                resp = self.session.request(method, self._full(path), data=data, headers=hdrs, params=params,
                                            timeout=self.timeout)
            if resp.status_code in RETRY_STATUSES or (retry_bad_request and resp.status_code == 400):
                raise _Retry(resp, _retry_after(resp))
            _decode_once(resp, method)
            if expect is not None and resp.status_code == 200 and not expect(resp.json()):
                raise UnreadableResponse(f"malformed answer to {method} {path[:80]}")
            return resp

        retrying = Retrying(stop=stop_after_attempt(self.attempts), wait=self._wait, reraise=True,
                            retry=retry_if_exception(lambda e: isinstance(
                                e, (_Retry, UnreadableResponse) + TRANSIENT_ERRORS)),
                            before_sleep=lambda st: log.info("%s %s: %r, retrying", method, path[:80],
                                                             st.outcome.exception()))
        try:
            resp = retrying(attempt)
        except _Retry as exc:
            resp = exc.response
            raise ServerError.make(f"HTTP {resp.status_code} {method} {path[:80]}", original=exc) from None
        except (UnreadableResponse,) + TRANSIENT_ERRORS as exc:
            raise OfflineError.make(type(exc).__name__, original=exc) from None
        if resp.status_code == 401:
            raise WrongPasswordError.make(original=None)
        if resp.status_code == 403:
            raise SyncPermissionError.make(f"{method} {urlsplit(self._full(path)).path}")
        return resp

    def json(self, method: str, path: str, **kw) -> dict:
        resp = self.request(method, path, **kw)
        if resp.status_code >= 400:
            raise ServerError.make(f"HTTP {resp.status_code} {method} {path[:80]}")
        return resp.json()

    def server_info(self) -> dict:
        """GET /v1/ once: settings (batch_max_requests) and the authenticated user (absent when anonymous)."""
        if self._info is None:
            self._info = self.json("GET", "/")
            self.info_cached = False
        return self._info

    def learned_info(self, hello: dict) -> None:
        """The body of a `GET /` sub-request (the login check of a run that skipped GET /v1/)."""
        self._info = hello
        self.info_cached = False

    def forget_info(self) -> None:
        """Drop remembered settings (e.g. the server's batch limit went down): the next call asks GET /v1/."""
        self._info = None
        self.info_cached = False

    def remembered_info(self) -> dict:
        """What is worth keeping for the next run (services.sync stores it in settings)."""
        settings = (self._info or {}).get("settings") or {}
        return {"settings": {"batch_max_requests": settings.get("batch_max_requests")},
                "gzip_requests": self.gzip_requests}

    @property
    def batch_limit(self) -> int:
        return int(self.server_info().get("settings", {}).get("batch_max_requests") or 25)

    def check_login(self) -> str:
        """The authenticated user id, or WrongPasswordError (Kinto answers the root anonymously)."""
        if self.info_cached:
            self.forget_info()           # remembered settings carry no login: ask the server
        user = (self.server_info().get("user") or {}).get("id")
        if not user:
            raise WrongPasswordError.make()
        return user

    def batch(self, subrequests: list[dict], defaults: dict | None = None) -> list[dict]:
        """POST /v1/batch with at most batch_limit sub-requests; a sub-response 409/5xx re-sends the batch
        (Kinto rolls the whole batch back). Sub-responses are returned in order."""
        if len(subrequests) > self.batch_limit:
            raise ValueError(f"{len(subrequests)} sub-requests > batch limit {self.batch_limit}")
        payload = {"requests": subrequests}
        if defaults:
            payload["defaults"] = defaults
        def whole(body) -> bool:        # one sub-response object per sub-request, or the answer was spoiled
            responses = body.get("responses")
            return (isinstance(responses, list) and len(responses) == len(subrequests)
                    and all(isinstance(r, dict) for r in responses))

        for attempt in range(self.attempts):
            resp = self.request("POST", "/batch", body=payload, expect=whole)
            if resp.status_code == 400 and self.info_cached:
                self.forget_info()       # remembered batch limit too high now: the caller asks again
                raise StaleServerInfo(resp.text[:200])
            if resp.status_code != 200:
                raise ServerError.make(f"HTTP {resp.status_code} POST /batch: {resp.text[:200]}")
            responses = resp.json()["responses"]
            retry = [r for r in responses if r.get("status") in RETRY_STATUSES]
            if not retry:
                return responses
            wait = _retry_after_sub(retry[0]) or min(self.backoff * 2 ** attempt, self.max_backoff)
            log.info("batch sub-request %s: retrying the batch in %.1fs", retry[0].get("status"), wait)
            time.sleep(wait)
        raise ServerError.make(f"HTTP {retry[0].get('status')} in /batch")


def _decode_once(resp: requests.Response, method: str) -> None:
    """Decode the JSON body now (inside the retried attempt) and make resp.json() return it: a truncated or
    garbage body raises UnreadableResponse here instead of JSONDecodeError in a caller. Kinto answers every
    request with a JSON object; HEAD, 204 and 304 carry no body."""
    if method == "HEAD" or resp.status_code in (204, 304):
        return
    try:
        body = json.loads(resp.content)
    except (ValueError, UnicodeDecodeError) as exc:    # JSONDecodeError is a ValueError
        if resp.status_code >= 400:    # e.g. a proxy's HTML error page: the status says enough
            text = resp.content[:200].decode("utf-8", "replace")
            resp.json = lambda **kwargs: {"message": text}
            return
        raise UnreadableResponse(f"HTTP {resp.status_code}: {type(exc).__name__} in {len(resp.content)} bytes") \
            from exc
    if not isinstance(body, dict):
        raise UnreadableResponse(f"HTTP {resp.status_code}: not a JSON object")
    resp.json = lambda **kwargs: body     # the instance attribute shadows Response.json: decoded once


class StaleServerInfo(Exception):
    """A batch built from remembered server settings was refused (400): fetch GET /v1/ and build it again."""


def _accepts_gzip(value: str | None) -> bool:
    """True when an RFC 7694 `Accept-Encoding` response header lists gzip (with a q-value above 0)."""
    for part in (value or "").split(","):
        coding, _, params = part.strip().partition(";")
        if coding.strip().lower() in ("gzip", "x-gzip"):
            q = params.strip().replace(" ", "")
            return not (q.startswith("q=") and q[2:] in ("0", "0.0", "0.00", "0.000"))
    return False


def _retry_after_sub(sub: dict) -> float | None:
    try:
        return float((sub.get("headers") or {}).get("Retry-After", ""))
    except ValueError:
        return None
