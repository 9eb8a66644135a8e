"""A staff reply reaches a web-chat resident: it waits until their page polls, then counts as delivered."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select

from bot.assistant import Assistant
from bot.models import Case, OutboundMessage
from tests.console.support import log_in

WEB_USER = "web-resident-0001"


def _poll(client: TestClient, after: int = 0, user_id: str = WEB_USER) -> dict[str, Any]:
    response = client.post("/api/webchat/updates", json={"user_id": user_id, "after": after})
    assert response.status_code == 200
    return response.json()


def test_a_reply_waits_for_the_page_and_is_delivered_once(client: TestClient, assistant: Assistant) -> None:
    client.post("/api/webchat/messages", json={"user_id": WEB_USER, "text": "转人工", "message_id": "1"})
    with assistant.sessions() as session:
        ref = session.execute(
            select(Case.ref).where(Case.user_id == WEB_USER, Case.channel == "web")
        ).scalar_one()
    assert _poll(client) == {"messages": [], "last": 0}

    csrf = log_in(client)
    sent = client.post(f"/console/cases/{ref}/reply", data={"csrf": csrf, "text": "您好,我是社工小李。"})
    assert sent.headers["location"].endswith("delivery=pending")
    assert "送达结果:等待居民接收" in client.get(sent.headers["location"]).text

    first = _poll(client)
    [message] = first["messages"]
    assert message["text"] == f"【社区工作人员回复】{ref}:您好,我是社工小李。"
    assert _poll(client, after=first["last"]) == {"messages": [], "last": first["last"]}
    assert _poll(client, user_id="web-someone-else")["messages"] == []
    with assistant.sessions() as session:
        delivery = session.execute(select(OutboundMessage)).scalar_one()
    assert delivery.status == "delivered" and "网页聊天已显示" in delivery.detail
    assert "已送达" in client.get(f"/console/cases/{ref}").text


def test_polling_refuses_a_bad_user_id(client: TestClient) -> None:
    assert client.post("/api/webchat/updates", json={"user_id": "x", "after": 0}).status_code == 422
    assert client.post("/api/webchat/updates", json={"user_id": WEB_USER, "after": -1}).status_code == 422
