"""A throwaway PostgreSQL 15 + Kinto 26.5 on 127.0.0.1 for the sync benchmarks (test-only settings).

    from bench.kinto_server import KintoServer
    with KintoServer(batch_max_requests=25) as k:        # initdb, postgres, kinto migrate, admin, kinto start
        k.url            # http://127.0.0.1:PORT/v1
        k.auth           # ("admin", "...")
        k.psql("SELECT count(*) FROM objects")
        k.bulk_load("bench", "records", docs)          # straight into PostgreSQL, for pull measurements

Follows ../shared/testing/kinto/up.sh (fsync off, runs postgres as the `postgres` user when we are root).
The project's server/dev.sh is for development; benchmarks need their own ports and tuning knobs
(batch limit, cache backend, waitress threads, PostgreSQL settings) and must never touch a developer's server.
Both processes are stopped (by PID) on exit.
"""
from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import requests

from bench.common import PYTHON, NotAvailable

PGBIN = Path("/usr/lib/postgresql/15/bin")
ADMIN_PW = "bench-adminpw-s3cret"

INI = """[server:main]
use = egg:waitress#main
host = 127.0.0.1
port = %(http_port)s
threads = {threads}

[app:main]
use = egg:kinto
# server.kinto_bulk: the bulk write endpoint (issue 19); the guard is not loaded here (no schemas either)
kinto.includes = kinto.plugins.accounts server.kinto_bulk
kinto.experimental_collection_schema_validation = true
kinto.batch_max_requests = {batch_max_requests}
kinto.storage_max_fetch_size = {max_fetch}
kinto.storage_backend = kinto.core.storage.postgresql
kinto.storage_url = {pg}
kinto.permission_backend = kinto.core.permission.postgresql
kinto.permission_url = {pg}
kinto.cache_backend = {cache_backend}
kinto.cache_url = {pg}
kinto.storage_pool_size = 10
kinto.permission_pool_size = 10
kinto.cache_pool_size = 5
kinto.userid_hmac_secret = 0f3b8d1c9e7a4b2d6c5e8f1a3b7d9c2e4f6a8b0c1d3e5f7a9b2c4d6e8f0a1b3c
multiauth.policies = account
multiauth.policy.account.use = kinto.plugins.accounts.AccountsPolicy
kinto.account_create_principals = account:admin
kinto.account_write_principals = account:admin
kinto.bucket_create_principals = account:admin
kinto.account_cache_ttl_seconds = 300

[loggers]
keys = root, kinto

[handlers]
keys = console

[formatters]
keys = plain

[logger_root]
level = WARNING
handlers = console

[logger_kinto]
level = WARNING
handlers = console
qualname = kinto
propagate = 0

[handler_console]
class = StreamHandler
args = (sys.stderr,)
level = NOTSET
formatter = plain

[formatter_plain]
format = %(asctime)s %(levelname)s [%(name)s] %(message)s
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def kinto_command() -> str:
    cand = Path(PYTHON).parent / "kinto"
    if cand.exists():
        return str(cand)
    found = shutil.which("kinto")
    if not found:
        raise NotAvailable("the kinto command is not installed")
    return found


class KintoServer:
    def __init__(self, batch_max_requests: int = 25, cache_backend: str = "kinto.core.cache.postgresql",
                 threads: int = 8, max_fetch: int = 10000, pg_settings: dict | None = None):
        if not (PGBIN / "postgres").exists():
            raise NotAvailable(f"PostgreSQL 15 server binaries not found in {PGBIN}")
        self.opts = dict(batch_max_requests=batch_max_requests, cache_backend=cache_backend, threads=threads,
                         max_fetch=max_fetch)
        self.pg_settings = {"fsync": "off", "synchronous_commit": "off", "full_page_writes": "off",
                            "timezone": "UTC", **(pg_settings or {})}
        self.dir = Path(tempfile.mkdtemp(prefix="plcs-bench-kinto-", dir="/tmp"))
        self.pgport, self.port = free_port(), free_port()
        self.url = f"http://127.0.0.1:{self.port}/v1"
        self.auth = ("admin", ADMIN_PW)
        self.kinto = None
        self.workers: list[subprocess.Popen] = []
        self._logs: list = []
        self.as_root = os.geteuid() == 0
        self.log = []

    # -- helpers
    def _pg(self, *args, **kw):
        cmd = [str(a) for a in args]
        if self.as_root:
            cmd = ["runuser", "-u", "postgres", "--"] + cmd
        return subprocess.run(cmd, check=True, capture_output=True, text=True, **kw)

    def psql(self, sql: str, db: str = "postgres", user: str = "postgres") -> str:
        return self._pg(PGBIN / "psql", "-X", "-q", "-h", self.dir / "pgrun", "-p", self.pgport, "-U", user,
                        "-d", db, "-v", "ON_ERROR_STOP=1", "-tAc", sql).stdout.strip()

    @property
    def pg_url(self) -> str:
        return f"postgresql://kinto:kintopw@127.0.0.1:{self.pgport}/kinto"

    def start(self) -> KintoServer:
        t0 = time.perf_counter()
        pgdata, pgrun = self.dir / "pgdata", self.dir / "pgrun"
        pgdata.mkdir()
        pgrun.mkdir()
        os.chmod(self.dir, 0o755)
        if self.as_root:
            shutil.chown(pgdata, "postgres")
            shutil.chown(pgrun, "postgres")
        os.chmod(pgdata, 0o700)
        self._pg(PGBIN / "initdb", "-D", pgdata, "-U", "postgres", "--auth-local=trust",
                 "--auth-host=scram-sha-256", "-E", "UTF8", "--locale=C.UTF-8", "--no-sync")
        opts = f"-c listen_addresses=127.0.0.1 -p {self.pgport} -k {pgrun} " + " ".join(
            f"-c {k}={v}" for k, v in self.pg_settings.items())
        self._pg(PGBIN / "pg_ctl", "-D", pgdata, "-l", pgrun / "pg.log", "-w", "-t", "30", "start", "-o", opts)
        self.psql("CREATE ROLE kinto LOGIN PASSWORD 'kintopw'")
        self.psql("CREATE DATABASE kinto OWNER kinto")
        ini = self.dir / "kinto.ini"
        ini.write_text(INI.format(port=self.port, pg=self.pg_url, **self.opts))
        root = str(Path(__file__).resolve().parent.parent)          # server.kinto_bulk must be importable
        env = dict(os.environ, KINTO_INI=str(ini), PYTHONWARNINGS="ignore",
                   PYTHONPATH=os.pathsep.join([root] + [p for p in [os.environ.get("PYTHONPATH", "")] if p]))
        kinto = kinto_command()
        subprocess.run([kinto, "migrate", "--ini", str(ini), "-q"], check=True, env=env, capture_output=True)
        subprocess.run([kinto, "create-user", "--ini", str(ini), "-q", "-u", "admin", "-p", ADMIN_PW],
                       check=True, env=env, capture_output=True)
        self._ini, self._env = ini, env
        self.kinto = self._start_worker(self.port, "kinto.log")
        self.startup_s = time.perf_counter() - t0
        return self

    def _start_worker(self, port: int, log_name: str) -> subprocess.Popen:
        log = open(self.dir / log_name, "w")  # noqa: SIM115 - the worker writes to it until close()
        self._logs.append(log)
        proc = subprocess.Popen([kinto_command(), "start", "--ini", str(self._ini), "--port", str(port)],
                                stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=self._env,
                                start_new_session=True)
        url = f"http://127.0.0.1:{port}/v1"
        for _ in range(300):
            if proc.poll() is not None:
                raise RuntimeError("Kinto exited: " + (self.dir / log_name).read_text()[-1500:])
            try:
                if requests.get(url + "/__heartbeat__", timeout=1).status_code == 200:
                    return proc
            except requests.RequestException:
                pass
            time.sleep(0.1)
        raise RuntimeError("Kinto did not become ready: " + (self.dir / log_name).read_text()[-1500:])

    def add_worker(self) -> str:
        """Another Kinto process on the same PostgreSQL (as production runs several workers behind a proxy);
        returns its URL. Stopped with the server."""
        port = free_port()
        self.workers.append(self._start_worker(port, f"kinto-{port}.log"))
        return f"http://127.0.0.1:{port}/v1"

    def stop(self) -> None:
        for proc in [self.kinto, *self.workers]:
            if proc and proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
                try:
                    proc.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    os.killpg(proc.pid, signal.SIGKILL)
                    proc.wait()
        for log in self._logs:
            log.close()
        if (self.dir / "pgdata" / "postmaster.pid").exists():
            with contextlib.suppress(subprocess.CalledProcessError):
                self._pg(PGBIN / "pg_ctl", "-D", self.dir / "pgdata", "-m", "immediate", "-w", "stop")
        shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self):
        try:
            return self.start()
        except BaseException:
            self.stop()
            raise

    def __exit__(self, *exc):
        self.stop()

    # -- data
    def ensure_collection(self, bucket: str, collection: str) -> None:
        s = requests.Session()
        s.auth = self.auth
        s.put(f"{self.url}/buckets/{bucket}", json={"data": {}}).raise_for_status()
        s.put(f"{self.url}/buckets/{bucket}/collections/{collection}", json={"data": {}}).raise_for_status()

    def bulk_load(self, bucket: str, collection: str, docs: list[dict]) -> None:
        """Insert records straight into Kinto's PostgreSQL tables (no HTTP), for pull measurements.

        Kinto's own trigger assigns each row a fresh, increasing last_modified, exactly as HTTP writes would.
        """
        self.ensure_collection(bucket, collection)
        parent = f"/buckets/{bucket}/collections/{collection}"
        path = self.dir / "bulk.tsv"
        with path.open("w", encoding="utf-8") as f:
            for d in docs:
                data = {k: v for k, v in d.items() if k not in ("id", "last_modified")}
                text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
                text = text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")
                f.write(f"{d['id']}\t{parent}\trecord\t{text}\n")
        os.chmod(path, 0o644)
        self.psql("CREATE TEMP TABLE _load (id text, parent_id text, resource_name text, data jsonb); "
                  f"COPY _load FROM '{path}'; "
                  "INSERT INTO objects (id, parent_id, resource_name, data, deleted) "
                  "SELECT id, parent_id, resource_name, data, false FROM _load;", db="kinto")
