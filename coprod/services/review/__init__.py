"""Review of contribution logs: approve, reject, ask for changes, in bulk, and the queue."""

from coprod.services.review.deciding import (
    DECISIONS,
    MAX_BULK,
    REVIEW_FIELDS,
    STATUS_WORDS,
    BulkResult,
    approve,
    bulk_approve,
    reject,
    request_changes,
    review,
)
from coprod.services.review.queue import (
    QUEUE_KEYS,
    Queue,
    review_queue,
    reviewed_programmes,
    reviewed_tasks,
)

__all__ = [
    "DECISIONS",
    "MAX_BULK",
    "QUEUE_KEYS",
    "REVIEW_FIELDS",
    "STATUS_WORDS",
    "BulkResult",
    "Queue",
    "approve",
    "bulk_approve",
    "reject",
    "request_changes",
    "review",
    "review_queue",
    "reviewed_programmes",
    "reviewed_tasks",
]
