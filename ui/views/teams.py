"""Mediation teams screen (inside "Hòa giải cơ sở"): list of teams, create/edit form with member rows, detail
with the composition warnings. `mediation_tabs` switches between cases and teams."""
from __future__ import annotations

import flet as ft

from ui.views.common import ACCENT, MUTED, PRIMARY, card, dropdown, empty, header, section_title

WARN_BG, WARN_FG = "#FFF4E0", "#7A4A00"


def mediation_tabs(app, current: str) -> ft.Control:
    """Cases | Teams switch shown at the top of both mediation screens."""
    return ft.SegmentedButton(
        selected=[current], show_selected_icon=False,
        segments=[ft.Segment(value="mediation", label=ft.Text(app.t("team.tab_cases"))),
                  ft.Segment(value="mediation-team", label=ft.Text(app.t("team.tab_teams")))],
        on_change=lambda e: app.go(list(e.control.selected)[0]))


def warnings_box(texts: list[str]) -> ft.Control:
    return ft.Container(ft.Column([ft.Row([ft.Icon(ft.Icons.WARNING_AMBER, color="#B26A00", size=18),
                                           ft.Text(w, color=WARN_FG, size=13, expand=True)]) for w in texts],
                                  spacing=4), bgcolor=WARN_BG, padding=10, border_radius=8)


def _list(app, st):
    cols = [("name", "team.col.name", None), ("commune", "list.col.commune", 190), ("village", "field.village", 160),
            ("members", "team.col.members", 110), ("women", "team.col.women", 80), ("warnings", "team.col.check", 300)]
    head = ft.Container(ft.Row([ft.Container(ft.Text(app.t(h), size=12, color=MUTED, weight=ft.FontWeight.W_600),
                                             width=w, expand=w is None) for _, h, w in cols], spacing=12),
                        padding=ft.Padding.symmetric(horizontal=14, vertical=10), bgcolor="#F8FAFC",
                        border=ft.Border.only(bottom=ft.BorderSide(1, "#E3E8EF")))
    rows = []
    for r in st.rows:
        check = (ft.Text("; ".join(r["warnings"]), size=12, color=WARN_FG, max_lines=2,
                         overflow=ft.TextOverflow.ELLIPSIS) if r["warnings"]
                 else ft.Text(app.t("team.ok"), size=12, color="#2E7D32"))
        cells = [ft.Text(r["name"], size=13, weight=ft.FontWeight.W_500, color=PRIMARY, max_lines=1,
                         overflow=ft.TextOverflow.ELLIPSIS),
                 ft.Text(r["commune"], size=13), ft.Text(r["village"], size=13), ft.Text(str(r["members"]), size=13),
                 ft.Text(str(r["women"]), size=13), check]
        rows.append(ft.Container(ft.Row([ft.Container(c, width=w, expand=w is None)
                                         for c, (_, _, w) in zip(cells, cols, strict=True)], spacing=12),
                                 padding=ft.Padding.symmetric(horizontal=14, vertical=9), ink=True,
                                 border=ft.Border.only(bottom=ft.BorderSide(1, "#EEF1F5")),
                                 on_click=lambda e, tid=r["id"]: st.open_detail(tid)))
    table = ft.Column([head, ft.ListView(rows, expand=True, spacing=0) if rows else empty(app.t("team.empty"))],
                      spacing=0, expand=True)
    return ft.Column([
        header(app.t("nav.mediation"), app.t("team.subtitle"), actions=[
            ft.FilledButton(app.t("team.new"), icon=ft.Icons.GROUP_ADD, on_click=lambda: st.open_new())]),
        mediation_tabs(app, "mediation-team"),
        card(table, padding=0, expand=True),
    ], spacing=12, expand=True)


def _member_row(app, st, i, m, gender_opts, ethnic_opts, role_opts):
    err = st.errors.get(f"members[{i + 1}].name")
    return ft.Row([
        ft.Text(str(i + 1), width=24, color=MUTED),
        ft.TextField(label=app.t("team.member_name", n=i + 1), value=m["name"], error=err, expand=3,
                     on_change=lambda e, k=i: st.set_member(k, "name", e.control.value)),
        dropdown(app.t("team.member_gender", n=i + 1), gender_opts, m["gender"],
                 lambda v, k=i: st.set_member(k, "gender", v), width=170, blank=app.t("form.none"), dense=False),
        dropdown(app.t("team.member_ethnicity", n=i + 1), ethnic_opts, m["ethnicity"],
                 lambda v, k=i: st.set_member(k, "ethnicity", v), width=210, blank=app.t("form.none"), dense=False),
        dropdown(app.t("team.member_role", n=i + 1), role_opts, m["role"],
                 lambda v, k=i: st.set_member(k, "role", v), width=170, searchable=False, dense=False),
        ft.IconButton(ft.Icons.DELETE_OUTLINE, tooltip=app.t("team.remove_member", n=i + 1),
                      on_click=lambda e, k=i: st.remove_member(k)),
    ], spacing=8, vertical_alignment=ft.CrossAxisAlignment.START)


def _form(app, st):
    from services import catalogs
    lang = app.lang
    gender_opts = catalogs.options("genders", lang)
    ethnic_opts = catalogs.options("ethnic_groups", lang)
    role_opts = st.role_options()

    def save():
        inst = st.save()
        if inst is not None:
            app.say(app.t("team.saved", name=inst.name))

    e = st.errors
    info = ft.ResponsiveRow([
        ft.Container(ft.TextField(label=app.t("field.team_name") + " *", value=st.value("name"), error=e.get("name"),
                                  on_change=lambda ev: st.set("name", ev.control.value), on_submit=lambda: save()),
                     col={"xs": 12, "md": 6}),
        ft.Container(dropdown(app.t("field.commune_code") + " *", st.commune_options(), st.value("commune_code"),
                              lambda v: st.set("commune_code", v), error=e.get("commune_code"), expand=True,
                              dense=False), col={"xs": 12, "md": 3}),
        ft.Container(ft.TextField(label=app.t("field.village"), value=st.value("village"), error=e.get("village"),
                                  on_change=lambda ev: st.set("village", ev.control.value)), col={"xs": 12, "md": 3}),
        ft.Container(ft.TextField(label=app.t("field.recognised_date"), value=st.value("recognised_date"),
                                  hint_text="dd/mm/yyyy", error=e.get("recognised_date"),
                                  on_change=lambda ev: st.set("recognised_date", ev.control.value)),
                     col={"xs": 12, "md": 3}),
    ], spacing=12, run_spacing=14)
    members = [_member_row(app, st, i, m, gender_opts, ethnic_opts, role_opts) for i, m in enumerate(st.members)]
    banner = []
    if st.general_error:
        banner.append(ft.Container(ft.Row([ft.Icon(ft.Icons.ERROR_OUTLINE, color=ACCENT),
                                           ft.Text(st.general_error, color=ACCENT, expand=True)]),
                                   bgcolor="#FDECEA", padding=12, border_radius=8))
    cancel = (lambda: st.open_detail(st.team_id)) if st.editing else (lambda: st.back())
    return ft.Column([
        header(app.t("team.edit" if st.editing else "team.new_title"), app.t("team.rule_note"), back=cancel,
               back_label=app.t("common.back"),
               actions=[ft.OutlinedButton(app.t("common.cancel"), on_click=cancel),
                        ft.FilledButton(app.t("common.save"), icon=ft.Icons.SAVE, on_click=save)]),
        *banner,
        ft.Column([
            card(ft.Column([section_title(app.t("team.section.info")), info], spacing=14)),
            card(ft.Column([ft.Row([section_title(app.t("team.section.members")),
                                    ft.OutlinedButton(app.t("team.add_member"), icon=ft.Icons.PERSON_ADD,
                                                      on_click=lambda: st.add_member())],
                                   alignment=ft.MainAxisAlignment.SPACE_BETWEEN),
                           *members], spacing=12)),
        ], spacing=14, scroll=ft.ScrollMode.AUTO, expand=True),
    ], spacing=12, expand=True)


def _detail(app, st, confirm_delete):
    t = st.instance
    if t is None:
        return ft.Text(app.t("detail.not_found"))
    warnings = st.warnings()
    rows = [ft.Row([ft.Text(app.t(k), width=170, color=MUTED, size=13),
                    ft.Text(v, expand=True, size=14, selectable=True)])
            for k, v in st.detail_fields() if v]
    head = ft.Row([ft.Text("#", width=28, size=12, color=MUTED),
                   ft.Text(app.t("team.col.member"), expand=True, size=12, color=MUTED),
                   ft.Text(app.t("team.col.gender"), width=110, size=12, color=MUTED),
                   ft.Text(app.t("team.col.ethnicity"), width=140, size=12, color=MUTED),
                   ft.Text(app.t("team.col.role"), width=120, size=12, color=MUTED)])
    mem = [ft.Row([ft.Text(str(i + 1), width=28, size=13, color=MUTED), ft.Text(m["name"], expand=True, size=13),
                   ft.Text(m["gender"], width=110, size=13), ft.Text(m["ethnicity"], width=140, size=13),
                   ft.Text(m["role"], width=120, size=13)]) for i, m in enumerate(st.member_rows())]
    async def print_book():
        await st.print_book()

    actions = [] if t.deleted else [
        ft.FilledTonalButton(app.t("preview.print_book"), icon=ft.Icons.PRINT, on_click=print_book,
                             tooltip=app.t("preview.print_book_tooltip")),
        ft.OutlinedButton(app.t("common.edit"), icon=ft.Icons.EDIT, on_click=lambda: st.open_edit(t.id)),
        ft.OutlinedButton(app.t("common.delete"), icon=ft.Icons.DELETE_OUTLINE, on_click=confirm_delete,
                          style=ft.ButtonStyle(color=ACCENT))]
    return ft.Column([
        header(t.name, app.t("team.detail_subtitle"), actions=actions, back=lambda: st.back(),
               back_label=app.t("common.back")),
        warnings_box(warnings) if warnings else ft.Container(
            ft.Row([ft.Icon(ft.Icons.CHECK_CIRCLE, color="#2E7D32", size=18),
                    ft.Text(app.t("team.ok"), color="#2E7D32", size=13)]), padding=6),
        ft.Checkbox(label=app.t("teams.minority_area"), value=st.minority_area, disabled=bool(t.deleted),
                    on_change=lambda e: st.set_minority_area(e.control.value)),
        ft.Row([
            card(ft.Column([section_title(app.t("detail.info")), *rows], spacing=8), expand=2),
            card(ft.Column([section_title(app.t("team.section.members") + f" ({len(mem)})"), head,
                            ft.Divider(height=1, color="#E3E8EF"),
                            *(mem or [ft.Text(app.t("team.no_members"), color=MUTED)])], spacing=8), expand=3),
        ], vertical_alignment=ft.CrossAxisAlignment.START, spacing=14),
    ], spacing=12, expand=True, scroll=ft.ScrollMode.AUTO)


@ft.component
def TeamsView(app, st):
    show, set_show = ft.use_state(False)

    def yes():
        set_show(False)
        st.delete()

    ft.use_dialog(ft.AlertDialog(
        modal=True, title=ft.Text(app.t("team.delete_title")),
        content=ft.Text(app.t("team.delete_text", name=st.instance.name if st.instance else "")),
        actions=[ft.TextButton(app.t("common.cancel"), on_click=lambda: set_show(False)),
                 ft.FilledButton(app.t("common.delete"), on_click=yes,
                                 style=ft.ButtonStyle(bgcolor=ACCENT, color=ft.Colors.WHITE))],
        on_dismiss=lambda: set_show(False)) if show else None)
    if st.mode == "form":
        return _form(app, st)
    if st.mode == "detail":
        return _detail(app, st, lambda: set_show(True))
    st.ensure_loaded()
    return _list(app, st)
