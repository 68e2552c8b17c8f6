"""A throwaway local PostgreSQL 15 + Kinto pair on 127.0.0.1, for tests and benchmarks.

    from server.local import LocalServer
    srv = LocalServer.create()            # temp folder under /tmp, free ports, fsync off
    srv.start()                           # initdb, PostgreSQL, kinto migrate, admin account, kinto start
    print(srv.url, srv.admin)             # http://127.0.0.1:PORT/v1  Account(user='admin', password=...)
    srv.stop_kinto(); srv.start_kinto()   # restart Kinto only (e.g. in the middle of a sync)
    srv.close()                           # stop both and delete the folder
    LocalServer.create(fsync=True, pg_settings={"synchronous_commit": "off"},
                       extra_env={"KINTO_CACHE_BACKEND": "kinto.core.cache.postgresql"})   # tuning experiments

Works as root (initdb/postgres run through `runuser -u postgres`; the folder is chowned to postgres) and as an
ordinary user. Only loopback is used. `server/dev.sh` does the same for the long-lived development server.
"""
from __future__ import annotations

import atexit
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import NamedTuple

import requests

REPO = Path(__file__).resolve().parent.parent
KINTO_INI = REPO / "server" / "kinto.ini"
PG_BIN = Path(os.environ.get("PLCS_PG_BIN", "/usr/lib/postgresql/15/bin"))


class Account(NamedTuple):
    """Kinto account credentials; a tuple, so it can be passed as `auth=` to requests or kinto_http."""
    user: str
    password: str

    @property
    def principal(self) -> str:
        return f"account:{self.user}"


def kinto_command() -> str:
    """The `kinto` script of the interpreter running this code (the project's .venv), else of the repo's .venv."""
    for candidate in (Path(sys.executable).parent / "kinto", REPO / ".venv" / "bin" / "kinto"):
        if candidate.exists():
            return str(candidate)
    found = shutil.which("kinto")
    if not found:
        raise RuntimeError("kinto is not installed (pip install -r requirements.txt)")
    return found


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _no_proxy_for_loopback() -> None:
    """requests honours HTTP(S)_PROXY; make sure loopback never goes through a proxy (CI machines set one)."""
    for var in ("NO_PROXY", "no_proxy"):
        parts = [p for p in os.environ.get(var, "").split(",") if p]
        for host in ("127.0.0.1", "localhost"):
            if host not in parts:
                parts.append(host)
        os.environ[var] = ",".join(parts)


class LocalServer:
    """PostgreSQL + Kinto in one folder. See the module docstring."""

    def __init__(self, folder: Path, pg_port: int, kinto_port: int, admin_password: str,
                 pg_password: str, batch_max_requests: int = 25, fsync: bool = False,
                 extra_env: dict[str, str] | None = None, pg_settings: dict[str, str] | None = None):
        self.dir = Path(folder)
        self.pg_port, self.port = pg_port, kinto_port
        self.admin = Account("admin", admin_password)
        self.pg_password = pg_password
        self.batch_max_requests = batch_max_requests
        self.fsync = fsync
        self.extra_env = dict(extra_env or {})
        self.pg_settings = dict(pg_settings or {})     # extra PostgreSQL -c settings (e.g. synchronous_commit)
        self.kinto = kinto_command()
        self._proc: subprocess.Popen | None = None
        self._pg_started = False
        self._as_root = os.geteuid() == 0

    # --- construction -------------------------------------------------------------------------------------
    @classmethod
    def create(cls, batch_max_requests: int = 25, **kw) -> LocalServer:
        """A fresh folder directly under /tmp (the postgres user can enter it) and free ports."""
        base = "/tmp" if os.path.isdir("/tmp") else None
        folder = Path(tempfile.mkdtemp(prefix="plcs-kinto-", dir=base))
        # a letter first: `kinto create-user -p -xyz…` would take a password starting with "-" for an option
        return cls(folder, free_port(), free_port(), "a" + secrets.token_urlsafe(18), "p" + secrets.token_urlsafe(18),
                   batch_max_requests=batch_max_requests, **kw)

    @property
    def root(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def url(self) -> str:
        return f"{self.root}/v1"

    @property
    def database_url(self) -> str:
        return f"postgresql://kinto:{self.pg_password}@127.0.0.1:{self.pg_port}/kinto"

    # --- PostgreSQL ---------------------------------------------------------------------------------------
    def _as_pg(self, argv: list[str]) -> list[str]:
        return ["runuser", "-u", "postgres", "--", *argv] if self._as_root else argv

    def _run(self, argv: list[str], **kw) -> subprocess.CompletedProcess:
        res = subprocess.run(argv, capture_output=True, text=True, **kw)
        if res.returncode != 0:
            raise RuntimeError(f"{' '.join(argv[:6])} failed ({res.returncode}):\n{res.stdout}\n{res.stderr}")
        return res

    def start_postgres(self) -> None:
        pgdata, run = self.dir / "pgdata", self.dir / "run"
        run.mkdir(exist_ok=True)
        if self._as_root:
            for p in (self.dir, run):
                shutil.chown(p, "postgres", "postgres")
        os.chmod(self.dir, 0o700)
        fresh = not (pgdata / "PG_VERSION").exists()
        if fresh:
            self._run(self._as_pg([str(PG_BIN / "initdb"), "-D", str(pgdata), "-U", "postgres",
                                   "--auth-local=trust", "--auth-host=scram-sha-256", "-E", "UTF8",
                                   "--locale=C.UTF-8", "--no-sync"]))
        opts = (f"-c listen_addresses=127.0.0.1 -p {self.pg_port} -k {run} -c timezone=UTC "
                f"-c max_connections=100 -c shared_buffers=128MB")
        if not self.fsync:
            opts += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        for name, value in self.pg_settings.items():
            opts += f" -c {name}={value}"
        self._run(self._as_pg([str(PG_BIN / "pg_ctl"), "-D", str(pgdata), "-l", str(run / "pg.log"),
                               "-w", "-t", "60", "start", "-o", opts]))
        self._pg_started = True
        if fresh:
            psql = self._as_pg([str(PG_BIN / "psql"), "-X", "-q", "-h", str(run), "-p", str(self.pg_port),
                                "-U", "postgres", "-v", "ON_ERROR_STOP=1", "-d", "postgres", "-c"])
            self._run(psql + [f"CREATE ROLE kinto LOGIN PASSWORD '{self.pg_password}'"])
            self._run(psql + ["CREATE DATABASE kinto OWNER kinto"])

    def stop_postgres(self, mode: str = "fast") -> None:
        if (self.dir / "pgdata" / "postmaster.pid").exists():
            subprocess.run(self._as_pg([str(PG_BIN / "pg_ctl"), "-D", str(self.dir / "pgdata"), "-m", mode,
                                        "-w", "-t", "60", "stop"]), capture_output=True)
        self._pg_started = False

    # --- Kinto --------------------------------------------------------------------------------------------
    def env(self) -> dict[str, str]:
        env = dict(os.environ)
        env.update({
            "KINTO_INI": str(KINTO_INI), "PYTHONWARNINGS": "ignore",
            "PYTHONPATH": os.pathsep.join([str(REPO)] + [p for p in [env.get("PYTHONPATH", "")] if p]),
            "KINTO_STORAGE_URL": self.database_url, "KINTO_PERMISSION_URL": self.database_url,
            "KINTO_CACHE_URL": self.database_url,
            "KINTO_CACHE_BACKEND": env.get("KINTO_CACHE_BACKEND", "kinto.core.cache.memory"),
            "KINTO_BATCH_MAX_REQUESTS": str(self.batch_max_requests),
        })
        env.update(self.extra_env)
        return env

    def migrate(self) -> None:
        env = self.env()
        self._run([self.kinto, "migrate", "--ini", str(KINTO_INI), "-q"], env=env)
        self._run([self.kinto, "create-user", "--ini", str(KINTO_INI), "-q",
                   "-u", self.admin.user, "-p", self.admin.password], env=env)

    def _answers(self) -> bool:
        try:
            with requests.Session() as s:
                s.trust_env = False
                return s.get(f"{self.url}/__heartbeat__", timeout=2).status_code == 200
        except requests.RequestException:
            return False

    @property
    def kinto_pid(self) -> int | None:
        return self._proc.pid if self.kinto_running() else None

    def kinto_running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    def start_kinto(self, timeout: float = 60) -> None:
        if self.kinto_running():
            return
        if self._answers():
            raise RuntimeError(f"something else already answers on port {self.port}")
        with open(self.dir / "kinto.log", "ab") as log:
            self._proc = subprocess.Popen([self.kinto, "start", "--ini", str(KINTO_INI), "--port", str(self.port)],
                                          env=self.env(), stdin=subprocess.DEVNULL, stdout=log,
                                          stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._proc.poll() is not None:
                raise RuntimeError(f"Kinto exited ({self._proc.returncode}):\n{self.log_tail()}")
            if self._answers():
                return
            time.sleep(0.1)
        self.stop_kinto(kill=True)
        raise RuntimeError(f"Kinto did not become ready:\n{self.log_tail()}")

    def stop_kinto(self, kill: bool = False) -> None:
        """SIGTERM (or SIGKILL with kill=True) Kinto's process group and wait for it."""
        proc, self._proc = self._proc, None
        if proc is None or proc.poll() is not None:
            return
        try:
            os.killpg(proc.pid, signal.SIGKILL if kill else signal.SIGTERM)
        except ProcessLookupError:
            return
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=15)

    def log_tail(self, lines: int = 30) -> str:
        path = self.dir / "kinto.log"
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:]) if path.exists() else ""

    # --- everything ---------------------------------------------------------------------------------------
    def start(self) -> LocalServer:
        _no_proxy_for_loopback()
        atexit.register(self.close)
        try:
            if not self._pg_started:
                self.start_postgres()
                self.migrate()
            self.start_kinto()
        except BaseException:
            self.close()
            raise
        return self

    def close(self, remove: bool = True) -> None:
        self.stop_kinto(kill=remove)   # a throwaway server needs no graceful stop
        self.stop_postgres(mode="immediate" if not self.fsync else "fast")
        if remove:
            shutil.rmtree(self.dir, ignore_errors=True)
        atexit.unregister(self.close)
