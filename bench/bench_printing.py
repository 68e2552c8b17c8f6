"""Printing benchmarks: one case slip, a 1,000-slip batch PDF, the province-year tally over 1,000,000 records.

    .venv/bin/python -m bench.run --quick --only 'printing.*'

Names are looked up at run time (services.printing.print_documents, services.reports.tally.compute,
services.reports.periods.custom); a missing one makes the benchmark "not available yet". Slips print from a private copy
of a demo database (printing writes audit entries); the tally reads the cached database.
"""
from __future__ import annotations

import datetime as dt

from bench.common import benchmark, fig, latency_figures, require, resolve, scale_label, timed
from bench.datasets import demo_data_dir, working_copy


def _slip_ids(limit: int) -> list[str]:
    from models.records import LegalAidCase
    q = (LegalAidCase.select(LegalAidCase.id).where(LegalAidCase.deleted == False)  # noqa: E712
         .order_by(LegalAidCase.received_date.desc()).limit(limit))
    return [r.id for r in q]


@benchmark("printing.slips", area="printing", runs=(1, 3), timeout=(150, 1800))
def slips(ctx):
    """Case slip PDF p50/p95 and a batch of case slips in one PDF (50 quick, 1,000 full)."""
    require("services.printing:print_documents", "services.data_dir.app:open_data_dir")
    print_documents = resolve("services.printing:print_documents")
    batch = 50 if ctx.quick else 1000
    src = demo_data_dir(10_000 if ctx.quick else 100_000)
    if "dir" not in ctx.state:
        ctx.state["dir"] = working_copy(src, ctx.workdir, "print")
        resolve("services.data_dir.app:open_data_dir")(ctx.state["dir"])
    ids = _slip_ids(max(batch, 30))
    if len(ids) < batch:
        ctx.note(f"only {len(ids)} legal-aid cases in the demo database; batch printed {len(ids)} slips")
    singles = [timed(print_documents, "case-slip", [i]) for i in ids[:20 if ctx.quick else 30]]
    t_batch = timed(print_documents, "case-slip", ids[:batch])
    out = latency_figures("case_slip", singles)
    out[f"batch_{len(ids[:batch])}_slips_s"] = fig(round(t_batch, 3), "s")
    out["batch_ms_per_slip"] = fig(round(t_batch * 1000 / len(ids[:batch]), 2), "ms")
    return out


def _tally(ctx, n: int):
    require("services.reports.tally:compute", "services.reports.periods:custom", "services.data_dir.app:open_data_dir")
    compute, custom = resolve("services.reports.tally:compute"), resolve("services.reports.periods:custom")
    src = demo_data_dir(n)
    if "open" not in ctx.state:
        resolve("services.data_dir.app:open_data_dir")(src)
        ctx.state["open"] = True
    from models.records import DisseminationEvent
    last = DisseminationEvent.select(DisseminationEvent.date).order_by(DisseminationEvent.date.desc()).limit(1).scalar()
    year = (last or dt.date.today()).year - 1          # the last complete year of the demo's two years
    period = custom(f"{year}-01-01", f"{year}-12-31")
    times = [timed(compute, period, province="22") for _ in range(3)]
    out = {"province_year_tally_s": fig(round(sorted(times)[1], 4), "s")}
    try:   # rendering only (record_output would also write an audit entry into the cached database)
        render = resolve("services.reports.tally.renderers:tally_pdf")
    except Exception:  # noqa: BLE001
        render = None
    if render is not None:
        data = compute(period, province="22")
        t = [timed(render, data, ctx.workdir / "tally.pdf") for _ in range(3)]
        out["province_year_tally_pdf_render_s"] = fig(round(sorted(t)[1], 4), "s")
    return out


for _n, _modes in ((10_000, ("quick",)), (1_000_000, ("full",))):
    benchmark(f"printing.tally@{scale_label(_n)}", area="printing", modes=_modes, runs=(1, 3),
              timeout=(150, 2400), description=f"Province-year tally (previous year beside it) at {_n:,} records"
              )(lambda ctx, n=_n: _tally(ctx, n))
