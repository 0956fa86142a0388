"""The boto3 client the dynamic providers call AWS with: one per service and region per process.

Creating a boto3 client loads and parses its service's model (tens of milliseconds); a
deployment calls these providers once or more per model, in the provider host's threads. A
client is safe to share between threads once created, but creating one from the default session
is not (boto/boto3#801), hence the lock.
"""

from __future__ import annotations

import threading
from typing import Any

_LOCK = threading.Lock()
_CLIENTS: dict[tuple[str, str], Any] = {}


def client(service: str, region: str) -> Any:
    key = (service, region)
    with _LOCK:
        if key not in _CLIENTS:
            import boto3

            _CLIENTS[key] = boto3.client(service, region_name=region)
        return _CLIENTS[key]
