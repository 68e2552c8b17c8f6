"""pytest plugin: a real PostgreSQL 15 + Kinto server for the whole test session, a fresh commune per test.

Enable it in tests/conftest.py with `pytest_plugins = ["tests.kinto_server"]` (or `-p tests.kinto_server`).

    def test_push(kinto_server, kinto_bucket):
        r = requests.get(f"{kinto_server.url}/buckets/{kinto_bucket.bucket}/collections/persons/records",
                         auth=kinto_bucket.officer)                       # an Account is a (user, password) tuple
        kinto_server.stop(); kinto_server.start()                          # restart Kinto mid-sync

    def test_two_communes(kinto_bucket_factory):
        site = kinto_bucket_factory(communes=2, officers=2)
        site.officers[site.communes[1]][0]                                 # first officer of the 2nd commune
        site.supervisor, site.centre_staff                                 # made on first use

Fixtures:
- `kinto_server` (session): KintoServer with .url (http://127.0.0.1:PORT/v1), .root, .port, .pg_port,
  .database_url (Kinto's PostgreSQL, e.g. for bulk loads), .admin (Account), .batch_max_requests, .dir,
  .stop(kill=False), .start(), .restart(), .running, .admin_client() -> server.bootstrap.ServerAdmin,
  .log_tail(). Teardown stops Kinto and PostgreSQL and deletes the folder (a temp folder directly under
  /tmp, owned by postgres, fsync off).
- `kinto_bucket_factory` (function): make(communes=1, officers=1) -> KintoSite (unique commune codes
  9xxxx and a unique province code per test; see KintoSite).
- `kinto_bucket` (function): kinto_bucket_factory() with one commune and one officer.
Every fixture works as root and in CI; no network other than loopback; nothing is skipped.
"""
from __future__ import annotations

import itertools
import secrets
from dataclasses import dataclass, field

import pytest

from server.bootstrap import ServerAdmin, commune_bucket, province_bucket
from server.local import Account, LocalServer

__all__ = ["Account", "KintoServer", "KintoSite"]


class KintoServer:
    """The session's server. stop()/start() act on Kinto only; PostgreSQL (and so the data) stays up."""

    def __init__(self, local: LocalServer):
        self._local = local
        self.url, self.root = local.url, local.root
        self.port, self.pg_port = local.port, local.pg_port
        self.admin: Account = local.admin
        self.batch_max_requests = local.batch_max_requests
        self.dir = local.dir
        self._admin_client: ServerAdmin | None = None

    @property
    def database_url(self) -> str:
        """postgresql://kinto:…@127.0.0.1:PG_PORT/kinto — Kinto's own storage (tests bulk-load records here)."""
        return self._local.database_url

    @property
    def running(self) -> bool:
        return self._local.kinto_running()

    def stop(self, kill: bool = False) -> None:
        """Stop Kinto (SIGTERM; SIGKILL with kill=True, like a crash)."""
        self._local.stop_kinto(kill=kill)

    def start(self) -> None:
        """Start Kinto again on the same port (no-op when running); returns once it answers."""
        self._local.start_kinto()

    def restart(self, kill: bool = False) -> None:
        self.stop(kill=kill)
        self.start()

    def admin_client(self) -> ServerAdmin:
        if self._admin_client is None:
            self._admin_client = ServerAdmin(self.url, self.admin)
        return self._admin_client

    def log_tail(self, lines: int = 30) -> str:
        return self._local.log_tail(lines)

    def close(self) -> None:
        self._local.close()


_counter = itertools.count(1)
_commune_codes = itertools.count(90001)   # unused by real communes (official codes end below 33000)


@dataclass
class KintoSite:
    """One test's slice of the server: its own province, communes, buckets and accounts.

    .province (e.g. "t3"), .communes (["90031", ...]), .buckets (["c-90031", ...]), .bucket (first bucket),
    .officers {commune code: [Account, ...]}, .officer (first officer of the first commune),
    .supervisor / .centre_staff (Accounts, created on first use), .new_account(prefix) for an unassigned one.
    """
    server: KintoServer
    province: str
    communes: list[str]
    officers: dict[str, list[Account]] = field(default_factory=dict)
    _supervisor: Account | None = None
    _centre_staff: Account | None = None

    @property
    def url(self) -> str:
        return self.server.url

    @property
    def admin(self) -> Account:
        return self.server.admin

    @property
    def buckets(self) -> list[str]:
        return [commune_bucket(c) for c in self.communes]

    @property
    def bucket(self) -> str:
        return self.buckets[0]

    @property
    def commune(self) -> str:
        return self.communes[0]

    @property
    def province_bucket(self) -> str:
        return province_bucket(self.province)

    @property
    def officer(self) -> Account:
        return self.officers[self.communes[0]][0]

    def records_url(self, collection: str, commune: str | None = None) -> str:
        return f"{self.url}/buckets/{commune_bucket(commune or self.communes[0])}/collections/{collection}/records"

    def new_account(self, prefix: str = "user") -> Account:
        account = Account(f"t{self.province[1:]}-{prefix}-{secrets.token_hex(3)}", secrets.token_urlsafe(12))
        self.server.admin_client().ensure_account(*account)
        return account

    def add_officer(self, commune: str | None = None) -> Account:
        commune = commune or self.communes[0]
        account = self.new_account("officer")
        self.server.admin_client().assign_officer(account.user, [commune], province=self.province)
        self.officers.setdefault(commune, []).append(account)
        return account

    @property
    def supervisor(self) -> Account:
        if self._supervisor is None:
            self._supervisor = self.new_account("supervisor")
            self.server.admin_client().add_supervisor(self._supervisor.user, self.province)
        return self._supervisor

    @property
    def centre_staff(self) -> Account:
        if self._centre_staff is None:
            self._centre_staff = self.new_account("centre")
            self.server.admin_client().add_centre_staff(self._centre_staff.user, self.province)
        return self._centre_staff


@pytest.fixture(scope="session")
def kinto_server():
    local = LocalServer.create()
    local.start()
    server = KintoServer(local)
    try:
        yield server
    finally:
        server.close()


@pytest.fixture
def kinto_bucket_factory(kinto_server):
    def make(communes: int = 1, officers: int = 1) -> KintoSite:
        n = next(_counter)
        province = f"t{n}"
        codes = [str(next(_commune_codes)) for _ in range(communes)]
        kinto_server.start()   # a previous test may have left it stopped
        kinto_server.admin_client().ensure_communes([(c, f"Xã thử nghiệm {c}") for c in codes], province=province)
        site = KintoSite(kinto_server, province, codes)
        for code in codes:
            for _ in range(officers):
                site.add_officer(code)
        return site

    return make


@pytest.fixture
def kinto_bucket(kinto_bucket_factory) -> KintoSite:
    return kinto_bucket_factory()
