"""Attachments (issue 20): scans and photos on records, content-addressed, encrypted at rest, hostile files refused
or stored inertly, the signed copy linked to its printed document, and the CLI's attach / attachments / detach."""
from __future__ import annotations

import hashlib
import io
import json
import os
import struct
import zipfile
import zlib
from pathlib import Path

import pytest
from PIL import Image

from services.attachments import crypto
from services.errors import NotFoundError, ValidationError
from tests import factories
from tests.test_cli import run as cli

PASS = "đính kèm an toàn 7"
MARKER = b"MARKER-DINH-KEM-7Q2X"


# ---- files ---------------------------------------------------------------------------------------------------

def text_pdf(path: Path, text: bytes = MARKER, extra: bytes = b"") -> Path:
    """A small, text-like PDF (uncompressed content stream, so the marker is readable in the file itself)."""
    content = b"BT /F1 12 Tf 72 720 Td (" + text + b") Tj ET"
    objs = [b"<< /Type /Catalog /Pages 2 0 R " + extra + b">>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
            b"/Resources << /Font << /F1 5 0 R >> >> >>",
            b"<< /Length " + str(len(content)).encode() + b" >>\nstream\n" + content + b"\nendstream",
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for i, body in enumerate(objs, 1):
        offsets.append(out.tell())
        out.write(f"{i} 0 obj\n".encode() + body + b"\nendobj\n")
    xref = out.tell()
    out.write(f"xref\n0 {len(objs) + 1}\n0000000000 65535 f \n".encode())
    for off in offsets:
        out.write(f"{off:010d} 00000 n \n".encode())
    out.write(f"trailer\n<< /Size {len(objs) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode())
    path.write_bytes(out.getvalue())
    return path


def jpeg(path: Path, size=(640, 480), color=(200, 30, 30)) -> Path:
    Image.new("RGB", size, color).save(path, "JPEG", quality=90)
    return path


def png_declaring(path: Path, width: int, height: int) -> Path:
    """A PNG whose header declares width x height but carries almost no data (a decompression-bomb shape)."""
    def chunk(tag, data):
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF)
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\0" * 64))
                     + chunk(b"IEND", b""))
    return path


def zip_bomb_as_jpg(path: Path) -> Path:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("bomb.bin", b"\0" * (50 * 1024 * 1024))
    path.write_bytes(buf.getvalue())
    return path


# ---- fixtures --------------------------------------------------------------------------------------------------

@pytest.fixture
def enc_folder(tmp_path):
    """An encrypted data folder, open, with an officer profile."""
    from services.data_dir import app
    from services.security import opening, vault
    folder = tmp_path / "data"
    folder.mkdir()
    _, key = vault.setup(folder, PASS)
    ctx = opening.open_unlocked(folder, key, daily=False)
    app.save_profile({"full_name": "Lý Thị Sen", "role": "officer", "province_code": "22", "communes": ["06652"]})
    yield ctx
    app.close()


@pytest.fixture
def case(enc_folder):
    from services.records import store
    return store.save("legal-aid", factories.legal_aid())


def blobs(folder: Path) -> list[Path]:
    return sorted(p for p in (folder / "attachments").rglob("*") if p.is_file() and ".tmp" not in p.parts)


# ---- the stream cipher ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("n", [0, 1, crypto.CHUNK - 1, crypto.CHUNK, crypto.CHUNK + 1, 3 * crypto.CHUNK])
def test_chunked_gcm_round_trip(n):
    key, data = os.urandom(32), os.urandom(n)
    out = io.BytesIO()
    assert crypto.encrypt_stream(io.BytesIO(data), out, key) == n
    assert b"".join(crypto.decrypt_stream(io.BytesIO(out.getvalue()), key)) == data


def test_chunked_gcm_detects_tampering_truncation_and_reordering():
    key, data = os.urandom(32), os.urandom(3 * crypto.CHUNK + 10)
    out = io.BytesIO()
    crypto.encrypt_stream(io.BytesIO(data), out, key)
    sealed = out.getvalue()
    step = crypto.CHUNK + crypto.TAG
    body = sealed[crypto.HEADER_LEN:]
    chunks = [body[i:i + step] for i in range(0, len(body), step)]
    flipped = bytearray(sealed)
    flipped[crypto.HEADER_LEN + 5] ^= 1
    cases = [bytes(flipped),
             sealed[:crypto.HEADER_LEN] + b"".join(chunks[:-1]),            # last chunk dropped
             sealed[:crypto.HEADER_LEN] + chunks[1] + chunks[0] + b"".join(chunks[2:]),
             sealed[:-1]]
    for bad in cases:
        with pytest.raises(crypto.Corrupt):
            b"".join(crypto.decrypt_stream(io.BytesIO(bad), key))
    with pytest.raises(crypto.Corrupt):
        b"".join(crypto.decrypt_stream(io.BytesIO(sealed), os.urandom(32)))


# ---- storing ---------------------------------------------------------------------------------------------------

def test_nothing_readable_at_rest_and_copy_is_byte_identical(enc_folder, case, tmp_path):
    from services import attachments
    src = text_pdf(tmp_path / "phieu-ky.pdf")
    a = attachments.attach("legal-aid", case.id, src, type="signed_slip", document="case-slip", caption="Phiếu đã ký")
    assert a["sha256"] == hashlib.sha256(src.read_bytes()).hexdigest() and a["size"] == src.stat().st_size
    assert a["mime"] == "application/pdf" and a["has_thumbnail"]
    for path in enc_folder.data_dir.rglob("*"):          # the database, its WAL, the files, the thumbnails
        if path.is_file():
            data = path.read_bytes()
            assert MARKER not in data and a["sha256"].encode() not in data, path
    root = enc_folder.data_dir / "attachments"
    assert root.stat().st_mode & 0o777 == 0o700
    assert all(p.stat().st_mode & 0o777 == 0o600 for p in blobs(enc_folder.data_dir))
    out = attachments.save_copy(a["id"], tmp_path / "copy.pdf")
    assert out.read_bytes() == src.read_bytes()
    assert Image.open(io.BytesIO(attachments.thumbnail(a["id"]))).format == "JPEG"
    history = [h for h in __import__("services.records.audit", fromlist=["x"]).history_entries(case.id)
               if h["action"] == "attach"]
    assert history and history[0]["who"] == "Lý Thị Sen"


def test_same_file_twice_is_stored_once(enc_folder, case, tmp_path):
    from services import attachments
    from services.records import store
    other = store.save("dissemination", factories.dissemination())
    src = jpeg(tmp_path / "anh.jpg")
    a = attachments.attach("legal-aid", case.id, src, type="photo")
    b = attachments.attach("dissemination", other.id, src, type="photo")
    assert a["sha256"] == b["sha256"] and a["id"] != b["id"]
    assert len(blobs(enc_folder.data_dir)) == 2            # one file + one thumbnail
    attachments.detach("legal-aid", case.id, a["id"])
    assert len(blobs(enc_folder.data_dir)) == 2            # still used by the event
    assert [x["id"] for x in attachments.list_for("legal-aid", case.id)] == []
    attachments.detach("dissemination", other.id, b["id"])
    assert blobs(enc_folder.data_dir) == []
    with pytest.raises(NotFoundError):
        attachments.detach("dissemination", other.id, b["id"])


def test_heic_becomes_jpeg_and_photos_downscale(enc_folder, case, tmp_path):
    from services import attachments
    from services.attachments import images
    assert images.heif_available()                  # pillow-heif is pinned in requirements.txt
    heic = tmp_path / "anh.heic"
    Image.new("RGB", (320, 240), (10, 120, 200)).save(heic, format="HEIF")
    a = attachments.attach("legal-aid", case.id, heic, type="photo")
    assert a["mime"] == "image/jpeg" and a["file_name"] == "anh.jpg" and (a["width"], a["height"]) == (320, 240)
    big = jpeg(tmp_path / "lon.jpg", size=(3000, 2000))
    b = attachments.attach("legal-aid", case.id, big, type="photo", downscale=True)
    assert (b["width"], b["height"]) == (2000, 1333) and b["size"] < big.stat().st_size
    c = attachments.attach("legal-aid", case.id, big, type="photo")          # downscaling is optional
    assert (c["width"], c["height"]) == (3000, 2000)


def _refused(kind, record_id, path, field="file", **kw):
    from services import attachments
    with pytest.raises(ValidationError) as info:
        attachments.attach(kind, record_id, path, **kw)
    assert field in info.value.by_field("en"), info.value.message("en")
    return info.value.message("en")


def test_hostile_and_bad_files_are_refused_and_nothing_is_stored(enc_folder, case, tmp_path):
    from models.attachments import Attachment
    from services import attachments
    assert "Only PDF, JPEG, PNG or HEIC" in _refused("legal-aid", case.id, zip_bomb_as_jpg(tmp_path / "bom.jpg"))
    assert "too large a size" in _refused("legal-aid", case.id, png_declaring(tmp_path / "huge.png", 100_000, 100_000))
    good = jpeg(tmp_path / "ok.jpg").read_bytes()
    (tmp_path / "cut.jpg").write_bytes(good[: len(good) // 2])
    assert "damaged" in _refused("legal-aid", case.id, tmp_path / "cut.jpg")
    (tmp_path / "rong.pdf").write_bytes(b"")
    assert "empty" in _refused("legal-aid", case.id, tmp_path / "rong.pdf")
    (tmp_path / "cut.pdf").write_bytes(text_pdf(tmp_path / "t.pdf").read_bytes()[:200])
    assert "damaged" in _refused("legal-aid", case.id, tmp_path / "cut.pdf")
    attachments.set_options(max_size=1024)
    assert "larger than the limit" in _refused("legal-aid", case.id, tmp_path / "ok.jpg")
    attachments.set_options(max_size=attachments.DEFAULT_MAX_BYTES)
    # every problem at once: unknown type, a document the type cannot be the signed copy of, a bad file
    with pytest.raises(ValidationError) as info:
        attachments.attach("legal-aid", case.id, tmp_path / "bom.jpg", type="biên lai", document="mediation-agreement")
    assert set(info.value.by_field("en")) == {"type", "file"}
    with pytest.raises(ValidationError) as info:
        attachments.attach("legal-aid", case.id, tmp_path / "ok.jpg", type="signed_slip",
                           document="mediation-agreement")
    assert set(info.value.by_field("en")) == {"document"}
    with pytest.raises(NotFoundError):
        attachments.attach("legal-aid", "TG-khong-co", tmp_path / "ok.jpg")
    assert Attachment.select().count() == 0 and blobs(enc_folder.data_dir) == []


def test_pdf_with_javascript_is_stored_inertly(enc_folder, case, tmp_path):
    from services import attachments
    src = text_pdf(tmp_path / "js.pdf", extra=b"/OpenAction << /S /JavaScript /JS (app.alert('x')) >> ")
    a = attachments.attach("legal-aid", case.id, src, type="other")
    assert {"/JavaScript", "/JS", "/OpenAction"} <= set(a["active_content"])
    assert not a["has_thumbnail"] and attachments.thumbnail(a["id"]) is None     # never rendered
    assert attachments.save_copy(a["id"], tmp_path / "out.pdf").read_bytes() == src.read_bytes()


def test_signed_copy_marks_the_printed_document(enc_folder, tmp_path):
    from services import attachments
    from services.records import store
    m = store.save("mediation", factories.mediation())
    assert ("mediation-agreement", "signed_agreement") in attachments.document_choices("mediation")
    assert attachments.signed_documents("mediation", m.id) == {}
    a = attachments.attach("mediation", m.number, text_pdf(tmp_path / "vb.pdf"), type="signed_agreement",
                           document="mediation-agreement")
    assert attachments.signed_documents("mediation", m.id)["mediation-agreement"]["id"] == a["id"]
    assert attachments.counts("mediation", [m.id]) == {m.id: 1}


def test_plain_folder_keeps_plain_files(tmp_path):
    """A folder created without encryption (explicit opt-out) stores files like its database: plain."""
    from services import attachments
    from services.data_dir import app
    from services.records import store
    ctx = app.open_data_dir(tmp_path / "plain")
    try:
        c = store.save("legal-aid", factories.legal_aid())
        src = text_pdf(tmp_path / "p.pdf")
        a = attachments.attach("legal-aid", c.id, src)
        assert (ctx.data_dir / "attachments" / a["sha256"][:2] / f"{a['sha256']}.bin").read_bytes() == src.read_bytes()
    finally:
        app.close()


# ---- CLI -------------------------------------------------------------------------------------------------------

def test_cli_attach_list_detach(data_dir, tmp_path):
    cli("demo", "--province", "22", "--records", "30", "--seed", "3", data_dir=data_dir)
    import csv
    cli("export", "legal-aid", "--out", tmp_path / "la.csv", data_dir=data_dir)
    number = next(csv.DictReader((tmp_path / "la.csv").open(encoding="utf-8-sig")))["number"]
    src = text_pdf(tmp_path / "phieu.pdf")
    r = cli("attach", "legal-aid", number, src, "--type", "signed_slip", "--document", "case-slip",
            "--caption", "Phiếu đã ký", data_dir=data_dir)
    a = json.loads(r.stdout)
    assert set(a) == {"id", "sha256", "size", "type", "caption"} and a["caption"] == "Phiếu đã ký"
    listed = json.loads(cli("attachments", "legal-aid", number, "--json", data_dir=data_dir).stdout)
    assert [x["id"] for x in listed] == [a["id"]] and listed[0]["document"] == "case-slip"
    cli("attachments", "legal-aid", number, "--save", a["id"], "--out", tmp_path / "copy.pdf", data_dir=data_dir)
    assert (tmp_path / "copy.pdf").read_bytes() == src.read_bytes()
    bad = cli("attach", "legal-aid", number, zip_bomb_as_jpg(tmp_path / "b.jpg"), "--type", "nope",
              data_dir=data_dir, check=False)
    assert bad.returncode == 2 and "type" in bad.stderr and "file" in bad.stderr and bad.stdout == ""
    assert cli("attach", "legal-aid", "TG-khong-co", src, data_dir=data_dir, check=False).returncode == 3
    assert cli("detach", "legal-aid", number, "khong-co", data_dir=data_dir, check=False).returncode == 3
    d = json.loads(cli("detach", "legal-aid", number, a["id"], data_dir=data_dir).stdout)
    assert d["detached"] is True
    assert json.loads(cli("attachments", "legal-aid", number, "--json", data_dir=data_dir).stdout) == []


# ---- backups -----------------------------------------------------------------------------------------------------

def _copy_bytes(att_id) -> bytes:
    from services import attachments
    return b"".join(attachments.open_chunks(att_id))


def test_backup_restore_keeps_attachments_encrypted_and_is_idempotent(enc_folder, case, tmp_path):
    from services import attachments
    from services.data_dir import backup, restore
    src = text_pdf(tmp_path / "phieu.pdf")
    a = attachments.attach("legal-aid", case.id, src, type="signed_slip")
    out = backup.create_backup(tmp_path / "xa.plcsbak")
    assert MARKER not in out.read_bytes() and a["sha256"].encode() not in out.read_bytes()
    attachments.detach("legal-aid", case.id, a["id"])          # the file is wiped from the folder
    assert blobs(enc_folder.data_dir) == []
    result = restore.restore_backup(out)
    assert result["attachments_added"] == 2                    # the file and its thumbnail
    assert _copy_bytes(a["id"]) == src.read_bytes()
    again = restore.restore_backup(out)
    assert again["attachments_added"] == 0 and _copy_bytes(a["id"]) == src.read_bytes()


def test_backup_restored_under_another_key_re_encrypts_the_files(enc_folder, case, tmp_path):
    """A backup restored on a new laptop (another data key, the backup's passphrase): the files are decrypted
    with the backup's key and stored again under the new folder's key."""
    from services import attachments
    from services.data_dir import app, backup, restore
    from services.security import opening, vault
    src = jpeg(tmp_path / "anh.jpg")
    a = attachments.attach("legal-aid", case.id, src, type="photo")
    out = backup.create_backup(tmp_path / "xa.plcsbak")
    app.close()
    other = tmp_path / "other"
    other.mkdir()
    _, key = vault.setup(other, "máy mới hoàn toàn 9")
    opening.open_unlocked(other, key, daily=False)
    result = restore.restore_backup(out, passphrase=PASS)
    assert result["attachments_added"] == 2
    assert _copy_bytes(a["id"]) == src.read_bytes()
    assert attachments.thumbnail(a["id"])
    for path in blobs(other):
        assert crypto.is_encrypted_file(path)


def test_plain_folder_turning_encrypted_encrypts_its_files(tmp_path):
    from services import attachments
    from services.data_dir import app
    from services.records import store
    from services.security import opening
    folder = tmp_path / "plain"
    app.open_data_dir(folder)
    c = store.save("legal-aid", factories.legal_aid())
    src = text_pdf(tmp_path / "p.pdf")
    a = attachments.attach("legal-aid", c.id, src)
    from services.data_dir import backup, restore
    old_backup = backup.create_backup(reason="manual")
    try:
        opening.enable_encryption(folder, PASS)
        for path in folder.rglob("*"):
            if path.is_file():
                assert MARKER not in path.read_bytes(), path
        assert _copy_bytes(a["id"]) == src.read_bytes()
        attachments.detach("legal-aid", c.id, a["id"])
        restore.restore_backup(old_backup)                   # the re-encrypted plain backup keeps the file
        assert _copy_bytes(a["id"]) == src.read_bytes()
    finally:
        app.close()


# ---- USB transfer ------------------------------------------------------------------------------------------------

def _open_encrypted(folder: Path, passphrase: str):
    from services.data_dir import app
    from services.security import opening, vault
    folder.mkdir(exist_ok=True)
    if not vault.status(folder).encrypted:
        _, key = vault.setup(folder, passphrase)
    else:
        key = vault.unlock_key(folder, passphrase=passphrase)
    ctx = opening.open_unlocked(folder, key, daily=False)
    app.save_profile({"full_name": "Lý Thị Sen", "role": "officer", "province_code": "22", "communes": ["06652"]})
    return ctx


def test_transfer_round_trip_keeps_attachments_and_is_idempotent(tmp_path):
    from services import attachments
    from services.data_dir import app, transfer
    from services.records import store
    a_dir, b_dir = tmp_path / "a", tmp_path / "b"
    _open_encrypted(a_dir, PASS)
    case = store.save("legal-aid", factories.legal_aid())
    src = text_pdf(tmp_path / "phieu.pdf")
    big = tmp_path / "big.pdf"                          # several cipher chunks
    big.write_bytes(src.read_bytes().replace(b"%%EOF", b"%" + os.urandom(200_000).hex().encode() + b"\n%%EOF"))
    a1 = attachments.attach("legal-aid", case.id, src, type="signed_slip", document="case-slip")
    a2 = attachments.attach("legal-aid", case.id, big, type="other")
    usb = tmp_path / "xa.plcsx"
    summary = transfer.export_changes(usb, "mật khẩu chuyển 5")
    assert summary["attachments"] == 2
    data = usb.read_bytes()
    assert MARKER not in data and a1["sha256"].encode() not in data
    app.close()

    _open_encrypted(b_dir, "thư mục thứ hai 8")
    first = transfer.import_file(usb, "mật khẩu chuyển 5")
    assert first["attachments"]["added"] == 2
    assert _copy_bytes(a1["id"]) == src.read_bytes() and _copy_bytes(a2["id"]) == big.read_bytes()
    assert attachments.signed_documents("legal-aid", case.id)["case-slip"]["id"] == a1["id"]
    again = transfer.import_file(usb, "mật khẩu chuyển 5")
    assert again["attachments"] == {"added": 0, "removed": 0, "skipped": 2, "without_record": 0}
    assert len(attachments.list_for("legal-aid", case.id)) == 2
    for path in blobs(b_dir):
        assert MARKER not in path.read_bytes()
    app.close()

    _open_encrypted(a_dir, PASS)                        # a removal travels too
    attachments.detach("legal-aid", case.id, a2["id"])
    transfer.export_changes(usb, "mật khẩu chuyển 5")
    app.close()
    _open_encrypted(b_dir, "thư mục thứ hai 8")
    third = transfer.import_file(usb, "mật khẩu chuyển 5")
    assert third["attachments"]["removed"] == 1
    assert [x["id"] for x in attachments.list_for("legal-aid", case.id)] == [a1["id"]]
    app.close()


def test_transfer_file_with_a_tampered_attachment_is_damaged(tmp_path):
    from services import attachments
    from services.data_dir import app, transfer
    from services.records import store
    _open_encrypted(tmp_path / "a", PASS)
    case = store.save("legal-aid", factories.legal_aid())
    attachments.attach("legal-aid", case.id, jpeg(tmp_path / "x.jpg"), type="photo")
    usb = tmp_path / "xa.plcsx"
    transfer.export_changes(usb, "mật khẩu chuyển 5")
    app.close()
    data = bytearray(usb.read_bytes())
    data[-40] ^= 1                                        # inside the last attachment file
    usb.write_bytes(bytes(data))
    _open_encrypted(tmp_path / "b", "thư mục thứ hai 8")
    try:
        with pytest.raises(ValidationError):
            transfer.import_file(usb, "mật khẩu chuyển 5")
        from models.attachments import Attachment
        from models.records import LegalAidCase
        assert Attachment.select().count() == 0 and LegalAidCase.select().count() == 0   # nothing stored
        assert blobs(tmp_path / "b") == []
    finally:
        app.close()


# ---- screens' state --------------------------------------------------------------------------------------------

def test_list_rows_count_attachments_and_panel_state_offers_the_signed_copy(enc_folder, case, tmp_path):
    from ui.state.app_state import AppState
    from ui.state.attachments import AttachmentsState
    from ui.state.lists import ListState
    state = AppState(enc_folder)
    state.needs_setup = False
    panel = AttachmentsState(state, "legal-aid", case.id)
    panel.offer_signed_copy("case-slip")                    # "bản ký của phiếu …"
    assert (panel.type, panel.document) == ("signed_slip", "case-slip")
    assert panel.add_path(str(text_pdf(tmp_path / "ky.pdf"))) is not None
    assert "case-slip" in panel.signed and panel.error == ""
    assert panel.add_bytes("bom.jpg", zip_bomb_as_jpg(tmp_path / "b.jpg").read_bytes()) is None
    assert "PDF, JPEG, PNG" in panel.error
    lst = ListState(state, "legal-aid")
    lst.load()
    assert next(r for r in lst.rows if r["id"] == case.id)["attachments"] == "📎 1"
    panel.ask_remove(panel.items[0]["id"])
    panel.confirm_remove()
    assert panel.items == [] and panel.signed == {}
    lst.load()
    assert next(r for r in lst.rows if r["id"] == case.id)["attachments"] == ""
