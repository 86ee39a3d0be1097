"""Prometheus metrics of one server process (or of all workers, aggregated).

Counts are updated per message or per batch, never per recipient: a fan-out of one
message to a thousand sockets adds 1000 to ``deliveries`` in one call. No label
carries a client address, token, nickname or text; labels have small, fixed value
sets.

With several workers, ``kuulolla serve`` points ``PROMETHEUS_MULTIPROC_DIR`` at a
fresh directory before the workers start, and ``/metrics`` sums them
(https://prometheus.github.io/client_python/multiprocess/).
"""

from __future__ import annotations

import os

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)

CONNECTIONS = Gauge(
    "kuulolla_connections", "Open WebSocket connections", multiprocess_mode="livesum"
)
MESSAGES_ACCEPTED = Counter(
    "kuulolla_messages_accepted_total", "Messages committed and acknowledged"
)
MESSAGES_REFUSED = Counter(
    "kuulolla_messages_refused_total", "Sends answered with an error frame", ["code"]
)
DELIVERIES = Counter("kuulolla_deliveries_total", "Message frames written to local sockets")
FANOUT_LATENCY = Histogram(
    "kuulolla_fanout_latency_seconds",
    "From commit to the frame being written to this process's sockets",
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
GAP_FILLS = Counter(
    "kuulolla_gap_fills_total", "Database reads that filled a gap in a room's stream"
)
GAP_MESSAGES = Counter("kuulolla_gap_messages_total", "Messages delivered from gap fills")
OUTBOX_OVERFLOWS = Counter(
    "kuulolla_outbox_overflows_total", "Sockets closed because they fell behind"
)
BROKER_RECONNECTS = Counter(
    "kuulolla_broker_reconnects_total", "Broker subscription links re-established"
)
BROKER_PUBLISH_FAILURES = Counter(
    "kuulolla_broker_publish_failures_total", "Publishes dropped: Redis unreachable or refusing"
)
COMMIT_BATCH = Histogram(
    "kuulolla_commit_batch_size",
    "Messages per database commit",
    buckets=(1, 2, 4, 8, 16, 32, 64, 128, 256, 512),
)
COMMIT_SECONDS = Histogram(
    "kuulolla_commit_seconds",
    "Time a message batch's write and commit took, the database's flush included",
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0),
)
COMMIT_FAILURES = Counter(
    "kuulolla_commit_failures_total", "Commits that failed (nothing acknowledged)"
)
HISTORY_QUERIES = Counter("kuulolla_history_queries_total", "History reads for joining clients")
JOINS = Counter("kuulolla_joins_total", "Room joins, by outcome", ["outcome"])
LIMITED = Counter(
    "kuulolla_limited_total", "Attempts refused by a limit (core/limits.py), by limit", ["limit"]
)
LIMITER_FALLBACKS = Counter(
    "kuulolla_limiter_fallbacks_total",
    "Times Redis could not be reached and limits were counted in process",
)
REQUESTS_REFUSED = Counter(
    "kuulolla_requests_refused_total",
    "HTTP requests refused before the application read them, by reason",
    ["reason"],
)


def render() -> tuple[bytes, str]:
    """The exposition text of this process, or of every worker when multiprocess."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return generate_latest(registry), CONTENT_TYPE_LATEST
    return generate_latest(), CONTENT_TYPE_LATEST
