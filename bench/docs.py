"""The JSON documents both sync benchmarks replicate (Kinto through our client, PouchDB through its own).

    from bench.docs import synthetic_documents, write_jsonl, edits
    docs = synthetic_documents(10_000)               # deterministic, ~650-byte records with Vietnamese text
    write_jsonl(path, docs)
    changed = edits(docs[:100], "officer")            # new versions of 100 docs

When the foundation's services.records.store.to_document exists and a cached demo database is present, the sync
benchmark uses real documents from it instead (see bench_sync.py); the synthetic ones have the same shape as a
dissemination event / legal-aid case as the sync engine sends them.
"""
from __future__ import annotations

import json
import random
import uuid
from pathlib import Path

FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Đặng", "Vũ", "Bùi", "Đỗ", "Hồ", "Ngô", "Triệu", "Lý", "Bàn"]
MIDDLE = ["Văn", "Thị", "Đức", "Minh", "Thu", "Hữu", "Ngọc", "Quang", "Thanh", "Kim"]
GIVEN = ["Đức", "Hùng", "Lan", "Hương", "Tuấn", "Mai", "Dũng", "Hà", "Sơn", "Yến", "Phúc", "Thảo", "Cường"]
TOPICS = ["Luật Hòa giải ở cơ sở năm 2013", "Luật Đất đai năm 2024", "Luật Hôn nhân và gia đình",
          "Luật Trợ giúp pháp lý năm 2017", "Phòng, chống bạo lực gia đình", "Luật Giao thông đường bộ",
          "Phòng, chống mua bán người", "Luật Cư trú", "Bộ luật Dân sự năm 2015"]
VILLAGES = ["Thôn Đồng Tâm", "Bản Khe Lạc", "Khu 3", "Thôn Nà Cáng", "Bản Pạc Sủi", "Thôn Tân Ốc", "Khu Bình Minh"]
FORMS = ["hoi_nghi", "tuyen_truyen_mieng", "loa_truyen_thanh", "phat_tai_lieu", "tro_giup_luu_dong"]


def _name(rng: random.Random) -> str:
    return f"{rng.choice(FAMILY)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"


def synthetic_documents(n: int, seed: int = 22) -> list[dict]:
    rng = random.Random(seed)
    out = []
    for i in range(n):
        kind = "legal-aid" if i % 3 == 0 else "dissemination"
        doc = {"id": str(uuid.UUID(int=rng.getrandbits(128), version=4)), "kind": kind,
               "commune_code": f"{7000 + i % 54:05d}", "village": rng.choice(VILLAGES),
               "created_at": f"2025-{1 + i % 12:02d}-{1 + i % 28:02d}T0{i % 10}:15:00Z",
               "updated_at": f"2025-{1 + i % 12:02d}-{1 + i % 28:02d}T0{i % 10}:15:00Z",
               "device_id": "3f2c9a1e-5b7d-4e11-9a0c-2d6f8b4e7a10"}
        if kind == "legal-aid":
            doc.update(number=f"{doc['commune_code']}-2025-3F2C-{i:06d}", received_date=f"2025-{1 + i % 12:02d}-15",
                       requester={"full_name": _name(rng), "gender": rng.choice(["nam", "nu"]),
                                  "birth_year": rng.randint(1940, 2005), "ethnicity": f"{rng.randint(1, 54):02d}",
                                  "id_number": f"0221{rng.randrange(10**8):08d}",
                                  "phone": f"09{rng.randrange(10**8):08d}"},
                       beneficiary_category="ho_ngheo", legal_field=rng.choice(["dat_dai", "hon_nhan", "dan_su"]),
                       aid_form="tu_van", status="received", summary=f"Tư vấn về {rng.choice(TOPICS).lower()} "
                       f"cho gia đình ông/bà {_name(rng)} ở {doc['village']}; đã hướng dẫn thủ tục và hồ sơ cần thiết.")
        else:
            p = rng.randint(15, 180)
            doc.update(date=f"2025-{1 + i % 12:02d}-{1 + i % 28:02d}", form=rng.choice(FORMS),
                       topic=rng.choice(TOPICS), laws=f"{rng.choice(TOPICS)}; {rng.choice(TOPICS)}",
                       target_groups=rng.sample(["dtts", "phu_nu", "thanh_nien", "nguoi_cao_tuoi"], 2),
                       language=rng.choice(["vi", "vi", "09", "03"]), participants=p,
                       participants_women=p // 2, participants_ethnic_minority=p // 3,
                       materials_distributed=rng.randint(0, 200), presenter=_name(rng),
                       notes=f"Buổi tuyên truyền tại nhà văn hóa {doc['village']}, có phiên dịch tiếng dân tộc; "
                             f"người dân hỏi nhiều về {rng.choice(TOPICS).lower()}.")
        out.append(doc)
    return out


def edits(docs: list[dict], by: str) -> list[dict]:
    """New versions of `docs`: one or two user fields changed, as an officer's edit would."""
    out = []
    for d in docs:
        e = dict(d)
        e["updated_at"] = "2026-11-20T08:00:00Z"
        if "notes" in e:
            e["notes"] = e["notes"] + f" Cập nhật bởi {by}."
            e["participants"] = e.get("participants", 0) + 1
        else:
            e["summary"] = e.get("summary", "") + f" Cập nhật bởi {by}."
            e["status"] = "accepted"
        out.append(e)
    return out


def write_jsonl(path: Path, docs: list[dict]) -> Path:
    path = Path(path)
    with path.open("w", encoding="utf-8") as f:
        for d in docs:
            f.write(json.dumps(d, ensure_ascii=False, separators=(",", ":")) + "\n")
    return path


def mean_size(docs: list[dict]) -> float:
    return sum(len(json.dumps(d, ensure_ascii=False, separators=(",", ":")).encode()) for d in docs) / max(1, len(docs))
