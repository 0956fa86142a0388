"""A model served by KServe: one InferenceService `<model>` in Standard (raw Deployment) mode.

KServe turns it into a Deployment, a Service and a HorizontalPodAutoscaler of its own. A
challenger pin is a `spec.canary` entry (its `traffic_percent` and its own predictor); data
capture is KServe's payload logger, sending to the stack's `payloadLoggerUrl`. The manifest is
`modelops.kubernetes.manifests.inference_service`; `pulumi.com/waitFor` makes `pulumi up`
wait until KServe reports it Ready.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_kubernetes as kubernetes

from components.kubernetes_provider import KubernetesCluster
from modelops.kubernetes import manifests
from modelops.spec.resolved_model import ResolvedModel
from modelops.spec.stack import StackConfig


@dataclass
class KServeServiceArgs:
    model: ResolvedModel
    stack: StackConfig
    cluster: KubernetesCluster
    service_account: pulumi.Resource


class KServeService(pulumi.ComponentResource):
    name: pulumi.Output[str]

    def __init__(self, name: str, args: KServeServiceArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("modelops:kubernetes:KServeService", name, {}, opts)
        model = args.model
        manifest = manifests.inference_service(model, args.stack.kubernetes.payload_logger_url)
        namespace = manifest["metadata"]["namespace"]
        kubernetes.apiextensions.CustomResource(
            f"{name}-inference-service",
            api_version=manifest["apiVersion"],
            kind=manifest["kind"],
            metadata=manifest["metadata"],
            spec=manifest["spec"],
            opts=pulumi.ResourceOptions.merge(
                args.cluster.options(self, namespace), pulumi.ResourceOptions(depends_on=[args.service_account])
            ),
        )
        self.name = pulumi.Output.from_input(f"{namespace}/{model.name}")
        self.register_outputs({"name": self.name})
