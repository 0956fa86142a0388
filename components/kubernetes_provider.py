"""The stack's EKS cluster: one `kubernetes.Provider` and the namespaces modelops manages.

Created only when a pinned model serves on Kubernetes. The provider talks to the cluster of
the stack's kubeconfig context (`modelops:kubernetes.context`; unset: the kubeconfig's
current context). With `manageNamespaces` (the default) every namespace a model of the stack
uses is created here, once, labelled as the stack's; without it the namespaces must exist.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_kubernetes as kubernetes

from modelops.kubernetes import manifests
from modelops.spec.stack import StackConfig


@dataclass
class KubernetesClusterArgs:
    stack: StackConfig
    namespaces: list[str]  # every namespace the stack's kubernetes models use


class KubernetesCluster(pulumi.ComponentResource):
    provider: kubernetes.Provider
    namespaces: dict[str, kubernetes.core.v1.Namespace]

    def __init__(self, name: str, args: KubernetesClusterArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("modelops:kubernetes:Cluster", name, {}, opts)
        config = args.stack.kubernetes
        self.provider = kubernetes.Provider(
            f"{name}-provider", context=config.context, opts=pulumi.ResourceOptions(parent=self)
        )
        self.namespaces = {}
        if config.manage_namespaces:
            for namespace in sorted(set(args.namespaces)):
                manifest = manifests.namespace(namespace, args.stack.environment)
                self.namespaces[namespace] = kubernetes.core.v1.Namespace(
                    f"{name}-namespace-{namespace}",
                    metadata=manifest["metadata"],
                    opts=pulumi.ResourceOptions(parent=self, provider=self.provider),
                )
        self.register_outputs({"namespaces": sorted(self.namespaces)})

    def options(self, parent: pulumi.Resource, namespace: str) -> pulumi.ResourceOptions:
        """Options of an object in `namespace`: on this cluster, after its namespace exists."""
        created = self.namespaces.get(namespace)
        return pulumi.ResourceOptions(parent=parent, provider=self.provider, depends_on=[created] if created else [])
