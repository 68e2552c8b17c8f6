"""A loopback TCP proxy to Kinto that breaks one request or response on demand (issue 16 §1).

    proxy = CutProxy(kinto_server.port)          # proxy.url -> http://127.0.0.1:PORT/v1
    proxy.arm("down", 6000)                      # cut the next 6000 bytes from the server into the connection
    proxy.arm("down", where="status")            # cut inside the next response's status line
    proxy.arm("down", where="headers")           # ...inside its headers (before the blank line)
    proxy.arm("down", where="body")              # ...half-way through its body (a "200" with a truncated body)
    proxy.arm("down", where="body", garbage=True)  # ...and send garbage bytes there instead of the rest
    proxy.arm("up", where="body")                # the same on a request ("up" = client -> server)
    proxy.cuts                                   # how many cuts happened
    proxy.close()

Once armed, the first data in that direction (on any connection) fixes the cut offset from the message's own
framing: the status line ends at the first CRLF, the headers at the first blank line, the body length is the
Content-Length. At the cut the connection is reset (SO_LINGER 0), optionally after a burst of garbage bytes.
Hand-written: no proxy library cuts at a protocol position; sockets and threads keep it small.
"""
from __future__ import annotations

import contextlib
import random
import re
import socket
import threading

WHERE = ("bytes", "status", "headers", "body")


def cut_offset(first: bytes, where: str, after: int) -> int:
    """Byte offset of the cut inside a message whose first chunk is `first`."""
    if where == "bytes":
        return after
    line_end = first.find(b"\r\n")
    if where == "status":
        return max(1, min(after, (line_end if line_end > 0 else len(first)) - 1))
    head_end = first.find(b"\r\n\r\n")
    if where == "headers":
        return max(line_end + 2, (head_end if head_end > 0 else len(first)) - 8)
    match = re.search(rb"(?im)^content-length:\s*(\d+)", first[:head_end if head_end > 0 else len(first)])
    length = int(match.group(1)) if match else 64
    return head_end + 4 + max(1, length // 2)


class CutProxy:
    def __init__(self, target_port: int, target_host: str = "127.0.0.1"):
        self.target = (target_host, target_port)
        self.listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(16)
        self.port = self.listener.getsockname()[1]
        self.armed = None           # [direction, where, after, garbage, remaining bytes or None]
        self.cuts = 0
        self.lock = threading.Lock()
        self.conns = []
        self.closed = False
        self.random = random.Random(16)
        threading.Thread(target=self._accept, daemon=True).start()

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}/v1"

    def arm(self, direction: str, after: int = 0, *, where: str = "bytes", garbage: bool = False):
        assert direction in ("up", "down") and where in WHERE
        with self.lock:
            self.armed = [direction, where, after, garbage, None]

    def _accept(self):
        while not self.closed:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            try:
                upstream = socket.create_connection(self.target)
            except OSError:
                client.close()
                continue
            pair = (client, upstream)
            self.conns.append(pair)
            threading.Thread(target=self._pump, args=(client, upstream, "up", pair), daemon=True).start()
            threading.Thread(target=self._pump, args=(upstream, client, "down", pair), daemon=True).start()

    @staticmethod
    def _cut(pair):
        for s in pair:
            with contextlib.suppress(OSError):
                s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
                s.shutdown(socket.SHUT_RDWR)      # wakes the other pump thread blocked in recv()
            with contextlib.suppress(OSError):
                s.close()

    def _garbage(self) -> bytes:
        # bytes that are neither JSON nor HTTP framing (no CR/LF, no quotes or braces)
        return bytes(self.random.choice(range(0x80, 0x100)) for _ in range(self.random.randint(16, 256)))

    def _pump(self, src, dst, direction, pair):
        while True:
            try:
                data = src.recv(65536)
            except OSError:
                data = b""
            if not data:
                for s in pair:
                    with contextlib.suppress(OSError):
                        s.shutdown(socket.SHUT_RDWR)
                return
            cut_at, garbage = None, False
            with self.lock:
                armed = self.armed
                if armed and armed[0] == direction:
                    if armed[4] is None:
                        armed[4] = cut_offset(data, armed[1], armed[2])
                    if len(data) >= armed[4]:
                        cut_at, garbage = armed[4], armed[3]
                        self.armed = None
                        self.cuts += 1
                    else:
                        armed[4] -= len(data)
            try:
                if cut_at is not None:
                    out = data[:cut_at] + (self._garbage() if garbage else b"")
                    if out:
                        dst.sendall(out)
                    self._cut(pair)
                    return
                dst.sendall(data)
            except OSError:
                self._cut(pair)
                return

    def close(self):
        self.closed = True
        self.listener.close()
        for pair in self.conns:
            self._cut(pair)
