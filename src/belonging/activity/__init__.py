"""Participation measured, not just asked: learning-platform and meeting logs joined to belonging.

:func:`read_activity` reads Moodle logs, Canvas course access reports, Zoom participants reports and
Microsoft Teams attendance reports, matches each row to a roster and replaces every identity at once
by the keyed pseudonym of the waves store; :func:`participation_features` turns the events into
features per student and course (forum posts, replies received, chat and messages, live sessions and
minutes, feedback and support contacts, self-paced activity, active days); :func:`join_activity`
links them to survey responses through the same pseudonym and :func:`relate_participation` relates
belonging to each of them with :func:`belonging.participation`. See docs/participation.md.
"""

from belonging.activity._spec import SYSTEMS
from belonging.activity.features import participation_features
from belonging.activity.join import (
    ActivityRelations,
    join_activity,
    read_participation,
    relate_participation,
    write_participation,
)
from belonging.activity.log import ActivityLog, read_activity
from belonging.activity.roster import Roster, load_roster
from belonging.activity.section import MODEL_FEATURES, SECTION_TITLE, participation_section

__all__ = [
    "MODEL_FEATURES",
    "SECTION_TITLE",
    "SYSTEMS",
    "ActivityLog",
    "ActivityRelations",
    "Roster",
    "join_activity",
    "load_roster",
    "participation_features",
    "participation_section",
    "read_activity",
    "read_participation",
    "relate_participation",
    "write_participation",
]
