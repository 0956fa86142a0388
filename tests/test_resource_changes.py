"""How `diff` classifies each resource of two plans: created, deleted, updated in place or
replaced, which change forces the replacement, which destroys data or causes downtime, and the
order a reviewer reads them in. Plans are built by hand (no render): every expected change is
written out whole, field by field."""

from __future__ import annotations

from typing import Any

import pytest

from modelops.engine.plan import Plan, PlanResource
from modelops.gitops.diff import ResourceChange, resource_changes
from modelops.gitops.value_diff import ValueChange

ROLE = "aws:iam/role:Role"
ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"
BUCKET = "aws:s3/bucket:Bucket"
ENDPOINT = "aws:sagemaker/endpoint:Endpoint"
FEATURE_GROUP = "aws:sagemaker/featureGroup:FeatureGroup"
PACKAGE_GROUP = "aws:sagemaker/modelPackageGroup:ModelPackageGroup"
COMPONENT = "pulumi-python:dynamic/sagemaker:InferenceComponent"
POOL_CONFIG = "pulumi-python:dynamic/sagemaker:PoolEndpointConfiguration"
K8S_PROVIDER = "pulumi:providers:kubernetes"
NAMESPACE = "kubernetes:core/v1:Namespace"
DEPLOYMENT = "kubernetes:apps/v1:Deployment"
SERVICE = "kubernetes:core/v1:Service"
INFERENCE_SERVICE = "kubernetes:serving.kserve.io/v1beta1:InferenceService"
DISRUPTION_BUDGET = "kubernetes:policy/v1:PodDisruptionBudget"
SERVING_COMPONENT = "modelops:serving:ModelDeployment"  # a component: groups resources, creates nothing


def urn(type_token: str, name: str) -> str:
    return f"urn:pulumi:dev::modelops::{type_token}::{name}"


def resource(type_token: str, name: str, inputs: dict[str, Any] | None = None, custom: bool = True) -> PlanResource:
    return PlanResource(urn(type_token, name), type_token, name, None, inputs or {}, custom)


def plan(*resources: PlanResource) -> Plan:
    return Plan("dev", "dev", [], list(resources))


def test_each_action_is_classified_and_critical_changes_come_first() -> None:
    """Critical changes (data loss, downtime) first, then delete < replace < create < update, then
    by name; an unchanged resource and a component (custom=False) are not changes."""
    before = plan(
        resource(ROLE, "a-updated", {"name": "a", "maxSessionDuration": 3600}),
        resource(ROLE, "b-replaced", {"name": "b", "path": "/"}),
        resource(ALARM, "c-deleted", {"name": "c"}),
        resource(BUCKET, "z-bucket", {"bucket": "z"}),
        resource(ENDPOINT, "e-endpoint", {"name": "e-old", "endpointConfigName": "cfg"}),
        resource(ROLE, "same", {"name": "same"}),
        resource(SERVING_COMPONENT, "grouping", {"x": 1}, custom=False),
        resource(SERVING_COMPONENT, "gone-grouping", {}, custom=False),
    )
    after = plan(
        resource(ROLE, "a-updated", {"name": "a", "maxSessionDuration": 7200}),
        resource(ROLE, "b-replaced", {"name": "b", "path": "/ml/"}),
        resource(ROLE, "y-created", {"name": "y"}),
        resource(ALARM, "d-created", {"name": "d"}),
        resource(ENDPOINT, "e-endpoint", {"name": "e-new", "endpointConfigName": "cfg"}),
        resource(ROLE, "same", {"name": "same"}),
        resource(SERVING_COMPONENT, "grouping", {"x": 2}, custom=False),
        resource(SERVING_COMPONENT, "new-grouping", {}, custom=False),
    )
    assert resource_changes(before, after) == [
        ResourceChange(
            "delete",
            urn(BUCKET, "z-bucket"),
            BUCKET,
            "z-bucket",
            data_loss="the bucket and its objects are deleted",
        ),
        ResourceChange(
            "replace",
            urn(ENDPOINT, "e-endpoint"),
            ENDPOINT,
            "e-endpoint",
            ("name",),
            ("name",),
            (ValueChange("name", "e-old", "e-new"),),
            downtime="the endpoint is deleted and created again: requests fail meanwhile",
        ),
        ResourceChange("delete", urn(ALARM, "c-deleted"), ALARM, "c-deleted"),
        ResourceChange(
            "replace",
            urn(ROLE, "b-replaced"),
            ROLE,
            "b-replaced",
            ("path",),
            ("path",),
            (ValueChange("path", "/", "/ml/"),),
        ),
        ResourceChange("create", urn(ALARM, "d-created"), ALARM, "d-created"),
        ResourceChange("create", urn(ROLE, "y-created"), ROLE, "y-created"),
        ResourceChange(
            "update",
            urn(ROLE, "a-updated"),
            ROLE,
            "a-updated",
            ("maxSessionDuration",),
            values=(ValueChange("maxSessionDuration", 3600, 7200),),
        ),
    ]


def test_no_base_plan_creates_everything_and_no_head_plan_deletes_everything() -> None:
    """A stack new at HEAD is all creates; a stack gone at HEAD all deletes (with their tags)."""
    stack = plan(resource(ROLE, "r", {"name": "r"}), resource(ENDPOINT, "e", {"name": "e"}))
    assert resource_changes(None, stack) == [
        ResourceChange("create", urn(ENDPOINT, "e"), ENDPOINT, "e"),
        ResourceChange("create", urn(ROLE, "r"), ROLE, "r"),
    ]
    assert resource_changes(stack, None) == [
        ResourceChange(
            "delete",
            urn(ENDPOINT, "e"),
            ENDPOINT,
            "e",
            downtime="the endpoint is deleted: every request to it fails from then on",
        ),
        ResourceChange("delete", urn(ROLE, "r"), ROLE, "r"),
    ]


def test_changes_with_the_same_action_and_name_keep_their_urn_order() -> None:
    """Two resources named alike (different types) are listed by URN, type first."""
    before = plan(resource(ROLE, "shared", {"path": "/"}), resource(ALARM, "shared", {"threshold": 1}))
    after = plan(resource(ALARM, "shared", {"threshold": 2}), resource(ROLE, "shared", {"path": "/"}))
    before.resources.append(resource(BUCKET, "shared", {"versioning": 1}))
    after.resources.insert(0, resource(BUCKET, "shared", {"versioning": 2}))
    assert [(c.type, c.action) for c in resource_changes(before, after)] == [
        (ALARM, "update"),
        (BUCKET, "update"),
    ]


FEATURES_OLD = {
    "featureGroupName": "churn",
    # Named items are compared item by item: a change deep inside an ignored input.
    "featureDefinitions": [{"name": "tenure", "featureType": "Integral"}],
    "description": "old",
    "roleArn": "arn:aws:iam::1:role/a",
    "onlineStoreConfig": {"enableOnlineStore": True, "ttlDuration": {"unit": "Days", "value": 1}},
}


@pytest.mark.parametrize(
    ("changed", "expected"),
    [
        # The program tells the engine to ignore these two: no change at all.
        ({"featureDefinitions": [{"name": "tenure", "featureType": "Fractional"}], "description": "new"}, []),
        (
            {"description": "new", "onlineStoreConfig": {"enableOnlineStore": True, "ttlDuration": {"value": 2}}},
            [
                ResourceChange(
                    "update",
                    urn(FEATURE_GROUP, "churn"),
                    FEATURE_GROUP,
                    "churn",
                    ("onlineStoreConfig.ttlDuration.unit", "onlineStoreConfig.ttlDuration.value"),
                    values=(
                        ValueChange("onlineStoreConfig.ttlDuration.unit", "Days", None),
                        ValueChange("onlineStoreConfig.ttlDuration.value", 1, 2),
                    ),
                )
            ],
        ),
        (
            {"description": "new", "roleArn": "arn:aws:iam::1:role/b"},
            [
                ResourceChange(
                    "replace",
                    urn(FEATURE_GROUP, "churn"),
                    FEATURE_GROUP,
                    "churn",
                    ("roleArn",),
                    ("roleArn",),
                    (ValueChange("roleArn", "arn:aws:iam::1:role/a", "arn:aws:iam::1:role/b"),),
                    data_loss="its stored feature records are lost",
                )
            ],
        ),
    ],
    ids=["ignored-only", "ttl-in-place", "role-replaces"],
)
def test_a_feature_groups_ignored_inputs_never_show(changed: dict[str, Any], expected: list[ResourceChange]) -> None:
    """featureDefinitions and description are ignored on a feature group (ignore_changes)."""
    before = plan(resource(FEATURE_GROUP, "churn", FEATURES_OLD))
    after = plan(resource(FEATURE_GROUP, "churn", {**FEATURES_OLD, **changed}))
    assert resource_changes(before, after) == expected


def test_inputs_ignored_on_one_type_show_on_another() -> None:
    """A role's description is no feature group's: it is a change."""
    before = plan(resource(ROLE, "r", {"description": "old"}))
    after = plan(resource(ROLE, "r", {"description": "new"}))
    assert resource_changes(before, after) == [
        ResourceChange(
            "update", urn(ROLE, "r"), ROLE, "r", ("description",), values=(ValueChange("description", "old", "new"),)
        )
    ]


COMPONENT_OLD = {
    "region": "eu-west-1",
    "name": "m-ic-1",
    "endpointName": "pool-a",
    "variantName": "v",
    "specification": {"ModelName": "m-1"},
    "tags": {"team": "a"},
}
POOL_OLD = {"region": "eu-west-1", "name": "pool-cfg-1", "configuration": {"KmsKeyId": "k1"}, "tags": {"team": "a"}}
MOVED_POOL = (
    "the model moves to another pool: its new inference component serves on the new pool's endpoint under a new "
    "name before the old one is deleted; callers must move to the new endpoint and component name, requests to the "
    "old fail once it is deleted"
)


@pytest.mark.parametrize(
    ("type_token", "old", "changed", "action", "fields", "replacing", "values", "downtime"),
    [
        (
            COMPONENT,
            COMPONENT_OLD,
            {"endpointName": "pool-b", "specification": {"ModelName": "m-2"}},
            "replace",
            ("endpointName", "specification.ModelName"),
            ("endpointName",),
            (
                ValueChange("endpointName", "pool-a", "pool-b"),
                ValueChange("specification.ModelName", "m-1", "m-2"),
            ),
            MOVED_POOL,
        ),
        (
            COMPONENT,
            COMPONENT_OLD,
            {"specification": {"ModelName": "m-2"}},
            "update",
            ("specification.ModelName",),
            (),
            (ValueChange("specification.ModelName", "m-1", "m-2"),),
            None,
        ),
        (
            # No table entry for our dynamic type: only its provider says a configuration replaces.
            POOL_CONFIG,
            POOL_OLD,
            {"configuration": {"KmsKeyId": "k2"}, "tags": {"team": "b"}},
            "replace",
            ("configuration.KmsKeyId", "tags.team"),
            ("configuration.KmsKeyId",),
            (ValueChange("configuration.KmsKeyId", "k1", "k2"), ValueChange("tags.team", "a", "b")),
            None,
        ),
        (
            POOL_CONFIG,
            POOL_OLD,
            {"tags": {"team": "b"}},
            "update",
            ("tags.team",),
            (),
            (ValueChange("tags.team", "a", "b"),),
            None,
        ),
    ],
    ids=["component-moves-pool", "component-new-model", "pool-config-replaced", "pool-config-retagged"],
)
def test_our_dynamic_resources_are_replaced_as_their_providers_say(
    type_token: str,
    old: dict[str, Any],
    changed: dict[str, Any],
    action: str,
    fields: tuple[str, ...],
    replacing: tuple[str, ...],
    values: tuple[ValueChange, ...],
    downtime: str | None,
) -> None:
    """The provider's `diff` replaces list decides, and only its changed paths are the reason."""
    before = plan(resource(type_token, "r", old))
    after = plan(resource(type_token, "r", {**old, **changed}))
    assert resource_changes(before, after) == [
        ResourceChange(action, urn(type_token, "r"), type_token, "r", fields, replacing, values, downtime=downtime)
    ]


@pytest.mark.parametrize(
    ("type_token", "old", "new", "action", "replacing", "data_loss", "downtime"),
    [
        (FEATURE_GROUP, {"featureGroupName": "f"}, None, "delete", (), "its stored feature records are lost", None),
        (
            BUCKET,
            {"bucket": "b1"},
            {"bucket": "b2"},
            "replace",
            ("bucket",),
            "the bucket and its objects are deleted",
            None,
        ),
        (
            PACKAGE_GROUP,
            {"modelPackageGroupName": "g"},
            None,
            "delete",
            (),
            "the registry group leaves management (it is retained in AWS)",
            None,
        ),
        (
            NAMESPACE,
            {"metadata": {"name": "a"}},
            {"metadata": {"name": "b"}},
            "replace",
            ("metadata.name",),
            "the namespace is deleted with every object in it, also those modelops does not manage",
            None,
        ),
        (
            NAMESPACE,
            {"metadata": {"name": "a"}},
            None,
            "delete",
            (),
            "the namespace is deleted with every object in it, also those modelops does not manage",
            None,
        ),
        (
            ENDPOINT,
            {"deploymentConfig": {"autoRollbackConfiguration": {"alarms": ["a"]}}},
            {"deploymentConfig": {"autoRollbackConfiguration": {"alarms": ["b"]}}},
            "replace",
            ("deploymentConfig.autoRollbackConfiguration.alarms",),
            None,
            "the endpoint is deleted and created again: requests fail meanwhile",
        ),
        (
            INFERENCE_SERVICE,
            {"metadata": {"namespace": "a"}},
            {"metadata": {"namespace": "b"}},
            "replace",
            ("metadata.namespace",),
            None,
            "the inference service is deleted and created again: requests fail meanwhile",
        ),
        (
            INFERENCE_SERVICE,
            {},
            None,
            "delete",
            (),
            None,
            "the inference service is deleted: every request to it fails from then on",
        ),
        (
            DEPLOYMENT,
            {"spec": {"selector": "a"}},
            {"spec": {"selector": "b"}},
            "replace",
            ("spec.selector",),
            None,
            "the Deployment and its pods are deleted and created again: requests fail meanwhile",
        ),
        (
            DEPLOYMENT,
            {},
            None,
            "delete",
            (),
            None,
            "the Deployment and its pods are deleted: every request fails from then on",
        ),
        (
            SERVICE,
            {"spec": {"type": "ClusterIP"}},
            {"spec": {"type": "LoadBalancer"}},
            "replace",
            ("spec.type",),
            None,
            "the Service is deleted and created again: its address is gone meanwhile",
        ),
        (SERVICE, {}, None, "delete", (), None, "the Service is deleted: callers lose its address"),
        (
            COMPONENT,
            COMPONENT_OLD,
            None,
            "delete",
            (),
            None,
            "the inference component is deleted: every request to it fails from then on",
        ),
    ],
    ids=[
        "feature-group-deleted",
        "bucket-replaced",
        "registry-group-deleted",
        "namespace-replaced",
        "namespace-deleted",
        "endpoint-replaced",
        "inference-service-replaced",
        "inference-service-deleted",
        "deployment-replaced",
        "deployment-deleted",
        "service-replaced",
        "service-deleted",
        "inference-component-deleted",
    ],
)
def test_data_loss_and_downtime_are_named(
    type_token: str,
    old: dict[str, Any],
    new: dict[str, Any] | None,
    action: str,
    replacing: tuple[str, ...],
    data_loss: str | None,
    downtime: str | None,
) -> None:
    """Each destructive change says what is lost: the tag of its type and action."""
    before = plan(resource(type_token, "r", old))
    after = plan() if new is None else plan(resource(type_token, "r", new))
    [change] = resource_changes(before, after)
    assert (change.action, change.replacing, change.data_loss, change.downtime) == (
        action,
        replacing,
        data_loss,
        downtime,
    )


def test_an_in_place_update_of_a_critical_type_is_not_critical() -> None:
    """An endpoint pointed at a new configuration updates without downtime (blue/green)."""
    before = plan(resource(ENDPOINT, "e", {"name": "e", "endpointConfigName": "c1"}))
    after = plan(resource(ENDPOINT, "e", {"name": "e", "endpointConfigName": "c2"}))
    assert resource_changes(before, after) == [
        ResourceChange(
            "update",
            urn(ENDPOINT, "e"),
            ENDPOINT,
            "e",
            ("endpointConfigName",),
            values=(ValueChange("endpointConfigName", "c1", "c2"),),
        )
    ]


CLUSTER_A = {"context": "a", "kubeconfig": "one"}
CLUSTER_B = {"context": "b", "kubeconfig": "two"}


def _cluster(provider: dict[str, Any], replicas: int, service_type: str, *extra: PlanResource) -> Plan:
    return plan(
        resource(K8S_PROVIDER, "k8s", provider),
        resource(NAMESPACE, "ns", {"metadata": {"name": "ml"}}),
        resource(DEPLOYMENT, "dep", {"spec": {"replicas": replicas}}),
        resource(SERVICE, "svc", {"spec": {"type": service_type}}),
        # After the replaced Service in URN order: the objects after a skipped one move too.
        resource(DISRUPTION_BUDGET, "pdb", {"spec": {"minAvailable": 1}}),
        resource(ROLE, "role", {"maxSessionDuration": replicas}),
        *extra,
    )


def test_another_cluster_moves_every_kubernetes_object() -> None:
    """The Kubernetes provider replaced: every object at HEAD is replaced because of it (an
    update among them keeps its values); created, deleted and otherwise replaced objects and AWS
    resources stay as they are."""
    before = _cluster(CLUSTER_A, 1, "ClusterIP", resource(DEPLOYMENT, "old-dep", {}))
    after = _cluster(
        {**CLUSTER_B, "enableServerSideApply": True},
        2,
        "LoadBalancer",
        resource(INFERENCE_SERVICE, "isvc", {}),
        resource(SERVING_COMPONENT, "grouping", {}, custom=False),
    )
    moved = ("k8s: context, kubeconfig",)
    assert resource_changes(before, after) == [
        ResourceChange(
            "delete",
            urn(DEPLOYMENT, "old-dep"),
            DEPLOYMENT,
            "old-dep",
            downtime="the Deployment and its pods are deleted: every request fails from then on",
        ),
        ResourceChange(
            "replace",
            urn(DEPLOYMENT, "dep"),
            DEPLOYMENT,
            "dep",
            ("spec.replicas",),
            moved,
            (ValueChange("spec.replicas", 1, 2),),
            downtime="the Deployment and its pods are deleted and created again: requests fail meanwhile",
        ),
        ResourceChange(
            "replace",
            urn(NAMESPACE, "ns"),
            NAMESPACE,
            "ns",
            (),
            moved,
            (),
            data_loss="the namespace is deleted with every object in it, also those modelops does not manage",
        ),
        ResourceChange(
            "replace",
            urn(SERVICE, "svc"),
            SERVICE,
            "svc",
            ("spec.type",),
            ("spec.type",),
            (ValueChange("spec.type", "ClusterIP", "LoadBalancer"),),
            downtime="the Service is deleted and created again: its address is gone meanwhile",
        ),
        ResourceChange(
            "replace",
            urn(K8S_PROVIDER, "k8s"),
            K8S_PROVIDER,
            "k8s",
            ("context", "enableServerSideApply", "kubeconfig"),
            ("context", "kubeconfig"),
            (
                ValueChange("context", "a", "b"),
                ValueChange("enableServerSideApply", None, True),
                ValueChange("kubeconfig", "one", "two"),
            ),
        ),
        ResourceChange("replace", urn(DISRUPTION_BUDGET, "pdb"), DISRUPTION_BUDGET, "pdb", (), moved, ()),
        ResourceChange("create", urn(INFERENCE_SERVICE, "isvc"), INFERENCE_SERVICE, "isvc"),
        ResourceChange(
            "update",
            urn(ROLE, "role"),
            ROLE,
            "role",
            ("maxSessionDuration",),
            values=(ValueChange("maxSessionDuration", 1, 2),),
        ),
    ]


def test_a_provider_updated_in_place_moves_nothing() -> None:
    """Only a replaced provider moves objects: updated in place, its objects keep their own changes."""
    before = _cluster(CLUSTER_A, 1, "ClusterIP")
    after = _cluster({**CLUSTER_A, "enableServerSideApply": True}, 2, "ClusterIP")
    assert resource_changes(before, after) == [
        ResourceChange(
            "update",
            urn(DEPLOYMENT, "dep"),
            DEPLOYMENT,
            "dep",
            ("spec.replicas",),
            values=(ValueChange("spec.replicas", 1, 2),),
        ),
        ResourceChange(
            "update",
            urn(K8S_PROVIDER, "k8s"),
            K8S_PROVIDER,
            "k8s",
            ("enableServerSideApply",),
            values=(ValueChange("enableServerSideApply", None, True),),
        ),
        ResourceChange(
            "update",
            urn(ROLE, "role"),
            ROLE,
            "role",
            ("maxSessionDuration",),
            values=(ValueChange("maxSessionDuration", 1, 2),),
        ),
    ]


def switched(model: str, old: str, new: str) -> str:
    return (
        f"{model} moves from its {old} to a {new}: the {old} is deleted and every request to it fails from then on; "
        "callers must move to the new address"
    )


def test_a_model_switching_serving_target_is_told_on_the_deleted_side() -> None:
    """A model's serving deleted on one target and created on another loses its address; a
    serving resource re-created on the same target, or one not named `<model>-<suffix>`, does not."""
    before = plan(
        resource(ENDPOINT, "a-serving-endpoint"),
        resource(SERVICE, "b-serving-service"),
        resource(COMPONENT, "c-serving-component"),
        resource(INFERENCE_SERVICE, "d-serving-inference-service"),
        resource(ENDPOINT, "pool"),
    )
    after = plan(
        resource(INFERENCE_SERVICE, "a-serving-inference-service"),
        resource(COMPONENT, "b-serving-component"),
        # The same target under another URN (a new parent): no switch.
        PlanResource("urn:other::c-serving-component", COMPONENT, "c-serving-component", None, {}),
        resource(ENDPOINT, "d-serving-endpoint"),
        resource(INFERENCE_SERVICE, "pool-serving-inference-service"),
    )
    assert resource_changes(before, after) == [
        ResourceChange(
            "delete",
            urn(ENDPOINT, "a-serving-endpoint"),
            ENDPOINT,
            "a-serving-endpoint",
            downtime=switched("a", "SageMaker endpoint", "KServe inference service"),
        ),
        ResourceChange(
            "delete",
            urn(SERVICE, "b-serving-service"),
            SERVICE,
            "b-serving-service",
            downtime=switched("b", "Kubernetes Service", "pool's inference component"),
        ),
        ResourceChange(
            "delete",
            urn(COMPONENT, "c-serving-component"),
            COMPONENT,
            "c-serving-component",
            downtime="the inference component is deleted: every request to it fails from then on",
        ),
        ResourceChange(
            "delete",
            urn(INFERENCE_SERVICE, "d-serving-inference-service"),
            INFERENCE_SERVICE,
            "d-serving-inference-service",
            downtime=switched("d", "KServe inference service", "SageMaker endpoint"),
        ),
        ResourceChange(
            "delete",
            urn(ENDPOINT, "pool"),
            ENDPOINT,
            "pool",
            downtime="the endpoint is deleted: every request to it fails from then on",
        ),
        ResourceChange(
            "create",
            urn(INFERENCE_SERVICE, "a-serving-inference-service"),
            INFERENCE_SERVICE,
            "a-serving-inference-service",
        ),
        ResourceChange("create", urn(COMPONENT, "b-serving-component"), COMPONENT, "b-serving-component"),
        ResourceChange("create", "urn:other::c-serving-component", COMPONENT, "c-serving-component"),
        ResourceChange("create", urn(ENDPOINT, "d-serving-endpoint"), ENDPOINT, "d-serving-endpoint"),
        ResourceChange(
            "create",
            urn(INFERENCE_SERVICE, "pool-serving-inference-service"),
            INFERENCE_SERVICE,
            "pool-serving-inference-service",
        ),
    ]
