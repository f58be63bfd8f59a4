"""The websocket endpoint vocabulary every scenario app answers (conformance/README.md), as the
TypeScript scenario app's websocket-endpoints.ts: `?do=` picks the behaviour, on any path."""

import json
from urllib.parse import parse_qs

from trace_file import describe, record


async def handle_websocket(name, scope, receive, send):
    query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
    verb = query.get("do", ["echo"])[0]
    first = await receive()
    record(f"{name}.ws.connect", first.get("type"))
    if verb == "refuse":
        await send({"type": "websocket.close"})
        return
    if verb == "deny":
        await send({"type": "websocket.http.response.start", "status": 401, "headers": [(b"x-denied", b"yes")]})
        await send({"type": "websocket.http.response.body", "body": b"den", "more_body": True})
        await send({"type": "websocket.http.response.body", "body": b"ied"})
        return
    offered = scope.get("subprotocols") or []
    await send({"type": "websocket.accept", "subprotocol": offered[0] if offered else None,
                "headers": [(b"x-conformance", b"yes")]})
    if verb == "scope":
        shown = {
            "path": scope.get("path"),
            # ASGI names it root_path; the scenario's JSON uses the tsgi spelling.
            "rootPath": scope.get("root_path", ""),
            "queryString": scope.get("query_string", b"").decode("latin-1"),
            "scheme": scope.get("scheme"),
            "subprotocols": list(offered),
        }
        await send({"type": "websocket.send", "text": json.dumps(shown)})
    while True:
        message = await receive()
        if message["type"] == "websocket.disconnect":
            record(f"{name}.ws.disconnect", f"{message.get('code')} {message.get('reason') or ''}".strip())
            if verb == "send-after-close":
                try:
                    await send({"type": "websocket.send", "text": "too late"})
                    record(f"{name}.ws.send-after-close", "ok")
                except Exception as error:  # the server's way of saying the connection is gone
                    record(f"{name}.ws.send-after-close", f"error {describe(error)}")
            return
        if message["type"] != "websocket.receive":
            continue
        text, data = message.get("text"), message.get("bytes")
        record(f"{name}.ws.message", f"text {len(text)}" if text is not None else f"bytes {len(data or b'')}")
        if verb == "close":
            await send({"type": "websocket.close", "code": 4001, "reason": "bye"})
            continue
        if text is not None:
            await send({"type": "websocket.send", "text": text})
        else:
            await send({"type": "websocket.send", "bytes": data})
