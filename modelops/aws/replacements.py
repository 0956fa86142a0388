"""Which input changes make the engine replace a resource instead of updating it in place.

pulumi-aws bridges terraform-provider-aws: a bridged resource is replaced when an argument the
upstream schema marks `ForceNew` (plugin framework: `RequiresReplace`) changes; pulumi-aws's own
schema carries no other list. The table below is that upstream schema, per resource type this
program declares, with the file it comes from (github.com/hashicorp/terraform-provider-aws,
internal/service/...). Inputs are the camelCase names the engine sees. `ALL` means every
argument but tags: the resource has no update call (SageMaker models, endpoint
configurations, job definitions).

Our own dynamic resources decide with their providers' `diff`, which `modelops.gitops.diff` calls:
a pool's endpoint configuration (`components.providers.pool_endpoint_configuration`, which
pulumi-aws cannot express: it lacks VpcConfig and EnableNetworkIsolation) is replaced on any
change but its tags, as pulumi-aws's EndpointConfiguration is.
"""

from __future__ import annotations

ALL = frozenset({"*"})
TAGS = frozenset({"tags", "tagsAll"})

REPLACE_ON_CHANGE: dict[str, frozenset[str]] = {
    # sagemaker/model.go: every argument ForceNew.
    "aws:sagemaker/model:Model": ALL,
    # sagemaker/endpoint_configuration.go: every argument ForceNew.
    "aws:sagemaker/endpointConfiguration:EndpointConfiguration": ALL,
    # sagemaker/endpoint.go: `name`; endpoint_config_name and deployment_config update in place
    # (UpdateEndpoint, a blue/green deployment without downtime), except the nested
    # auto_rollback_configuration, which is ForceNew: see NESTED_FORCING.
    "aws:sagemaker/endpoint:Endpoint": frozenset({"name"}),
    # sagemaker/feature_group.go: everything but online_store_config.ttl_duration and
    # throughput_config. ttlDuration is nested in onlineStoreConfig: see NESTED_IN_PLACE.
    "aws:sagemaker/featureGroup:FeatureGroup": frozenset(
        {
            "featureGroupName",
            "recordIdentifierFeatureName",
            "eventTimeFeatureName",
            "featureDefinitions",
            "description",
            "roleArn",
            "offlineStoreConfig",
            "onlineStoreConfig",
        }
    ),
    # sagemaker/data_quality_job_definition.go: every argument ForceNew (its Update only tags).
    "aws:sagemaker/dataQualityJobDefinition:DataQualityJobDefinition": ALL,
    # sagemaker/monitoring_schedule.go: `name`; monitoring_schedule_config updates in place.
    "aws:sagemaker/monitoringSchedule:MonitoringSchedule": frozenset({"name"}),
    # sagemaker/model_package_group.go: name and description ForceNew.
    "aws:sagemaker/modelPackageGroup:ModelPackageGroup": frozenset(
        {"modelPackageGroupName", "modelPackageGroupDescription"}
    ),
    # iam/role.go: name, name_prefix and path ForceNew.
    "aws:iam/role:Role": frozenset({"name", "namePrefix", "path"}),
    # iam/role_policy.go: name, name_prefix and role ForceNew; policy updates in place.
    "aws:iam/rolePolicy:RolePolicy": frozenset({"name", "namePrefix", "role"}),
    # cloudwatch/metric_alarm.go: alarm_name ForceNew.
    "aws:cloudwatch/metricAlarm:MetricAlarm": frozenset({"name"}),
    # events/rule.go: name and event_bus_name ForceNew.
    "aws:cloudwatch/eventRule:EventRule": frozenset({"name", "namePrefix", "eventBusName"}),
    # appautoscaling/target.go and policy.go: the scalable target's identity is ForceNew.
    "aws:appautoscaling/target:Target": frozenset({"resourceId", "scalableDimension", "serviceNamespace"}),
    "aws:appautoscaling/policy:Policy": frozenset({"name", "resourceId", "scalableDimension", "serviceNamespace"}),
    # s3/bucket.go, bucket_server_side_encryption_configuration.go, bucket_public_access_block.go.
    "aws:s3/bucket:Bucket": frozenset({"bucket", "bucketPrefix", "objectLockEnabled"}),
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration": frozenset(
        {"bucket", "expectedBucketOwner"}
    ),
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": frozenset({"bucket"}),
    # s3/bucket_ownership_controls.go and bucket_policy.go: `bucket` ForceNew, rule and policy in
    # place; bucket_versioning.go: bucket and expected_bucket_owner ForceNew.
    "aws:s3/bucketOwnershipControls:BucketOwnershipControls": frozenset({"bucket"}),
    "aws:s3/bucketPolicy:BucketPolicy": frozenset({"bucket"}),
    "aws:s3/bucketVersioning:BucketVersioning": frozenset({"bucket", "expectedBucketOwner"}),
}

# Kubernetes objects (pulumi-kubernetes, not a bridged provider): an object is replaced when
# a field Kubernetes treats as immutable changes, and updated in place (server-side apply)
# otherwise. pulumi-kubernetes keeps that list in `provider/pkg/provider/forcenew.go`, from the
# Kubernetes API reference: `metadata.name` and `metadata.namespace` of every kind; an
# apps/v1 Deployment's `spec.selector` ("Label selector ... It must match the pod template's
# labels", immutable since apps/v1: kubernetes.io/docs/concepts/workloads/controllers/deployment/
# "Label selector updates"); a Service's `spec.clusterIP` and `spec.type`. A policy/v1
# PodDisruptionBudget, an HPA, a ServiceAccount, a Namespace's labels and a custom resource such
# as the InferenceService update in place. A replaced object keeps its name, so pulumi-kubernetes
# deletes it before creating it again.
KUBERNETES_IDENTITY = frozenset({"metadata.name", "metadata.namespace"})
KUBERNETES_TYPES = (
    "kubernetes:core/v1:Namespace",
    "kubernetes:core/v1:ServiceAccount",
    "kubernetes:core/v1:Service",
    "kubernetes:apps/v1:Deployment",
    "kubernetes:autoscaling/v2:HorizontalPodAutoscaler",
    "kubernetes:policy/v1:PodDisruptionBudget",
    "kubernetes:serving.kserve.io/v1beta1:InferenceService",
)
KUBERNETES_PROVIDER = "pulumi:providers:kubernetes"
for _type in KUBERNETES_TYPES:
    REPLACE_ON_CHANGE[_type] = frozenset()
# pulumi-kubernetes's provider `DiffConfig`: a provider pointed at another cluster (its
# kubeconfig or context) is replaced, and with it every object it manages.
REPLACE_ON_CHANGE[KUBERNETES_PROVIDER] = frozenset({"context", "kubeconfig", "cluster"})

# Nested arguments marked ForceNew under a parent that updates in place. A change above one
# (the parent block appearing or going) changes it too.
NESTED_FORCING: dict[str, frozenset[str]] = {
    "aws:sagemaker/endpoint:Endpoint": frozenset({"deploymentConfig.autoRollbackConfiguration"}),
    **{t: KUBERNETES_IDENTITY for t in KUBERNETES_TYPES},
    "kubernetes:apps/v1:Deployment": KUBERNETES_IDENTITY | {"spec.selector"},
    "kubernetes:core/v1:Service": KUBERNETES_IDENTITY | {"spec.clusterIP", "spec.type"},
}

# Nested arguments that update in place under a ForceNew-free parent path (feature_group.go:
# ttl_duration has no ForceNew although online_store_config's other members do).
NESTED_IN_PLACE: dict[str, frozenset[str]] = {
    "aws:sagemaker/featureGroup:FeatureGroup": frozenset({"onlineStoreConfig.ttlDuration"}),
}

# Inputs the program tells the engine to ignore (ResourceOptions.ignore_changes); they never
# show in a diff. Kept next to the component that sets them: components/feature_group.py.
IGNORED: dict[str, frozenset[str]] = {
    "aws:sagemaker/featureGroup:FeatureGroup": frozenset({"featureDefinitions", "description"}),
    # Adopted from the training side (components/governance.py): its tags and description are theirs.
    "aws:sagemaker/modelPackageGroup:ModelPackageGroup": frozenset({"tags", "modelPackageGroupDescription"}),
}


# Input paths the program itself marks replace-on-change (ResourceOptions.replace_on_changes);
# components take the paths from here so that the diff and the program cannot disagree.
ENDPOINT_KIND_TAG = "endpoint-kind"
PROGRAM_REPLACES: dict[str, frozenset[str]] = {
    "aws:sagemaker/endpoint:Endpoint": frozenset({f"tags.{ENDPOINT_KIND_TAG}"}),
}


def top_level(path: str) -> str:
    """The input a dotted path belongs to: `primaryContainer.image` -> `primaryContainer`."""
    return path.split(".", 1)[0].split("[", 1)[0]


def _within(path: str, ancestor: str) -> bool:
    return path == ancestor or path.startswith((ancestor + ".", ancestor + "["))


def replacing_paths(type_token: str, changed: list[str]) -> list[str]:
    """The changed input paths (dotted) that force a replacement of this resource type."""
    forcing = REPLACE_ON_CHANGE.get(type_token, frozenset())
    in_place = NESTED_IN_PLACE.get(type_token, frozenset())
    marked = PROGRAM_REPLACES.get(type_token, frozenset())
    nested = NESTED_FORCING.get(type_token, frozenset())
    result = []
    for path in changed:
        top = top_level(path)
        if path in marked or any(_within(path, p) or _within(p, path) for p in nested):
            result.append(path)
            continue
        if top in TAGS or any(path == p or path.startswith(p + ".") for p in in_place):
            continue
        if forcing is ALL or top in forcing:
            result.append(path)
    return result
