"""Generate the synthetic sample survey in data/sample/ (fixed seed, deterministic, vectorised).

Run from the repository root::

    python data/sample/generate.py                    # rewrites data/sample/survey.csv and roster.csv
    python data/sample/generate.py --out DIR          # writes DIR/survey.csv and DIR/roster.csv
    python data/sample/generate.py --truth truth.csv  # also the per-response truth (latents, careless type)

The data are invented. Every student, address and comment is synthetic; no real person is described.
The true effects below are the parameters of the generating model; data/sample/README.md explains them.

Model in one paragraph: each student has a cohort (program x intake term), a course section and a
participation mode; each response (a student in a wave) gets participation counts for the four weeks
before it, a true teaching-presence level (COI mean scale, 1-5) and a true expected CCS connectedness and
learning subscale sum (0-40 each) from a linear model with the effects in TRUE_EFFECTS plus a section
random effect and person and occasion residuals. Item answers then come from a graded response model
whose latent trait is chosen so that the *expected* subscale sum equals that linear predictor exactly
(the model's test characteristic curve is inverted numerically), so the effects hold on the scale of the
CCS total score. Reverse-keyed items are written reversed. Missingness, careless responders and
duplicates are added last.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd

SEED = 20261128

# ---------------------------------------------------------------------------------------------------
# True effects, on the scale of the CCS total score (sum of 20 items coded 0-4, range 0-80).
# Divide by 20 for the CCS mean item (0-4). Each effect is split between the connectedness and learning
# subscales (0-40 each) by CONNECTEDNESS_SHARE; the total effect is the sum of the two parts.
# Mode, participation and demographic effects are conditional effects (the coefficients of the
# generating linear model, other predictors held fixed). Reference levels: in_person, fixed learning
# path, not first generation, domestic, age 18-20, start wave.
# ---------------------------------------------------------------------------------------------------
TRUE_EFFECTS = {
    "intercept": 46.0,  # reference levels, zero participation, teaching presence at its centre
    "mode": {"online_sync": -3.0, "hybrid": -2.0, "online_async": -8.0},  # vs in_person, at 0 breakouts
    "breakout_per_session": 0.8,  # per breakout (small-group) session in the 4 weeks before the response
    "async_x_breakout_per_session": 0.6,  # extra per session for online_async: the gap closes by 0.6/session
    "forum_per_post": 0.25,  # per forum post in the 4 weeks before the response
    "chat_per_message": 0.0,  # null effect: chat volume does not matter once the rest is held fixed
    "live_per_hour": 0.0,  # null effect: live video hours
    "support_per_contact": 0.4,  # per feedback/support contact
    "teaching_presence_per_point": 4.0,  # per point of the TRUE COI teaching-presence mean (1-5)
    "teaching_presence_centre": 3.55,
    "learning_path_personalised": 1.5,  # personalised/self-paced vs fixed schedule
    "first_gen": -2.0,
    "international": -2.5,
    "age_band": {"21-24": 0.0, "25-34": -1.0, "35+": -2.0},  # vs 18-20
    "wave_change": {"in_person": 2.0, "hybrid": 1.0, "online_sync": 0.0, "online_async": -2.5},  # end - start
    "section_sd": 2.5,  # section random intercept (SD, total-score points)
    "person_sd": 6.44,  # SD of the stable person part of the total (connectedness + learning)
    "occasion_sd": 3.68,  # SD of the wave-specific part of the total
}

# Share of each effect that goes to the connectedness subscale (the rest goes to learning).
CONNECTEDNESS_SHARE = {
    "intercept": 0.5,
    "mode": 0.6,
    "breakout_per_session": 0.75,
    "async_x_breakout_per_session": 0.75,
    "forum_per_post": 0.75,
    "support_per_contact": 0.25,
    "teaching_presence_per_point": 0.35,
    "learning_path_personalised": 0.2,
    "first_gen": 0.5,
    "international": 0.6,
    "age_band": 0.6,
    "wave_change": 0.5,
    "section": 0.5,
}

# Subscale residuals (each subscale, total-score points): person part and occasion part, correlated
# between the two subscales. Their sums give person_sd and occasion_sd above.
RESIDUALS = {"person_sd": 3.6, "person_r": 0.6, "occasion_sd": 2.2, "occasion_r": 0.4}

# COI (Community of Inquiry) presences, true values on the COI mean-item scale (1-5).
TRUE_COI = {
    "teaching_mean": 3.55,
    "teaching_mode": {"in_person": 0.0, "hybrid": -0.05, "online_sync": -0.10, "online_async": -0.30},
    "teaching_section_sd": 0.30,  # the educator: section-level teaching presence
    "teaching_person_sd": 0.50,
    "teaching_occasion_sd": 0.20,
    "social_mean": 3.35,
    "social_per_connectedness_point": 0.055,  # per point of the connectedness subscale linear predictor
    "social_sd": 0.35,
    "cognitive_mean": 3.50,
    "cognitive_per_teaching_point": 0.45,
    "cognitive_per_learning_point": 0.03,
    "cognitive_sd": 0.35,
}

MODES = ("in_person", "hybrid", "online_sync", "online_async")
AGE_BANDS = ("18-20", "21-24", "25-34", "35+")

# program, code, mode probabilities (in MODES order), age-band probabilities
PROGRAMS = {
    "BSc Psychology": ("PSY", (0.40, 0.25, 0.20, 0.15), (0.45, 0.35, 0.14, 0.06)),
    "BSc Computer Science": ("CS", (0.30, 0.25, 0.25, 0.20), (0.45, 0.37, 0.13, 0.05)),
    "BA Education": ("EDU", (0.35, 0.30, 0.15, 0.20), (0.35, 0.30, 0.22, 0.13)),
    "BSc Nursing": ("NUR", (0.55, 0.25, 0.10, 0.10), (0.35, 0.30, 0.23, 0.12)),
    "MSc Data Science": ("DS", (0.05, 0.15, 0.35, 0.45), (0.00, 0.40, 0.42, 0.18)),
    "MA Museum Studies": ("MUS", (0.50, 0.30, 0.10, 0.10), (0.00, 0.45, 0.35, 0.20)),
}

# cohort = program x intake term: enrolled head count and number of course sections
COHORTS = (
    ("BSc Psychology", "2025-Fall", 560, 8),
    ("BSc Psychology", "2026-Spring", 420, 6),
    ("BSc Computer Science", "2025-Fall", 520, 8),
    ("BSc Computer Science", "2026-Spring", 340, 6),
    ("BA Education", "2025-Fall", 380, 6),
    ("BSc Nursing", "2026-Spring", 260, 4),
    ("MSc Data Science", "2025-Fall", 200, 4),
    ("MSc Data Science", "2026-Spring", 30, 1),
    ("MA Museum Studies", "2026-Spring", 9, 1),  # fewer than 10 respondents: small-cell suppression
)

# Survey windows, local time (Europe/Amsterdam) and its UTC offset in that window (no DST change inside).
WINDOWS = {
    ("2025-Fall", "start"): ("2025-10-06", 14, "+02:00"),
    ("2025-Fall", "end"): ("2025-12-08", 12, "+01:00"),
    ("2026-Spring", "start"): ("2026-02-23", 12, "+01:00"),
    ("2026-Spring", "end"): ("2026-06-08", 12, "+02:00"),
}

P_START = 0.90  # a student answers the start-of-term survey
P_END_GIVEN_START = {"in_person": 0.65, "hybrid": 0.60, "online_sync": 0.58, "online_async": 0.50}
P_END_GIVEN_NO_START = 0.35

# Participation in the 4 weeks before a response: negative-binomial means by mode (MODES order).
PARTICIPATION_MEANS = {
    "forum_posts": (1.5, 3.0, 4.0, 6.0),
    "chat_messages": (2.0, 12.0, 25.0, 5.0),
    "breakout_sessions": (4.0, 3.5, 5.0, 2.5),
    "support_contacts": (1.2, 1.4, 1.5, 1.8),
}
LIVE_HOURS_MEAN = (0.3, 6.0, 12.0, 1.0)  # gamma means by mode
P_PERSONALISED = (0.15, 0.30, 0.35, 0.60)  # by mode

CARELESS = {"straight_line": 24, "speeder": 18, "exact_duplicate": 2, "resubmission": 1}
P_UNFINISHED = 0.025

# Item specifications (mirror src/belonging/instruments/definitions/ccs.toml and coi.toml;
# tests/test_sample_data.py checks that they agree).
CCS_ITEMS = tuple(f"ccs_{j:02d}" for j in range(1, 21))
CCS_REVERSE = frozenset(f"ccs_{j:02d}" for j in (4, 5, 8, 9, 10, 12, 14, 17, 18, 20))
CCS_SUBSCALE = {i: ("connectedness" if j % 2 == 1 else "learning") for j, i in enumerate(CCS_ITEMS, start=1)}
CCS_MIN, CCS_MAX = 0, 4
COI_ITEMS = tuple(f"coi_{j:02d}" for j in range(1, 35))
COI_SUBSCALE = {i: ("teaching" if j <= 13 else "social" if j <= 22 else "cognitive") for j, i in enumerate(COI_ITEMS, start=1)}
COI_MIN, COI_MAX = 1, 5

COMMENTS = (
    "Breakout rooms helped me get to know people.",
    "I miss seeing my classmates in person.",
    "The forum was quiet, so I stopped posting.",
    "Feedback came quickly, which helped a lot.",
    'Group work was "optional" but really it was essential.',
    "Hard to keep up with the live sessions because of my job.",
    "The instructor knew our names, even online.",
    "Self-paced suits me, but I feel on my own.",
    "More chances to talk, please; the lectures are fine.",
    "I didn't know anyone in my section.\nIt got better after week 5.",
    "Timezone makes live sessions at 06:00 for me.",
    "Good course, too much reading.",
)

ALPHANUM = np.array(list("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"))
BASE32 = np.array(list("ABCDEFGHJKLMNPQRSTUVWXYZ23456789"))


def _codes(rng, n, alphabet, width):
    """`n` random strings of `width` characters from `alphabet` (vectorised)."""
    chars = alphabet[rng.integers(0, len(alphabet), size=(n, width))]
    return np.ascontiguousarray(chars).view(f"<U{width}").ravel()


def _negbin(rng, mean, size=1.5, mult=1.0):
    """Negative-binomial counts with the given means (shape `size`), scaled by `mult`."""
    mu = np.asarray(mean, dtype=float) * mult
    return rng.negative_binomial(size, size / (size + mu))


def _item_parameters(rng, n_items, n_cat, shift):
    """Graded-response discriminations (n_items,) and ordered thresholds (n_items, n_cat - 1)."""
    a = rng.uniform(1.3, 2.4, size=n_items)
    base = np.linspace(-1.8, 1.4, n_cat - 1)
    loc = rng.normal(shift, 0.25, size=n_items)
    b = loc[:, None] + base[None, :] + rng.normal(0, 0.08, size=(n_items, n_cat - 1))
    return a, np.sort(b, axis=1)


def _expected_sum(theta, a, b):
    """Test characteristic curve: expected sum of (code - min) over items at each theta."""
    z = a[None, :, None] * (theta[:, None, None] - b[None, :, :])
    return (1.0 / (1.0 + np.exp(-z))).sum(axis=(1, 2))


def _theta_for(target, a, b):
    """Latent theta whose expected item sum equals `target` (inverse of the monotone curve)."""
    grid = np.linspace(-7.0, 7.0, 4001)
    curve = _expected_sum(grid, a, b)
    return np.interp(target, curve, grid)


def _graded(rng, theta, a, b):
    """Graded-response answers (codes counted from 0) for persons x items."""
    z = a[None, :, None] * (theta[:, None, None] - b[None, :, :])
    p = 1.0 / (1.0 + np.exp(-z))  # P(X >= k), k = 1..m, decreasing in k
    u = rng.random(size=theta.shape + (a.shape[0],))
    return (u[:, :, None] < p).sum(axis=2)


def _bivariate(rng, n, sd, r):
    """`n` pairs of normal values with SD `sd` and correlation `r` (elementwise; no LAPACK, so the
    draws are the same on every machine)."""
    z = rng.standard_normal(size=(n, 2))
    return sd * np.column_stack([z[:, 0], r * z[:, 0] + np.sqrt(1.0 - r * r) * z[:, 1]])


def _format_times(local_seconds, offsets):
    stamps = pd.to_datetime(np.round(local_seconds).astype("int64"), unit="s")
    return pd.Series(stamps.strftime("%Y-%m-%dT%H:%M:%S")).str.cat(pd.Series(offsets))


def _students(rng):
    """One row per enrolled student: cohort, section, mode, demographics, stable latent parts."""
    rows = []
    section_names = []
    for program, term, enrolled, n_sections in COHORTS:
        code = PROGRAMS[program][0]
        term_code = term[2:4] + term[5]
        names = [f"{code}-{term_code}-{s:02d}" for s in range(1, n_sections + 1)]
        section_names.extend(names)
        rows.append(pd.DataFrame({"program": program, "term": term, "cohort": f"{program} {term}", "n_sections": n_sections, "first_section": len(section_names) - n_sections}, index=range(enrolled)))
    st = pd.concat(rows, ignore_index=True)
    n = len(st)
    st["section"] = np.array(section_names)[st["first_section"].to_numpy() + (rng.random(n) * st["n_sections"].to_numpy()).astype(int)]
    mode_p = np.array([PROGRAMS[p][1] for p in st["program"]])
    age_p = np.array([PROGRAMS[p][2] for p in st["program"]])
    st["mode"] = np.array(MODES)[(rng.random(n)[:, None] > mode_p.cumsum(axis=1)).sum(axis=1)]
    st["age_band"] = np.array(AGE_BANDS)[(rng.random(n)[:, None] > age_p.cumsum(axis=1)).sum(axis=1)]
    st["first_gen"] = rng.random(n) < 0.32
    st["international"] = rng.random(n) < np.where(st["program"].str.startswith("M"), 0.40, 0.15)
    mode_ix = pd.Categorical(st["mode"], categories=MODES).codes
    st["personalised"] = rng.random(n) < np.array(P_PERSONALISED)[mode_ix]
    st["engagement"] = rng.lognormal(0.0, 0.35, size=n)  # participation propensity (not the residual)
    person = _bivariate(rng, n, RESIDUALS["person_sd"], RESIDUALS["person_r"])
    st["person_conn"], st["person_learn"] = person[:, 0], person[:, 1]
    st["person_tp"] = rng.normal(0.0, TRUE_COI["teaching_person_sd"], size=n)
    st["student_id"] = np.char.add("S-", _codes(rng, n, BASE32, 8))
    st["email"] = np.char.add(np.char.add("learner.", np.char.lower(_codes(rng, n, BASE32, 6))), "@example.org")
    st.loc[rng.random(n) < 0.12, "email"] = ""  # not every export carries an address
    st = st.drop(columns=["n_sections", "first_section"])
    return st, section_names


def _responses(rng, st):
    """One row per response (student x wave answered)."""
    n = len(st)
    start = rng.random(n) < P_START
    p_end = np.where(start, st["mode"].map(P_END_GIVEN_START).to_numpy(), P_END_GIVEN_NO_START)
    end = rng.random(n) < p_end
    idx = np.concatenate([np.flatnonzero(start), np.flatnonzero(end)])
    wave = np.array(["start"] * int(start.sum()) + ["end"] * int(end.sum()))
    rs = st.iloc[idx].reset_index(drop=True)
    rs.insert(0, "wave", wave)
    return rs


def _participation(rng, rs):
    m = len(rs)
    mode_ix = pd.Categorical(rs["mode"], categories=MODES).codes
    eng = rs["engagement"].to_numpy()
    out = {}
    for name, means in PARTICIPATION_MEANS.items():
        out[name] = _negbin(rng, np.array(means)[mode_ix], size=2.0, mult=eng)
    live = rng.gamma(2.0, np.array(LIVE_HOURS_MEAN)[mode_ix] * eng / 2.0, size=m)
    out["live_hours"] = np.round(live, 1)
    return pd.DataFrame(out)


def _effect(name, value, share_key=None):
    """Split a total-score contribution into (connectedness, learning) parts."""
    share = CONNECTEDNESS_SHARE[share_key or name]
    return value * share, value * (1.0 - share)


def _latents(rng, rs, part, section_names):
    """True teaching presence (1-5 mean) and expected CCS subscale sums (0-40) per response."""
    m = len(rs)
    sec_codes = pd.Categorical(rs["section"], categories=section_names).codes
    n_sec = len(section_names)
    u_sec = rng.normal(0.0, TRUE_EFFECTS["section_sd"], size=n_sec)
    u_tp = rng.normal(0.0, TRUE_COI["teaching_section_sd"], size=n_sec)
    mode = rs["mode"].to_numpy()
    async_ = mode == "online_async"
    end = rs["wave"].to_numpy() == "end"

    tp = (
        TRUE_COI["teaching_mean"] + rs["mode"].map(TRUE_COI["teaching_mode"]).to_numpy() + u_tp[sec_codes]
        + rs["person_tp"].to_numpy() + rng.normal(0.0, TRUE_COI["teaching_occasion_sd"], size=m)
    )
    tp = np.clip(tp, 1.1, 4.9)

    e = TRUE_EFFECTS
    terms = {
        "intercept": np.full(m, e["intercept"]),
        "mode": rs["mode"].map({**e["mode"], "in_person": 0.0}).to_numpy(),
        "breakout_per_session": e["breakout_per_session"] * part["breakout_sessions"].to_numpy(),
        "async_x_breakout_per_session": e["async_x_breakout_per_session"] * part["breakout_sessions"].to_numpy() * async_,
        "forum_per_post": e["forum_per_post"] * part["forum_posts"].to_numpy(),
        "support_per_contact": e["support_per_contact"] * part["support_contacts"].to_numpy(),
        "teaching_presence_per_point": e["teaching_presence_per_point"] * (tp - e["teaching_presence_centre"]),
        "learning_path_personalised": e["learning_path_personalised"] * rs["personalised"].to_numpy(),
        "first_gen": e["first_gen"] * rs["first_gen"].to_numpy(),
        "international": e["international"] * rs["international"].to_numpy(),
        "age_band": rs["age_band"].map({**e["age_band"], "18-20": 0.0}).to_numpy(),
        "wave_change": rs["mode"].map(e["wave_change"]).to_numpy() * end,
        "section": u_sec[sec_codes],
    }
    conn = np.zeros(m)
    learn = np.zeros(m)
    for name, value in terms.items():  # a loop over model terms, not over respondents
        c, lrn = _effect(name, value)
        conn += c
        learn += lrn
    occ = _bivariate(rng, m, RESIDUALS["occasion_sd"], RESIDUALS["occasion_r"])
    conn += rs["person_conn"].to_numpy() + occ[:, 0]
    learn += rs["person_learn"].to_numpy() + occ[:, 1]
    conn = np.clip(conn, 0.6, 39.4)
    learn = np.clip(learn, 0.6, 39.4)

    c = TRUE_COI
    sp = c["social_mean"] + c["social_per_connectedness_point"] * (conn - 23.0) + rng.normal(0.0, c["social_sd"], size=m)
    cp = (
        c["cognitive_mean"] + c["cognitive_per_teaching_point"] * (tp - c["teaching_mean"])
        + c["cognitive_per_learning_point"] * (learn - 23.0) + rng.normal(0.0, c["cognitive_sd"], size=m)
    )
    return pd.DataFrame({
        "true_ccs": conn + learn, "true_connectedness": conn, "true_learning": learn,
        "true_teaching": tp, "true_social": np.clip(sp, 1.1, 4.9), "true_cognitive": np.clip(cp, 1.1, 4.9),
    })


def _answers(rng, truth):
    """Item codes (before missingness) for CCS and COI from the graded response model."""
    m = len(truth)
    ccs = np.empty((m, len(CCS_ITEMS)), dtype=np.int64)
    for sub, target in (("connectedness", "true_connectedness"), ("learning", "true_learning")):
        cols = [j for j, i in enumerate(CCS_ITEMS) if CCS_SUBSCALE[i] == sub]
        a, b = _item_parameters(rng, len(cols), CCS_MAX - CCS_MIN + 1, shift=0.0)
        theta = _theta_for(truth[target].to_numpy(), a, b)
        ccs[:, cols] = CCS_MIN + _graded(rng, theta, a, b)
    rev = [j for j, i in enumerate(CCS_ITEMS) if i in CCS_REVERSE]
    ccs[:, rev] = CCS_MIN + CCS_MAX - ccs[:, rev]  # negatively worded items are answered in reverse
    coi = np.empty((m, len(COI_ITEMS)), dtype=np.int64)
    for sub in ("teaching", "social", "cognitive"):
        cols = [j for j, i in enumerate(COI_ITEMS) if COI_SUBSCALE[i] == sub]
        a, b = _item_parameters(rng, len(cols), COI_MAX - COI_MIN + 1, shift=-0.4)
        target = (truth["true_" + sub].to_numpy() - COI_MIN) * len(cols)
        theta = _theta_for(target, a, b)
        coi[:, cols] = COI_MIN + _graded(rng, theta, a, b)
    return ccs, coi


def generate(seed: int = SEED) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return ``(survey, truth)``: the survey as written to survey.csv, and per-response truth.

    `truth` has one row per survey row (same order): response_id, careless (none, straight_line,
    speeder, unfinished, exact_duplicate, resubmission) and the true latent values.
    """
    rng = np.random.default_rng(seed)
    st, section_names = _students(rng)
    rs = _responses(rng, st)
    part = _participation(rng, rs)
    truth = _latents(rng, rs, part, section_names)
    ccs, coi = _answers(rng, truth)
    m = len(rs)
    items = np.concatenate([ccs, coi], axis=1).astype(float)
    item_ids = CCS_ITEMS + COI_ITEMS
    n_items = len(item_ids)

    # timing
    keys = list(zip(rs["term"], rs["wave"]))
    win = pd.DataFrame([WINDOWS[k] for k in keys], columns=["day0", "days", "offset"])
    day0 = pd.to_datetime(win["day0"]).to_numpy().astype("datetime64[s]").astype("int64")
    tod = rng.uniform(7.5, 23.5, size=m) * 3600.0
    started = day0 + rng.integers(0, win["days"].to_numpy()) * 86400 + tod
    duration = np.clip(rng.lognormal(np.log(560.0), 0.45, size=m), 150, 3600)
    slow = rng.random(m) < 0.02  # left the tab open
    duration[slow] *= rng.uniform(4.0, 15.0, size=int(slow.sum()))
    finished = np.ones(m, dtype=bool)

    # careless responding
    careless = np.array(["none"] * m, dtype=object)
    pool = rng.permutation(m)
    n_sl, n_sp = CARELESS["straight_line"], CARELESS["speeder"]
    sl, sp = pool[:n_sl], pool[n_sl:n_sl + n_sp]
    careless[sl], careless[sp] = "straight_line", "speeder"
    items[sl, : len(CCS_ITEMS)] = rng.choice([2, 3, 4, 4], size=n_sl)[:, None]
    items[sl, len(CCS_ITEMS):] = rng.choice([3, 4, 5, 5], size=n_sl)[:, None]
    items[sp, : len(CCS_ITEMS)] = rng.integers(CCS_MIN, CCS_MAX + 1, size=(n_sp, len(CCS_ITEMS)))
    items[sp, len(CCS_ITEMS):] = rng.integers(COI_MIN, COI_MAX + 1, size=(n_sp, len(COI_ITEMS)))
    duration[sp] = rng.uniform(35.0, 95.0, size=n_sp)

    # item nonresponse: most answer everything, some skip a few, later COI items a little more often
    level = rng.choice([0.002, 0.03, 0.12], p=[0.80, 0.17, 0.03], size=m)
    fatigue = 1.0 + np.r_[np.zeros(len(CCS_ITEMS)), np.linspace(0.0, 1.0, len(COI_ITEMS))]
    skip = rng.random((m, n_items)) < level[:, None] * fatigue[None, :]
    skip[np.r_[sl, sp]] = False
    # unfinished: break off part-way; everything after the break-off point is missing
    rest = pool[n_sl + n_sp:]
    unf = rest[rng.random(rest.size) < P_UNFINISHED]
    stop = rng.integers(3, 40, size=unf.size)
    skip[unf] |= np.arange(n_items)[None, :] >= stop[:, None]
    finished[unf] = False
    careless[unf] = "unfinished"
    duration[unf] *= (stop + 1) / n_items
    items[skip] = np.nan

    demo_first_gen = np.where(rs["first_gen"], "yes", "no").astype(object)
    demo_first_gen[rng.random(m) < 0.03] = ""
    demo_international = np.where(rs["international"], "yes", "no").astype(object)
    demo_international[rng.random(m) < 0.01] = ""
    demo_age = rs["age_band"].to_numpy(dtype=object).copy()
    demo_age[rng.random(m) < 0.02] = ""
    part = part.astype({c: "Int64" for c in PARTICIPATION_MEANS}).astype({"live_hours": "Float64"})
    part.loc[rng.random(m) < 0.015, :] = pd.NA  # no learning-platform record linked
    comments = np.full(m, "", dtype=object)
    says = rng.random(m) < 0.08
    comments[says] = np.array(COMMENTS, dtype=object)[rng.integers(0, len(COMMENTS), size=int(says.sum()))]

    duration = np.round(duration).astype(np.int64)
    offsets = win["offset"].to_numpy()
    survey = pd.DataFrame({
        "response_id": np.char.add("R_", _codes(rng, m, ALPHANUM, 15)),
        "student_id": rs["student_id"].to_numpy(),
        "wave": rs["wave"].to_numpy(),
        "cohort": rs["cohort"].to_numpy(),
        "program": rs["program"].to_numpy(),
        "term": rs["term"].to_numpy(),
        "section": rs["section"].to_numpy(),
        "mode": rs["mode"].to_numpy(),
        "first_gen": demo_first_gen,
        "international": demo_international,
        "age_band": demo_age,
        "learning_path": np.where(rs["personalised"], "personalised", "fixed"),
    })
    survey = pd.concat([survey, part[["forum_posts", "chat_messages", "breakout_sessions", "live_hours", "support_contacts"]]], axis=1)
    survey["started_at"] = _format_times(started, offsets).to_numpy()
    survey["submitted_at"] = _format_times(started + duration, offsets).to_numpy()
    survey["duration_s"] = duration
    survey["finished"] = finished
    survey = pd.concat([survey, pd.DataFrame(items, columns=list(item_ids)).astype("Int64")], axis=1)
    survey["comments"] = comments
    survey["email"] = rs["email"].to_numpy()
    if survey["response_id"].duplicated().any():  # pragma: no cover - 62**15 ids
        msg = "response id collision; change the seed"
        raise RuntimeError(msg)
    truth.insert(0, "careless", careless)
    truth.insert(0, "response_id", survey["response_id"].to_numpy())

    # duplicates: exact copies of a record, and one resubmission (new id, same answers, later times)
    done = np.flatnonzero((careless == "none") & finished)
    picks = rng.choice(done, size=CARELESS["exact_duplicate"] + CARELESS["resubmission"], replace=False)
    dup = survey.iloc[picks[: CARELESS["exact_duplicate"]]].copy()
    resub = survey.iloc[picks[CARELESS["exact_duplicate"]:]].copy()
    resub["response_id"] = np.char.add("R_", _codes(rng, len(resub), ALPHANUM, 15))
    later = started[picks[CARELESS["exact_duplicate"]:]] + duration[picks[CARELESS["exact_duplicate"]:]] + 40.0
    resub["started_at"] = _format_times(later, offsets[picks[CARELESS["exact_duplicate"]:]]).to_numpy()
    resub["submitted_at"] = _format_times(later + resub["duration_s"].to_numpy(), offsets[picks[CARELESS["exact_duplicate"]:]]).to_numpy()
    t_dup = truth.iloc[picks[: CARELESS["exact_duplicate"]]].assign(careless="exact_duplicate")
    t_resub = truth.iloc[picks[CARELESS["exact_duplicate"]:]].assign(careless="resubmission", response_id=resub["response_id"].to_numpy())
    survey = pd.concat([survey, dup, resub], ignore_index=True)
    truth = pd.concat([truth, t_dup, t_resub], ignore_index=True)

    # export order: by submission time (UTC), ties in original order
    utc = pd.to_datetime(survey["submitted_at"], utc=True)
    order = np.argsort(utc.to_numpy(), kind="stable")
    survey = survey.iloc[order].reset_index(drop=True)
    truth = truth.iloc[order].reset_index(drop=True)
    return survey, truth


def roster() -> pd.DataFrame:
    """Cohort head counts (enrolled students), for response rates."""
    return pd.DataFrame(
        [(f"{p} {t}", p, t, n, s) for p, t, n, s in COHORTS],
        columns=["cohort", "program", "term", "enrolled", "n_sections"],
    )


def write(out_dir, *, seed: int = SEED, truth_path=None) -> Path:
    """Write survey.csv and roster.csv into `out_dir` (and the truth table when asked)."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    survey, truth = generate(seed)
    survey.to_csv(out / "survey.csv", index=False, lineterminator="\n")
    roster().to_csv(out / "roster.csv", index=False, lineterminator="\n")
    if truth_path is not None:
        truth.to_csv(truth_path, index=False, lineterminator="\n", float_format="%.6f")
    return out / "survey.csv"


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    p.add_argument("--out", default=str(Path(__file__).resolve().parent), help="output folder (default: this folder)")
    p.add_argument("--seed", type=int, default=SEED, help=f"random seed (default {SEED}; the committed file uses it)")
    p.add_argument("--truth", metavar="PATH", help="also write per-response truth (careless type, latent values)")
    args = p.parse_args(argv)
    path = write(args.out, seed=args.seed, truth_path=args.truth)
    print(f"wrote {path} ({path.stat().st_size / 1e6:.2f} MB)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
