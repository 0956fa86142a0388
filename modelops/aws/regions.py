"""AWS regions and partitions as botocore knows them.

botocore's `data/partitions.json` (7 KB) lists every partition (aws, aws-cn, aws-us-gov, the
isolated ones) with its regions and region pattern; it is read directly, without importing
botocore, so that `validate` stays fast. The sagemaker SDK resolves ECR hosts with the same
botocore data (`sagemaker.core.common_utils._botocore_resolver`).
"""

from __future__ import annotations

import difflib
import functools
import importlib.metadata
import importlib.util
import json
import re
from pathlib import Path


@functools.cache
def _partitions() -> tuple[dict, ...]:
    spec = importlib.util.find_spec("botocore")
    for location in (spec.submodule_search_locations or []) if spec else []:
        path = Path(location) / "data" / "partitions.json"
        if path.is_file():
            return tuple(json.loads(path.read_text())["partitions"])
    return ()


def _is_region(name: str) -> bool:
    return not name.endswith("-global")  # aws-global and the like name global endpoints, not regions


@functools.cache
def known_regions() -> dict[str, str]:
    """Region -> its partition, for every region botocore lists."""
    return {
        region: partition["id"]
        for partition in _partitions()
        for region in partition.get("regions", {})
        if _is_region(region)
    }


def partition_of(region: str) -> str | None:
    return known_regions().get(region)


def dns_suffix(partition: str) -> str:
    """The DNS suffix of a partition's service endpoints (`amazonaws.com`, `amazonaws.com.cn`)."""
    for entry in _partitions():
        if entry["id"] == partition:
            return str(entry.get("outputs", {}).get("dnsSuffix", "amazonaws.com"))
    return "amazonaws.com"


def region_problem(region: str) -> str | None:
    """Why `region` is not a region botocore knows (listing close ones), or None."""
    regions = known_regions()
    if not regions or region in regions:
        return None  # without botocore's data there is nothing to check against
    version = importlib.metadata.version("botocore")
    matching = [p["id"] for p in _partitions() if re.match(p.get("regionRegex", "$^"), region)]
    where = (
        f"partition {matching[0]}" if matching else "any partition (" + ", ".join(p["id"] for p in _partitions()) + ")"
    )
    candidates = [r for r, p in regions.items() if not matching or p == matching[0]] or list(regions)
    close = difflib.get_close_matches(region, candidates, n=4, cutoff=0.6) or sorted(candidates)[:4]
    return f"botocore {version} knows no region {region!r} in {where}; close: {', '.join(close)}"
