"""The ASGI application: health check, body-size limit, and the routers adapters contribute."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence

from fastapi import APIRouter, FastAPI, Request, Response
from fastapi.responses import JSONResponse
from sqlalchemy import text

from bot.assistant import Assistant


def create_app(assistant: Assistant, *, routers: Sequence[APIRouter] = ()) -> FastAPI:
    app = FastAPI(title="社区助手 Community Assistant", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.assistant = assistant
    limit = assistant.settings.max_body_bytes

    @app.middleware("http")
    async def limit_body(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        declared = request.headers.get("content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > limit):
            return JSONResponse({"error": "请求内容过大"}, status_code=413)
        if request.method in ("POST", "PUT", "PATCH") and declared is None:
            body = await request.body()  # chunked upload: measure what actually arrived
            if len(body) > limit:
                return JSONResponse({"error": "请求内容过大"}, status_code=413)
        return await call_next(request)

    @app.get("/healthz")
    def healthz() -> dict[str, str]:
        with assistant.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        return {"status": "ok"}

    for router in routers:
        app.include_router(router)
    return app
