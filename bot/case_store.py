"""The case store's repository functions: keyword-only, typed, given a Session, never committing.

The conversation turn or the web request that calls them owns the transaction.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date, datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from bot.errors import BotError
from bot.models import Case, CaseEvent, RefCounter, UnansweredQuestion, Volunteer
from bot.pii import PiiCipher

STATUSES = ("new", "acknowledged", "in_progress", "resolved", "closed", "rejected")
OPEN_STATUSES = ("new", "acknowledged", "in_progress")
FINAL_STATUSES = ("resolved", "closed", "rejected")
REF_PREFIX = {"help": "HR", "crisis": "HR", "handoff": "HR", "volunteer": "VS"}
DUPLICATE_WINDOW = timedelta(days=7)


class InvalidTransition(BotError):
    pass


def next_ref(session: Session, *, kind: str, day: date) -> str:
    """`HR-YYYYMMDD-NNNN`: a per-day counter, incremented atomically inside the caller's transaction."""
    key = f"{REF_PREFIX[kind]}-{day:%Y%m%d}"
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    session.execute(insert(RefCounter).values(key=key, last=0).on_conflict_do_nothing(index_elements=["key"]))
    number = session.execute(
        update(RefCounter)
        .where(RefCounter.key == key)
        .values(last=RefCounter.last + 1)
        .returning(RefCounter.last)
    ).scalar_one()
    return f"{key}-{number:04d}"


def open_case(
    session: Session,
    *,
    cipher: PiiCipher,
    kind: str,
    channel: str,
    user_id: str,
    now: datetime,
    need_type: str = "",
    description: str = "",
    community: str = "",
    phone: str = "",
    name: str = "",
    urgency: str = "normal",
    transcript: str = "",
    details: dict[str, object] | None = None,
) -> Case:
    case = Case(
        ref=next_ref(session, kind=kind, day=now.date()),
        kind=kind,
        status="new",
        urgency=urgency,
        need_type=need_type,
        description=description,
        community=community,
        channel=channel,
        user_id=user_id,
        name_enc=cipher.encrypt(name),
        phone_enc=cipher.encrypt(phone),
        phone_hash=cipher.keyed_hash(phone),
        transcript_enc=cipher.encrypt(transcript),
        details_json=json.dumps(details or {}, ensure_ascii=False, sort_keys=True),
        created_at=now,
        updated_at=now,
    )
    session.add(case)
    session.flush()
    add_event(session, case=case, event="created", to_status="new", note="", actor="assistant", now=now)
    return case


def add_volunteer(
    session: Session,
    *,
    case: Case,
    skills: Sequence[str],
    availability: Sequence[str],
    service_areas: Sequence[str],
) -> Volunteer:
    volunteer = Volunteer(
        case_id=case.id,
        skills=",".join(skills),
        availability=",".join(availability),
        service_areas=",".join(service_areas),
    )
    session.add(volunteer)
    session.flush()
    return volunteer


def add_event(
    session: Session,
    *,
    case: Case,
    event: str,
    now: datetime,
    note: str = "",
    actor: str = "assistant",
    from_status: str | None = None,
    to_status: str | None = None,
) -> CaseEvent:
    row = CaseEvent(
        case_id=case.id,
        event=event,
        from_status=from_status,
        to_status=to_status,
        note=note,
        actor=actor,
        created_at=now,
    )
    session.add(row)
    case.updated_at = now
    session.flush()
    return row


def change_status(
    session: Session, *, case: Case, to_status: str, actor: str, now: datetime, note: str = ""
) -> CaseEvent:
    if to_status not in STATUSES:
        raise InvalidTransition(f"unknown status {to_status!r}")
    if case.status == to_status:
        raise InvalidTransition(f"case {case.ref} is already {to_status}")
    from_status = case.status
    case.status = to_status
    return add_event(
        session,
        case=case,
        event="status",
        from_status=from_status,
        to_status=to_status,
        note=note,
        actor=actor,
        now=now,
    )


def get_case(session: Session, *, ref: str) -> Case | None:
    return session.execute(select(Case).where(Case.ref == ref)).scalar_one_or_none()


def cases_for_user(session: Session, *, channel: str, user_id: str, limit: int = 20) -> list[Case]:
    rows = session.execute(
        select(Case)
        .where(Case.channel == channel, Case.user_id == user_id)
        .order_by(Case.created_at.desc(), Case.id.desc())
        .limit(limit)
    )
    return list(rows.scalars())


def find_open_duplicate(session: Session, *, phone_hash: str, need_type: str, now: datetime) -> Case | None:
    """An open case of the same need from the same phone within the last seven days."""
    if not phone_hash:
        return None
    kind_filter = Case.kind == "volunteer" if need_type == "volunteer" else Case.need_type == need_type
    return session.execute(
        select(Case)
        .where(
            Case.phone_hash == phone_hash,
            kind_filter,
            Case.status.in_(OPEN_STATUSES),
            Case.created_at >= now - DUPLICATE_WINDOW,
        )
        .order_by(Case.created_at.desc())
        .limit(1)
    ).scalar_one_or_none()


def last_staff_reply(session: Session, *, case: Case) -> str:
    row = session.execute(
        select(CaseEvent.note)
        .where(CaseEvent.case_id == case.id, CaseEvent.event == "staff_reply")
        .order_by(CaseEvent.id.desc())
        .limit(1)
    ).scalar_one_or_none()
    return row or ""


def record_unanswered(
    session: Session, *, channel: str, question: str, normalized: str, now: datetime
) -> None:
    session.add(
        UnansweredQuestion(
            channel=channel, question=question[:2000], normalized=normalized[:2000], created_at=now
        )
    )
    session.flush()


def purge_closed(session: Session, *, older_than: datetime) -> int:
    """Delete finished cases past the retention period (what the consent notice promises)."""
    doomed = list(
        session.execute(
            select(Case).where(Case.status.in_(FINAL_STATUSES), Case.updated_at < older_than)
        ).scalars()
    )
    for case in doomed:
        session.delete(case)
    session.flush()
    return len(doomed)
