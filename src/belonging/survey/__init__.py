"""Instrument -> importable survey: Qualtrics .qsf, LimeSurvey .lss, REDCap data dictionary, HTML/PDF form.

:func:`build_survey` lays the instruments out once (:mod:`.design`) and writes the platform's file from
that design (:mod:`.qualtrics`, :mod:`.limesurvey`, :mod:`.redcap`, :mod:`.paper`), together with the
mapping its export will need (:mod:`.columns`). What differs between platforms and can be written as
data (file suffix, code rules, export column names, whether items can be randomised) is in
``survey/platforms.toml``.
"""

from belonging.survey.build import BuiltSurvey, build_survey

__all__ = ["BuiltSurvey", "build_survey"]
