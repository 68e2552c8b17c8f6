"""Realistic Vietnamese demo data for trying the app and for benchmarks (up to 1,000,000 records).

    generate("22", 10_000, seed=1, progress=lambda done, total: …) -> {"legal-aid": n, "mediation": n, …}

Records are valid by construction and written in bulk (insert_many in chunks inside one transaction, with
their search index rows): going through services.records.store.save one by one would take an hour at 1,000,000.
Demo records are not audited and not queued for sync unless `queue_for_sync=True`.
Mix per 100 records: ~82 dissemination events, ~12 mediation cases (with sessions), ~6 legal-aid cases,
close to the proportions of a province's year (Quảng Ninh 2023: 15,801 sessions, 395 legal-aid cases).
"""
from __future__ import annotations

import datetime as dt
import random

from models.base import uuid7
from models.db import database, refresh_statistics
from models.records import (
    DisseminationEvent,
    LegalAidCase,
    MediationCase,
    MediationSession,
    MediationTeam,
    Person,
    Village,
)
from models.search import SearchDoc, SearchIndex
from services import admin_units, catalogs
from services.data_dir import app
from services.dates import today_local, utc_now
from services.errors import UsageError
from services.records.numbering import NumberBlock
from services.records.search import index_text
from services.text import fold

GENERATOR_VERSION = 2
CHUNK = 5000

FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô",
          "Dương", "Lý", "Đào", "Đinh", "Lò", "Hà", "Triệu", "Bàn", "Chíu", "Lục", "Nông", "Vi", "Đoàn", "Tạ"]
MIDDLE_M = ["Văn", "Đức", "Minh", "Hữu", "Quang", "Thanh", "Xuân", "Công", "Tiến", "Ngọc"]
MIDDLE_F = ["Thị", "Ngọc", "Thu", "Thanh", "Minh", "Hồng", "Kim", "Phương"]
GIVEN_M = ["Đức", "Hùng", "Dũng", "Tuấn", "Phúc", "Sơn", "Hải", "Long", "Thắng", "Cường", "Quý", "Bình", "Toàn",
           "Khải", "Lâm", "Nghĩa", "Vượng", "Tài", "Chiến", "Hưng"]
GIVEN_F = ["Lan", "Mai", "Hương", "Hoa", "Thảo", "Hằng", "Nhung", "Yến", "Liên", "Trang", "Ngân", "Thủy", "Vân",
           "Dung", "Loan", "Huệ", "Xuân", "Oanh", "Nga", "Châm"]
VILLAGE_PREFIX = ["Thôn", "Bản", "Khu", "Tổ dân phố"]
VILLAGE_NAMES = ["Khe Lánh", "Đồng Cầu", "Nà Pá", "Khe Tâm", "Pò Hèn", "Bắc Lãng", "Tân Hợp", "Đồng Tâm", "Hải Yến",
                 "Cái Rồng", "Làng Mới", "Nà Nhái", "Pác Cáy", "Khe Giữa", "Đông Hải", "Vạn Hoa"]
ETHNIC_WEIGHTS = [("01", 80), ("09", 8), ("02", 4), ("18", 3), ("15", 2), ("04", 2), ("07", 1)]
TOPICS = ["Luật Đất đai 2024", "Luật Hôn nhân và gia đình", "Luật Phòng, chống bạo lực gia đình 2022",
          "Luật Trẻ em", "Luật Giao thông đường bộ", "Luật Phòng, chống ma túy", "Luật Hòa giải ở cơ sở",
          "Luật Trợ giúp pháp lý", "Luật Cư trú", "Luật Bảo vệ môi trường", "Luật Thủy sản",
          "Phòng, chống mua bán người", "Luật Thực hiện dân chủ ở cơ sở", "Bộ luật Hình sự (tội phạm mạng)",
          "Luật Căn cước 2023", "Luật Bảo hiểm xã hội 2024"]
SUMMARIES = ["Tranh chấp ranh giới đất giữa hai hộ liền kề", "Yêu cầu tư vấn về thủ tục ly hôn và quyền nuôi con",
             "Mâu thuẫn do gia súc phá hoại hoa màu", "Tranh chấp thừa kế quyền sử dụng đất",
             "Vay tiền không trả đúng hạn", "Xô xát do uống rượu trong đám cưới", "Đòi tiền công lao động",
             "Tranh chấp lối đi chung", "Bạo lực gia đình, cần hỗ trợ pháp lý", "Tư vấn về chế độ trợ cấp xã hội"]


def _name(rng: random.Random) -> tuple[str, str]:
    female = rng.random() < 0.5
    middle = rng.choice(MIDDLE_F if female else MIDDLE_M)
    given = rng.choice(GIVEN_F if female else GIVEN_M)
    return f"{rng.choice(FAMILY)} {middle} {given}", "nu" if female else "nam"


def _weighted(rng, pairs):
    return rng.choices([p[0] for p in pairs], weights=[p[1] for p in pairs])[0]


class _Writer:
    """Buffers rows per model and flushes them with insert_many."""

    def __init__(self):
        self.buffers: dict = {}
        self.search_rows: list[tuple[dict, str]] = []

    def add(self, model, row):
        buf = self.buffers.setdefault(model, [])
        buf.append(row)
        if len(buf) >= CHUNK:
            self.flush_all()     # in dependency order: foreign keys are checked immediately

    def index(self, row: dict, text: str):
        self.search_rows.append((row, index_text(row["kind"], text)))
        if len(self.search_rows) >= CHUNK:
            self.flush_all()

    def flush(self, model):
        rows = self.buffers.get(model)
        if rows:
            model.insert_many(rows).execute()
            self.buffers[model] = []

    def flush_search(self):
        if not self.search_rows:
            return
        first = SearchDoc.select(SearchDoc.id).order_by(SearchDoc.id.desc()).limit(1).scalar() or 0
        SearchDoc.insert_many([r for r, _ in self.search_rows]).execute()
        SearchIndex.insert_many([{SearchIndex.rowid: first + i + 1, SearchIndex.text: text}
                                 for i, (_, text) in enumerate(self.search_rows)]).execute()
        self.search_rows = []

    def flush_all(self):
        for model in (Person, MediationTeam, LegalAidCase, MediationCase, MediationSession, DisseminationEvent):
            self.flush(model)
        self.flush_search()


def generate(province_code: str, records: int, seed: int | None = None, progress=None,
             queue_for_sync: bool = False) -> dict:
    province = admin_units.province(province_code)
    if province is None:
        raise UsageError(f"Không có tỉnh/thành mã «{province_code}»", f"Unknown province '{province_code}'")
    if records < 0 or records > 5_000_000:
        raise UsageError("Số bản ghi phải từ 0 đến 5.000.000", "Records must be between 0 and 5,000,000")
    ctx = app.current()
    rng = random.Random(seed)
    communes = admin_units.communes(province.code)
    today = today_local()
    start = dt.date(today.year - 1, 1, 1)
    span = (today - start).days
    now = utc_now()
    villages = {c.code: [f"{rng.choice(VILLAGE_PREFIX)} {n}" for n in rng.sample(VILLAGE_NAMES, rng.randint(5, 12))]
                for c in communes}
    counts = {"legal-aid": 0, "mediation": 0, "dissemination": 0, "person": 0, "mediation-team": 0,
              "mediation-session": 0}
    w = _Writer()
    base = {"created_at": now, "updated_at": now, "device_id": ctx.device_id, "deleted": False}

    clock = [int(now.timestamp() * 1000)]

    def uid():
        clock[0] += 1          # time-ordered ids, deterministic for a seed
        return uuid7(clock[0], rng.getrandbits(74))

    def person(commune):
        name, gender = _name(rng)
        pid = uid()
        w.add(Person, {**base, "id": pid, "full_name": name, "gender": gender,
                       "birth_year": rng.randint(1945, 2008), "ethnicity": _weighted(rng, ETHNIC_WEIGHTS),
                       "id_number": f"0{province.code}{rng.randint(0, 999_999_999):09d}",
                       "phone": f"09{rng.randint(0, 99_999_999):08d}", "commune_code": commune,
                       "village": rng.choice(villages[commune]), "address": "", "notes": ""})
        counts["person"] += 1
        return pid, name

    numbers = NumberBlock(ctx.device_code, {"TG": LegalAidCase, "HG": MediationCase})
    number = numbers.next        # the numbering service's sequences: a second demo continues after the first

    teams = {}
    for t in MediationTeam.alive().where(MediationTeam.commune_code.in_([c.code for c in communes])):
        teams.setdefault(t.commune_code, []).append((t.id, t.village, t.members or []))
    existing_teams = set(teams)      # a second demo on the folder reuses them (no second team of the same name)
    with database.atomic():
        for c in communes:
            for v in ([] if c.code in existing_teams else villages[c.code][:4]):
                members = []
                for i in range(rng.randint(2, 6)):
                    name, gender = _name(rng)
                    members.append({"name": name, "gender": gender, "ethnicity": _weighted(rng, ETHNIC_WEIGHTS),
                                    "role": "leader" if i == 0 else "member"})
                tid = uid()
                w.add(MediationTeam, {**base, "id": tid, "name": f"Tổ hòa giải {v}", "commune_code": c.code,
                                      "village": v, "leader": members[0]["name"], "members": members,
                                      "recognised_date": start})
                teams.setdefault(c.code, []).append((tid, v, members))
                counts["mediation-team"] += 1
            for v in villages[c.code]:
                Village.insert(commune_code=c.code, name=v, name_folded=fold(v)).on_conflict_ignore().execute()

        for i in range(records):
            commune = rng.choice(communes).code
            day = start + dt.timedelta(days=rng.randint(0, span))
            roll = rng.random()
            if roll < 0.06:
                pid, name = person(commune)
                status = rng.choice(["received", "referred", "accepted", "in_progress", "completed", "completed"])
                form = rng.choice(["tu_van", "tu_van", "to_tung", "dai_dien"])
                closed = min(today, day + dt.timedelta(days=rng.randint(5, 90))) if status == "completed" else None
                cid = uid()
                num = number("TG", commune, day.year)
                field = rng.choice(["dat_dai", "hon_nhan_gia_dinh", "dan_su", "hinh_su", "hanh_chinh", "lao_dong",
                                    "khac"])
                summary = rng.choice(SUMMARIES)
                w.add(LegalAidCase, {**base, "id": cid, "number": num, "received_date": day, "commune_code": commune,
                                     "requester": pid, "beneficiary": pid,
                                     "beneficiary_category": rng.choice(["1", "2", "3", "4", "7c", "7d", "7e"]),
                                     "legal_field": field, "aid_form": form, "request_content": summary,
                                     "provider": "",
                                     "referred_to": ("Trung tâm Trợ giúp pháp lý nhà nước"
                                                     if status != "received" else ""),
                                     "status": status, "status_date": closed or day, "status_reason": "",
                                     "status_history": [{"status": status, "date": str(closed or day), "reason": "",
                                                         "by": "demo"}],
                                     "outcome": (rng.choice(["success", "not_success", "success"])
                                                 if form == "to_tung" and closed else ""),
                                     "closed_date": closed, "summary": summary})
                w.index({"kind": "legal-aid", "record_id": cid, "commune_code": commune, "date": day, "number": num,
                         "title": f"{name} — {catalogs.label('legal_fields', field)}"},
                        f"{num} {name} {catalogs.label('legal_fields', field)} {summary}")
                counts["legal-aid"] += 1
            elif roll < 0.18:
                (pa, na), (pb, nb) = person(commune), person(commune)
                team_id, village, members = rng.choice(teams[commune])
                outcome = _weighted(rng, [("thanh", 62), ("khong_thanh", 18), ("in_progress", 12), ("rut_yeu_cau", 4),
                                          ("ngoai_pham_vi", 2), ("chuyen_co_quan", 2)])
                closed = None if outcome == "in_progress" else min(today, day + dt.timedelta(days=rng.randint(1, 30)))
                mid = uid()
                num = number("HG", commune, day.year)
                field = rng.choice(["dat_dai", "hon_nhan_gia_dinh", "dan_su", "vi_pham_nho", "sinh_hoat_cong_dong",
                                    "khac"])
                summary = rng.choice(SUMMARIES)
                mediators = [m["name"] for m in members[:2]]
                w.add(MediationCase, {**base, "id": mid, "number": num, "received_date": day, "commune_code": commune,
                                      "village": village, "team": team_id, "basis": "request", "mediators": mediators,
                                      "assigned_date": min(today, day + dt.timedelta(days=rng.choice([0, 1, 2, 3, 5]))),
                                      "parties": [pa, pb], "dispute_field": field, "summary": summary,
                                      "outcome": outcome,
                                      "agreement": "Hai bên thống nhất thỏa thuận" if outcome == "thanh" else "",
                                      "implementation": "", "referred_to": "", "closed_date": closed})
                w.add(MediationSession, {**base, "id": uid(), "case": mid, "date": closed or day,
                                         "place": f"Nhà văn hóa {village}",
                                         "attendees": f"{na}; {nb}; {'; '.join(mediators)}",
                                         "content": summary, "result": catalogs.label("mediation_outcomes", outcome)})
                counts["mediation-session"] += 1
                w.index({"kind": "mediation", "record_id": mid, "commune_code": commune, "date": day, "number": num,
                         "title": f"{na} – {nb} — {catalogs.label('dispute_fields', field)}"},
                        f"{num} {na} {nb} {' '.join(mediators)} {village} "
                        f"{catalogs.label('dispute_fields', field)} {summary}")
                counts["mediation"] += 1
            else:
                participants = rng.randint(15, 250)
                eid = uid()
                topic = rng.choice(TOPICS)
                village = rng.choice(villages[commune])
                lang = "vi" if rng.random() < 0.9 else rng.choice(["09", "02", "18"])
                form = _weighted(rng, [("hoi_nghi", 25), ("tuyen_truyen_mieng", 30), ("loa_truyen_thanh", 20),
                                       ("phat_tai_lieu", 10), ("thi_tim_hieu", 3), ("tgpl_luu_dong", 5),
                                       ("truc_tuyen", 5), ("khac", 2)])
                presenter = _name(rng)[0]
                w.add(DisseminationEvent, {**base, "id": eid, "date": day, "commune_code": commune, "village": village,
                                           "form": form, "topic": topic, "laws": topic,
                                           "target_groups": rng.sample(["nguoi_dan", "dtts", "phu_nu", "thanh_nien",
                                                                        "hoc_sinh", "nguoi_cao_tuoi"], 2),
                                           "language": lang, "participants": participants,
                                           "participants_women": rng.randint(0, participants),
                                           "participants_ethnic_minority": rng.randint(0, participants // 3),
                                           "materials_distributed": rng.randint(0, 200), "presenter": presenter,
                                           "notes": ""})
                w.index({"kind": "dissemination", "record_id": eid, "commune_code": commune, "date": day,
                         "number": None, "title": topic},
                        f"{topic} {presenter} {village} {catalogs.label('dissemination_forms', form)} "
                        f"{catalogs.language_label(lang)}")      # as services/kinds/dissemination.search_fields
                counts["dissemination"] += 1
            if progress and (i + 1) % 1000 == 0:
                progress(i + 1, records)
        w.flush_all()
        numbers.commit()
        if queue_for_sync:
            for model in (Person, MediationTeam, LegalAidCase, MediationCase, MediationSession, DisseminationEvent):
                db = database
                db.execute_sql(f"INSERT OR IGNORE INTO outbox (kind, record_id, queued_at) "
                               f"SELECT ?, id, ? FROM {model._meta.table_name}", (model.KIND, now))
    refresh_statistics(force=True)
    if progress:
        progress(records, records)
    return counts
