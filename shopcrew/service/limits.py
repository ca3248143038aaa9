"""Request body size limit: an ASGI middleware that counts streamed bytes, not only headers."""

from __future__ import annotations

import json

from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shopcrew.errors import ServiceError

__all__ = ["BodyLimitMiddleware", "BodyTooLargeError"]


class BodyTooLargeError(ServiceError, HTTPException):
    """The request body passed the limit; raised from `receive` while the app reads it.

    A `ServiceError` in the error tree, and an `HTTPException`, so FastAPI passes it through
    body parsing to the app's handler.
    """

    def __init__(self, limit: int) -> None:
        self.limit = limit
        super().__init__(
            status_code=413,
            detail=f"The request body is larger than {limit} bytes; send a smaller body.",
        )


def _error_body(limit: int) -> bytes:
    message = BodyTooLargeError(limit).detail
    return json.dumps({"error": {"type": "BodyTooLargeError", "message": message}}).encode()


class BodyLimitMiddleware:
    """Refuse request bodies over `max_body_bytes` with a 413 and a JSON error body.

    A declared `Content-Length` over the limit is refused before the app runs; a chunked or
    lying body is counted as it streams in, and `receive` raises `BodyTooLargeError` once it
    passes the limit.
    """

    def __init__(self, app: ASGIApp, *, max_body_bytes: int) -> None:
        if max_body_bytes < 0:
            raise ValueError(f"max_body_bytes must be >= 0, got {max_body_bytes}")
        self.app, self.limit = app, max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Run the app with a counting `receive`; answer 413 when the body passes the limit."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = Headers(scope=scope).get("content-length", "")
        if declared.isdigit() and int(declared) > self.limit:
            await self._refuse(send)
            return
        received = 0
        started = False

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.limit:
                    raise BodyTooLargeError(self.limit)
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except BodyTooLargeError:
            if started:
                raise
            await self._refuse(send)

    async def _refuse(self, send: Send) -> None:
        body = _error_body(self.limit)
        headers = [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
            (b"connection", b"close"),
        ]
        await send({"type": "http.response.start", "status": 413, "headers": headers})
        await send({"type": "http.response.body", "body": body})
