"""Two officers of one commune, driven only through the command line, against the real Kinto + PostgreSQL
(issue 16 §5): folders set up with `profile set` alone can sync; an import on one device reaches the other; a
delete and an undelete travel both ways; `sync status` tells what is waiting."""
from __future__ import annotations

from services import admin_units
from tests.test_cli_commands import LEGAL_AID_ROW, cli, ok, write_csv

PROVINCE = "22"


def test_two_officers_cli_only(tmp_path, kinto_server, kinto_bucket_factory):
    site = kinto_bucket_factory(communes=1, officers=0)
    # A real commune (the profile and the import check codes against the official list); the test's own accounts.
    commune = admin_units.communes(PROVINCE)[-1]
    admin = kinto_server.admin_client()
    admin.ensure_communes([(commune.code, commune.name)], province=PROVINCE)
    commune = commune.code
    officers = {name: site.new_account(f"cli{name}") for name in ("a", "b")}
    for account in officers.values():
        admin.assign_officer(account.user, [commune], province=PROVINCE)
    folders = {name: tmp_path / name for name in officers}

    def run(name, *args, **kw):
        return ok(*args, data_dir=folders[name], **kw)

    def sync(name):
        account = officers[name]
        proc = cli("sync", "--server", kinto_server.url, "--user", account.user, "--json", "--no-progress",
                   data_dir=folders[name], env={"PLCS_SYNC_PASSWORD": account.password})
        assert proc.returncode == 0, proc.stderr
        return __import__("json").loads(proc.stdout)

    for name in officers:
        run(name, "profile", "set", "--name", f"Cán bộ {name.upper()}", "--role", "officer", "--province", PROVINCE,
            "--commune", commune)

    row = [*LEGAL_AID_ROW]
    row[1] = commune
    run("a", "teams", "add", "--commune", commune, "--village", "Thôn 1", "--name", "Tổ hòa giải thôn 1",
        "--member", "Bàn Thị Hoa|Nữ|Dao|Tổ trưởng", "--member", "Lý Văn Sài|Nam|Dao",
        "--member", "Đặng Văn Đức|Nam|Kinh")
    run("a", "import", "legal-aid", write_csv(tmp_path / "la.csv", "legal-aid", [row]))
    number = run("a", "search", "trieu thi mai", "--json")[0]["number"]
    waiting = run("a", "sync", "status", "--json")
    assert waiting["pending"] == {"legal-aid": 1, "mediation-team": 1, "person": 1}
    assert waiting["pending_change_log"] >= 3

    assert sync("a")["sent"] >= 3
    after = run("a", "sync", "status", "--json")
    assert after["pending"] == {} and after["pending_change_log"] == 0
    assert after["last_success"] and after["last_error"] is None

    assert sync("b")["received"] >= 3
    on_a = run("a", "show", "legal-aid", number, "--json")
    on_b = run("b", "show", "legal-aid", number, "--json")
    assert {k: v for k, v in on_b.items() if k != "history"} == {k: v for k, v in on_a.items() if k != "history"}
    assert on_b["id_number"] == "0221******11" and on_b["deleted"] is False
    assert [h["action"] for h in on_b["history"]] == ["create"] and on_b["history"][0]["who"] == "Cán bộ A"
    assert [t["name"] for t in run("b", "teams", "list", "--json")] == ["Tổ hòa giải thôn 1"]

    # B deletes; A sees it deleted after both sync
    assert run("b", "delete", "legal-aid", number) == {"kind": "legal-aid", "id": on_a["id"], "deleted": True}
    assert run("b", "sync", "status", "--json")["pending"] == {"legal-aid": 1}
    sync("b")
    sync("a")
    seen = run("a", "show", "legal-aid", number, "--json")
    assert seen["deleted"] is True and seen["history"][-1]["action"] == "delete"
    assert seen["history"][-1]["who"] == "Cán bộ B"
    assert run("a", "stats", "--json")["legal-aid"] == 0

    # A undeletes; B sees it back
    assert run("a", "undelete", "legal-aid", number)["deleted"] is False
    sync("a")
    sync("b")
    back = run("b", "show", "legal-aid", on_a["id"], "--json")
    assert back["deleted"] is False and [h["action"] for h in back["history"]] == ["create", "delete", "restore"]
    assert run("b", "stats", "--json")["legal-aid"] == 1
    assert run("b", "sync", "status", "--json")["pending"] == {}


def test_a_folder_without_profile_communes_is_told_to_set_one(tmp_path, kinto_bucket):
    """Before `profile set`, sync refuses in words naming the fix; afterwards the same folder syncs."""
    proc = cli("sync", "--server", kinto_bucket.url, "--user", kinto_bucket.officer.user, "--no-progress",
               data_dir=tmp_path / "d", env={"PLCS_SYNC_PASSWORD": kinto_bucket.officer.password})
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    status = cli("sync", "status", "--json", data_dir=tmp_path / "d")
    assert status.returncode == 0
