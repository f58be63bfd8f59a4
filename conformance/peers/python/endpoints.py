"""The HTTP endpoint vocabulary every scenario app answers (conformance/README.md): the query
string picks the behaviour, on any path, so a scenario's requests say what they test."""

import asyncio
import json
from urllib.parse import parse_qs

from trace_file import record


async def read_body(receive):
    messages, parts = [], []
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return b"".join(parts), messages, True
        if message["type"] != "http.request":
            continue
        body = message.get("body", b"")
        messages.append({"bytes": len(body), "more": bool(message.get("more_body", False))})
        parts.append(body)
        if not message.get("more_body", False):
            return b"".join(parts), messages, False


async def respond(send, status, body, headers=()):
    data = body.encode()
    length = [] if status in (204, 304) else [(b"content-length", str(len(data)).encode())]
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"), *length, *headers]})
    await send({"type": "http.response.body", "body": data})


def state_json(state):
    return json.loads(json.dumps(dict(state or {}), default=lambda value: None))


async def handle_http(name, scope, receive, send):
    query = {k: v[-1] for k, v in parse_qs(scope.get("query_string", b"").decode("latin-1")).items()}
    verb = query.get("do", "echo")
    record(f"{name}.request", f"{scope['method']} {scope['path']}")
    if "delay" in query:
        await asyncio.sleep(int(query["delay"]) / 1000)
    state = scope.get("state")

    if verb == "throw-before-start":
        record(f"{name}.throw")
        raise RuntimeError("secret-token-123 exploded before the response started")
    if verb == "throw-after-start":
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/plain")]})
        await send({"type": "http.response.body", "body": b"partial", "more_body": True})
        record(f"{name}.throw")
        raise RuntimeError("exploded after the response started")
    if verb == "no-response":
        record(f"{name}.return")
        return
    if verb == "await-disconnect":
        _, _, disconnected = await read_body(receive)
        if disconnected or (await receive())["type"] == "http.disconnect":
            record(f"{name}.disconnect")
        return
    if verb == "read-body":
        body, messages, _ = await read_body(receive)
        await respond(send, 200, json.dumps({"app": name, "messages": messages, "body": body.decode()}))
        record(f"{name}.response")
        return
    if verb == "stream":
        chunks, size = int(query.get("chunks", "1")), int(query.get("size", "1024"))
        await send({"type": "http.response.start", "status": 200,
                    "headers": [(b"content-type", b"application/octet-stream"), (b"content-length", str(chunks * size).encode())]})
        for i in range(chunks):
            await send({"type": "http.response.body", "body": b"x" * size, "more_body": i < chunks - 1})
        record(f"{name}.body.sent")
        return
    if verb == "hold":
        # A long-lived response (an event stream), held until the client leaves or `ms` passed:
        # ASGI has no drain signal, so a server ends it by disconnecting or by waiting it out.
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/event-stream")]})
        await send({"type": "http.response.body", "body": b"data: open\n\n", "more_body": True})
        record(f"{name}.stream.open")

        async def disconnected():
            _, _, gone = await read_body(receive)
            if not gone:
                while (await receive())["type"] != "http.disconnect":
                    pass

        try:
            await asyncio.wait_for(disconnected(), int(query.get("ms", "3000")) / 1000)
            why = "disconnect"
        except asyncio.TimeoutError:
            why = "timeout"
        record(f"{name}.stream.end", why)
        await send({"type": "http.response.body", "body": b"data: end\n\n"})
        return
    if verb == "cookies":
        rep = [v.decode("latin-1") for k, v in scope["headers"] if k == b"x-rep"]
        await respond(send, 200, json.dumps({"app": name, "rep": rep}), [(b"set-cookie", b"a=1"), (b"set-cookie", b"b=2")])
        record(f"{name}.response")
        return
    if verb == "set-state" and state is not None:
        state[query.get("key", "key")] = query.get("value", "")
    if verb == "mutate-state" and state is not None and isinstance(state.get(query.get("key", "key")), dict):
        state[query.get("key", "key")][query.get("field", "field")] = query.get("value", "")

    body, _, _ = await read_body(receive)
    await respond(send, int(query.get("status", "200")), json.dumps({
        "app": name,
        "method": scope["method"],
        "path": scope["path"],
        "rootPath": scope.get("root_path", ""),
        "rawPath": (scope.get("raw_path") or b"").decode("latin-1"),
        "queryString": scope.get("query_string", b"").decode("latin-1"),
        "httpVersion": scope.get("http_version"),
        "scheme": scope.get("scheme"),
        "state": state_json(state),
        "body": body.decode(),
    }))
    record(f"{name}.response")
