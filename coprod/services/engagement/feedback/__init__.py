"""Volunteers' feedback on the tasks they worked on: a rating (1-5) and, if they like, a comment
that is public (shown without their name) or only for the organisers.

Who may give it: someone who attended one of the task's shifts, or logged hours on it (a log
not withdrawn or rejected); once per task (the unique (task, person) pair). Who reads what:
the task's organisers (its coordinators, its co-coordinator and the lead agency's staff) read
every item with its author's name ("task.view_feedback"); everyone else reads the average and
the public comments that are not hidden, never a name; the author reads their own."""

from coprod.services.engagement.feedback.giving import (
    ALREADY_GIVEN,
    COMMENT_PATTERN,
    MAX_COMMENT,
    NOBODY,
    NOT_ELIGIBLE,
    NOT_WORKED,
    RATINGS,
    Eligibility,
    check_comment,
    check_rating,
    comments_per_hour,
    eligibility,
    give_feedback,
)
from coprod.services.engagement.feedback.reading import (
    FEEDBACK_KEYS,
    PublicComment,
    Summary,
    author_name,
    feedback_summary,
    former_volunteer,
    get_feedback,
    my_feedback,
    public_feedback,
    rated_tasks,
    shows_author,
    task_feedback,
)

__all__ = [
    "ALREADY_GIVEN",
    "COMMENT_PATTERN",
    "FEEDBACK_KEYS",
    "MAX_COMMENT",
    "NOBODY",
    "NOT_ELIGIBLE",
    "NOT_WORKED",
    "RATINGS",
    "Eligibility",
    "PublicComment",
    "Summary",
    "author_name",
    "check_comment",
    "check_rating",
    "comments_per_hour",
    "eligibility",
    "feedback_summary",
    "former_volunteer",
    "get_feedback",
    "give_feedback",
    "my_feedback",
    "public_feedback",
    "rated_tasks",
    "shows_author",
    "task_feedback",
]
