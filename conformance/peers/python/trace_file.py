"""Trace events for the conformance runner: one JSON line per event appended to TSGI_TRACE,
with a wall-clock time in milliseconds that merges with the runner's own events."""

import json
import os
import time

TRACE = os.environ.get("TSGI_TRACE")


def record(event, detail=None):
    line = {"event": event, "t": time.time() * 1000}
    if detail is not None:
        line["detail"] = detail
    if TRACE:
        # One write per line, opened in append mode: a line is whole even if we are killed.
        with open(TRACE, "a", encoding="utf-8") as f:
            f.write(json.dumps(line) + "\n")


def describe(error):
    return f"{type(error).__name__}: {error}"
