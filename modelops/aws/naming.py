"""Deterministic AWS names within AWS's length limits.

SageMaker Models and EndpointConfigurations cannot be updated in place (every pulumi-aws
input of both is replace-on-change), so their names carry a hash of what they contain: a
change gives a new name, Pulumi creates the new one before deleting the old, and the
Endpoint, whose name never changes, is updated in place to the new configuration.
"""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any

SAGEMAKER_NAME_LIMIT = 63
IAM_ROLE_NAME_LIMIT = 64
DIGEST_LENGTH = 8
_INVALID = re.compile(r"[^a-zA-Z0-9-]+")


def digest(content: Any) -> str:
    """A short stable hash of JSON-able content (key order does not matter)."""
    text = json.dumps(content, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:DIGEST_LENGTH]


def bounded(*parts: str, suffix: str = "", limit: int = SAGEMAKER_NAME_LIMIT) -> str:
    """Join parts with '-', keep SageMaker's character set, and cut the front part to fit
    `limit` so that the suffix (usually a digest) always survives."""
    base = _INVALID.sub("-", "-".join(p for p in parts if p)).strip("-")
    base = re.sub(r"-{2,}", "-", base)
    room = limit - (len(suffix) + 1 if suffix else 0)
    base = base[:room].rstrip("-")
    return f"{base}-{suffix}" if suffix else base


def stack_bucket_name(account: str, region: str, stack: str) -> str:
    # Deterministic and unique per account and region, so names are known before deploy.
    return bounded("modelops", account, region, stack).lower()


def endpoint_name(model: str, environment: str) -> str:
    return bounded(model, environment)


def model_name(model: str, environment: str, version: str, content: Any) -> str:
    return bounded(model, environment, "v" + version, suffix=digest(content))


def endpoint_config_name(model: str, environment: str, content: Any) -> str:
    return bounded(model, environment, suffix=digest(content))


def role_name(model: str, environment: str) -> str:
    return bounded("modelops", model, environment, limit=IAM_ROLE_NAME_LIMIT)


FEATURE_GROUP_NAME_LIMIT = 64


def feature_group_name(group: str, environment: str, generation: int) -> str:
    """Stable while a group only gains features; a replacement (generation 2, 3, ...) is a new
    group under a new name, so Pulumi creates it before it deletes the old one."""
    return bounded(
        group, environment, suffix=f"g{generation}" if generation > 1 else "", limit=FEATURE_GROUP_NAME_LIMIT
    )


def feature_group_role_name(group_name: str) -> str:
    # Model roles end in the environment; this suffix keeps the two name spaces apart.
    return bounded("modelops", group_name, suffix="featurestore", limit=IAM_ROLE_NAME_LIMIT)


def workload_role_name(model: str, environment: str) -> str:
    """The role a model's Kubernetes pods assume (IRSA). Its own suffix keeps it apart from the
    SageMaker execution role, so a model moving between the two targets creates one role while
    the other is deleted, without a name clash."""
    return bounded("modelops", model, environment, suffix="irsa", limit=IAM_ROLE_NAME_LIMIT)


def monitoring_role_name(model: str, environment: str) -> str:
    return bounded("modelops", model, environment, suffix="monitor", limit=IAM_ROLE_NAME_LIMIT)


MONITOR_ABBREVIATIONS = {"data_quality": "dq", "model_quality": "mq", "bias": "bias", "explainability": "shap"}


def monitoring_schedule_name(model: str, environment: str, monitor: str) -> str:
    return bounded(model, environment, MONITOR_ABBREVIATIONS[monitor])


def monitoring_job_definition_name(model: str, environment: str, monitor: str, content: Any) -> str:
    """Job definitions have no update API: a changed definition is a new one under a new name."""
    return bounded(model, environment, MONITOR_ABBREVIATIONS[monitor], suffix=digest(content))


# Pools (components/sagemaker_pool.py): one shared endpoint per pool and stack. Their names
# start from `<pool>-<environment>` as a model's start from `<model>-<environment>`; the role's
# suffix keeps it apart from the execution role of a model that has the pool's name.


def pool_endpoint_name(pool: str, environment: str) -> str:
    return bounded(pool, environment)


def pool_endpoint_config_name(pool: str, environment: str, content: Any) -> str:
    return bounded(pool, environment, suffix=digest(content))


def pool_role_name(pool: str, environment: str) -> str:
    return bounded("modelops", pool, environment, suffix="pool", limit=IAM_ROLE_NAME_LIMIT)


def inference_component_name(model: str, environment: str, endpoint: str, variant: str) -> str:
    """`<model>-<environment>-<digest of where it runs>`.

    An inference component's name is unique per account and region, and UpdateInferenceComponent
    takes no EndpointName or VariantName (botocore `UpdateInferenceComponentInput`): a model
    moving to another pool is a new component, created before the old one is deleted so that
    the model keeps serving. Both exist for that while, so they need different names: the digest
    of the endpoint and variant changes exactly when the component has to be replaced, as a job
    definition's digest changes exactly when it has to be (`monitoring_job_definition_name`).
    """
    return bounded(model, environment, suffix=digest({"endpoint": endpoint, "variant": variant}))
