"""A loopback TCP proxy that simulates a field link: one-way delay, a bandwidth limit, bytes counted each way.

    python -m bench.netem_proxy --target 127.0.0.1:8888 --rtt-ms 300 --rate-kbit 1000
    # prints {"port": 41234} on stdout, then answers stdin lines: "stats" -> JSON counters, "reset",
    # "shape RTT_MS RATE_KBIT" (change the link), "quit"

    from bench.netem_proxy import ProxyProcess
    with ProxyProcess(target_port=8888, rtt_ms=300, rate_kbit=1000) as p:
        url = f"http://127.0.0.1:{p.port}/"   # ...client traffic...
        p.reset(); ...; print(p.stats())      # {"up_bytes", "down_bytes", "connections"}

Each direction is one shared link (all connections queue on it, as on a real modem): a chunk of n bytes occupies
the link for n*8/rate seconds and arrives `rtt/2` after it has been sent. rate 0 = unlimited, rtt 0 = no delay,
which makes the proxy a plain byte counter used for the loopback runs of both Kinto and PouchDB.
"""
from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import subprocess
import sys
import threading

CHUNK = 8192


class Link:
    """One direction of the simulated line."""

    def __init__(self, rate_bps: float, delay_s: float):
        self.rate_bps, self.delay_s = rate_bps, delay_s
        self.free_at = 0.0
        self.bytes = 0

    def schedule(self, n: int, now: float) -> float:
        """Time at which a chunk of n bytes read now arrives at the far end."""
        self.bytes += n
        if self.rate_bps <= 0:
            return now + self.delay_s
        start = max(now, self.free_at)
        self.free_at = start + n * 8 / self.rate_bps
        return self.free_at + self.delay_s


class Proxy:
    def __init__(self, target_host: str, target_port: int, rtt_ms: float = 0, rate_kbit: float = 0):
        self.target = (target_host, target_port)
        delay = rtt_ms / 2000.0
        self.up = Link(rate_kbit * 1000, delay)      # client -> server
        self.down = Link(rate_kbit * 1000, delay)    # server -> client
        self.connections = 0

    def stats(self) -> dict:
        return {"up_bytes": self.up.bytes, "down_bytes": self.down.bytes, "connections": self.connections}

    def reset(self) -> None:
        self.up.bytes = self.down.bytes = self.connections = 0

    def shape(self, rtt_ms: float, rate_kbit: float) -> None:
        for link in (self.up, self.down):
            link.delay_s, link.rate_bps, link.free_at = rtt_ms / 2000.0, rate_kbit * 1000, 0.0

    async def _pump(self, reader, writer, link: Link):
        loop = asyncio.get_running_loop()
        queue: asyncio.Queue = asyncio.Queue()

        async def deliver():
            while True:
                at, data = await queue.get()
                if data is None:
                    break
                wait = at - loop.time()
                if wait > 0:
                    await asyncio.sleep(wait)
                writer.write(data)
                await writer.drain()
            try:
                if writer.can_write_eof():
                    writer.write_eof()
            except OSError:
                pass

        task = asyncio.create_task(deliver())
        try:
            while True:
                data = await reader.read(CHUNK)
                if not data:
                    break
                queue.put_nowait((link.schedule(len(data), loop.time()), data))
        except (ConnectionError, OSError):
            pass
        finally:
            queue.put_nowait((0, None))
            with contextlib.suppress(ConnectionError, OSError):
                await task

    async def handle(self, c_reader, c_writer):
        self.connections += 1
        try:
            s_reader, s_writer = await asyncio.open_connection(*self.target)
        except OSError:
            c_writer.close()
            return
        try:
            await asyncio.gather(self._pump(c_reader, s_writer, self.up),
                                 self._pump(s_reader, c_writer, self.down))
        except (asyncio.CancelledError, ConnectionError, OSError):
            pass
        finally:
            for w in (s_writer, c_writer):
                w.close()

    async def serve(self, port: int = 0):
        server = await asyncio.start_server(self.handle, "127.0.0.1", port)
        return server, server.sockets[0].getsockname()[1]


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--target", required=True, help="HOST:PORT of the real server")
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--rtt-ms", type=float, default=0)
    ap.add_argument("--rate-kbit", type=float, default=0, help="per direction; 0 = unlimited")
    args = ap.parse_args(argv)
    host, _, port = args.target.rpartition(":")
    proxy = Proxy(host or "127.0.0.1", int(port), args.rtt_ms, args.rate_kbit)

    async def run():
        asyncio.get_running_loop().set_exception_handler(lambda loop, context: None)  # quiet shutdown
        server, bound = await proxy.serve(args.port)
        print(json.dumps({"port": bound}), flush=True)
        loop = asyncio.get_running_loop()
        reader = asyncio.StreamReader()
        await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
        while True:
            line = (await reader.readline()).decode().strip()
            if not line or line == "quit":
                break
            if line == "reset":
                proxy.reset()
            elif line.startswith("shape "):          # "shape RTT_MS RATE_KBIT": change the link from now on
                _, rtt, rate = line.split()
                proxy.shape(float(rtt), float(rate))
            print(json.dumps(proxy.stats()), flush=True)
        server.close()

    asyncio.run(run())
    return 0


class ProxyProcess:
    """Runs the proxy in a child process (so it never competes for the benchmark's GIL)."""

    def __init__(self, target_port: int, rtt_ms: float = 0, rate_kbit: float = 0, target_host="127.0.0.1"):
        self.args = [sys.executable, "-m", "bench.netem_proxy", "--target", f"{target_host}:{target_port}",
                     "--rtt-ms", str(rtt_ms), "--rate-kbit", str(rate_kbit)]
        self.proc = None
        self.port = None
        self._lock = threading.Lock()

    def __enter__(self):
        from bench.common import ROOT, project_env
        self.proc = subprocess.Popen(self.args, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                                     cwd=ROOT, env=project_env())
        self.port = json.loads(self.proc.stdout.readline())["port"]
        return self

    def _ask(self, cmd: str) -> dict:
        with self._lock:
            self.proc.stdin.write(cmd + "\n")
            self.proc.stdin.flush()
            return json.loads(self.proc.stdout.readline())

    def stats(self) -> dict:
        return self._ask("stats")

    def reset(self) -> dict:
        return self._ask("reset")

    def shape(self, rtt_ms: float, rate_kbit: float) -> dict:
        return self._ask(f"shape {rtt_ms} {rate_kbit}")

    def close(self):
        if self.proc and self.proc.poll() is None:
            try:
                self.proc.stdin.write("quit\n")
                self.proc.stdin.flush()
                self.proc.wait(timeout=5)
            except (OSError, subprocess.TimeoutExpired):
                self.proc.kill()
                self.proc.wait()

    def __exit__(self, *exc):
        self.close()


if __name__ == "__main__":
    sys.exit(main())
