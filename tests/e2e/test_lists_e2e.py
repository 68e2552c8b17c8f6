"""End-to-end (real Chromium, web mode), issue 17 §4: the header badge shows the records waiting to be sent
on every screen right after a save; a search with more matches than the count cap says "hơn 1.000" and gives
the exact number on demand; the dissemination list filters by language and "tieng dao" finds the events held in
Tiếng Dao. Data is seeded through the app's own import command (as the other E2E tests do)."""
from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

from tests.e2e.conftest import ROOT, shot
from tests.e2e.helpers import click_nav, create_legal_aid, fill

HEADER = ("date,commune_code,village,form,topic,laws,target_groups,participants,participants_women,"
          "participants_ethnic_minority,materials_distributed,language,presenter,notes\n")
MATCHING = 1010          # > the 1.000 count cap and > the 50-row page
DAO = 7


def _pending(data_dir: Path) -> dict:
    code = ("import sys, json; from services.data_dir import app; from services.sync import pending; "
            "app.open_data_dir(sys.argv[1]); print(json.dumps(pending.summary('vi'))); app.close()")
    out = subprocess.run([sys.executable, "-c", code, str(data_dir)], cwd=ROOT, check=True, capture_output=True,
                         text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def _seed_events(data_dir: Path) -> None:
    """MATCHING events about "Luật Đất đai" (DAO of them in Tiếng Dao) and a few others, through `main.py import`."""
    from services import admin_units
    commune = admin_units.communes("22")[0].code
    lines = [HEADER]
    for i in range(MATCHING):
        language = "Tiếng Dao" if i < DAO else "Tiếng Việt"
        lines.append(f"{1 + i % 28:02d}/{1 + i % 11:02d}/2026,{commune},Thôn Khe Lánh,Hội nghị,"
                     f"Luật Đất đai buổi {i + 1},Luật Đất đai 2024,,40,20,10,0,{language},Lý Thị Sen,\n")
    for i in range(3):
        lines.append(f"0{i + 1}/12/2025,{commune},Bản Nà Lừa,Tuyên truyền miệng,Phòng chống bạo lực gia đình,,,"
                     "30,15,25,0,Tiếng Việt,Bàn Văn Sài,\n")
    path = data_dir / "seed.csv"
    path.write_text("".join(lines), encoding="utf-8")
    done = subprocess.run([sys.executable, "main.py", "import", "dissemination", str(path), "--data-dir",
                           str(data_dir)], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def test_header_badge_shows_records_not_sent_after_a_save_on_another_screen(launch):
    page, srv = launch()
    page.get_by_text("Đã gửi hết").first.wait_for()                     # a fresh folder: nothing waiting
    page.get_by_text("Chưa có máy chủ").first.wait_for()                # no sync server set up yet
    create_legal_aid(page)
    page.get_by_role("button", name="Lưu", exact=True).click()
    page.get_by_text("Tiến trình xử lý").wait_for()
    summary = _pending(srv.data_dir)
    records = sum(summary["pending"].values())
    assert records >= 1 and summary["pending_change_log"] >= 1          # audit entries are not records
    click_nav(page, "Phổ biến pháp luật")                                # not the overview or the sync screen
    page.get_by_text(f"{records} hồ sơ chưa gửi").first.wait_for(timeout=10000)
    assert page.get_by_text(f"{records + summary['pending_change_log']} hồ sơ chưa gửi").count() == 0
    shot(page, "header-badge")


def test_search_count_beyond_the_cap_and_exact_count_on_demand(launch):
    page, srv = launch(seed=_seed_events)
    click_nav(page, "Phổ biến pháp luật")
    page.get_by_text(re.compile(r"^1–50 / 1\.013$")).first.wait_for(timeout=15000)     # no search: exact
    fill(page, "Tìm kiếm", "dat dai")
    page.keyboard.press("Enter")
    page.get_by_text("1–50 / hơn 1.000").first.wait_for(timeout=15000)
    page.get_by_role("button", name="Đếm chính xác").click()
    page.get_by_text(f"1–50 / {MATCHING:,}".replace(",", ".")).first.wait_for(timeout=15000)
    shot(page, "search-exact-count")


def test_language_filter_and_search_by_language(launch):
    page, srv = launch(seed=_seed_events)
    click_nav(page, "Phổ biến pháp luật")
    page.get_by_text(re.compile(r"^1–50 / 1\.013$")).first.wait_for(timeout=15000)
    fill(page, "Ngôn ngữ", "dao")                     # the dropdown filters its options as one types
    page.get_by_role("button", name="Tiếng Dao", exact=True).last.click()
    page.get_by_text(f"1–{DAO} / {DAO}").first.wait_for(timeout=15000)
    shot(page, "language-filter")


def test_search_tieng_dao_finds_the_events_held_in_tieng_dao(launch):
    page, srv = launch(seed=_seed_events)
    click_nav(page, "Phổ biến pháp luật")
    page.get_by_text(re.compile(r"^1–50 / 1\.013$")).first.wait_for(timeout=15000)
    fill(page, "Tìm kiếm", "tieng dao")
    page.keyboard.press("Enter")
    page.get_by_text(f"1–{DAO} / {DAO}").first.wait_for(timeout=15000)
