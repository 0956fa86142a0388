"""Execution role with a least-privilege inline policy, permissions boundary, registry
package group and model card for one deployed model."""

from __future__ import annotations

import json
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from components.providers.model_card import ModelCard
from components.sagemaker_role import sagemaker_role
from modelops.aws.iam import ExecutionRoleScope, execution_role_policy, sagemaker_source_arn
from modelops.aws.naming import bounded, role_name
from modelops.spec.resolved_model import ResolvedModel
from modelops.spec.stack import StackConfig

# SageMaker model card risk ratings (ModelCard content schema, intended_uses.risk_rating).
RISK_RATING = {"low": "Low", "medium": "Medium", "high": "High", None: "Unknown"}
CARD_STATUS = {"dev": "Draft", "staging": "PendingReview", "prod": "Approved"}


@dataclass
class GovernanceArgs:
    model: ResolvedModel
    stack: StackConfig
    scope: ExecutionRoleScope | None  # None: no SageMaker execution role (a model served on Kubernetes)
    tags: dict[str, str]


def model_card_content(model: ResolvedModel) -> dict:
    spec = model.spec
    card = spec.governance.model_card
    content: dict = {
        "model_overview": {
            "model_description": spec.metadata.description,
            "model_owner": spec.metadata.owner,
            "model_version": float(spec.metadata.version.split(".")[0]),
        },
        "intended_uses": {"risk_rating": RISK_RATING[spec.metadata.risk]},
        # The schema's model_version is a number; the SemVer release goes in custom details.
        "additional_information": {"custom_details": {"release": model.version}},
    }
    if card is not None:
        content["intended_uses"]["intended_uses"] = card.intended_uses
        additional = {}
        if card.limitations:
            additional["caveats_and_recommendations"] = card.limitations
        if card.ethical_considerations:
            additional["ethical_considerations"] = card.ethical_considerations
        content["additional_information"].update(additional)
    return content


class Governance(pulumi.ComponentResource):
    """The model card of every model, wherever it serves; for SageMaker also the execution role
    and the adopted registry package group. A model served on Kubernetes gets its role from
    `components.kubernetes_identity` instead; its card is the same one, updated in place when
    the model moves between targets."""

    role_arn: pulumi.Output[str] | None  # the SageMaker execution role's; None on Kubernetes

    def __init__(self, name: str, args: GovernanceArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("modelops:governance:Governance", name, {}, opts)
        model, stack = args.model, args.stack
        child = pulumi.ResourceOptions(parent=self)
        self.role_arn = None
        if args.scope is not None:
            role, _ = sagemaker_role(
                f"{name}-execution",
                role_name=role_name(model.name, stack.environment),
                description=f"SageMaker execution role of {model.name} in {stack.name} (modelops)",
                account=args.scope.account,
                source_arn=sagemaker_source_arn(args.scope.partition, args.scope.region, args.scope.account),
                policy=execution_role_policy(args.scope),
                boundary_arn=stack.permissions_boundary_arn,
                tags=args.tags,
                parent=self,
            )
            self.role_arn = role.arn
        package = model.spec.model.package
        if package is not None:
            # The training pipeline registers packages into this group before any deploy, so
            # the group already exists: it is adopted (imported), never created or deleted here.
            aws.sagemaker.ModelPackageGroup(
                f"{name}-package-group",
                model_package_group_name=package.group,
                opts=pulumi.ResourceOptions(
                    parent=self,
                    import_=package.group,
                    retain_on_delete=True,
                    ignore_changes=["tags", "modelPackageGroupDescription"],
                ),
            )
        # One card per model and stack, named without the version: a version move updates its
        # content in place, keeping the earlier content as a card version
        # (components.providers.model_card).
        card_name = bounded(model.name, stack.environment)
        ModelCard(
            f"{name}-model-card",
            region=stack.region,
            model_card_name=card_name,
            content=json.dumps(model_card_content(model), sort_keys=True),
            status=CARD_STATUS[stack.environment],
            kms_key_id=stack.kms_key_arn,
            tags=args.tags,
            opts=child,
        )
        self.register_outputs({"role_arn": self.role_arn})
