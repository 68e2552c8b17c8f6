"""Issue 14 §4, transfer files: hostile files are generated here and must be refused with exit 2 (bad input)
or 4 (wrong password), with a clear message and nothing stored:
  * an unencrypted file into an encrypted folder;
  * a gzip bomb (plain and encrypted): refused by the streamed size cap before anything is parsed;
  * bad values (birth_year "not-a-year"): the import rules, naming the record and the field;
  * records of communes outside the officer profile: refused and listed;
  * truncated or tampered files: "tệp bị hỏng" (damaged, exit 2), not "wrong password" (exit 4).
"""
from __future__ import annotations

import gzip
import hashlib
import json
import os
import struct
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from models.records import AuditEntry, LegalAidCase, Person
from services.data_dir import app, transfer
from services.errors import AuthError, ValidationError
from services.records import store
from services.security import opening
from tests import factories

ROOT = Path(__file__).resolve().parent.parent
PASS = "mật khẩu chuyển tệp"
KEY = "khóa USB của xã"


def _cli(data_dir, *args, env=None):
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("PLCS_")}
    full_env.update(env or {})
    return subprocess.run([sys.executable, "main.py", "--data-dir", str(data_dir), *args], cwd=ROOT, env=full_env,
                          stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=180)


def _counts():
    return LegalAidCase.select().count(), Person.select().count(), AuditEntry.select().count()


def _payload(tmp_path: Path, **case) -> tuple[dict, list]:
    """(header, records) of a real export from a plain scratch device with one legal-aid case."""
    src = tmp_path / "src"
    app.close()
    app.open_data_dir(src)
    store.save("legal-aid", factories.legal_aid(**case))
    transfer.export_changes(tmp_path / "src.plcsx", password=None, everything=True)
    app.close()
    raw = (tmp_path / "src.plcsx").read_bytes()
    (length,) = struct.unpack(">I", raw[8:12])
    header = json.loads(raw[12:12 + length])
    return header, json.loads(gzip.decompress(raw[12 + length:]))["records"]


def _write(path: Path, header: dict, items: list, password: str | None) -> Path:
    body = gzip.compress(json.dumps({"records": items}, ensure_ascii=False).encode())
    transfer.write_file(path, header, body, password)
    return path


def _bomb(path: Path, header: dict, password: str | None, mib: int) -> Path:
    """A gzip body that inflates to `mib` MiB of zeros (about 1000:1), written without holding it in memory."""
    import io
    buf = io.BytesIO()
    with gzip.GzipFile(fileobj=buf, mode="wb", compresslevel=9) as z:
        block = b"0" * (1024 ** 2)
        for _ in range(mib):
            z.write(block)
    transfer.write_file(path, header, buf.getvalue(), password)
    return path


@pytest.fixture
def encrypted_dest(tmp_path):
    dest = tmp_path / "dest"
    opening.enable_encryption(dest, PASS)
    app.close()
    return dest


# ---- plain file into an encrypted folder ----------------------------------------------------------------------

def test_unencrypted_file_into_an_encrypted_folder_is_refused(tmp_path, encrypted_dest):
    header, items = _payload(tmp_path)
    plain = _write(tmp_path / "plain.plcsx", header, items, None)
    r = _cli(encrypted_dest, "transfer", "import", str(plain), env={"PLCS_PASSPHRASE": PASS})
    assert r.returncode == 2, r.stderr
    assert "không được mã hóa" in r.stderr and "not encrypted" in r.stderr
    opening.open_for_ui(encrypted_dest, passphrase=PASS)
    assert LegalAidCase.select().count() == 0
    app.close()


# ---- gzip bomb ------------------------------------------------------------------------------------------------

def test_gzip_bomb_is_refused_with_exit_2_before_parsing(tmp_path):
    header, _ = _payload(tmp_path)
    mib = transfer.MAX_PAYLOAD // 1024 ** 2 + 32
    bomb = _bomb(tmp_path / "bomb.plcsx", header, None, mib)
    assert bomb.stat().st_size < 1024 ** 2                     # < 1 MB on the stick, > 160 MB inflated
    dest = tmp_path / "plain-dest"
    r = _cli(dest, "transfer", "import", str(bomb), env={"PLCS_NO_ENCRYPTION": "1"})
    assert r.returncode == 2, r.stderr
    assert f"{transfer.MAX_PAYLOAD // 1024 ** 2} MB" in r.stderr and "giải nén" in r.stderr
    app.open_data_dir(dest)
    assert _counts()[0] == 0
    app.close()


def test_encrypted_gzip_bomb_is_refused_too(tmp_path, encrypted_dest, monkeypatch):
    monkeypatch.setattr(transfer, "MAX_PAYLOAD", 8 * 1024 ** 2)   # the same code path, a smaller cap
    header, _ = _payload(tmp_path)
    bomb = _bomb(tmp_path / "bomb.plcsx", header, KEY, 16)
    opening.open_for_ui(encrypted_dest, passphrase=PASS)
    before = _counts()
    with pytest.raises(ValidationError, match="8 MB"):
        transfer.import_file(bomb, password=KEY)
    assert _counts() == before
    app.close()


# ---- the import rules for every record ------------------------------------------------------------------------

def test_bad_value_is_refused_naming_record_and_field_and_nothing_is_stored(tmp_path, encrypted_dest):
    header, items = _payload(tmp_path)
    person = next(n for n, item in enumerate(items) if item["kind"] == "person")
    items[person]["doc"]["birth_year"] = "not-a-year"
    bad = _write(tmp_path / "bad.plcsx", header, items, KEY)
    r = _cli(encrypted_dest, "transfer", "import", str(bad),
             env={"PLCS_PASSPHRASE": PASS, "PLCS_TRANSFER_PASSPHRASE": KEY})
    assert r.returncode == 2, r.stderr
    assert f"#{person + 1}" in r.stderr and items[person]["id"] in r.stderr and "birth_year" in r.stderr
    opening.open_for_ui(encrypted_dest, passphrase=PASS)
    assert _counts()[:2] == (0, 0)                             # neither the person nor the case that names it
    app.close()


def test_every_bad_record_is_listed(tmp_path):
    header, items = _payload(tmp_path)
    case = next(item for item in items if item["kind"] == "legal-aid")
    broken = [dict(case, id=f"{n:08d}-0000-4000-8000-000000000000",
                   doc=dict(case["doc"], received_date="2026-99-99")) for n in range(3)]
    bad = _write(tmp_path / "bad.plcsx", header, items + broken, None)
    app.open_data_dir(tmp_path / "plain-dest")
    before = _counts()
    with pytest.raises(ValidationError) as exc:
        transfer.import_file(bad)
    text = exc.value.message("en")
    assert all(b["id"] in text for b in broken) and text.count("received_date") == 3
    assert _counts() == before
    app.close()


# ---- communes of the officer profile --------------------------------------------------------------------------

def test_records_of_other_communes_are_refused_and_listed(tmp_path, encrypted_dest):
    header, items = _payload(tmp_path, commune_code=factories.OTHER_COMMUNE)
    file = _write(tmp_path / "other.plcsx", header, items, KEY)
    opening.open_for_ui(encrypted_dest, passphrase=PASS)
    app.save_profile({"full_name": "Lý Thị Sen", "role": "commune_officer", "province_code": "22",
                      "communes": [factories.COMMUNE]})
    before = _counts()
    with pytest.raises(ValidationError) as exc:
        transfer.import_file(file, password=KEY)
    case = next(item for item in items if item["kind"] == "legal-aid")
    text = exc.value.message("vi")
    assert case["id"] in text and factories.OTHER_COMMUNE in text and factories.COMMUNE in text
    assert _counts() == before
    header2, items2 = _payload(tmp_path / "same", commune_code=factories.COMMUNE)
    app.close()
    opening.open_for_ui(encrypted_dest, passphrase=PASS)
    result = transfer.import_file(_write(tmp_path / "same.plcsx", header2, items2, KEY), password=KEY)
    assert result["applied"] == len(items2)                    # the profile's own commune is accepted
    app.close()


# ---- damaged vs wrong password --------------------------------------------------------------------------------

def test_truncated_or_tampered_file_is_damaged_not_a_wrong_password(tmp_path, encrypted_dest):
    header, items = _payload(tmp_path)
    good = _write(tmp_path / "good.plcsx", header, items, KEY)
    raw = good.read_bytes()
    (length,) = struct.unpack(">I", raw[8:12])
    body_at = 12 + length
    variants = {
        "truncated-body": raw[:body_at + (len(raw) - body_at) // 2],
        "truncated-tag": raw[:-5],
        "truncated-header": raw[:12 + length // 2],
        "no-body": raw[:body_at],
        "flipped-body": raw[:body_at + 3] + bytes([raw[body_at + 3] ^ 1]) + raw[body_at + 4:],
        "altered-header": None,                                # built below: one header value changed
    }
    opening.open_for_ui(encrypted_dest, passphrase=PASS)
    before = _counts()
    for name, data in variants.items():
        path = tmp_path / f"{name}.plcsx"
        if name == "altered-header":                           # keep the length field right: only content changed
            hdr = json.loads(raw[12:body_at])
            hdr["count"] = hdr["count"] + 1
            blob = json.dumps(hdr, ensure_ascii=False).encode()
            data = raw[:8] + struct.pack(">I", len(blob)) + blob + raw[body_at:]
        path.write_bytes(data)
        with pytest.raises(ValidationError, match="damaged") as exc:
            transfer.import_file(path, password=KEY)
        assert "tệp bị hỏng" in exc.value.message("vi").lower(), name
    with pytest.raises(AuthError, match="Wrong transfer file password"):
        transfer.import_file(good, password="không đúng")        # the key-check value: a wrong password
    assert _counts() == before
    app.close()
    r = _cli(encrypted_dest, "transfer", "import", str(tmp_path / "truncated-body.plcsx"),
             env={"PLCS_PASSPHRASE": PASS, "PLCS_TRANSFER_PASSPHRASE": KEY})
    assert r.returncode == 2 and "Tệp bị hỏng" in r.stderr, r.stderr
    r = _cli(encrypted_dest, "transfer", "import", str(good),
             env={"PLCS_PASSPHRASE": PASS, "PLCS_TRANSFER_PASSPHRASE": "không đúng"})
    assert r.returncode == 4, r.stderr


def _v1_file(path: Path, header: dict, items: list, password: str) -> Path:
    """A transfer file exactly as version 1 wrote it (scrypt n=2**15, no key-check value)."""
    payload = gzip.compress(json.dumps({"records": items}).encode())
    salt, nonce = os.urandom(16), os.urandom(12)
    header = dict(header, version=1, encrypted=True, kdf={"name": "scrypt", "n": 2 ** 15, "r": 8, "p": 1,
                                                          "salt": salt.hex()}, nonce=nonce.hex())
    header.pop("check", None)
    hb = json.dumps(header, ensure_ascii=False).encode()
    key = hashlib.scrypt(password.encode(), salt=salt, n=2 ** 15, r=8, p=1, maxmem=256 * 1024 ** 2, dklen=32)
    path.write_bytes(b"PLCSXFR1" + struct.pack(">I", len(hb)) + hb + AESGCM(key).encrypt(nonce, payload, hb))
    return path


def test_version_1_files_still_import(tmp_path, encrypted_dest):
    header, items = _payload(tmp_path)
    old = _v1_file(tmp_path / "v1.plcsx", header, items, KEY)
    opening.open_for_ui(encrypted_dest, passphrase=PASS)
    with pytest.raises(AuthError):
        transfer.import_file(old, password="không đúng")        # v1 cannot tell wrong password from damage
    assert transfer.import_file(old, password=KEY)["applied"] == len(items)
    app.close()


def test_new_files_use_argon2id_and_a_key_check_value(tmp_path):
    header, items = _payload(tmp_path)
    path = _write(tmp_path / "v2.plcsx", header, items, KEY)
    head = transfer.read_header(path)
    assert head["version"] == 2 and head["kdf"]["name"] == "argon2id" and head["kdf"]["m"] >= 19 * 1024
    assert len(bytes.fromhex(head["check"])) == 16
    assert KEY.encode() not in path.read_bytes()


def test_hostile_kdf_parameters_are_damaged_not_an_internal_error(tmp_path):
    header, items = _payload(tmp_path)
    good = _write(tmp_path / "good.plcsx", header, items, KEY)
    raw = good.read_bytes()
    (length,) = struct.unpack(">I", raw[8:12])
    app.open_data_dir(tmp_path / "plain-dest")
    hostile = [{"name": "scrypt", "n": 2 ** 20, "r": 32, "p": 1},       # 4 GiB of scrypt memory
               {"name": "argon2id", "t": 3, "m": 2 ** 30, "p": 1},      # 1 TiB of Argon2 memory
               {"name": "argon2id", "t": 10 ** 9, "m": 65536, "p": 1},  # hours of work
               {"name": "rot13"}, "not a dict"]
    for kdf in hostile:
        hdr = json.loads(raw[12:12 + length])
        hdr["kdf"] = dict(kdf, salt=hdr["kdf"]["salt"]) if isinstance(kdf, dict) else kdf
        blob = json.dumps(hdr).encode()
        path = tmp_path / "hostile.plcsx"
        path.write_bytes(raw[:8] + struct.pack(">I", len(blob)) + blob + raw[12 + length:])
        with pytest.raises(ValidationError, match="damaged"):
            transfer.import_file(path, password=KEY)
    app.close()
