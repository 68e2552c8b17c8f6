"""The commands added by issue 16 (../shared/cli-contract.md, "Added"): profile, show, delete/undelete, teams,
sync status — their JSON shapes and exit codes — plus demo twice on one folder, PLCS_DEBUG, an encrypted folder
driven with PLCS_PASSPHRASE, and a fast `--help` (no feature module imported until its command runs)."""
from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from services.records.columns import IMPORT_COLUMNS

ROOT = Path(__file__).resolve().parent.parent
PASSPHRASE = "mật khẩu xã Hà Tu 2026"
COMMUNE = "06652"          # Phường Hà Tu, Quảng Ninh (22)


def cli(*args, data_dir=None, env=None, passphrase=None):
    """main.py as a script runs it: own process, no terminal, JSON on stdout."""
    full_env = {**os.environ, "PYTHONIOENCODING": "utf-8", **(env or {})}
    full_env.pop("PLCS_PASSPHRASE", None)
    full_env.pop("PLCS_DEBUG", None)
    if passphrase:
        full_env["PLCS_PASSPHRASE"] = passphrase
    full_env.update(env or {})
    cmd = [sys.executable, str(ROOT / "main.py"), *map(str, args)]
    if data_dir is not None:
        cmd += ["--data-dir", str(data_dir)]
    return subprocess.run(cmd, capture_output=True, text=True, env=full_env, cwd=ROOT, timeout=300,
                          stdin=subprocess.DEVNULL)


def ok(*args, **kw):
    proc = cli(*args, **kw)
    assert proc.returncode == 0, f"{args} -> {proc.returncode}\n{proc.stderr}"
    return json.loads(proc.stdout) if proc.stdout.strip() else None


def write_csv(path, kind, rows):
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(IMPORT_COLUMNS[kind])
        w.writerows(rows)
    return path


LEGAL_AID_ROW = ["24/11/2026", COMMUNE, "Triệu Thị Mai", "Nữ", "1985", "Dao", "022185000111", "0987654321",
                 "nguoi thuoc ho ngheo", "Hôn nhân và gia đình", "tu van phap luat", "Đã tiếp nhận", "", "", "Ly hôn"]


def set_profile(data_dir, role="officer", **kw):
    return ok("profile", "set", "--name", "Lý Thị Sen", "--role", role, "--province", "22", "--commune", COMMUNE,
              "--json", data_dir=data_dir, **kw)


# ---- profile ------------------------------------------------------------------------------------------------------

def test_profile_set_and_show_json_shape(data_dir):
    assert set_profile(data_dir) == {"full_name": "Lý Thị Sen", "role": "officer", "province_code": "22",
                                     "communes": [COMMUNE]}
    ok("profile", "set", "--name", "Lý Thị Sen", "--role", "Cán bộ giám sát cấp tỉnh", "--province", "22",
       "--commune", COMMUNE, "--commune", "Hà Tu", "--commune", "06658", data_dir=data_dir)
    shown = ok("profile", "show", "--json", data_dir=data_dir)
    assert shown == {"full_name": "Lý Thị Sen", "role": "supervisor", "province_code": "22",
                     "communes": [COMMUNE, "06658"]}       # a label is accepted; a commune named twice is kept once


def test_profile_set_lists_every_problem_and_stores_nothing(data_dir):
    set_profile(data_dir)
    proc = cli("profile", "set", "--name", " ", "--role", "trưởng thôn", "--province", "22", "--commune", "99999",
               "--commune", "00004", data_dir=data_dir)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    for text in ("full_name", "«trưởng thôn»", "«99999»", "«00004»", "không thuộc", "is not in"):
        assert text in proc.stderr, text
    proc = cli("profile", "set", "--name", "A", "--province", "99", "--commune", COMMUNE, data_dir=data_dir)
    assert proc.returncode == 2 and "«99»" in proc.stderr
    assert ok("profile", "show", "--json", data_dir=data_dir)["full_name"] == "Lý Thị Sen"   # unchanged
    assert cli("profile", "set", "--name", "A", "--province", "22", data_dir=data_dir).returncode == 2  # no commune


def test_profile_rule_is_the_first_run_screens(db):
    """The first-run/settings state and `profile set` share services.data_dir.profile: same refusals, same fields."""
    from services.data_dir import profile
    from services.errors import ValidationError
    with pytest.raises(ValidationError) as exc:
        profile.check({"full_name": "", "role": "x", "province_code": "22", "communes": ["00004"]})
    assert set(exc.value.by_field()) == {"full_name", "role", "communes"}


# ---- show / delete / undelete ---------------------------------------------------------------------------------

def test_show_delete_undelete_shapes_history_and_exit_codes(data_dir, tmp_path):
    set_profile(data_dir)
    ok("import", "legal-aid", write_csv(tmp_path / "la.csv", "legal-aid", [LEGAL_AID_ROW]), data_dir=data_dir)
    number = ok("search", "trieu thi mai", "--json", data_dir=data_dir)[0]["number"]
    shown = ok("show", "legal-aid", number, "--json", data_dir=data_dir)
    assert set(IMPORT_COLUMNS["legal-aid"]) <= set(shown) and shown["number"] == number
    assert shown["id_number"] == "0221******11" and shown["phone"] == "0987****21" and shown["deleted"] is False
    assert shown["received_date"] == "2026-11-24" and shown["requester_name"] == "Triệu Thị Mai"
    assert [h["action"] for h in shown["history"]] == ["create"]
    assert set(shown["history"][0]) == {"at", "who", "action", "changes"}
    assert shown["history"][0]["who"] == "Lý Thị Sen" and shown["history"][0]["at"].endswith("Z")

    gone = ok("delete", "legal-aid", number, data_dir=data_dir)
    assert gone == {"kind": "legal-aid", "id": shown["id"], "deleted": True}
    assert ok("stats", "--json", data_dir=data_dir)["legal-aid"] == 0
    assert ok("delete", "legal-aid", number, data_dir=data_dir)["deleted"] is True          # twice: no change
    assert ok("show", "legal-aid", shown["id"], "--json", data_dir=data_dir)["deleted"] is True
    back = ok("undelete", "legal-aid", shown["id"], data_dir=data_dir)
    assert back == {"kind": "legal-aid", "id": shown["id"], "deleted": False}
    again = ok("show", "legal-aid", number, "--json", data_dir=data_dir)
    assert [h["action"] for h in again["history"]] == ["create", "delete", "restore"]
    assert again["history"][1]["changes"] == {"deleted": [False, True]}

    status = ok("sync", "status", "--json", data_dir=data_dir)      # the delete and undelete wait to be sent
    assert status["pending"]["legal-aid"] == 1 and status["pending_change_log"] == 4

    for args, code in ((("delete", "legal-aid", "TG-00000-2026-0000-0001"), 3),
                       (("undelete", "mediation", "00000000-0000-0000-0000-000000000000"), 3),
                       (("show", "dissemination", "nope", "--json"), 3),
                       (("delete", "person", shown["id"]), 2), (("show", "legal-aid"), 2)):
        proc = cli(*args, data_dir=data_dir)
        assert proc.returncode == code and "Traceback" not in proc.stderr, (args, proc.stderr)


def test_show_reveals_identifiers_only_when_asked_and_allowed(data_dir, tmp_path):
    set_profile(data_dir)
    ok("import", "legal-aid", write_csv(tmp_path / "la.csv", "legal-aid", [LEGAL_AID_ROW]), data_dir=data_dir)
    number = ok("search", "trieu", "--json", data_dir=data_dir)[0]["number"]
    full = ok("show", "legal-aid", number, "--json", "--include-identifiers", data_dir=data_dir)
    assert full["id_number"] == "022185000111" and full["phone"] == "0987654321"
    assert full["history"][-1]["action"] == "reveal"                       # audited, as on the detail screen
    set_profile(data_dir, role="supervisor")                               # reads, never edits, never unmasks
    proc = cli("show", "legal-aid", number, "--json", "--include-identifiers", data_dir=data_dir)
    assert proc.returncode == 4 and not proc.stdout
    assert cli("delete", "legal-aid", number, data_dir=data_dir).returncode == 4
    assert ok("show", "legal-aid", number, "--json", data_dir=data_dir)["deleted"] is False


def test_deleting_a_mediation_case_deletes_and_restores_its_sessions(db):
    import datetime as dt

    from services.records import ops, store
    case = store.save("mediation", {"received_date": dt.date(2026, 11, 3), "commune_code": COMMUNE,
                                      "parties": [{"full_name": "Bên A"}, {"full_name": "Bên B"}],
                                      "dispute_field": "dat_dai"}, _validated=True)
    kept = store.save("mediation-session", {"case": case.id, "date": dt.date(2026, 11, 4)}, _validated=True)
    alone = store.save("mediation-session", {"case": case.id, "date": dt.date(2026, 11, 5)}, _validated=True)
    ops.set_deleted("mediation-session", alone.id, True)            # deleted on its own before
    assert ops.set_deleted("mediation", case.number, True)["deleted"] is True
    assert store.get("mediation-session", kept.id, include_deleted=True).deleted
    ops.set_deleted("mediation", case.id, False)
    assert not store.get("mediation-session", kept.id, include_deleted=True).deleted
    assert store.get("mediation-session", alone.id, include_deleted=True).deleted    # stays deleted
    shown = ops.show("mediation-session", kept.id)
    assert shown["case_number"] == case.number and [h["action"] for h in shown["history"]] == \
        ["create", "delete", "restore"]


# ---- teams ----------------------------------------------------------------------------------------------------

def test_teams_add_list_and_a_mediation_import_names_the_team(data_dir, tmp_path):
    set_profile(data_dir)
    team = ok("teams", "add", "--commune", COMMUNE, "--village", "Thôn Khe Lánh", "--name",
              "Tổ hòa giải thôn Khe Lánh", "--member", "Bàn Thị Hoa|Nữ|Dao|Tổ trưởng", "--member", "Lý Văn Sài|nam|dao",
              data_dir=data_dir)
    assert {"id", "name", "commune_code", "village", "members"} <= set(team)
    assert team["members"] == [{"name": "Bàn Thị Hoa", "gender": "nu", "ethnicity": "09", "role": "leader"},
                               {"name": "Lý Văn Sài", "gender": "nam", "ethnicity": "09", "role": "member"}]
    proc = cli("teams", "add", "--commune", COMMUNE, "--name", "Tổ 2", "--member", "Bàn Thị Hoa|Nữ|Dao",
               data_dir=data_dir)
    assert "ít nhất 3" in proc.stderr                                        # a warning (Điều 12), not a refusal
    listed = ok("teams", "list", "--commune", COMMUNE, "--json", data_dir=data_dir)
    assert [t["name"] for t in listed] == ["Tổ 2", "Tổ hòa giải thôn Khe Lánh"] and listed[1] == team
    assert ok("teams", "list", "--commune", "06658", "--json", data_dir=data_dir) == []

    bad = cli("teams", "add", "--commune", "99999", "--name", "Tổ 3", "--member", "A|Alien|Dao",
              "--member", "B|Nam|Sao Hỏa|trưởng bản", "--member", "C|Nam|Kinh|Tổ viên|thừa", "--member", "|Nữ|Kinh",
              data_dir=data_dir)
    assert bad.returncode == 2
    for text in ("commune_code", "members[1].gender", "members[2].ethnicity", "members[2].role", "members[3]",
                 "members[4].name"):
        assert text in bad.stderr, text
    assert len(ok("teams", "list", "--json", data_dir=data_dir)) == 2        # nothing stored

    ok("import", "mediation", write_csv(tmp_path / "m.csv", "mediation", [
        ["02/11/2026", COMMUNE, "Thôn Khe Lánh", "Tổ hòa giải thôn Khe Lánh", "Đất đai",
         "Nguyễn Thị Hoa; Trần Văn Bình", "Bàn Thị Hoa", "Hòa giải thành", "05/11/2026", "Mở lối đi"]]),
       data_dir=data_dir)
    case = ok("search", "nguyen thi hoa", "--kind", "mediation", "--json", data_dir=data_dir)[0]
    assert ok("show", "mediation", case["number"], "--json", data_dir=data_dir)["team"] == "Tổ hòa giải thôn Khe Lánh"
    assert ok("show", "mediation-team", team["id"], "--json", data_dir=data_dir)["members"] == team["members"]


# ---- sync status ----------------------------------------------------------------------------------------------

def test_sync_status_json_shape(data_dir):
    set_profile(data_dir)
    status = ok("sync", "status", "--json", data_dir=data_dir)
    assert status == {"pending": {}, "pending_change_log": 0, "last_success": None, "last_error": None}
    ok("teams", "add", "--commune", COMMUNE, "--name", "Tổ 1", data_dir=data_dir)
    status = ok("sync", "status", "--json", data_dir=data_dir)
    assert status["pending"] == {"mediation-team": 1} and status["pending_change_log"] == 1
    # a failed run is reported with its category and words (offline: nothing listens on port 9)
    proc = cli("sync", "--server", "http://127.0.0.1:9/v1", "--user", "u", "--no-progress", data_dir=data_dir,
               env={"PLCS_SYNC_PASSWORD": "p"})
    assert proc.returncode == 5
    status = ok("sync", "status", "--json", data_dir=data_dir)
    assert status["last_error"]["category"] == "offline" and status["last_error"]["message"]
    assert status["last_success"] is None and status["pending"] == {"mediation-team": 1}


# ---- demo, errors, start-up ------------------------------------------------------------------------------------

def test_demo_twice_on_one_folder(data_dir):
    """The second run continues the numbering service's sequences (it used to restart at 0001 and fail with
    UNIQUE constraint failed: mediation_case.number) and reuses the first run's teams."""
    first = ok("demo", "--province", "22", "--records", "50", "--seed", "5", "--json", data_dir=data_dir)
    second = ok("demo", "--province", "22", "--records", "50", "--seed", "5", "--json", data_dir=data_dir)
    stats = ok("stats", "--json", data_dir=data_dir)
    assert stats["legal-aid"] + stats["mediation"] + stats["dissemination"] == 100
    assert second["mediation-team"] == 0 and stats["mediation-team"] == first["mediation-team"]
    set_profile(data_dir)
    imported = ok("import", "legal-aid", write_csv(data_dir.parent / "la.csv", "legal-aid", [LEGAL_AID_ROW]),
                  "--json", data_dir=data_dir)                 # numbered after the demo's numbers of that key
    assert imported["created"] == 1


def test_demo_numbers_continue_the_stored_sequence(db):
    from models.records import MediationCase, Sequence
    from services.data_dir import demo
    from services.records import numbering
    demo.generate("22", 40, seed=2)
    before = {c.number for c in MediationCase.select()}
    demo.generate("22", 40, seed=2)
    numbers = [c.number for c in MediationCase.select()]
    assert len(numbers) == len(set(numbers)) > len(before)
    some = MediationCase.select().order_by(MediationCase.number.desc()).first()
    prefix, commune, year, device, seq = some.number.split("-")
    assert Sequence.get(Sequence.key == f"{prefix}|{commune}|{year}|{device}").value >= int(seq)
    nxt = numbering.next_number(prefix, commune, int(year), device, exists=lambda n: False)
    assert nxt not in numbers


def test_plcs_debug_prints_the_traceback_of_an_internal_error(data_dir, monkeypatch, capsys):
    import cli
    from services.records import stats

    def broken():
        raise KeyError("boom")

    monkeypatch.setattr(stats, "counts", broken)
    monkeypatch.delenv("PLCS_DEBUG", raising=False)
    assert cli.run(["stats", "--data-dir", str(data_dir)]) == 1
    err = capsys.readouterr().err
    assert "Internal error: KeyError" in err and "Traceback" not in err and "PLCS_DEBUG=1" in err
    monkeypatch.setenv("PLCS_DEBUG", "1")
    assert cli.run(["stats", "--data-dir", str(data_dir)]) == 1
    err = capsys.readouterr().err
    assert "Traceback (most recent call last)" in err and "def broken" not in err and "in broken" in err


def test_plcs_debug_in_a_real_process(data_dir):
    """An internal error in a script's process (the database path is a folder): exit 1 with one line, and the
    traceback on stderr with PLCS_DEBUG=1 only."""
    (data_dir / "plcs.db").mkdir()
    plain = cli("stats", "--json", data_dir=data_dir)
    debug = cli("stats", "--json", data_dir=data_dir, env={"PLCS_DEBUG": "1"})
    assert plain.returncode == debug.returncode == 1
    assert "Traceback" not in plain.stderr and "Internal error" in plain.stderr
    assert "Traceback (most recent call last)" in debug.stderr and "Internal error" in debug.stderr


def test_help_imports_no_feature_module_and_commands_import_only_theirs():
    probe = ("import runpy, sys\n"
             "sys.argv = ['main.py', *sys.argv[1:]]\n"
             "try:\n    runpy.run_path('main.py', run_name='__main__')\nexcept SystemExit:\n    pass\n"
             "print(sorted(m for m in sys.modules if m.startswith(('reportlab', 'flet', 'services.printing', 'cli.'))),"
             " file=sys.stderr)\n")

    def loaded(*args):
        proc = subprocess.run([sys.executable, "-c", probe, *args], capture_output=True, text=True, cwd=ROOT,
                              env={**os.environ, "PYTHONIOENCODING": "utf-8"}, timeout=120, stdin=subprocess.DEVNULL)
        return set(eval(proc.stderr.strip().splitlines()[-1]))  # noqa: S307 - our own probe's printed list

    assert loaded("--help") == set()
    assert loaded("teams", "--help") == {"cli.teams"}
    assert not {m for m in loaded("profile", "--help") if m.startswith(("reportlab", "services.printing"))}


def test_command_table_matches_what_the_modules_register():
    import argparse
    import importlib

    import cli

    def names(module_name):
        parser = argparse.ArgumentParser()
        sub = parser.add_subparsers()
        report_sub = sub.add_parser("report").add_subparsers()
        importlib.import_module(module_name).register(sub, report_sub, argparse.ArgumentParser(add_help=False))
        return set(sub.choices) - {"report"}, set(report_sub.choices)

    for module_name in cli.FEATURE_MODULES:
        commands, reports = names(module_name)
        assert commands == {c for c, (m, _) in cli.COMMANDS.items() if m == module_name}, module_name
        assert reports == {c for c, (m, _) in cli.REPORT_COMMANDS.items() if m == module_name}, module_name


def test_a_missing_feature_module_fails_at_start(monkeypatch):
    import cli
    monkeypatch.setitem(cli.COMMANDS, "ghost", ("cli.no_such_module", "gone"))
    with pytest.raises(ModuleNotFoundError):
        cli.build_parser(["ghost"])


# ---- encrypted folder ---------------------------------------------------------------------------------------------

def test_every_new_command_on_an_encrypted_folder_with_plcs_passphrase(data_dir, tmp_path):
    set_profile(data_dir)
    proc = cli("passphrase", "set", data_dir=data_dir, env={"PLCS_NEW_PASSPHRASE": PASSPHRASE})
    assert proc.returncode == 0, proc.stderr
    assert cli("profile", "show", "--json", data_dir=data_dir).returncode == 4      # no passphrase: at once
    assert cli("sync", "status", "--json", data_dir=data_dir, passphrase="sai mật khẩu").returncode == 4
    key = {"passphrase": PASSPHRASE}
    assert ok("profile", "show", "--json", data_dir=data_dir, **key)["communes"] == [COMMUNE]
    set_profile(data_dir, **key)
    team = ok("teams", "add", "--commune", COMMUNE, "--name", "Tổ mã hóa", "--member", "Bàn Thị Hoa|Nữ|Dao",
              data_dir=data_dir, **key)
    assert [t["id"] for t in ok("teams", "list", "--json", data_dir=data_dir, **key)] == [team["id"]]
    ok("import", "legal-aid", write_csv(tmp_path / "la.csv", "legal-aid", [LEGAL_AID_ROW]), data_dir=data_dir, **key)
    number = ok("search", "trieu", "--json", data_dir=data_dir, **key)[0]["number"]
    assert ok("show", "legal-aid", number, "--json", data_dir=data_dir, **key)["number"] == number
    assert ok("delete", "legal-aid", number, data_dir=data_dir, **key)["deleted"] is True
    assert ok("undelete", "legal-aid", number, data_dir=data_dir, **key)["deleted"] is False
    status = ok("sync", "status", "--json", data_dir=data_dir, **key)
    assert status["pending"] == {"legal-aid": 1, "mediation-team": 1, "person": 1}
    assert b"SQLite format 3" not in (data_dir / "plcs.db").read_bytes()[:16]
