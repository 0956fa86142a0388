"""SageMaker instance types, from botocore's SageMaker service model.

The SageMaker API takes the instance types its shapes enumerate: `ProductionVariantInstanceType`
for endpoints (CreateEndpointConfig) and `ProcessingInstanceType` for monitoring jobs (their
ClusterConfig). botocore's `data/sagemaker/<api>/service-2.json` carries both enums; this module
is the one place that reads them, for `validate` (spec_checks) and for the rehearsal's moto
patches (moto_gaps).
"""

from __future__ import annotations

import difflib
import functools
import importlib.metadata
import json
import os
from pathlib import Path
from typing import Literal

HOSTING_SHAPE = "ProductionVariantInstanceType"
PROCESSING_SHAPE = "ProcessingInstanceType"

Kind = Literal["hosting", "processing"]
_SHAPES: dict[Kind, str] = {"hosting": HOSTING_SHAPE, "processing": PROCESSING_SHAPE}


def _cache_file() -> Path:
    version = importlib.metadata.version("botocore")
    root = Path(os.environ.get("MODELOPS_CACHE_DIR", Path.home() / ".cache" / "modelops"))
    return root / f"sagemaker-instance-types-botocore-{version}.json"


@functools.cache
def _enums() -> dict[str, frozenset[str]]:
    # Importing botocore and parsing the 1 MB SageMaker model costs ~0.15 s of every `validate`;
    # the two enums change only with botocore, so they are kept on disk per botocore version.
    path = _cache_file()
    try:
        cached = json.loads(path.read_text())
        return {shape: frozenset(cached[shape]) for shape in _SHAPES.values()}
    except (OSError, ValueError, KeyError, TypeError):
        pass
    enums = _enums_from_botocore()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps({shape: sorted(values) for shape, values in enums.items()}))
        tmp.replace(path)
    except OSError:
        pass  # a read-only home only costs the next run the botocore load
    return enums


def _enums_from_botocore() -> dict[str, frozenset[str]]:
    from botocore.loaders import create_loader

    # The loader honours AWS_DATA_PATH and ~/.aws/models as boto3 clients do.
    shapes = create_loader().load_service_model("sagemaker", "service-2")["shapes"]
    return {shape: frozenset(shapes[shape]["enum"]) for shape in _SHAPES.values()}


def hosting_instance_types() -> frozenset[str]:
    return _enums()[HOSTING_SHAPE]


def processing_instance_types() -> frozenset[str]:
    return _enums()[PROCESSING_SHAPE]


def instance_type_problem(kind: Kind, instance_type: str) -> str | None:
    """Why SageMaker would refuse `instance_type` for hosting or processing, or None."""
    shape = _SHAPES[kind]
    valid = _enums()[shape]
    if instance_type in valid:
        return None
    family = instance_type.rsplit(".", 1)[0] + "."
    close = difflib.get_close_matches(instance_type, sorted(valid), n=4, cutoff=0.7)
    same_family = sorted(t for t in valid if t.startswith(family))
    hint = ", ".join(close or same_family[:6])
    use = "endpoints" if kind == "hosting" else "monitoring (processing) jobs"
    return f"{instance_type} is not an instance type SageMaker {use} take (botocore's {shape})" + (
        f"; close: {hint}" if hint else ""
    )
