"""The report: counts of cases by status, type, urgency, community and week, and how fast staff act.

Only codes, labels and counts leave this module: the CSV export carries no personal data.
"""

from __future__ import annotations

import csv
import io
import statistics
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.clock import local
from bot.console.case_list import day_start
from bot.console.labels import labels
from bot.console.workflow import workflow
from bot.models import Case, CaseEvent

TOP_COMMUNITIES = 10
STAFF_EVENTS = ("status", "note", "staff_reply")  # what counts as a first staff action
ASSISTANT = "assistant"
NO_COMMUNITY = "未填写"


@dataclass(frozen=True, slots=True)
class Count:
    key: str
    label: str
    count: int


@dataclass(frozen=True, slots=True)
class Report:
    date_from: date | None
    date_to: date | None
    total: int
    open_cases: int
    by_status: tuple[Count, ...]
    by_kind: tuple[Count, ...]
    by_urgency: tuple[Count, ...]
    by_community: tuple[Count, ...]
    other_communities: int  # cases outside the top ten communities
    by_week: tuple[Count, ...]  # key: the Monday the week starts on
    median_first_action: timedelta | None
    acted: int  # cases some staff member has acted on
    waiting: int  # cases nobody has acted on yet

    @property
    def busiest(self) -> int:
        """The largest single count, to scale the bars of the page."""
        counts = [c.count for group in (self.by_status, self.by_kind, self.by_week) for c in group]
        return max(counts, default=0) or 1


def week_start(moment: datetime) -> date:
    day = local(moment).date()
    return day - timedelta(days=day.weekday())


def _week_label(monday: date) -> str:
    week = monday.isocalendar().week
    return f"{monday:%Y-%m-%d} 起(第 {week} 周)"


def build_report(session: Session, *, date_from: date | None = None, date_to: date | None = None) -> Report:
    stmt = select(Case.id, Case.kind, Case.status, Case.urgency, Case.community, Case.created_at)
    if date_from:
        stmt = stmt.where(Case.created_at >= day_start(date_from))
    if date_to:
        stmt = stmt.where(Case.created_at < day_start(date_to + timedelta(days=1)))
    rows = session.execute(stmt).all()
    ids = [row.id for row in rows]
    created = {row.id: local(row.created_at) for row in rows}

    first_action: dict[int, datetime] = {}
    if ids:
        actions = session.execute(
            select(CaseEvent.case_id, func.min(CaseEvent.created_at))
            .where(
                CaseEvent.case_id.in_(select(stmt.subquery().c.id)),
                CaseEvent.event.in_(STAFF_EVENTS),
                CaseEvent.actor != ASSISTANT,
            )
            .group_by(CaseEvent.case_id)
        ).all()
        first_action = {case_id: local(at) for case_id, at in actions}
    delays = [(first_action[i] - created[i]).total_seconds() for i in ids if i in first_action]

    names = labels()
    flow = workflow()
    statuses = Counter(row.status for row in rows)
    kinds = Counter(row.kind for row in rows)
    urgencies = Counter(row.urgency for row in rows)
    communities = Counter(row.community.strip() for row in rows)
    weeks = Counter(week_start(row.created_at) for row in rows)
    top = communities.most_common(TOP_COMMUNITIES)
    return Report(
        date_from=date_from,
        date_to=date_to,
        total=len(rows),
        open_cases=sum(statuses[s] for s in flow.open_statuses),
        by_status=_complete(statuses, {code: flow.label(code) for code in flow.statuses}),
        by_kind=_complete(kinds, dict(names.kinds)),
        by_urgency=_complete(urgencies, {code: names.urgency(code) for code in names.urgencies}),
        by_community=tuple(Count(name, name or NO_COMMUNITY, n) for name, n in top),
        other_communities=len(rows) - sum(n for _, n in top),
        by_week=tuple(
            Count(f"{monday:%Y-%m-%d}", _week_label(monday), weeks[monday]) for monday in sorted(weeks)
        ),
        median_first_action=timedelta(seconds=statistics.median(delays)) if delays else None,
        acted=len(delays),
        waiting=len(rows) - len(delays),
    )


def _complete(counts: Counter[str], known: dict[str, str]) -> tuple[Count, ...]:
    """Every known code in declared order (zeros included), then any unknown code the data holds."""
    rows = [Count(code, label, counts.get(code, 0)) for code, label in known.items()]
    rows += [Count(code, code, n) for code, n in sorted(counts.items()) if code not in known]
    return tuple(rows)


def report_csv(report: Report) -> str:
    """section,code,label,value rows (UTF-8 with BOM so spreadsheet programs read the Chinese)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["section", "code", "label", "value"])
    period = f"{report.date_from or ''}~{report.date_to or ''}"
    writer.writerow(["summary", "period", "统计期间", period])
    writer.writerow(["summary", "total", "登记总数", report.total])
    writer.writerow(["summary", "open", "未结案", report.open_cases])
    groups = (
        ("status", report.by_status),
        ("kind", report.by_kind),
        ("urgency", report.by_urgency),
        ("community", report.by_community),
        ("week", report.by_week),
    )
    for section, counts in groups:
        for count in counts:
            writer.writerow([section, count.key, count.label, count.count])
    if report.other_communities:
        writer.writerow(["community", "other", "其他社区", report.other_communities])
    median = report.median_first_action
    hours = f"{median.total_seconds() / 3600:.1f}" if median is not None else ""
    writer.writerow(["response", "median_first_action_hours", "首次处理时间中位数(小时)", hours])
    writer.writerow(["response", "acted", "已有工作人员处理", report.acted])
    writer.writerow(["response", "waiting", "尚无人处理", report.waiting])
    return "\ufeff" + out.getvalue()
