"""Pools as `plan` renders them: each used pool's role, endpoint configuration and endpoint, and
each member's Model, inference component, copy autoscaling and rollback alarms, read from the
recorded inputs of a stack built here (two pools in use, one idle, four members and a model of
its own endpoint)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from modelops.engine.plan import Plan, PlanResource, strict_json
from modelops.engine.render import render
from modelops.rules import RuleContext, check_resource
from modelops.spec.loader import ProblemsFound
from tests.conftest import edit_yaml, write_yaml

KMS = "arn:aws:kms:eu-west-1:123456789012:key/0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d"
BOUNDARY = "arn:aws:iam::123456789012:policy/ml-boundary"
TOPIC = "arn:aws:sns:eu-west-1:123456789012:ml-alarms"
SUBNETS = ["subnet-0aa11bb2", "subnet-0cc33dd4"]
GROUPS = ["sg-0ab12cd3"]
BUCKET = "modelops-123456789012-eu-west-1-dev"  # the stack bucket (components/stack_bucket.py)
ECR = "123456789012.dkr.ecr.eu-west-1.amazonaws.com"

ENDPOINT = "aws:sagemaker/endpoint:Endpoint"
CONFIG = "pulumi-python:dynamic/sagemaker:PoolEndpointConfiguration"
MODEL = "aws:sagemaker/model:Model"
ROLE = "aws:iam/role:Role"
POLICY = "aws:iam/rolePolicy:RolePolicy"
ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"
TARGET = "aws:appautoscaling/target:Target"
SCALING = "aws:appautoscaling/policy:Policy"
COMPONENT = "pulumi-python:dynamic/sagemaker:InferenceComponent"
POOL = "modelops:serving:SageMakerPool"

STACK: dict[str, Any] = {
    "config": {
        "aws:region": "eu-west-1",
        "modelops:environment": "dev",
        "modelops:models": {"alpha": "1.0.0", "beta": "1.0.0", "gamma": "1.0.0", "delta": "1.0.0", "omega": "1.0.0"},
        "modelops:kmsKeyArn": KMS,
        "modelops:permissionsBoundaryArn": BOUNDARY,
        "modelops:vpc": {"subnetIds": SUBNETS, "securityGroupIds": GROUPS},
        "modelops:alarmTopicArn": TOPIC,
        "modelops:tags": {"cost-centre": "ml-platform"},
        "modelops:pools": {
            "shared-cpu": {"instanceType": "ml.c6i.2xlarge", "minInstances": 1, "maxInstances": 6},
            "shared-gpu": {"instanceType": "ml.g5.2xlarge", "minInstances": 0, "maxInstances": 4},
            "idle": {"instanceType": "ml.m6i.xlarge", "minInstances": 1, "maxInstances": 2},
        },
    }
}


def spec(name: str, model: dict[str, Any], serving: dict[str, Any], classification: str = "internal") -> dict[str, Any]:
    return {
        "apiVersion": "modelops/v1",
        "kind": "ModelSpec",
        "metadata": {
            "name": name,
            "version": "1.0.0",
            "owner": f"{name}-team@example.com",
            "description": f"The {name} model.",
            "risk": "low",
            "data_classification": classification,
        },
        "model": model,
        "serving": serving,
        "governance": {"allowed_environments": ["dev"]},
    }


def own_image(name: str) -> dict[str, Any]:
    return {"artifact": f"s3://acme-models/{name}/1.0.0/model.tar.gz", "image": f"{ECR}/{name}:1.0.0"}


SPECS = [
    spec(
        "alpha",
        {**own_image("alpha"), "environment": {"WORKERS": 2}},
        {
            "mode": "component",
            "component": {
                "pool": "shared-cpu",
                "copies": 2,
                "cpu": 1,
                "memory_mb": 2048,
                "autoscaling": {"min_copies": 1, "max_copies": 8, "target_invocations_per_copy": 50},
            },
            "data_capture": {"enabled": True, "sampling_percent": 20},
            "rollout": {
                "strategy": "rolling",
                "rolling_batch_percent": 50,
                "wait_s": 120,
                "alarms": {"max_5xx_error_rate_percent": 2, "max_p99_latency_ms": 250},
            },
        },
    ),
    spec(
        "beta",
        own_image("beta"),
        {
            "mode": "component",
            "component": {"pool": "shared-cpu", "copies": 3, "cpu": 0.5, "memory_mb": 1024},
            "data_capture": {"enabled": True, "sampling_percent": 20},  # a pool's models agree on capture
            "rollout": {"strategy": "all_at_once"},
        },
    ),
    spec(
        "gamma",
        {"artifact": "s3://acme-models/gamma/1.0.0/model.tar.gz", "framework": "pytorch", "framework_version": "2.1"},
        {
            "mode": "component",
            "component": {
                "pool": "shared-gpu",
                "cpu": 4,
                "memory_mb": 16384,
                "accelerators": 1,
                "autoscaling": {"min_copies": 0, "max_copies": 4, "target_invocations_per_copy": 10},
            },
            "rollout": {"strategy": "rolling", "alarms": {"max_5xx_error_rate_percent": 1}},
        },
        classification="confidential",  # network isolation, as its pool's other model
    ),
    spec(
        "delta",
        own_image("delta"),
        {
            "mode": "component",
            "component": {"pool": "shared-gpu", "cpu": 2, "memory_mb": 4096, "accelerators": 1},
            "rollout": {
                "strategy": "rolling",
                "alarms": {"max_5xx_error_rate_percent": None, "max_p99_latency_ms": 80},
            },
        },
        classification="confidential",
    ),
    spec("omega", own_image("omega"), {"mode": "realtime", "instance_type": "ml.m5.large"}),
]


def write_project(root: Path, stack: dict[str, Any] = STACK, specs: list[dict[str, Any]] = SPECS) -> Path:
    for document in specs:
        write_yaml(root / "model_specs" / document["metadata"]["name"] / "1.0.0.yaml", document)
    write_yaml(root / "stacks" / "Pulumi.dev.yaml", stack)
    return root


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_project(tmp_path_factory.mktemp("pools"))


@pytest.fixture(scope="module")
def plan(root: Path) -> Plan:
    return render(root, "dev")


def one(plan: Plan, type_token: str, name: str) -> dict[str, Any]:
    return plan.one(type_token, name).inputs


def policy_of(plan: Plan, name: str) -> dict[str, Any]:
    return {s["Sid"]: s for s in json.loads(one(plan, POLICY, name)["policy"])["Statement"]}


def test_the_plan_breaks_no_rule(plan: Plan) -> None:
    assert plan.violations == []


def test_only_used_pools_are_created(plan: Plan) -> None:
    pools = sorted(r.name for r in plan.resources if r.type == POOL)
    assert pools == ["pool-shared-cpu", "pool-shared-gpu"]
    assert not [r for r in plan.resources if "idle" in r.name or "idle" in json.dumps(r.inputs)]


def test_a_stack_without_component_models_has_no_pool(tmp_path: Path) -> None:
    stack = json.loads(json.dumps(STACK))
    stack["config"]["modelops:models"] = {"omega": "1.0.0"}
    plan = render(write_project(tmp_path, stack), "dev")
    assert [r for r in plan.resources if r.type == POOL or "pool" in r.name] == []
    assert "pools" not in plan.outputs and "components" not in plan.outputs


def test_pool_endpoint_configuration(plan: Plan) -> None:
    """The CreateEndpointConfig request the pool's provider sends, as the plan records it
    (components/providers/pool_endpoint_configuration.py)."""
    cpu = one(plan, CONFIG, "pool-shared-cpu-config")
    assert cpu["region"] == "eu-west-1"
    assert cpu["name"].startswith("shared-cpu-dev-") and len(cpu["name"]) == len("shared-cpu-dev-") + 8
    vpc = {"SecurityGroupIds": GROUPS, "Subnets": SUBNETS}
    assert cpu["configuration"] == {
        "ExecutionRoleArn": "arn:aws:iam::123456789012:role/modelops-shared-cpu-dev-pool",
        "ProductionVariants": [
            {
                "VariantName": "AllTraffic",
                "InstanceType": "ml.c6i.2xlarge",
                "InitialInstanceCount": 1,
                "ManagedInstanceScaling": {"Status": "ENABLED", "MinInstanceCount": 1, "MaxInstanceCount": 6},
                "RoutingConfig": {"RoutingStrategy": "LEAST_OUTSTANDING_REQUESTS"},
            }
        ],
        "KmsKeyId": KMS,
        # alpha and beta capture 20 % (validate makes a pool's models agree).
        "DataCaptureConfig": {
            "EnableCapture": True,
            "InitialSamplingPercentage": 20,
            "DestinationS3Uri": f"s3://{BUCKET}/pool-data-capture/shared-cpu/",
            "KmsKeyId": KMS,
            "CaptureOptions": [{"CaptureMode": "Input"}, {"CaptureMode": "Output"}],
            "CaptureContentTypeHeader": {"JsonContentTypes": ["application/json"], "CsvContentTypes": ["text/csv"]},
        },
        # The stack's VPC; alpha and beta (internal data) run without network isolation.
        "VpcConfig": vpc,
    }
    gpu = one(plan, CONFIG, "pool-shared-gpu-config")["configuration"]
    variant = gpu["ProductionVariants"][0]
    # minInstances 0: the pool may stop every instance, but starts with one (InitialTaskCount >= 1).
    assert variant["InitialInstanceCount"] == 1
    assert variant["ManagedInstanceScaling"] == {"Status": "ENABLED", "MinInstanceCount": 0, "MaxInstanceCount": 4}
    assert "ModelName" not in variant and "ModelName" not in cpu["configuration"]["ProductionVariants"][0]
    assert "KmsKeyId" not in gpu  # ml.g5 has local NVMe storage, which takes no key
    assert "DataCaptureConfig" not in gpu  # neither member captures
    # gamma and delta hold confidential data: isolated, as their Models are.
    assert gpu["VpcConfig"] == vpc and gpu["EnableNetworkIsolation"] is True
    for member, isolated in (("gamma", True), ("delta", True), ("alpha", False)):
        model = one(plan, MODEL, f"{member}-serving-model")
        assert model["enableNetworkIsolation"] is isolated
        assert model["vpcConfig"] == {"subnets": SUBNETS, "securityGroupIds": GROUPS}


def test_a_pool_without_a_vpc_or_isolation_sends_neither(tmp_path: Path, plan: Plan) -> None:
    stack = json.loads(json.dumps(STACK))
    del stack["config"]["modelops:vpc"]
    without = render(write_project(tmp_path, stack), "dev")
    cpu = one(without, CONFIG, "pool-shared-cpu-config")["configuration"]
    assert "VpcConfig" not in cpu and "EnableNetworkIsolation" not in cpu
    gpu = one(without, CONFIG, "pool-shared-gpu-config")["configuration"]
    assert "VpcConfig" not in gpu and gpu["EnableNetworkIsolation"] is True
    # The configuration's name is a digest of its content, the VPC included: a new
    # configuration is created next to the old, and the endpoint moves to it.
    name = one(without, CONFIG, "pool-shared-gpu-config")["name"]
    assert name != one(plan, CONFIG, "pool-shared-gpu-config")["name"]
    assert one(without, ENDPOINT, "pool-shared-gpu-endpoint")["endpointConfigName"] == name


def test_pool_endpoints_and_tags(plan: Plan) -> None:
    for pool in ("shared-cpu", "shared-gpu"):
        endpoint = one(plan, ENDPOINT, f"pool-{pool}-endpoint")
        assert endpoint["name"] == f"{pool}-dev"
        assert endpoint["endpointConfigName"] == one(plan, CONFIG, f"pool-{pool}-config")["name"]
        tags = {"cost-centre": "ml-platform", "pool": pool, "environment": "dev", "managed-by": "modelops"}
        for type_token, name in ((ENDPOINT, "endpoint"), (CONFIG, "config"), (ROLE, "execution-role")):
            assert one(plan, type_token, f"pool-{pool}-{name}")["tags"] == tags
    assert plan.outputs["pools"] == {"shared-cpu": "shared-cpu-dev", "shared-gpu": "shared-gpu-dev"}
    assert plan.outputs["endpoints"] == {"omega": "omega-dev"}


def component_names(plan: Plan) -> dict[str, str]:
    return {m: c["name"] for m, c in plan.outputs["components"].items()}


def test_components_output(plan: Plan) -> None:
    names = component_names(plan)
    assert {m: (c["pool"], c["endpoint"]) for m, c in plan.outputs["components"].items()} == {
        "alpha": ("shared-cpu", "shared-cpu-dev"),
        "beta": ("shared-cpu", "shared-cpu-dev"),
        "gamma": ("shared-gpu", "shared-gpu-dev"),
        "delta": ("shared-gpu", "shared-gpu-dev"),
    }
    for model, name in names.items():
        assert name == one(plan, COMPONENT, f"{model}-serving-component")["name"]
        assert name.startswith(f"{model}-dev-") and len(name) == len(f"{model}-dev-") + 8


def test_pool_role_trust_and_boundary(plan: Plan) -> None:
    role = one(plan, ROLE, "pool-shared-cpu-execution-role")
    assert role["name"] == "modelops-shared-cpu-dev-pool"
    assert role["permissionsBoundary"] == BOUNDARY
    (statement,) = json.loads(role["assumeRolePolicy"])["Statement"]
    assert statement["Principal"] == {"Service": "sagemaker.amazonaws.com"}
    assert statement["Condition"] == {
        "StringEquals": {"aws:SourceAccount": "123456789012"},
        "ArnLike": {"aws:SourceArn": "arn:aws:sagemaker:eu-west-1:123456789012:*"},
    }


def test_pool_role_reads_exactly_its_members_artifacts_and_images(plan: Plan) -> None:
    cpu = policy_of(plan, "pool-shared-cpu-execution-policy")
    assert cpu["ReadModelArtifact"]["Resource"] == [
        "arn:aws:s3:::acme-models/alpha/1.0.0/model.tar.gz",
        "arn:aws:s3:::acme-models/beta/1.0.0/model.tar.gz",
    ]
    assert cpu["PullModelImage"]["Resource"] == [
        "arn:aws:ecr:eu-west-1:123456789012:repository/alpha",
        "arn:aws:ecr:eu-west-1:123456789012:repository/beta",
    ]
    gpu = policy_of(plan, "pool-shared-gpu-execution-policy")
    assert gpu["ReadModelArtifact"]["Resource"] == [
        "arn:aws:s3:::acme-models/delta/1.0.0/model.tar.gz",
        "arn:aws:s3:::acme-models/gamma/1.0.0/model.tar.gz",
    ]
    # gamma's PyTorch image is the GPU one, chosen by the pool's ml.g5 instances.
    repositories = gpu["PullModelImage"]["Resource"]
    assert repositories[0] == "arn:aws:ecr:eu-west-1:123456789012:repository/delta"
    assert repositories[1].endswith(":repository/pytorch-inference") and len(repositories) == 2
    gamma_image = one(plan, MODEL, "gamma-serving-model")["primaryContainer"]["image"]
    assert "-gpu-" in gamma_image
    names = component_names(plan)
    log_groups = "arn:aws:logs:eu-west-1:123456789012:log-group:/aws/sagemaker/"
    assert cpu["EndpointLogs"]["Resource"] == [
        f"{log_groups}Endpoints/shared-cpu-dev",
        f"{log_groups}Endpoints/shared-cpu-dev:*",
        f"{log_groups}InferenceComponents/{names['alpha']}",
        f"{log_groups}InferenceComponents/{names['alpha']}:*",
        f"{log_groups}InferenceComponents/{names['beta']}",
        f"{log_groups}InferenceComponents/{names['beta']}:*",
    ]
    assert cpu["WriteCaptureAndOutput"]["Resource"] == [f"arn:aws:s3:::{BUCKET}/pool-data-capture/shared-cpu/*"]
    assert "WriteCaptureAndOutput" not in gpu
    assert cpu["UseStackKey"]["Resource"] == [KMS]
    assert cpu["UseStackKey"]["Condition"] == {
        "StringEquals": {"kms:ViaService": ["s3.eu-west-1.amazonaws.com", "sagemaker.eu-west-1.amazonaws.com"]}
    }
    assert cpu["VpcNetworkInterfaces"]["Condition"] == {
        "ArnEquals": {"ec2:Subnet": [f"arn:aws:ec2:eu-west-1:123456789012:subnet/{s}" for s in SUBNETS]}
    }
    # alpha rolls with two alarms, beta all at once with none.
    assert cpu["ReadRollbackAlarms"]["Resource"] == [
        "arn:aws:cloudwatch:eu-west-1:123456789012:alarm:alpha-dev-component-rollback-5xx-rate",
        "arn:aws:cloudwatch:eu-west-1:123456789012:alarm:alpha-dev-component-rollback-p99-latency",
    ]
    assert set(cpu) == {
        "EndpointLogs",
        "EndpointMetrics",
        "EcrLogin",
        "PullModelImage",
        "ReadModelArtifact",
        "WriteCaptureAndOutput",
        "UseStackKey",
        "VpcDescribe",
        "VpcCreateNetworkInterface",
        "VpcNetworkInterfaces",
        "ReadRollbackAlarms",
    }


def test_pool_policies_pass_the_linter(plan: Plan) -> None:
    from tests.test_iam_lint import counts, findings, policy_documents, unallowed

    documents = [d for d in policy_documents(plan) if ": pool-" in d[0]]
    assert {kind for _, kind, _ in documents} == {"identity", "trust"} and len(documents) == 4
    failures = [
        f"{where}: {finding.issue} {finding.detail}"
        for where, kind, document in documents
        for finding in findings(document)
        if counts(finding) and unallowed(kind, finding)
    ]
    assert failures == []


def test_member_role_logs_as_its_component_and_reads_its_own(plan: Plan) -> None:
    alpha = policy_of(plan, "alpha-governance-execution-policy")
    name = component_names(plan)["alpha"]
    log_groups = "arn:aws:logs:eu-west-1:123456789012:log-group:/aws/sagemaker/"
    assert alpha["EndpointLogs"]["Resource"] == [
        f"{log_groups}InferenceComponents/{name}",
        f"{log_groups}InferenceComponents/{name}:*",
    ]
    assert alpha["EndpointMetrics"]["Condition"] == {
        "StringLike": {"cloudwatch:namespace": ["/aws/sagemaker/InferenceComponents"]}
    }
    assert alpha["ReadModelArtifact"]["Resource"] == ["arn:aws:s3:::acme-models/alpha/1.0.0/model.tar.gz"]
    assert "WriteCaptureAndOutput" not in alpha  # the pool captures, not the member


def test_member_models(plan: Plan) -> None:
    alpha = one(plan, MODEL, "alpha-serving-model")
    assert alpha["executionRoleArn"] == "arn:aws:iam::123456789012:role/modelops-alpha-dev"
    assert alpha["primaryContainer"] == {
        "image": f"{ECR}/alpha:1.0.0",
        "modelDataUrl": "s3://acme-models/alpha/1.0.0/model.tar.gz",
        "environment": {"WORKERS": "2"},
    }
    assert alpha["vpcConfig"] == {"subnets": SUBNETS, "securityGroupIds": GROUPS}
    assert alpha["enableNetworkIsolation"] is False
    assert alpha["name"].startswith("alpha-dev-v1-0-0-")
    assert one(plan, MODEL, "beta-serving-model")["enableNetworkIsolation"] is False
    assert one(plan, MODEL, "delta-serving-model")["enableNetworkIsolation"] is True
    assert one(plan, MODEL, "alpha-serving-model")["tags"]["model-version"] == "1.0.0"


def test_inference_components(plan: Plan) -> None:
    names = component_names(plan)
    alpha = one(plan, COMPONENT, "alpha-serving-component")
    assert alpha == {
        "region": "eu-west-1",
        "name": names["alpha"],
        "endpointName": "shared-cpu-dev",
        "variantName": "AllTraffic",
        "specification": {
            "ModelName": one(plan, MODEL, "alpha-serving-model")["name"],
            "ComputeResourceRequirements": {"NumberOfCpuCoresRequired": 1, "MinMemoryRequiredInMb": 2048},
        },
        "runtimeConfig": {"CopyCount": 2},
        "autoscaled": True,
        "deploymentConfig": {
            "RollingUpdatePolicy": {
                "MaximumBatchSize": {"Type": "CAPACITY_PERCENT", "Value": 50},
                "WaitIntervalInSeconds": 120,
            },
            "AutoRollbackConfiguration": {
                "Alarms": [
                    {"AlarmName": "alpha-dev-component-rollback-5xx-rate"},
                    {"AlarmName": "alpha-dev-component-rollback-p99-latency"},
                ]
            },
        },
        "tags": {
            "cost-centre": "ml-platform",
            "owner": "alpha-team@example.com",
            "model": "alpha",
            "model-version": "1.0.0",
            "environment": "dev",
            "managed-by": "modelops",
        },
    }
    beta = one(plan, COMPONENT, "beta-serving-component")
    assert "deploymentConfig" not in beta and beta["autoscaled"] is False  # the engine drops a None
    assert beta["runtimeConfig"] == {"CopyCount": 3}
    assert beta["specification"]["ComputeResourceRequirements"] == {
        "NumberOfCpuCoresRequired": 0.5,
        "MinMemoryRequiredInMb": 1024,
    }
    gamma = one(plan, COMPONENT, "gamma-serving-component")
    assert gamma["endpointName"] == "shared-gpu-dev"
    assert gamma["specification"]["ComputeResourceRequirements"]["NumberOfAcceleratorDevicesRequired"] == 1
    delta = one(plan, COMPONENT, "delta-serving-component")
    assert delta["deploymentConfig"]["AutoRollbackConfiguration"] == {
        "Alarms": [{"AlarmName": "delta-dev-component-rollback-p99-latency"}]
    }
    # A component is created on its pool's endpoint, after its model and rollback alarms.
    urns = {r.name: r.urn for r in plan.resources}
    assert set(plan.one(COMPONENT, "alpha-serving-component").dependencies) == {
        urns["pool-shared-cpu-endpoint"],
        urns["alpha-serving-model"],
        urns["alpha-serving-rollback-5xx"],
        urns["alpha-serving-rollback-p99"],
    }


def test_rollback_alarms_watch_the_component(plan: Plan) -> None:
    name = component_names(plan)["alpha"]
    errors = one(plan, ALARM, "alpha-serving-rollback-5xx")
    assert errors["name"] == "alpha-dev-component-rollback-5xx-rate"
    assert errors["threshold"] == 2 and errors["comparisonOperator"] == "GreaterThanThreshold"
    assert errors["alarmActions"] == [TOPIC]
    assert errors["metricQueries"] == [
        {
            "id": "errors",
            "returnData": False,
            "metric": {
                "metricName": "Invocation5XXErrors",
                "namespace": "AWS/SageMaker",
                "period": 60,
                "stat": "Average",
                "dimensions": {"InferenceComponentName": name},
            },
        },
        {"id": "rate", "expression": "100 * errors", "label": "5xx error rate (%)", "returnData": True},
    ]
    latency = one(plan, ALARM, "alpha-serving-rollback-p99")
    assert latency["threshold"] == 250_000  # ModelLatency is in microseconds
    assert latency["metricQueries"] == [
        {
            "id": "latency",
            "returnData": True,
            "metric": {
                "metricName": "ModelLatency",
                "namespace": "AWS/SageMaker",
                "period": 60,
                "stat": "p99",
                "dimensions": {"InferenceComponentName": name},
            },
        }
    ]
    assert not [r for r in plan.by_type(ALARM) if r.name.startswith("beta-")]  # all at once: none


def test_copy_autoscaling(plan: Plan) -> None:
    names = component_names(plan)
    target = one(plan, TARGET, "alpha-serving-scaling-target")
    assert target == {
        "serviceNamespace": "sagemaker",
        "scalableDimension": "sagemaker:inference-component:DesiredCopyCount",
        "resourceId": f"inference-component/{names['alpha']}",
        "minCapacity": 1,
        "maxCapacity": 8,
    }
    policy = one(plan, SCALING, "alpha-serving-scaling-policy")
    assert policy["policyType"] == "TargetTrackingScaling"
    assert policy["resourceId"] == target["resourceId"]
    assert policy["targetTrackingScalingPolicyConfiguration"] == {
        "targetValue": 50,
        "scaleInCooldown": 300,
        "scaleOutCooldown": 60,
        "predefinedMetricSpecification": {"predefinedMetricType": "SageMakerInferenceComponentInvocationsPerCopy"},
    }
    assert not [r for r in plan.resources if r.name.startswith(("beta-serving-scal", "delta-serving-scal"))]


def test_scale_to_zero_only_when_min_copies_is_zero(plan: Plan) -> None:
    names = component_names(plan)
    assert one(plan, TARGET, "gamma-serving-scaling-target")["minCapacity"] == 0
    step = one(plan, SCALING, "gamma-serving-scale-from-zero-policy")
    assert step["policyType"] == "StepScaling"
    assert step["resourceId"] == f"inference-component/{names['gamma']}"
    assert step["stepScalingPolicyConfiguration"] == {
        "adjustmentType": "ChangeInCapacity",
        "metricAggregationType": "Maximum",
        "cooldown": 60,
        "stepAdjustments": [{"metricIntervalLowerBound": "0", "scalingAdjustment": 1}],
    }
    alarm = one(plan, ALARM, "gamma-serving-scale-from-zero-alarm")
    step_arn = "arn:aws:appautoscaling:eu-west-1:123456789012:policy/gamma-dev-no-capacity-add-copy"
    assert {k: v for k, v in alarm.items() if k not in ("tags", "alarmDescription")} == {
        "name": "gamma-dev-no-capacity-invocation-failures",
        "namespace": "AWS/SageMaker",
        "metricName": "NoCapacityInvocationFailures",
        "dimensions": {"InferenceComponentName": names["gamma"]},
        "statistic": "Maximum",
        "period": 60,
        "evaluationPeriods": 1,
        "datapointsToAlarm": 1,
        "threshold": 1,
        "comparisonOperator": "GreaterThanOrEqualToThreshold",
        "treatMissingData": "missing",
        "alarmActions": [step_arn, TOPIC],
    }
    scale_from_zero = [r.name for r in plan.resources if "scale-from-zero" in r.name]
    assert sorted(scale_from_zero) == ["gamma-serving-scale-from-zero-alarm", "gamma-serving-scale-from-zero-policy"]


def test_rendering_in_parts_gives_the_whole(root: Path, plan: Plan) -> None:
    """The pools are stack-level: every part declares them from all their members."""
    parts = render(root, "dev", part_size=1, workers=2)
    assert strict_json(parts.to_json()) == strict_json(plan.to_json())
    only = render(root, "dev", only={"omega"})
    assert strict_json(only.one(POLICY, "pool-shared-cpu-execution-policy").inputs) == strict_json(
        plan.one(POLICY, "pool-shared-cpu-execution-policy").inputs
    )


def resource_changes(old: Plan, new: Plan) -> dict[str, str]:
    from modelops.gitops.diff import resource_changes

    return {c.name: c.action for c in resource_changes(old, new)}


def test_a_version_bump_updates_the_component_in_place(tmp_path: Path, plan: Plan) -> None:
    root = write_project(tmp_path)
    path = root / "model_specs" / "alpha" / "1.0.0.yaml"
    edit_yaml(path, lambda data: data["model"].update({"artifact": "s3://acme-models/alpha/1.0.1/model.tar.gz"}))
    changes = resource_changes(plan, render(root, "dev"))
    assert changes["alpha-serving-component"] == "update"
    assert changes["alpha-serving-model"] == "replace"  # a new Model next to the old, then the component moves
    assert changes["pool-shared-cpu-execution-policy"] == "update"  # reads the new artifact
    assert "pool-shared-cpu-endpoint" not in changes


def test_moving_to_another_pool_replaces_the_component(tmp_path: Path, plan: Plan) -> None:
    root = write_project(tmp_path)
    edit_yaml(
        root / "model_specs" / "beta" / "1.0.0.yaml",
        lambda data: (
            data["serving"]["component"].update({"pool": "shared-gpu"}),
            data["serving"].update({"data_capture": {"enabled": False}}),  # as the pool's other models
            data["metadata"].update({"data_classification": "confidential"}),
        ),
    )
    moved = render(root, "dev")
    from modelops.gitops.diff import resource_changes as changes_of

    change = next(c for c in changes_of(plan, moved) if c.name == "beta-serving-component")
    assert change.action == "replace"
    assert set(change.replacing) == {"name", "endpointName"}
    assert change.downtime is not None and "callers must move to the new endpoint and component name" in change.downtime
    old_name = plan.one(COMPONENT, "beta-serving-component").inputs["name"]
    assert moved.one(COMPONENT, "beta-serving-component").inputs["name"] != old_name  # both exist for a while
    # The old pool stops reading beta's artifact; the new one starts.
    cpu = json.loads(moved.one(POLICY, "pool-shared-cpu-execution-policy").inputs["policy"])
    gpu = json.loads(moved.one(POLICY, "pool-shared-gpu-execution-policy").inputs["policy"])
    assert "beta" not in json.dumps(cpu) and "acme-models/beta/" in json.dumps(gpu)


def test_a_model_moving_from_its_endpoint_to_a_pool_is_told_its_address_changes(tmp_path: Path, plan: Plan) -> None:
    root = write_project(tmp_path)
    edit_yaml(
        root / "model_specs" / "omega" / "1.0.0.yaml",
        lambda data: data.update(
            {
                "serving": {
                    "mode": "component",
                    "component": {"pool": "shared-cpu", "memory_mb": 1024},
                    "data_capture": {"enabled": True, "sampling_percent": 20},  # as the pool's other models
                }
            }
        ),
    )
    moved = render(root, "dev")
    from modelops.gitops.diff import resource_changes as changes_of

    changes = {c.name: c for c in changes_of(plan, moved)}
    assert changes["omega-serving-component"].action == "create"
    deleted = changes["omega-serving-endpoint"]
    assert deleted.action == "delete"
    assert (
        deleted.downtime is not None
        and "omega moves from its SageMaker endpoint to a pool's inference component" in (deleted.downtime)
    )
    # The new Model's name is not the old one's, so it can be created before that one is deleted.
    assert (
        moved.one(MODEL, "omega-serving-model").inputs["name"]
        != plan.one(MODEL, "omega-serving-primary-model").inputs["name"]
    )
    assert "omega" in moved.outputs["components"] and "omega" not in moved.outputs["endpoints"]


def test_a_pool_the_stack_lacks_is_refused_with_the_reason(tmp_path: Path) -> None:
    stack = json.loads(json.dumps(STACK))
    del stack["config"]["modelops:pools"]["shared-gpu"]
    with pytest.raises(ProblemsFound, match="shared-gpu"):
        render(write_project(tmp_path, stack), "dev")


@pytest.mark.parametrize("type_token", [ENDPOINT, CONFIG, ROLE])
def test_pool_tags_are_required_of_a_pool_resource(type_token: str) -> None:
    ctx = RuleContext("dev", None, None)
    complete = {"tags": {"pool": "shared-cpu", "environment": "dev", "managed-by": "modelops"}}
    assert list(check_resource(PlanResource("urn", type_token, "x", None, complete), ctx)) == []
    missing = {"tags": {"pool": "shared-cpu", "environment": "dev"}}
    assert list(check_resource(PlanResource("urn", type_token, "x", None, missing), ctx)) == [
        ("required-tags", "missing tags: managed-by")
    ]
    # A model's resource cannot pass as a pool's: it names its model, so owner and version count.
    model = {"tags": {"pool": "shared-cpu", "model": "alpha", "environment": "dev", "managed-by": "modelops"}}
    assert list(check_resource(PlanResource("urn", type_token, "x", None, model), ctx)) == [
        ("required-tags", "missing tags: owner, model-version")
    ]


def test_an_inference_component_is_held_to_the_tag_and_name_rules() -> None:
    ctx = RuleContext("dev", None, None)
    inputs = {"name": "x" * 64, "tags": {"model": "alpha"}}
    assert sorted(rule for rule, _ in check_resource(PlanResource("urn", COMPONENT, "x", None, inputs), ctx)) == [
        "aws-name-limits",
        "required-tags",
    ]


def test_the_pool_configuration_is_held_to_the_kms_and_name_rules() -> None:
    """The KMS rule reads the provider's PascalCase request: the storage key unless the instance
    has local NVMe storage, and the capture key whenever the pool captures."""
    ctx = RuleContext("dev", KMS, None)
    tags = {"pool": "shared-cpu", "environment": "dev", "managed-by": "modelops"}
    other = KMS.replace("0a1b2c3d", "ffffffff")

    def found(configuration: dict[str, Any], name: str = "shared-cpu-dev-0badcafe") -> list[tuple[str, str]]:
        inputs = {"name": name, "tags": tags, "configuration": configuration}
        return list(check_resource(PlanResource("urn", CONFIG, "x", None, inputs), ctx))

    variant = {"VariantName": "AllTraffic", "InstanceType": "ml.c6i.2xlarge"}
    capture = {"EnableCapture": True, "KmsKeyId": other}
    assert found({"ProductionVariants": [variant], "KmsKeyId": KMS}) == []
    assert found({"ProductionVariants": [variant], "KmsKeyId": KMS, "DataCaptureConfig": capture}) == [
        ("kms-encryption", "configuration.DataCaptureConfig.KmsKeyId is not the stack's KMS key")
    ]
    assert found({"ProductionVariants": [variant]}) == [
        ("kms-encryption", "configuration.KmsKeyId is not the stack's KMS key")
    ]
    # Local NVMe storage takes no key (modelops.aws.instance_storage).
    assert found({"ProductionVariants": [{**variant, "InstanceType": "ml.g5.2xlarge"}]}) == []
    assert found({"ProductionVariants": [variant], "KmsKeyId": KMS}, name="x" * 64) == [
        ("aws-name-limits", f"name {'x' * 64!r} is 64 characters; AWS allows 63")
    ]


def test_a_pool_change_is_a_new_configuration_the_endpoint_moves_to(tmp_path: Path, plan: Plan) -> None:
    """Endpoint configurations are immutable: the provider's diff replaces the pool's
    configuration on any change (a new name, created first), and the endpoint updates in place."""
    from modelops.gitops.diff import resource_changes as changes_of

    stack = json.loads(json.dumps(STACK))
    stack["config"]["modelops:pools"]["shared-cpu"]["maxInstances"] = 8
    stack["config"]["modelops:vpc"]["securityGroupIds"] = ["sg-0ff12ee3"]
    changed = render(write_project(tmp_path, stack), "dev")
    changes = {c.name: c for c in changes_of(plan, changed)}
    config = changes["pool-shared-cpu-config"]
    assert config.action == "replace"
    assert set(config.replacing) == {
        "name",
        "configuration.ProductionVariants",
        "configuration.VpcConfig.SecurityGroupIds",
    }
    assert changes["pool-shared-cpu-endpoint"].action == "update"
    assert changes["pool-shared-gpu-config"].action == "replace"  # the VPC is the whole stack's


def test_the_fleet_benchmark_counts_a_pools_minimum_instances(plan: Plan) -> None:
    """benchmarks/fleet.py reads the pool's variant from the provider's recorded request."""
    import sys

    from tests.conftest import REPO_ROOT

    sys.path.insert(0, str(REPO_ROOT / "benchmarks"))
    from fleet import instances_at_minimum

    # shared-cpu at its minimum of 1, shared-gpu of 0; omega's own endpoint 1 ml.m5.large.
    assert instances_at_minimum(plan) == {"ml.c6i.2xlarge": 1, "ml.g5.2xlarge": 0, "ml.m5.large": 1}
