"""Driving the Flet UI through its semantics tree (labels are the ones users see)."""
from __future__ import annotations


def click_nav(page, name: str) -> None:
    page.get_by_role("button", name=name).first.click()
    page.wait_for_timeout(400)


def fill(page, label: str, value: str) -> None:
    """Focus the field, then type through the keyboard into whatever element has the focus: Flutter may swap
    the DOM node behind a focused field, which makes Locator.fill wait for (or type into) a node that is gone
    on a busy machine. Select-all first, so the new text replaces the old."""
    page.get_by_role("textbox", name=label, exact=True).click()
    page.wait_for_timeout(150)
    page.keyboard.press("Control+a")
    page.keyboard.insert_text(value)
    page.wait_for_timeout(150)


def pick(page, label: str, option: str) -> None:
    """Choose `option` in the searchable dropdown labelled `label`."""
    page.get_by_role("textbox", name=label, exact=True).click()
    page.wait_for_timeout(300)
    page.get_by_role("button", name=option, exact=True).last.click()
    page.wait_for_timeout(300)


def create_legal_aid(page, name: str = "Đặng Văn Đức", id_number: str = "022090001234") -> None:
    click_nav(page, "Trợ giúp pháp lý")
    page.get_by_role("button", name="Thêm vụ việc").click()
    pick(page, "Diện người được trợ giúp *", "Người thuộc hộ nghèo")
    pick(page, "Lĩnh vực pháp luật *", "Đất đai")
    pick(page, "Hình thức trợ giúp *", "Tư vấn pháp luật")
    fill(page, "Họ và tên người yêu cầu *", name)
    fill(page, "Số CCCD", id_number)
    fill(page, "Số điện thoại", "0912345678")


def click_icon(page, tooltip: str) -> None:
    """Icon buttons are named by their tooltip in the semantics tree."""
    page.get_by_label(tooltip, exact=True).first.click()
    page.wait_for_timeout(300)
