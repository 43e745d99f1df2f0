"""Small-cell and complementary suppression over count tables."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from belonging.errors import UsageError
from belonging.report.suppression import suppress_counts, suppress_small


def test_primary_cells_below_threshold():
    mask = suppress_counts(np.array([[3, 50, 40], [20, 30, 0]]), min_cell=10, margins=())
    np.testing.assert_array_equal(mask, [[True, False, False], [False, False, False]])


def test_single_hidden_cell_in_a_row_gets_a_complement():
    # row total 93 is published: 3 alone could be recovered as 93 - 50 - 40
    mask = suppress_counts(np.array([[3, 50, 40]]), min_cell=10, margins=("rows",))
    np.testing.assert_array_equal(mask, [[True, False, True]])  # 40 is the next smallest


def test_complement_propagates_to_a_fixed_point():
    counts = pd.DataFrame([[3, 50, 40], [25, 30, 45], [60, 12, 70]], index=list("abc"), columns=list("xyz"))
    mask = suppress_counts(counts, min_cell=10)
    assert isinstance(mask, pd.DataFrame) and list(mask.index) == list("abc")
    # row a: 3 primary -> 40 complement; column x: 3 alone -> 25; column z: 40 alone -> 45;
    # row b: 25 and 45 hidden (two) -> done; every line now has 0 or >= 2 hidden cells
    m = mask.to_numpy()
    assert m[0, 0] and m[0, 2] and m[1, 0] and m[1, 2]
    for line in list(m) + list(m.T):
        assert line.sum() != 1
    # nothing is hidden without need
    assert not m[2].any() and not m[:, 1].any()


def test_one_column_of_group_sizes_with_a_grand_total():
    sizes = pd.Series([120, 4, 35, 60], index=["a", "b", "c", "d"])
    mask = suppress_counts(sizes, min_cell=10, margins=("columns",))
    assert isinstance(mask, pd.Series)
    assert mask.to_dict() == {"a": False, "b": True, "c": True, "d": False}


def test_prefers_a_non_zero_complement():
    mask = suppress_counts(np.array([[5, 0, 30, 20]]), min_cell=10, margins=("rows",))
    np.testing.assert_array_equal(mask, [[True, False, False, True]])


def test_zero_cells_shown_unless_asked():
    assert not suppress_counts(np.array([[0, 20]]), margins=()).any()
    assert suppress_counts(np.array([[0, 20]]), margins=(), suppress_zeros=True)[0, 0]


def test_suppress_small_treats_missing_as_suppressed():
    np.testing.assert_array_equal(suppress_small([9, 10, np.nan], 10), [True, False, True])


@pytest.mark.parametrize("bad", [[[-1, 3]], [[np.nan, 3]]])
def test_rejects_bad_counts(bad):
    with pytest.raises(UsageError, match="non-negative"):
        suppress_counts(np.array(bad, dtype=float))


@pytest.mark.parametrize("min_cell", [0, 2.5, True])
def test_rejects_bad_min_cell(min_cell):
    with pytest.raises(UsageError, match="min_cell"):
        suppress_counts(np.array([[1, 2]]), min_cell=min_cell)


@settings(max_examples=200, deadline=None)
@given(arrays(np.int64, st.tuples(st.integers(1, 6), st.integers(1, 6)), elements=st.integers(0, 40)),
       st.integers(1, 15))
def test_no_line_has_a_single_hidden_cell(counts, min_cell):
    mask = suppress_counts(counts, min_cell=min_cell)
    primary = (counts > 0) & (counts < min_cell)
    assert np.all(mask[primary])
    for line in list(mask) + list(mask.T):
        if len(line) > 1:
            assert line.sum() != 1


def _grid(mask, margin=None, *, row_totals=True):
    from belonging.report.suppression import _relations

    r, c = mask.shape
    (R, K), A = _relations(r, c, row_totals=row_totals, column_totals=True)
    grid = np.zeros((R, K), dtype=bool)
    grid[:r, :c] = mask
    if margin is not None:
        grid[r, :c] = margin
    return A, grid.ravel()


def test_two_hidden_per_line_can_still_leak_through_a_bridge():
    """Two 2x2 blocks of hidden cells joined by one hidden cell: every line has two, yet the joining
    cell is a difference of published sums; the audit finds it."""
    from belonging.report.suppression import determined_cells

    mask = np.zeros((4, 4), dtype=bool)
    mask[np.ix_([0, 1], [0, 1])] = True
    mask[np.ix_([2, 3], [2, 3])] = True
    mask[0, 2] = True  # the bridge
    A, hidden = _grid(mask)
    det = determined_cells(A, hidden).reshape(5, 5)[:4, :4]
    assert det[0, 2] and det.sum() == 1


@settings(max_examples=100, deadline=None)
@given(arrays(np.int64, st.tuples(st.integers(1, 5), st.integers(1, 5)), elements=st.integers(0, 30)),
       st.integers(2, 12))
def test_suppress_counts_leaves_no_cell_determined(counts, min_cell):
    from belonging.report.suppression import determined_cells

    mask = suppress_counts(counts, min_cell=min_cell)
    A, hidden = _grid(mask)
    det = determined_cells(A, hidden).reshape(counts.shape[0] + 1, counts.shape[1] + 1)[:-1, :-1]
    # a one-column row or one-row column equals its total and cannot be protected
    if counts.shape[0] > 1 and counts.shape[1] > 1:
        assert not det.any()


@settings(max_examples=100, deadline=None)
@given(arrays(np.int64, st.tuples(st.integers(2, 6), st.integers(2, 5)), elements=st.integers(0, 40)),
       st.integers(2, 12), st.booleans())
def test_protect_table_hides_small_cells_and_leaves_none_determined(counts, min_cell, row_totals):
    from belonging.report.suppression import determined_cells, protect_table

    body = pd.DataFrame(counts)
    cells, margin = protect_table(body, min_cell=min_cell, row_totals=row_totals)
    c = cells.to_numpy()
    assert np.all(c[(counts > 0) & (counts < min_cell)])
    col = counts.sum(axis=0)
    assert np.all(margin.to_numpy()[(col > 0) & (col < min_cell)])
    A, hidden = _grid(c, margin.to_numpy(), row_totals=row_totals)
    if row_totals:  # row totals below min_cell are hidden as well (their cells then are too)
        r = counts.sum(axis=1)
        grid = hidden.reshape(counts.shape[0] + 1, counts.shape[1] + 1)
        grid[:-1, -1] = (r > 0) & (r < min_cell)
        tot = counts.sum()
        grid[-1, -1] = ((tot > 0) & (tot < min_cell)) or margin.attrs["grand_total_hidden"]
        hidden = grid.ravel()
    assert not determined_cells(A, hidden).any()
