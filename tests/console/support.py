"""Helpers for console tests: log in through the form, read CSRF tokens, file cases as a resident."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from adapters.collecting import CollectingChannel

STAFF = ("wang", "staff-password-1")
SUPERVISOR = ("li.supervisor", "supervisor-password-1")
PHONE = "13912345678"
NAME = "王阿姨"
_CSRF = re.compile(r'name="csrf" value="([^"]+)"')


def csrf_of(html: str) -> str:
    match = _CSRF.search(html)
    assert match, "the page has no CSRF token"
    return match.group(1)


def log_in(client: TestClient, who: tuple[str, str] = STAFF) -> str:
    """Log in through the form; return the session's CSRF token for later POSTs."""
    form = client.get("/console/login")
    response = client.post(
        "/console/login",
        data={"username": who[0], "password": who[1], "csrf": csrf_of(form.text), "next": ""},
    )
    assert response.status_code == 303, response.text
    return csrf_of(client.get("/console/cases").text)


def file_help_request(
    resident: CollectingChannel, *, phone: str = PHONE, name: str = NAME, urgent: bool = False
) -> str:
    """A help request through the real pipeline; returns its reference."""
    resident.say("我家老人腿脚不好,想找人上门护理")
    resident.say("1")  # 同意
    resident.say("莲花北社区")
    resident.say(phone)
    resident.say(name)
    resident.say("1" if urgent else "2")  # 紧急 / 一般
    resident.say("1")  # 确认提交
    [ref] = resident.last.case_refs
    return ref


def hand_off(resident: CollectingChannel) -> str:
    resident.say("转人工")
    [ref] = resident.last.case_refs
    return ref


def raise_crisis(resident: CollectingChannel) -> str:
    resident.say("我不想活了")
    [ref] = resident.last.case_refs
    return ref
