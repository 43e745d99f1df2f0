"""Draw a chart with :mod:`belonging.plots` and keep it as PNG bytes for the report model.

Figures are made with ``matplotlib.figure.Figure`` directly (not pyplot), so report rendering keeps
no figure registry and is safe in worker processes.
"""

from __future__ import annotations

import contextvars
import io
import time

from belonging.report.model import Figure

__all__ = ["CHART_SECONDS", "DPI", "chart"]

DPI = 120
#: When set to a list, :func:`chart` appends the seconds each chart took (for benchmarks).
CHART_SECONDS: contextvars.ContextVar = contextvars.ContextVar("belonging_chart_seconds", default=None)


def chart(plot, *args, alt: str, caption: str = "", width: float = 7.0, height: float = 3.2, **kwargs) -> Figure:
    """Call ``plot(*args, ax=ax, **kwargs)`` on a fresh Figure and return it as a PNG :class:`Figure`."""
    import matplotlib.figure

    from belonging.plots.style import house_style

    start = time.perf_counter()
    with house_style():
        fig = matplotlib.figure.Figure(figsize=(width, height), dpi=100)
        ax = fig.add_subplot()
        plot(*args, ax=ax, **kwargs)
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=DPI, bbox_inches="tight", metadata={"Software": None})
    timings = CHART_SECONDS.get()
    if timings is not None:
        timings.append(time.perf_counter() - start)
    return Figure(data=buf.getvalue(), alt=alt, caption=caption, mime="image/png")
