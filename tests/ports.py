"""Free local ports for the servers tests start.

A port taken with ``bind(("127.0.0.1", 0))`` comes from the kernel's ephemeral range,
the range outgoing connections (to Redis, PostgreSQL, between test processes) take
their local ports from, and it is let go before the server binds it. In that gap the
port can be handed to another process of the run (the other half of scripts/test runs
beside this one) and a test then talks to that process's server: the symptom was a
test through the balancer answered 403 throughout by a server with another secret.

Ports here come from below the ephemeral range, from a block of this process's own:
``KUULOLLA_TEST_PORTS`` ("FIRST-LAST", set per half by scripts/test) or else a block of
500 chosen by the process id, handed out in turn from a random start, each checked
free, and not handed out again until the block wraps.
"""

from __future__ import annotations

import os
import random
import socket
import threading

BLOCK = 500
LOWEST = 10_000


def _ephemeral_start() -> int:
    try:
        with open("/proc/sys/net/ipv4/ip_local_port_range") as f:
            return int(f.read().split()[0])
    except (OSError, ValueError, IndexError):
        return 32_768


def _block() -> range:
    spec = os.environ.get("KUULOLLA_TEST_PORTS", "")
    if spec:
        first, last = (int(part) for part in spec.split("-"))
        return range(first, last + 1)
    # Blocks below the ephemeral range that the halves of scripts/test do not use.
    top = min(_ephemeral_start(), 20_000)
    blocks = max(1, (top - LOWEST) // BLOCK)
    first = LOWEST + (os.getpid() % blocks) * BLOCK
    return range(first, first + BLOCK)


_lock = threading.Lock()
_ports = _block()
_next = random.randrange(len(_ports))


def free_port() -> int:
    """A port of this process's block that nothing listens on now."""
    global _next
    with _lock:
        for _ in range(len(_ports)):
            port = _ports[_next % len(_ports)]
            _next += 1
            with socket.socket() as s:
                try:
                    s.bind(("127.0.0.1", port))
                except OSError:
                    continue
            return port
    raise RuntimeError(f"no free port in {_ports.start}-{_ports.stop - 1}")
