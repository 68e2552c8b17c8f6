"""Valid input dicts for each record kind, for tests (override any field)."""
from __future__ import annotations

COMMUNE = "06652"          # Phường Hà Tu, Quảng Ninh
OTHER_COMMUNE = "06931"


def legal_aid(**overrides) -> dict:
    data = {"received_date": "10/11/2026", "commune_code": COMMUNE,
            "requester": {"full_name": "Đặng Văn Đức", "gender": "Nam", "birth_year": 1970, "ethnicity": "Dao",
                          "id_number": "022070001234", "phone": "0912345678", "village": "Thôn Khe Lánh"},
            "beneficiary_category": "Người thuộc hộ nghèo", "legal_field": "Đất đai", "aid_form": "Tư vấn pháp luật",
            "request_content": "Tranh chấp ranh giới đất với hộ liền kề", "summary": "Hướng dẫn hòa giải tại thôn"}
    data.update(overrides)
    return data


def mediation(**overrides) -> dict:
    data = {"received_date": "2026-11-02", "commune_code": COMMUNE, "village": "Thôn Khe Lánh",
            "parties": [{"full_name": "Nguyễn Thị Hoa", "gender": "nu"},
                        {"full_name": "Trần Văn Bình", "gender": "nam"}],
            "dispute_field": "dat_dai", "mediators": ["Lê Văn Cường", "Phạm Thị Dung"],
            "summary": "Tranh chấp lối đi chung giữa hai hộ"}
    data.update(overrides)
    return data


def dissemination(**overrides) -> dict:
    data = {"date": "2026-10-15", "commune_code": COMMUNE, "village": "Bản Nà Pá", "form": "Hội nghị",
            "topic": "Luật Đất đai 2024", "laws": "Luật Đất đai số 31/2024/QH15",
            "target_groups": ["dtts", "phu_nu"], "language": "Tiếng Dao", "participants": 120,
            "participants_women": 55, "participants_ethnic_minority": 90, "materials_distributed": 100,
            "presenter": "Hoàng Thị Lan"}
    data.update(overrides)
    return data
