"""Response quality: validation, careless-responding screens and full row accounting.

``check_quality(responses, instrument, mapping=None, policy=None)`` returns a :class:`QualityReport`
with one row per input row (status ``kept``, ``flagged`` or ``excluded`` and every reason); the
:class:`Policy` decides which reasons exclude and which only flag, and holds every threshold.
"""

from belonging.quality.core import check_quality
from belonging.quality.policy import ACTIONS, REASONS, AttentionRule, Policy, as_policy, load_policy
from belonging.quality.report import QualityReport

__all__ = ["ACTIONS", "REASONS", "AttentionRule", "Policy", "QualityReport", "as_policy", "check_quality", "load_policy"]
