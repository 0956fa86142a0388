"""Whether a stack gets a bucket of its own (`components.stack_bucket`): where its models capture
data, keep async requests and responses, write monitoring reports and keep offline feature stores,
for each that `modelops:buckets` does not name a bucket of the user's."""

from __future__ import annotations

from collections.abc import Sequence

from modelops.spec.feature_store import FeatureGroupDeployment
from modelops.spec.resolved_model import ResolvedModel
from modelops.spec.stack import StackConfig


def needs_stack_bucket(
    stack: StackConfig, models: Sequence[ResolvedModel], groups: Sequence[FeatureGroupDeployment]
) -> bool:
    return any(
        # A model on Kubernetes captures data through KServe's payload logger, not into S3.
        (
            m.spec.serving.data_capture.enabled
            and m.spec.serving.target == "sagemaker"
            and not stack.buckets.data_capture
        )
        or m.spec.serving.mode == "async"
        or (m.spec.monitoring.enabled_monitors() and not stack.buckets.monitoring)
        for m in models
    ) or (any(g.base.offline.enabled for g in groups) and not stack.buckets.feature_store)
