"""One SageMaker Feature Store group: its role, the group, and the features added since.

How a group evolves without losing data is in `modelops.spec.feature_store`: the group is declared
with the definition of its generation's first version, which never changes, and
`FeatureAdditions` adds later features in place.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

import pulumi
import pulumi_aws as aws

from components.providers.feature_additions import FeatureAdditions
from components.sagemaker_role import sagemaker_role
from modelops.aws import naming
from modelops.aws.iam import FeatureGroupRoleScope, feature_group_role_policy
from modelops.spec.feature_store import FeatureGroupDeployment
from modelops.spec.models import FeatureGroupSpec
from modelops.spec.stack import StackConfig

FEATURE_TYPES = {"string": "String", "integral": "Integral", "fractional": "Fractional"}
TABLE_FORMATS = {"glue": "Glue", "iceberg": "Iceberg"}


@dataclass
class FeatureGroupArgs:
    deployment: FeatureGroupDeployment
    stack: StackConfig
    partition: str
    account: str
    bucket: str | None  # the offline store's bucket (modelops:buckets.featureStore or the stack's)
    tags: dict[str, str]


def feature_definitions(group: FeatureGroupSpec) -> list[dict[str, str]]:
    return [{"FeatureName": f.name, "FeatureType": FEATURE_TYPES[f.type]} for f in group.features]


def offline_store_uri(bucket: str, physical_name: str) -> str:
    return f"s3://{bucket}/feature-store/{physical_name}/"


class FeatureGroup(pulumi.ComponentResource):
    feature_group_name: pulumi.Output[str]
    arn: pulumi.Output[str]

    def __init__(self, name: str, args: FeatureGroupArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("modelops:featurestore:FeatureGroup", name, {}, opts)
        deployment, stack = args.deployment, args.stack
        base, physical = deployment.base, deployment.physical_name
        kms = stack.kms_key_arn
        offline_uri = None
        if base.offline.enabled:
            assert args.bucket is not None  # the program provides a bucket whenever a group is offline
            offline_uri = offline_store_uri(args.bucket, physical)
        role, policy = sagemaker_role(
            f"{name}-store",
            role_name=naming.feature_group_role_name(physical),
            description=f"Feature Store role of feature group {physical} in {stack.name} (modelops)",
            account=args.account,
            source_arn=None,  # SageMaker documents no aws:SourceArn for Feature Store
            policy=feature_group_role_policy(
                FeatureGroupRoleScope(
                    partition=args.partition,
                    region=stack.region,
                    account=args.account,
                    group_name=physical,
                    offline_s3_uri=offline_uri,
                    kms_key_arn=kms,
                )
            ),
            boundary_arn=stack.permissions_boundary_arn,
            tags=args.tags,
            parent=self,
        )
        online: dict[str, Any] | None = None
        if base.online.enabled:
            online = {"enable_online_store": True}
            if kms:
                online["security_config"] = {"kms_key_id": kms}
            ttl_days = deployment.spec.online.ttl_days  # the one setting AWS updates in place
            if ttl_days is not None:
                online["ttl_duration"] = {"unit": "Days", "value": ttl_days}
        offline: dict[str, Any] | None = None
        if offline_uri is not None:
            offline = {
                "s3_storage_config": {"s3_uri": offline_uri.rstrip("/"), **({"kms_key_id": kms} if kms else {})},
                "table_format": TABLE_FORMATS[base.offline.table_format],
            }
        group = aws.sagemaker.FeatureGroup(
            f"{name}-group",
            feature_group_name=physical,
            record_identifier_feature_name=base.record_identifier,
            event_time_feature_name=base.event_time,
            description=base.description,
            role_arn=role.arn,
            feature_definitions=[
                {"feature_name": d["FeatureName"], "feature_type": d["FeatureType"]} for d in feature_definitions(base)
            ],
            online_store_config=cast(Any, online),
            offline_store_config=cast(Any, offline),
            tags=args.tags,
            opts=pulumi.ResourceOptions(
                parent=self,
                depends_on=[policy] if policy is not None else [],
                # Belt and braces: definitions are ForceNew in pulumi-aws. They come from the
                # generation's first version and so never change; if they ever differed (a
                # pruned version file), replacing the group would lose its records.
                ignore_changes=["featureDefinitions", "description"],
            ),
        )
        FeatureAdditions(
            f"{name}-additions",
            feature_group_name=group.feature_group_name,
            region=stack.region,
            features=feature_definitions(deployment.spec),
            opts=pulumi.ResourceOptions(parent=self, depends_on=[group]),
        )
        self.feature_group_name = group.feature_group_name
        self.arn = group.arn
        self.register_outputs({"feature_group_name": self.feature_group_name, "arn": self.arn})
