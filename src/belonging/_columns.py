"""Every output column name of `belonging`, defined once.

Library code refers to these constants instead of typing column names as string literals, so that a
name is changed in one place and the output vocabulary stays consistent across tables (see STYLE.md,
convention 5). Append new names at the end of the section they belong to.
"""

# --- canonical Responses: meta columns -------------------------------------------------------------
RESPONSE_ID = "response_id"
SOURCE_ROW = "source_row"
STARTED_AT = "started_at"
SUBMITTED_AT = "submitted_at"
DURATION_S = "duration_s"
FINISHED = "finished"
PROGRESS = "progress"
WAVE = "wave"
META_COLUMNS = (RESPONSE_ID, SOURCE_ROW, STARTED_AT, SUBMITTED_AT, DURATION_S, FINISHED, PROGRESS, WAVE)

# --- scores ----------------------------------------------------------------------------------------
N_ANSWERED_SUFFIX = "_n_answered"
STATUS = "status"
REASONS = "reasons"

# --- quality statuses (values of STATUS) -----------------------------------------------------------
KEPT = "kept"
FLAGGED = "flagged"
EXCLUDED = "excluded"

# --- issues tables (validation, mapping) -----------------------------------------------------------
ROW = "row"
COLUMN = "column"
VALUE = "value"
REASON = "reason"
MESSAGE = "message"

# --- statistics ------------------------------------------------------------------------------------
N = "n"
K = "k"
MEAN = "mean"
SD = "sd"
SE = "se"
MEDIAN = "median"
STATISTIC = "statistic"
DF = "df"
DF1 = "df1"
DF2 = "df2"
P_VALUE = "p_value"
P_ADJUSTED = "p_adjusted"
CI_LOW = "ci_low"
CI_HIGH = "ci_high"
CONFIDENCE = "confidence"
EFFECT_SIZE = "effect_size"
ESTIMATE = "estimate"
TERM = "term"
GROUP = "group"
SCALE = "scale"
ITEM = "item"
TEST = "test"
METHOD = "method"
