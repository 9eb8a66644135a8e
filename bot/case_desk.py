"""The database side of `dialogs.ports.CaseDesk`, scoped to the user of the current turn."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from bot import case_store
from bot.clock import local
from bot.models import Case
from bot.pii import PiiCipher
from dialogs.ports import CaseSummary


def summarize(session: Session, case: Case) -> CaseSummary:
    return CaseSummary(
        ref=case.ref,
        kind=case.kind,
        status=case.status,
        need_type=case.need_type,
        created_at=local(case.created_at),
        updated_at=local(case.updated_at),
        last_note=case_store.last_staff_reply(session, case=case),
    )


class DbCaseDesk:
    def __init__(
        self, session: Session, cipher: PiiCipher, *, channel: str, user_id: str, now: datetime
    ) -> None:
        self._session = session
        self._cipher = cipher
        self._channel = channel
        self._user_id = user_id
        self._now = now

    def cases_of_user(self) -> tuple[CaseSummary, ...]:
        cases = case_store.cases_for_user(self._session, channel=self._channel, user_id=self._user_id)
        return tuple(summarize(self._session, c) for c in cases)

    def open_duplicate(self, *, phone: str, need_type: str) -> CaseSummary | None:
        case = case_store.find_open_duplicate(
            self._session, phone_hash=self._cipher.keyed_hash(phone), need_type=need_type, now=self._now
        )
        return summarize(self._session, case) if case is not None else None
