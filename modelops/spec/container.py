"""What a model's serving container is given, wherever it runs (SageMaker or Kubernetes)."""

from __future__ import annotations

from modelops.spec.models import ModelSource
from modelops.spec.resolved_model import Variant

# Where a kubernetes model's container finds its artifact, set by modelops next to
# `model.environment`, so neither name may be one of its keys.
STORAGE_URI_ENV = "STORAGE_URI"  # a custom KServe predictor's, which KServe's storage initializer downloads
ARTIFACT_ENV = "MODEL_ARTIFACT_URI"  # a Deployment's: its server fetches it with the pod's role


def container_environment(variant: Variant) -> dict[str, str]:
    return model_environment(variant.spec.model)


def model_environment(model: ModelSource) -> dict[str, str]:
    """`model.environment` as text, then each secret's ARN as `<NAME>_SECRET_ARN`: the
    container reads the value itself, with its role, so no secret value is ever rendered."""
    env = {k: str(v) for k, v in model.environment.items()}
    for key, arn in model.secrets.items():
        env[f"{key}_SECRET_ARN"] = arn
    return env
