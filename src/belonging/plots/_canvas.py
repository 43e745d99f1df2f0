"""A small SVG canvas for the vector charts of :mod:`belonging.plots.svg`.

Elements are collected as text and joined once; every string from the data is escaped for XML (and
characters XML cannot hold are replaced), so a label can never become markup. Text is kept as SVG
``<text>`` (searchable, selectable, read by assistive technology, sharp at any size). Widths of text
are measured with the advance widths of DejaVu Sans, the font matplotlib ships and the reports name
first, so labels are laid out without a drawing library.
"""

from __future__ import annotations

import functools
import math
import re

__all__ = ["FONT_FAMILY", "Canvas", "nice_ticks", "text_width", "xml_text"]

FONT_FAMILY = "DejaVu Sans, Liberation Sans, Arial, sans-serif"
INK = "#1f2328"
MUTED = "#4d5660"  # 7.4:1 on white
RULE = "#8c959f"

# C0 controls other than tab and newline, lone surrogates and U+FFFE/U+FFFF are not allowed in XML.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_BIDI = re.compile("[\u202a-\u202e\u2066-\u2069]")  # embedding and isolate controls: shown as text order only


def xml_text(value) -> str:
    """`value` as text safe inside an SVG element or a double-quoted attribute.

    Examples
    --------
    >>> from belonging.plots._canvas import xml_text
    >>> xml_text('<script>alert("x")</script> & \\x07')
    '&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; \\ufffd'
    """
    text = _BIDI.sub("", _NOT_XML.sub("\ufffd", str(value)))
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


@functools.cache
def _font(bold: bool):
    import os

    import matplotlib
    from matplotlib import ft2font

    name = "DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf"
    font = ft2font.FT2Font(os.path.join(matplotlib.get_data_path(), "fonts", "ttf", name))
    font.set_size(100, 72)  # 100 pixels per em: advances come back in hundredths of an em
    flags = ft2font.LoadFlags.NO_HINTING if hasattr(ft2font, "LoadFlags") else ft2font.LOAD_NO_HINTING
    return font, flags


@functools.lru_cache(maxsize=4096)
def _advance(char: str, bold: bool) -> float:
    """Advance width of `char` in em (0.6 em for a character the font lacks)."""
    font, flags = _font(bold)
    try:
        if not font.get_char_index(ord(char)):
            return 0.6
        return font.load_char(ord(char), flags=flags).linearHoriAdvance / 65536 / 100
    except (RuntimeError, ValueError, OverflowError):
        return 0.6


def text_width(text: str, size: float, *, bold: bool = False) -> float:
    """Width of `text` set in DejaVu Sans at `size` (same units as `size`).

    Examples
    --------
    >>> from belonging.plots._canvas import text_width
    >>> round(text_width("online", 10), 1), text_width("", 10)
    (30.5, 0.0)
    """
    return float(size * sum(_advance(c, bold) for c in str(text)))


def nice_ticks(lo: float, hi: float, target: int = 5) -> list[float]:
    """About `target` round tick values covering [lo, hi] (steps of 1, 2, 2.5 or 5 times a power of 10).

    Examples
    --------
    >>> from belonging.plots._canvas import nice_ticks
    >>> nice_ticks(33.2, 47.9)
    [30.0, 35.0, 40.0, 45.0, 50.0]
    >>> nice_ticks(-0.4, 0.61)
    [-0.5, -0.25, 0.0, 0.25, 0.5, 0.75]
    """
    if not (math.isfinite(lo) and math.isfinite(hi)):
        return [0.0, 1.0]
    if hi <= lo:
        lo, hi = lo - 1.0, hi + 1.0
    raw = (hi - lo) / max(target, 1)
    power = 10.0 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1.0, 2.0, 2.5, 5.0, 10.0) if m * power >= raw)
    start = math.floor(lo / step + 1e-9) * step
    stop = math.ceil(hi / step - 1e-9) * step
    n = int(round((stop - start) / step))
    return [round(start + i * step, 10) + 0.0 for i in range(n + 1)]


def fmt_tick(value: float) -> str:
    """Tick label without needless zeros."""
    return f"{value:.2f}".rstrip("0").rstrip(".") if value != int(value) else f"{int(value)}"


class Canvas:
    """Collects SVG elements in drawing order; :meth:`svg` returns the document.

    Examples
    --------
    >>> from belonging.plots._canvas import Canvas
    >>> c = Canvas(100, 20)
    >>> c.rect(0, 0, 10, 10, fill="#0072B2")
    >>> c.text(12, 10, "a <b>")
    >>> print(c.svg())  # doctest: +NORMALIZE_WHITESPACE
    <svg xmlns="http://www.w3.org/2000/svg" width="100" height="20" viewBox="0 0 100 20" font-family="DejaVu Sans, Liberation Sans, Arial, sans-serif" font-size="11" fill="#1f2328">
    <rect x="0" y="0" width="10" height="10" fill="#0072B2"/>
    <text x="12" y="13.8">a &lt;b&gt;</text>
    </svg>
    """

    def __init__(self, width: float, height: float, *, font_size: float = 11.0):
        self.width = width
        self.height = height
        self.font_size = font_size
        self._parts: list[str] = []

    @staticmethod
    def _n(v: float) -> str:
        return f"{v:.1f}".rstrip("0").rstrip(".") if v != int(v) else f"{int(v)}"

    def rect(self, x, y, w, h, *, fill, stroke=None, dash=None, stroke_width=1.0) -> None:
        extra = f' stroke="{stroke}" stroke-width="{self._n(stroke_width)}"' if stroke else ""
        extra += f' stroke-dasharray="{dash}"' if dash else ""
        self._parts.append(f'<rect x="{self._n(x)}" y="{self._n(y)}" width="{self._n(max(w, 0))}" '
                           f'height="{self._n(max(h, 0))}" fill="{fill}"{extra}/>')

    def line(self, x1, y1, x2, y2, *, stroke=INK, width=1.0, dash=None) -> None:
        extra = f' stroke-dasharray="{dash}"' if dash else ""
        self._parts.append(f'<line x1="{self._n(x1)}" y1="{self._n(y1)}" x2="{self._n(x2)}" y2="{self._n(y2)}" '
                           f'stroke="{stroke}" stroke-width="{self._n(width)}"{extra}/>')

    def circle(self, x, y, r, *, fill, stroke="#ffffff") -> None:
        self._parts.append(f'<circle cx="{self._n(x)}" cy="{self._n(y)}" r="{self._n(r)}" fill="{fill}" stroke="{stroke}"/>')

    def diamond(self, x, y, r, *, fill) -> None:
        pts = f"{self._n(x)},{self._n(y - r)} {self._n(x + r)},{self._n(y)} {self._n(x)},{self._n(y + r)} {self._n(x - r)},{self._n(y)}"
        self._parts.append(f'<polygon points="{pts}" fill="{fill}" stroke="#ffffff"/>')

    def polyline(self, points, *, stroke, width=1.6) -> None:
        pts = " ".join(f"{self._n(x)},{self._n(y)}" for x, y in points)
        self._parts.append(f'<polyline points="{pts}" fill="none" stroke="{stroke}" stroke-width="{self._n(width)}"/>')

    def polygon(self, points, *, fill, opacity=1.0) -> None:
        pts = " ".join(f"{self._n(x)},{self._n(y)}" for x, y in points)
        self._parts.append(f'<polygon points="{pts}" fill="{fill}" fill-opacity="{opacity:g}"/>')

    def text(self, x, y, text, *, anchor="start", size=None, fill=INK, bold=False, italic=False, baseline="middle") -> None:
        attrs = f' text-anchor="{anchor}"' if anchor != "start" else ""
        attrs += f' font-size="{self._n(size)}"' if size else ""
        attrs += f' fill="{fill}"' if fill != INK else ""
        attrs += ' font-weight="bold"' if bold else ""
        attrs += ' font-style="italic"' if italic else ""
        dy = 0.35 * (size or self.font_size) if baseline == "middle" else 0.0
        self._parts.append(f'<text x="{self._n(x)}" y="{self._n(y + dy)}"{attrs}>{xml_text(text)}</text>')

    def svg(self) -> str:
        head = (f'<svg xmlns="http://www.w3.org/2000/svg" width="{self._n(self.width)}" height="{self._n(self.height)}" '
                f'viewBox="0 0 {self._n(self.width)} {self._n(self.height)}" font-family="{FONT_FAMILY}" '
                f'font-size="{self._n(self.font_size)}" fill="{INK}">')
        return "\n".join([head, *self._parts, "</svg>"])
