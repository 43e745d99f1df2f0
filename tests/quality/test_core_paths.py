"""check_quality's shortcuts give the same answers: indices off are skipped, reason strings, mapped=."""

import numpy as np
import pandas as pd
import pytest

import belonging as bl
from belonging.quality import careless
from belonging.quality.core import _reason_strings
from belonging.quality.policy import REASONS


@pytest.fixture(scope="module")
def data():
    inst = bl.load_instrument("ccs")
    rng = np.random.default_rng(7)
    trait = rng.normal(size=(400, 1))
    codes = np.clip(np.round(2 + trait + rng.normal(size=(400, 20))), 0, 4)
    codes[rng.random(codes.shape) < 0.03] = np.nan
    codes[:5] = 2  # straight-liners
    frame = pd.DataFrame(codes, columns=list(inst.item_ids))
    frame.insert(0, "response_id", [f"r{i}" for i in range(400)])
    return frame, inst


def test_index_turned_off_is_not_computed(data, monkeypatch):
    frame, inst = data

    def boom(*args, **kwargs):
        raise AssertionError("computed although off")

    for name in ("mahalanobis", "irv", "longstring", "pairwise_correlation", "psychsyn", "even_odd"):
        monkeypatch.setattr(careless, name, boom)
    policy = bl.Policy().with_actions(longstring="off", irv="off", mahalanobis="off", even_odd="off", synonyms="off")
    rows = bl.check_quality(frame, inst, policy=policy).rows
    for col in ("longstring", "irv", "mahalanobis_d2", "mahalanobis_p", "even_odd", "psychsyn", "psychant"):
        assert rows[col].isna().all(), col
    assert not rows["reasons"].str.contains("longstring").any()


def test_results_equal_with_and_without_indices_off(data):
    frame, inst = data
    full = bl.check_quality(frame, inst).rows
    part = bl.check_quality(frame, inst, policy=bl.Policy().with_actions(mahalanobis="off")).rows
    pd.testing.assert_series_equal(full["longstring"], part["longstring"])
    pd.testing.assert_series_equal(full["psychsyn"], part["psychsyn"])
    assert full["mahalanobis_p"].notna().any() and part["mahalanobis_p"].isna().all()


def test_mapped_gives_the_same_report(data):
    frame, inst = data
    mapped = bl.map_items(frame, inst)
    a = bl.check_quality(frame, inst)
    b = bl.check_quality(frame, inst, mapped=mapped)
    pd.testing.assert_frame_equal(a.rows, b.rows)
    pd.testing.assert_frame_equal(a.summary, b.summary)


def test_mapped_from_other_data_is_refused(data):
    frame, inst = data
    with pytest.raises(bl.UsageError, match="mapped"):
        bl.check_quality(frame, inst, mapped=bl.map_items(frame.head(10), inst))


def test_reason_strings_join_codes_in_reason_order():
    rng = np.random.default_rng(3)
    masks = {r: rng.random(1000) < 0.2 for r in REASONS[::2]}
    got = _reason_strings(masks)
    expected = [";".join(r for r in REASONS if r in masks and masks[r][i]) for i in range(1000)]
    assert got.tolist() == expected
    assert _reason_strings({}).tolist() == []


def test_shared_moments_give_identical_matrices(data):
    frame, inst = data
    x = frame[list(inst.item_ids)].to_numpy(dtype="float64")
    mo = careless.pairwise_moments(x)
    np.testing.assert_array_equal(careless.pairwise_correlation(x, moments=mo), careless.pairwise_correlation(x))
    np.testing.assert_array_equal(careless.mahalanobis(x, moments=mo), careless.mahalanobis(x))
    cov, n = careless.pairwise_covariance(x, moments=mo)
    expected = pd.DataFrame(x).cov(min_periods=2).to_numpy()  # pairwise-complete, n - 1
    np.testing.assert_allclose(cov, expected, rtol=1e-12)


@pytest.fixture(scope="module")
def ragged():
    """Seeded 5-point answers with 6 % missing cells, empty and single-answer rows, straight-liners."""
    rng = np.random.default_rng(11)
    trait = rng.normal(size=(1000, 1))
    x = np.clip(np.round(3 + trait + rng.normal(size=(1000, 12))), 1, 5)
    x[:, 3] = 6 - x[:, 3]  # one item keyed the other way, so antonym pairs exist
    x[rng.random(x.shape) < 0.06] = np.nan
    x[10] = np.nan
    x[11, 1:] = np.nan
    x[12:20] = 4.0
    return np.asfortranarray(x)


@pytest.mark.parametrize("chunk", [1, 7, 64, 999])
def test_blocks_of_rows_equal_the_whole_matrix(ragged, chunk):
    x, whole = ragged, 10**6
    for name in ("longstring", "irv", "mahalanobis"):
        fn = getattr(careless, name)
        np.testing.assert_allclose(fn(x, chunk_rows=chunk), fn(x, chunk_rows=whole), rtol=1e-12, atol=1e-12, err_msg=name)
    np.testing.assert_allclose(careless.irv(x, splits=3, chunk_rows=chunk), careless.irv(x, splits=3, chunk_rows=whole), rtol=1e-12, atol=1e-12)
    a, b = careless.pairwise_moments(x, chunk_rows=chunk), careless.pairwise_moments(x, chunk_rows=whole)
    for key in ("n", "mean"):  # the raw sums are about a shift taken from the first block, so they differ
        np.testing.assert_allclose(a[key], b[key], rtol=1e-12, atol=1e-12, err_msg=key)
    np.testing.assert_allclose(careless.pairwise_covariance(x, moments=a)[0], careless.pairwise_covariance(x, moments=b)[0], rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(careless.pairwise_correlation(x, chunk_rows=chunk), careless.pairwise_correlation(x, chunk_rows=whole), rtol=1e-12, atol=1e-12)
    for anto in (False, True):
        got = careless.psychsyn(x, critval=0.3, antonyms=anto, chunk_rows=chunk)
        want = careless.psychsyn(x, critval=0.3, antonyms=anto, chunk_rows=whole)
        assert len(want[2]) > 0
        np.testing.assert_allclose(got[0], want[0], rtol=1e-12, atol=1e-12)
        np.testing.assert_array_equal(got[1], want[1])
        np.testing.assert_array_equal(got[2], want[2])


def test_check_quality_in_blocks_equals_one_block(data, monkeypatch):
    frame, inst = data
    frame = frame.copy()
    policy = bl.Policy().with_thresholds(synonyms_critval=0.3, even_odd_min_subscales=2)
    monkeypatch.setattr(careless, "CHUNK_ROWS", 10**6)
    whole = bl.check_quality(frame, inst, policy=policy).rows
    monkeypatch.setattr(careless, "CHUNK_ROWS", 37)
    blocks = bl.check_quality(frame, inst, policy=policy).rows
    assert whole["psychsyn"].notna().any() and whole["even_odd"].notna().any()
    pd.testing.assert_frame_equal(blocks, whole, check_exact=False, rtol=1e-12, atol=1e-12)


def test_chunk_rows_must_be_positive(ragged):
    with pytest.raises(ValueError, match="chunk_rows"):
        careless.irv(ragged, chunk_rows=0)


def test_status_reasons_and_ids_are_plain_text_columns(data):
    frame, inst = data
    rows = bl.check_quality(frame, inst).rows
    expected = pd.Series(["x"]).dtype  # what pandas gives a column of Python strings
    for col in ("response_id", "status", "reasons"):
        assert rows[col].dtype == expected, col
    assert rows["response_id"].tolist() == frame["response_id"].tolist()
    assert set(rows["status"]) <= {"kept", "flagged", "excluded"}


@pytest.mark.parametrize("workers", [2, 3])
def test_threads_give_the_same_numbers(ragged, workers):
    """Blocks shared among threads: every index and moment identical to one thread (block-order sums)."""
    x = ragged
    one = careless._sweep(x, longstring=True, irv=True, moments=True, chunk_rows=50, workers=1)
    many = careless._sweep(x, longstring=True, irv=True, moments=True, chunk_rows=50, workers=workers)
    for key in ("longstring", "longstring_avg", "irv"):
        np.testing.assert_array_equal(many[key], one[key], err_msg=key)
    for key, value in one["moments"].items():
        np.testing.assert_array_equal(many["moments"][key], value, err_msg=key)
    np.testing.assert_array_equal(
        careless.mahalanobis(x, chunk_rows=50, workers=workers), careless.mahalanobis(x, chunk_rows=50, workers=1)
    )
    got = careless.psychsyn(x, critval=0.3, chunk_rows=50, workers=workers)
    want = careless.psychsyn(x, critval=0.3, chunk_rows=50, workers=1)
    np.testing.assert_array_equal(got[0], want[0])
    # the sweep gives what the single-index functions give
    np.testing.assert_array_equal(many["irv"], careless.irv(x))
    np.testing.assert_array_equal(many["longstring"], careless.longstring(x)[0])


def test_indices_beside_the_other_checks_give_the_same_report(data, monkeypatch):
    """Large data: the careless indices run on a worker thread beside the other checks (and their
    blocks on several threads); the report, notes included, is the one the serial route gives."""
    from belonging.quality import core

    frame, inst = data
    policy = bl.Policy().with_thresholds(synonyms_critval=0.3, even_odd_min_subscales=2)
    monkeypatch.setattr(core, "_OVERLAP_FROM", 10**9)
    serial = bl.check_quality(frame, inst, policy=policy)
    monkeypatch.setattr(core, "_OVERLAP_FROM", 1)
    monkeypatch.setattr(careless, "CHUNK_ROWS", 23)
    overlapped = bl.check_quality(frame, inst, policy=policy)
    pd.testing.assert_frame_equal(overlapped.rows, serial.rows, check_exact=False, rtol=1e-12, atol=1e-12)
    pd.testing.assert_frame_equal(overlapped.summary, serial.summary)
    assert overlapped.notes == serial.notes


def test_an_error_in_the_other_checks_waits_for_the_worker(data, monkeypatch):
    """A bad policy column raises as before, and no index computation is left running."""
    import threading

    from belonging.errors import UsageError
    from belonging.quality import core

    frame, inst = data
    monkeypatch.setattr(core, "_OVERLAP_FROM", 1)
    with pytest.raises(UsageError, match="not a column"):
        bl.check_quality(frame, inst, policy={"duplicates": {"columns": ["no_such_column"]}})
    assert not [t for t in threading.enumerate() if t.name.startswith("belonging-indices")]


@pytest.mark.parametrize("chunk", [50, 16_384])
def test_whole_number_codes_in_float32_equal_the_float64_sweep(ragged, chunk):
    """With `codes`, blocks are worked in float32 (exact for whole numbers): the same indices and
    moments as the float64 route, straight-liners' IRV exactly 0."""
    x = ragged
    plain = careless._sweep(x, longstring=True, irv=True, moments=True, chunk_rows=chunk)
    coded = careless._sweep(x, longstring=True, irv=True, moments=True, codes=(1, 5), chunk_rows=chunk)
    np.testing.assert_array_equal(coded["longstring"], plain["longstring"])
    np.testing.assert_array_equal(coded["longstring_avg"], plain["longstring_avg"])
    np.testing.assert_allclose(coded["irv"], plain["irv"], rtol=1e-12, atol=1e-14)
    assert np.all(coded["irv"][12:20] == 0.0)
    np.testing.assert_array_equal(np.isnan(coded["irv"]), np.isnan(plain["irv"]))
    a, b = coded["moments"], plain["moments"]
    np.testing.assert_array_equal(a["n"], b["n"])
    np.testing.assert_allclose(a["mean"], b["mean"], rtol=1e-13)
    np.testing.assert_allclose(careless.pairwise_covariance(x, moments=a)[0], careless.pairwise_covariance(x, moments=b)[0], rtol=1e-12)
    np.testing.assert_allclose(careless.pairwise_correlation(x, moments=a), careless.pairwise_correlation(x, moments=b), rtol=1e-12)
    np.testing.assert_allclose(careless.mahalanobis(x, moments=a), careless.mahalanobis(x, moments=b), rtol=1e-10, equal_nan=True)


@pytest.mark.parametrize(("lo", "hi"), [(-3, 3), (0, 10), (1, 7)])
def test_float32_sweep_on_scales_with_zero_and_negative_codes(lo, hi):
    """The float32 route works on the answers less the scale's minimum: scales from a negative code or
    from 0 give the float64 route's indices and moments too."""
    rng = np.random.default_rng(11)
    x = np.asfortranarray(rng.integers(lo, hi + 1, size=(700, 9)).astype(float))
    x[rng.random(x.shape) < 0.15] = np.nan
    x[:5] = lo  # straight-liners on the lowest code
    plain = careless._sweep(x, longstring=True, irv=True, moments=True, chunk_rows=128)
    coded = careless._sweep(x, longstring=True, irv=True, moments=True, codes=(lo, hi), chunk_rows=128)
    np.testing.assert_array_equal(coded["longstring"], plain["longstring"])
    np.testing.assert_allclose(coded["irv"], plain["irv"], rtol=1e-12, atol=1e-14)
    assert np.all(coded["irv"][:5] == 0.0)
    np.testing.assert_allclose(coded["moments"]["mean"], plain["moments"]["mean"], rtol=1e-13)
    np.testing.assert_allclose(careless.pairwise_covariance(x, moments=coded["moments"])[0],
                               careless.pairwise_covariance(x, moments=plain["moments"])[0], rtol=1e-12, atol=1e-13)


def test_wide_code_ranges_stay_in_float64():
    """A 0-1000 scale would overflow float32's exact integers in a block: the float64 route is taken."""
    rng = np.random.default_rng(3)
    x = np.asfortranarray(rng.integers(0, 1001, size=(300, 6)).astype(float))
    x[5, 2] = np.nan
    plain = careless._sweep(x, irv=True, moments=True)
    coded = careless._sweep(x, irv=True, moments=True, codes=(0, 1000))
    np.testing.assert_array_equal(coded["irv"], plain["irv"])  # the same route, bit for bit
    np.testing.assert_array_equal(coded["moments"]["p"], plain["moments"]["p"])


def test_report_rows_are_the_reports_own(data):
    """Editing the report's table in place neither fails nor reaches the responses."""
    frame, inst = data
    frame = frame.copy()
    frame.insert(0, "source_row", np.arange(1, len(frame) + 1, dtype="int64"))
    rep = bl.check_quality(frame, inst)
    rep.rows.loc[0, "source_row"] = 99
    assert frame["source_row"].iloc[0] == 1


def test_concurrent_callers_leave_blas_as_they_found_it(ragged):
    """The one-thread BLAS limit is shared by overlapping callers: when the first to enter leaves before
    the second, BLAS stays on one thread until the second leaves, then gets its setting back (a limit
    per caller would end with the second restoring the first's one thread)."""
    import threading

    from threadpoolctl import threadpool_info, threadpool_limits

    from belonging import _parallel

    def blas():
        return [i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas"]

    with threadpool_limits(limits=2, user_api="blas"):
        before = blas()
        first, second = _parallel._single_threaded_blas(), _parallel._single_threaded_blas()
        first.__enter__()
        assert set(blas()) == {1}
        second.__enter__()
        first.__exit__(None, None, None)
        assert set(blas()) == {1}  # the second caller still runs
        second.__exit__(None, None, None)
        assert blas() == before

        def call():  # and real concurrent calls end where they began
            for _ in range(10):
                careless.irv(ragged, chunk_rows=64, workers=2)

        threads = [threading.Thread(target=call) for _ in range(3)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert blas() == before


@pytest.mark.parametrize("name", ["pssm", "ccs", "coi", "ubq", "cohesion"])
def test_missing_items_counts_equal_the_row_wise_rule(name):
    """Counted a column at a time into small integers, the answers per row and the scales below their
    minimum equal the row-wise count of a boolean matrix, for totals and every subscale."""
    import math

    from belonging.quality.checks import missing_items

    inst = bl.load_instrument(name)
    k = len(inst.item_ids)
    rng = np.random.default_rng(k)
    x = np.asfortranarray(rng.integers(1, 5, size=(2_000, k)).astype(float))
    x[rng.random(x.shape) < rng.uniform(0.0, 0.6, size=(2_000, 1))] = np.nan  # rows from complete to mostly empty
    x[:3] = np.nan
    mask, n_answered = missing_items(x, inst)
    answered = ~np.isnan(x)
    pos = {i: j for j, i in enumerate(inst.item_ids)}
    want = np.zeros(len(x), dtype=bool)
    for members in inst.scales().values():
        cols = [pos[m] for m in members]
        want |= answered[:, cols].sum(axis=1) < max(1, math.ceil(len(cols) * inst.scoring.min_answered - 1e-9))
    np.testing.assert_array_equal(n_answered, answered.sum(axis=1))
    assert n_answered.dtype == np.int64
    np.testing.assert_array_equal(mask, want)
    assert mask[:3].all() and not mask.all()


@pytest.mark.parametrize("k", [1, 2, 3, 18])
def test_longstring_equals_a_run_length_count(k):
    """Longest and average run against a plain run-length count of every row (NaN ends a run and is a
    run of its own, as R's rle treats it), for few and many items, whole-number codes in float32 or not."""
    rng = np.random.default_rng(k)
    x = np.asfortranarray(rng.integers(1, 4, size=(500, k)).astype(float))
    x[rng.random(x.shape) < 0.2] = np.nan
    x[0] = 2.0  # a straight line
    x[1] = np.nan  # nothing answered

    def runs(row):
        lengths, prev = [], object()
        for v in row:
            if lengths and not np.isnan(v) and v == prev:
                lengths[-1] += 1
            else:
                lengths.append(1)
            prev = v
        return lengths

    want = [runs(row) for row in x]
    for codes in (None, (1, 3)):
        got = careless._sweep(x, longstring=True, codes=codes, chunk_rows=64)
        np.testing.assert_array_equal(got["longstring"], [max(r) for r in want])
        np.testing.assert_allclose(got["longstring_avg"], [k / len(r) for r in want], rtol=1e-15)


def test_strictly_increasing_ids_across_chunk_boundaries():
    """The ascending-id shortcut of the duplicate check is judged chunk by chunk and across each chunk
    boundary: a repeat or a step down at a boundary, inside a chunk, or an empty chunk in between is told
    apart from a strictly ascending column, as a sort of the combined column tells it."""
    import pandas as pd
    import pyarrow as pa

    from belonging.quality.checks import _strictly_increasing

    def series(*chunks):
        return pd.Series(pd.arrays.ArrowStringArray(pa.chunked_array([pa.array(c, pa.large_string()) for c in chunks], pa.large_string())))

    cases = [
        (["a", "b"], ["c", "d"]),
        (["a", "b"], [], ["c"]),
        (["a", "b"], ["b", "c"]),  # repeat across the boundary
        (["a", "c"], ["b", "d"]),  # step down across the boundary
        (["a", "a"], ["b"]),  # repeat inside a chunk
        (["a"],),
        ([], ["a", "b"]),
    ]
    for chunks in cases:
        flat = [v for c in chunks for v in c]
        want = all(b > a for a, b in zip(flat, flat[1:]))
        assert _strictly_increasing(series(*chunks)) is want, chunks
    assert _strictly_increasing(pd.Series(["a", None, "c"], dtype="string")) is False
