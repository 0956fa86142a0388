"""A model's identity on Kubernetes: a ServiceAccount `<model>` and the IAM role its pods assume.

IAM roles for service accounts (IRSA): the role trusts only the stack's EKS OIDC provider,
for exactly this service account and the `sts.amazonaws.com` audience
(`modelops.aws.iam.irsa_trust_policy`); its permissions come from the same least-privilege scope
as a SageMaker execution role (`modelops.aws.iam.workload_role_policy`), under the stack's
permissions boundary and with the model's tags. The service account names the role in its
`eks.amazonaws.com/role-arn` annotation.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_kubernetes as kubernetes

from components.kubernetes_provider import KubernetesCluster
from components.sagemaker_role import iam_role
from modelops.aws.iam import ExecutionRoleScope, irsa_trust_policy
from modelops.aws.model_role import pods_role_policy
from modelops.aws.naming import workload_role_name
from modelops.errors import DeploymentRefused
from modelops.kubernetes import manifests
from modelops.spec.resolved_model import ResolvedModel
from modelops.spec.stack import StackConfig


@dataclass
class KubernetesIdentityArgs:
    model: ResolvedModel
    stack: StackConfig
    scope: ExecutionRoleScope
    tags: dict[str, str]
    cluster: KubernetesCluster


class KubernetesIdentity(pulumi.ComponentResource):
    service_account: kubernetes.core.v1.ServiceAccount

    def __init__(self, name: str, args: KubernetesIdentityArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("modelops:kubernetes:Identity", name, {}, opts)
        model, stack = args.model, args.stack
        k = manifests.kubernetes_serving(model.spec)
        oidc = stack.kubernetes.oidc_provider_arn
        if oidc is None:  # validation reports it with the stack file's line
            raise DeploymentRefused(
                f"{model.name}: stack {stack.name} serves it on Kubernetes without modelops:kubernetes.oidcProviderArn"
            )
        role, _ = iam_role(
            name,
            role_name=workload_role_name(model.name, stack.environment),
            description=f"Role of {model.name}'s pods (service account {k.namespace}/{model.name}) in {stack.name}",
            trust_policy=irsa_trust_policy(oidc, k.namespace, model.name),
            policy=pods_role_policy(model, args.scope),
            boundary_arn=stack.permissions_boundary_arn,
            tags=args.tags,
            parent=self,
        )
        manifest = manifests.service_account(model, role.arn, stack.region)
        self.service_account = kubernetes.core.v1.ServiceAccount(
            f"{name}-service-account",
            metadata=manifest["metadata"],
            automount_service_account_token=manifest["automountServiceAccountToken"],
            opts=args.cluster.options(self, k.namespace),
        )
        self.register_outputs({"role_arn": role.arn, "service_account": model.name})
