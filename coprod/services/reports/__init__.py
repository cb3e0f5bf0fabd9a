"""Shared-ownership reports: figures per programme and period, aggregated in the database.

Only approved logs count. A log counts for its organisation's kind, otherwise as a citizen.
Snapshots are upserted on (programme, period, start); a rebuild that finds the same figures
leaves the row untouched (built_at included), so rebuilding twice changes nothing.
"""

from coprod.services.reports.building import (
    Failed,
    UnitOfWork,
    build_batch,
    build_batch_isolated,
    build_batches,
    default_jobs,
    rebuild_reports,
)
from coprod.services.reports.document import (
    Capacity,
    CommitmentFigure,
    Counted,
    Outcome,
    PartnerFigures,
    Ranked,
    ReportDocument,
    commitments_now,
    document_of,
)
from coprod.services.reports.exports import (
    COMMITMENT_KINDS,
    SECTOR_LABELS,
    STATUS_WORDS,
    capacity_of,
    commitments_of,
    snapshot_csv,
    snapshot_json,
)
from coprod.services.reports.figures import SECTORS
from coprod.services.reports.periods import (
    parse_day,
    parse_period,
    period_end,
    period_start,
    starts_between,
)
from coprod.services.reports.planning import (
    Batch,
    missing_current_batches,
    plan_rebuild,
    sweep_batches,
    touched_batches,
)
from coprod.services.reports.reading import (
    HISTORY,
    Impact,
    PeriodTotals,
    ReportPage,
    get_impact,
    get_report,
    get_snapshot,
)

__all__ = [
    "COMMITMENT_KINDS",
    "HISTORY",
    "SECTORS",
    "SECTOR_LABELS",
    "STATUS_WORDS",
    "Batch",
    "Capacity",
    "CommitmentFigure",
    "Counted",
    "Failed",
    "Impact",
    "Outcome",
    "PartnerFigures",
    "PeriodTotals",
    "Ranked",
    "ReportDocument",
    "ReportPage",
    "UnitOfWork",
    "build_batch",
    "build_batch_isolated",
    "build_batches",
    "capacity_of",
    "commitments_now",
    "commitments_of",
    "default_jobs",
    "document_of",
    "get_impact",
    "get_report",
    "get_snapshot",
    "missing_current_batches",
    "parse_day",
    "parse_period",
    "period_end",
    "period_start",
    "plan_rebuild",
    "rebuild_reports",
    "snapshot_csv",
    "snapshot_json",
    "starts_between",
    "sweep_batches",
    "touched_batches",
]
