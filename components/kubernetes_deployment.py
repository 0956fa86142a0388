"""A model server on plain Kubernetes: Deployment, Service, HorizontalPodAutoscaler and, when
two or more replicas are needed, a PodDisruptionBudget, all named `<model>`.

The Deployment rolls in batches of `rolling_batch_percent` with no serving pod taken away
before its replacement is ready (`all_at_once`: Recreate); readiness and liveness probes ask
the server on `port`; the HPA owns the replica count. The manifests are
`modelops.kubernetes.manifests`'s; `pulumi.com/waitFor` makes `pulumi up` wait for the rollout.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_kubernetes as kubernetes

from components.kubernetes_provider import KubernetesCluster
from modelops.errors import DeploymentRefused
from modelops.kubernetes import manifests
from modelops.spec.resolved_model import ResolvedModel


@dataclass
class KubernetesDeploymentArgs:
    model: ResolvedModel
    cluster: KubernetesCluster
    service_account: pulumi.Resource


class KubernetesDeployment(pulumi.ComponentResource):
    name: pulumi.Output[str]

    def __init__(self, name: str, args: KubernetesDeploymentArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("modelops:kubernetes:Deployment", name, {}, opts)
        model = args.model
        k = manifests.kubernetes_serving(model.spec)
        # Validation reports these with the spec file's line; the program never renders them.
        if model.spec.model.image is None:
            raise DeploymentRefused(f"{model.name}: runtime: deployment needs model.image (a server on port {k.port})")
        if k.scale_metric not in manifests.HPA_METRICS:
            raise DeploymentRefused(
                f"{model.name}: runtime: deployment scales on cpu or memory (HorizontalPodAutoscaler resource "
                f"metrics), not {k.scale_metric}"
            )
        options = args.cluster.options(self, k.namespace)
        deployment = manifests.deployment(model)
        workload = kubernetes.apps.v1.Deployment(
            f"{name}-deployment",
            metadata=deployment["metadata"],
            spec=deployment["spec"],
            opts=pulumi.ResourceOptions.merge(options, pulumi.ResourceOptions(depends_on=[args.service_account])),
        )
        service = manifests.service(model)
        kubernetes.core.v1.Service(f"{name}-service", metadata=service["metadata"], spec=service["spec"], opts=options)
        hpa = manifests.horizontal_pod_autoscaler(model)
        kubernetes.autoscaling.v2.HorizontalPodAutoscaler(
            f"{name}-hpa",
            metadata=hpa["metadata"],
            spec=hpa["spec"],
            opts=pulumi.ResourceOptions.merge(options, pulumi.ResourceOptions(depends_on=[workload])),
        )
        budget = manifests.pod_disruption_budget(model)
        if budget is not None:
            kubernetes.policy.v1.PodDisruptionBudget(
                f"{name}-pdb", metadata=budget["metadata"], spec=budget["spec"], opts=options
            )
        self.name = pulumi.Output.from_input(f"{k.namespace}/{model.name}")
        self.register_outputs({"name": self.name})
