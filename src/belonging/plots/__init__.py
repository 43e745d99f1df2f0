"""Charts in one colour-blind-safe house style.

Every function takes ``ax=`` (drawing on new Axes when it is None) and returns the Axes; none changes
global matplotlib settings, shows a window or saves a file. Saving belongs to the report and the CLI.
:mod:`belonging.plots.svg` draws the same charts straight to SVG text for reports.
"""

from belonging.plots.distributions import plot_distribution
from belonging.plots.effects import plot_forest, plot_group_means
from belonging.plots.items import plot_item_analysis
from belonging.plots.likert import likert_counts, likert_rows, plot_likert
from belonging.plots.style import STYLE, house_style
from belonging.plots.trends import plot_trend

__all__ = [
    "STYLE",
    "house_style",
    "likert_counts",
    "likert_rows",
    "plot_distribution",
    "plot_forest",
    "plot_group_means",
    "plot_item_analysis",
    "plot_likert",
    "plot_trend",
]
