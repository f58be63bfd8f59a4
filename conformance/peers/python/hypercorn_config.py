"""hypercorn settings for the conformance run: the scenario's server time limits, when it sets them."""

import os

if "TSGI_SERVER_STARTUP_TIMEOUT_MS" in os.environ:
    startup_timeout = int(os.environ["TSGI_SERVER_STARTUP_TIMEOUT_MS"]) / 1000
if "TSGI_SERVER_SHUTDOWN_TIMEOUT_MS" in os.environ:
    shutdown_timeout = int(os.environ["TSGI_SERVER_SHUTDOWN_TIMEOUT_MS"]) / 1000
# hypercorn's drain: how long SIGTERM waits for in-flight requests.
if "TSGI_SERVER_DRAIN_TIMEOUT_MS" in os.environ:
    graceful_timeout = int(os.environ["TSGI_SERVER_DRAIN_TIMEOUT_MS"]) / 1000
