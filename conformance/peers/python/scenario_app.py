"""The conformance scenario app as an ASGI application (standard library + Starlette routing).

Reads the scenario from the environment (conformance/README.md, "Running the suite against
your own server"): TSGI_SCENARIO_SETUP is the scenario's setup as JSON, TSGI_TRACE the file
to append trace events to. Leaf apps speak lifespan as their spec says and HTTP as the shared endpoint
vocabulary says; routers are Starlette's Router/Mount/Route, since that is what Python
users compose with. Run it under any ASGI server: `uvicorn scenario_app:app`.
"""

import asyncio
import contextlib
import json
import os
import time

from starlette.routing import Mount, Route, Router

from endpoints import handle_http
from websocket_endpoints import handle_websocket
from trace_file import describe, record

SETUP = json.loads(os.environ.get("TSGI_SCENARIO_SETUP", '{"app": {"kind": "app", "name": "app"}}'))


async def never():
    await asyncio.Event().wait()


def shown(value):
    if value is None:
        return "missing"
    return value if isinstance(value, str) else json.dumps(value)


def record_reads(prefix, keys, state):
    for key in keys or []:
        record(f"{prefix}.read.{key}={shown((state or {}).get(key))}")


async def step_front(prefix, spec, state):
    spec = spec or {}
    record_reads(prefix, spec.get("reads"), state)
    if "blockMs" in spec:
        time.sleep(spec["blockMs"] / 1000)  # blocks the loop on purpose
    if "delayMs" in spec:
        await asyncio.sleep(spec["delayMs"] / 1000)
    if spec.get("state") and state is not None:
        state.update(spec["state"])


async def run_hook(event, spec, state):
    """A router's own setup or teardown (the Python peer has no server-level hooks)."""
    spec = spec or {}
    record(event)
    record_reads(event, spec.get("reads"), state)
    if "delayMs" in spec:
        await asyncio.sleep(spec["delayMs"] / 1000)
    if spec.get("state") and state is not None:
        state.update(spec["state"])
    then = spec.get("then", "ok")
    if then == "throw":
        record(f"{event}.throw")
        raise RuntimeError(spec.get("message", f"{event} failed"))
    if then == "hang":
        await never()


BEFORE = {
    "shutdown-complete": {"type": "lifespan.shutdown.complete"},
    "unknown-type": {"type": "lifespan.bogus"},
    "http-response-start": {"type": "http.response.start", "status": 200, "headers": []},
}


async def try_send(name, send, message):
    try:
        await send(message)
        record(f"{name}.send.ok")
    except Exception as error:  # the scenario app never lets a refused send escape
        record(f"{name}.send.error", describe(error))


class Leaf:
    """A leaf app. A class instance, so Starlette's Route hands it raw ASGI calls."""

    def __init__(self, spec):
        self.spec = spec
        self.name = spec["name"]

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http":
            return await handle_http(self.name, scope, receive, send)
        if scope["type"] == "websocket":
            return await handle_websocket(self.name, scope, receive, send)
        if scope["type"] != "lifespan":
            return
        name, spec = self.name, self.spec
        state = scope.get("state")
        if spec.get("inspectScope"):
            record(f"{name}.scope.type={scope['type']}")
            record(f"{name}.scope.state={'object' if isinstance(state, dict) else 'missing'}")
            record(f"{name}.scope.version", (scope.get("asgi") or {}).get("version", "missing"))
        if "blockFirstMs" in spec:
            time.sleep(spec["blockFirstMs"] / 1000)  # blocks the loop on purpose
        mode = spec.get("lifespan", "on")
        if mode == "unsupported":
            record(f"{name}.unsupported")
            raise RuntimeError(f"{name} only speaks HTTP")
        if mode == "silent":
            record(f"{name}.silent")
            return
        for kind in spec.get("before", []):
            await try_send(name, send, BEFORE[kind])

        await receive()
        record(f"{name}.startup")
        if await self.answer("startup", spec.get("startup"), state, send) == "ended":
            return
        if spec.get("leakTimer"):
            # A forgotten timer: it must not keep a stopped server's process alive.
            asyncio.get_running_loop().call_later(3600, lambda: None)
        after = spec.get("afterStartup")
        if after:
            await asyncio.sleep(after["delayMs"] / 1000)
            record(f"{name}.after-startup.{after['then']}")
            if after["then"] == "throw":
                raise RuntimeError(after.get("message", f"{name} crashed while running"))
            return
        await receive()
        record(f"{name}.shutdown")
        await self.answer("shutdown", spec.get("shutdown"), state, send)

    async def answer(self, phase, spec, state, send):
        name = self.name
        spec = spec or {}
        front = dict(spec) if phase == "startup" else {k: v for k, v in spec.items() if k != "state"}
        await step_front(f"{name}.{phase}", front, state)
        then = spec.get("then", "complete")
        kind = f"lifespan.{phase}"
        if then in ("complete", "complete-twice"):
            record(f"{name}.{phase}.complete")
            await send({"type": f"{kind}.complete"})
            if then == "complete-twice":
                await try_send(name, send, {"type": f"{kind}.complete"})
            return "answered"
        if then == "fail":
            record(f"{name}.{phase}.failed")
            await send({"type": f"{kind}.failed", "message": spec.get("message", f"{name} {phase} failed")})
            return "ended"
        if then == "fail-then-throw":
            record(f"{name}.{phase}.failed")
            await send({"type": f"{kind}.failed", "message": spec.get("message", f"{name} {phase} failed")})
            record(f"{name}.{phase}.throw")
            raise RuntimeError(f"{name} raised after {phase}.failed")
        if then == "fail-no-message":
            record(f"{name}.{phase}.failed")
            await send({"type": f"{kind}.failed"})
            return "ended"
        if then == "throw":
            record(f"{name}.{phase}.throw")
            raise RuntimeError(spec.get("message", f"{name} {phase} threw"))
        if then == "return":
            record(f"{name}.{phase}.return")
            return "ended"
        record(f"{name}.{phase}.hang")
        await never()


def router_lifespan(name, spec):
    @contextlib.asynccontextmanager
    async def lifespan(app):
        # Starlette gives a lifespan no state of its own: what it yields is merged by the router.
        await run_hook(f"{name}.setup", spec.get("setup"), None)
        yield spec.get("yields")
        await run_hook(f"{name}.teardown", spec.get("teardown"), None)

    return lifespan


def build(spec, built):
    if spec["kind"] == "app":
        app = Leaf(spec)
        built[spec["name"]] = app
        return app
    routes = []
    for entry in spec["routes"]:
        if "same" in entry:
            routes.append(Mount(entry["mount"], app=built[entry["same"]]))
        elif "mount" in entry:
            routes.append(Mount(entry["mount"], app=build(entry["app"], built)))
        else:
            routes.append(Route(entry["route"], endpoint=build(entry["app"], built), methods=entry["methods"]))
    lifespan = router_lifespan(spec["name"], spec["lifespan"]) if "lifespan" in spec else None
    app = Router(routes=routes, lifespan=lifespan)
    built[spec["name"]] = app
    return app


def top(tree):
    """The tree as the server sees it: each lifespan message sent up is recorded as `>type`
    (and `>type.raised` when the server's send raised)."""

    async def app(scope, receive, send):
        if scope["type"] != "lifespan":
            return await tree(scope, receive, send)

        async def recording_send(message):
            kind = str(message.get("type", ""))
            if not kind.startswith("lifespan."):
                return await send(message)
            record(f">{kind}", message.get("message"))
            try:
                await send(message)
            except BaseException as error:
                # Refused, or the server's way of ending things (hypercorn raises on *.failed).
                record(f">{kind}.raised", describe(error))
                raise

        await tree(scope, receive, recording_send)

    return app


app = top(build(SETUP["app"], {}))
