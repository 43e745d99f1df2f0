"""Questions about every cell of an Arrow-backed text column, answered from its buffers.

A pandas ``str``/``string`` column backed by Arrow keeps each chunk as an offsets buffer and one UTF-8
data buffer. The first and last byte of every cell are then a gather each, with no Python string per
cell: enough to tell that no cell starts like a spreadsheet formula, or that no cell has a space
(or any character that may be one) at either end, which spares trimming a million strings.
"""

from __future__ import annotations

__all__ = ["arrow_chunks", "edge_bytes", "may_be_space", "may_need_trimming"]


def arrow_chunks(series):
    """The Arrow chunks of a text Series, or None when it is not Arrow-backed."""
    import pandas as pd

    dtype = series.dtype
    arrow = getattr(series.array, "__arrow_array__", None)
    backed = getattr(dtype, "storage", None) == "pyarrow" or (isinstance(dtype, pd.ArrowDtype) and pd.api.types.is_string_dtype(dtype))
    if arrow is None or not backed:
        return None
    import pyarrow as pa

    return pa.chunked_array(arrow()).chunks


def edge_bytes(chunk, *, last: bool = True):
    """``(first, last, filled)`` for an Arrow string array: each cell's first and last byte, and
    whether it has any. The bytes of empty and missing cells are arbitrary: mask them with `filled`.
    With ``last=False`` the second item is None (one gather fewer)."""
    import numpy as np
    import pyarrow as pa

    n = len(chunk)
    buffers = chunk.buffers()
    offsets, data = buffers[1], buffers[2]
    kind = np.int64 if pa.types.is_large_string(chunk.type) or pa.types.is_large_binary(chunk.type) else np.int32
    bounds = np.frombuffer(offsets, dtype=kind)[chunk.offset : chunk.offset + n + 1] if offsets is not None else np.zeros(n + 1, kind)
    body = np.frombuffer(data, dtype=np.uint8) if data is not None else np.zeros(0, np.uint8)
    starts, ends = bounds[:-1], bounds[1:]
    filled = ends > starts
    if chunk.null_count:
        filled &= chunk.is_valid().to_numpy(zero_copy_only=False)
    if not len(body):
        zero = np.zeros(n, dtype=np.uint8)
        return zero, (zero if last else None), np.zeros(n, dtype=bool)
    top = len(body) - 1
    first = body[np.minimum(starts, top)]
    final = body[np.clip(ends - 1, 0, top)] if last else None
    return first, final, filled


def may_be_space(byte):
    """Where a UTF-8 byte (array) may belong to a white-space character.

    An ASCII control or space character (<= 0x20) or part of a multi-byte character (>= 0x80, which may
    be a Unicode space such as U+00A0); any other byte is printable ASCII, never white space.
    """
    return (byte <= 0x20) | (byte >= 0x80)


def may_need_trimming(chunks) -> bool:
    """Whether some cell of the Arrow string `chunks` may start or end with white space.

    True when a cell's first or last byte :func:`may_be_space`; False proves that trimming would
    change no cell.
    """
    import numpy as np

    for chunk in chunks:
        first, last, filled = edge_bytes(chunk)
        if np.any(filled & (may_be_space(first) | may_be_space(last))):
            return True
    return False
