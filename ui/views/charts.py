"""Chart axes in the officer's number format: integer ticks labelled like every other number (vi-VN "1.000",
never "166.8"), on a round step so that at most ~6 labels show and none overlap.

    axis, top = value_axis(app, 166.8)     # labels 0, 50, 100, 150, 200; top = 200 (use as max_y)
    fch.BarChart(..., max_y=top, left_axis=axis)
"""
from __future__ import annotations

import flet as ft
import flet_charts as fch

from services.formatting import fmt_int

STEPS = (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 2500, 5000, 10000, 20000, 25000, 50000, 100000)


def nice_step(top: float, ticks: int = 5) -> int:
    """The smallest round step giving at most `ticks` intervals up to `top` (at least 1: integer ticks)."""
    for step in STEPS:
        if top / step <= ticks:
            return step
    return max(1, int(-(-top // ticks)))


def value_axis(app, top: float, ticks: int = 5, label_size: int = 52) -> tuple[fch.ChartAxis, int]:
    """(left axis with explicit integer labels, the chart's max_y: `top` rounded up to a whole step)."""
    step = nice_step(max(float(top or 0), 1.0), ticks)
    upper = int(-(-max(float(top or 0), 1.0) // step) * step)
    labels = [fch.ChartAxisLabel(value=v, label=ft.Text(fmt_int(v, app.lang), size=10))
              for v in range(0, upper + 1, step)]
    return fch.ChartAxis(labels=labels, label_size=label_size), upper
