"""A model's monitors: per enabled monitor a job definition, a schedule and a violation alarm.

- Data quality uses pulumi-aws's DataQualityJobDefinition; model quality, bias and
  explainability (SHAP through SageMaker Clarify) use `components.providers.
  monitoring_job_definition`, because pulumi-aws has no resource for them.
- Job definitions cannot be updated (SageMaker has no Update call; every argument of
  pulumi-aws's DataQualityJobDefinition is replace-on-change), so their names carry a digest
  of their content. The schedule's `monitoring_schedule_config` is updated in place
  (terraform-provider-aws's monitoring_schedule.go calls UpdateMonitoringSchedule), so a new
  definition is created, the schedule repointed, and the old definition deleted.
- Violations: a monitoring execution is a processing job; when it finds violations it ends
  Completed with an ExitMessage starting "CompletedWithViolations", and SageMaker sends its
  "SageMaker Processing Job State Change" event (carrying the DescribeProcessingJob fields,
  MonitoringScheduleArn among them) to EventBridge. An EventBridge rule matches this schedule's
  violations, and a CloudWatch alarm on the rule's MatchedEvents metric notifies the stack's
  alarm topic.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_aws as aws

from components.providers.monitoring_job_definition import MonitoringJobDefinition
from components.sagemaker_role import sagemaker_role
from modelops.aws import naming
from modelops.aws.iam import MonitoringRoleScope, monitoring_role_policy, sagemaker_source_arn
from modelops.aws.instance_storage import has_local_storage
from modelops.spec import frameworks
from modelops.spec.checks import schedule_interval_hours
from modelops.spec.resolved_model import ResolvedModel
from modelops.spec.stack import StackConfig

MONITORING_TYPES = {
    "data_quality": "DataQuality",
    "model_quality": "ModelQuality",
    "bias": "ModelBias",
    "explainability": "ModelExplainability",
}
SCHEDULES = {"hourly": "cron(0 * ? * * *)", "daily": "cron(0 0 ? * * *)"}
ENDPOINT_INPUT_PATH = "/opt/ml/processing/input/endpoint"
OUTPUT_PATH = "/opt/ml/processing/output"
VOLUME_SIZE_GB = 20
MAX_RUNTIME_S = 1800  # below the one-hour minimum interval, as Model Monitor requires


@dataclass
class MonitoringArgs:
    model: ResolvedModel
    stack: StackConfig
    partition: str
    account: str
    endpoint_name: str
    capture_prefix: str  # s3://bucket/prefix/ of the endpoint's data capture
    output_prefix: str  # s3://bucket/prefix/ the reports go under
    tags: dict[str, str]
    endpoint: pulumi.Resource  # a schedule can only be created once its endpoint exists


def schedule_expression(schedule: str) -> str:
    return SCHEDULES.get(schedule, schedule)


def violation_event_pattern(schedule_arn: str) -> dict[str, Any]:
    return {
        "source": ["aws.sagemaker"],
        "detail-type": ["SageMaker Processing Job State Change"],
        "detail": {
            "MonitoringScheduleArn": [schedule_arn],
            "ExitMessage": [{"prefix": "CompletedWithViolations"}],
        },
    }


def monitor_images(model: ResolvedModel, region: str) -> dict[str, str]:
    images = {}
    for monitor in model.spec.monitoring.enabled_monitors():
        images[monitor] = frameworks.analyzer_image(frameworks.analyzer_for(monitor), region)
    return images


def bias_ground_truth(args: MonitoringArgs) -> str:
    """The API requires labels for a bias monitor; without any in the spec they go under the
    stack's monitoring bucket, where the labelling pipeline writes them."""
    monitoring = args.model.spec.monitoring
    return monitoring.bias.ground_truth(monitoring) or f"{args.output_prefix}ground-truth/"


def baseline_config(model: ResolvedModel, monitor: str) -> dict[str, Any] | None:
    spec = getattr(model.spec.monitoring, monitor)
    config: dict[str, Any] = {}
    if spec.baseline_constraints_s3_uri:
        config["ConstraintsResource"] = {"S3Uri": spec.baseline_constraints_s3_uri}
    if getattr(spec, "baseline_statistics_s3_uri", None):
        config["StatisticsResource"] = {"S3Uri": spec.baseline_statistics_s3_uri}
    return config or None


def baseline_objects(model: ResolvedModel) -> tuple[str, ...]:
    """Every baseline file an enabled monitor reads."""
    monitoring = model.spec.monitoring
    objects = set()
    for monitor in monitoring.enabled_monitors():
        for resource in (baseline_config(model, monitor) or {}).values():
            objects.add(resource["S3Uri"])
    return tuple(sorted(objects))


def labelled_window(schedule: str, label_delay_hours: int) -> dict[str, str]:
    """The captured data a label-merging run reads: one schedule interval, ending when labels
    have arrived. Without offsets each run reads the interval just before it, whose labels do
    not exist yet, and the job fails or reports on nothing ("Schedule model quality monitoring
    jobs": StartTimeOffset/EndTimeOffset,
    docs.aws.amazon.com/sagemaker/latest/dg/model-monitor-model-quality-schedule.html). The
    offsets are ISO 8601 durations before the scheduled time (EndpointInput, API reference)."""
    interval = schedule_interval_hours(schedule)
    return {
        "StartTimeOffset": f"-PT{label_delay_hours + interval}H",
        "EndTimeOffset": f"-PT{label_delay_hours}H",
    }


def job_definition(args: MonitoringArgs, monitor: str, image: str, role_name: str) -> dict[str, Any]:
    """The Create<Kind>JobDefinition request (without name, role and tags), as AWS takes it."""
    stack, monitoring = args.stack, args.model.spec.monitoring
    kind = MONITORING_TYPES[monitor]
    endpoint_input: dict[str, Any] = {
        "EndpointName": args.endpoint_name,
        "LocalPath": ENDPOINT_INPUT_PATH,
        "S3InputMode": "File",
        "S3DataDistributionType": "FullyReplicated",
    }
    app: dict[str, Any] = {"ImageUri": image}
    job_input: dict[str, Any] = {"EndpointInput": endpoint_input}
    if monitor in ("data_quality", "model_quality"):
        app["Environment"] = {"publish_cloudwatch_metrics": "Enabled"}
    if monitor == "model_quality":
        quality = monitoring.model_quality
        app["ProblemType"] = quality.problem_type
        for key, value in (
            ("InferenceAttribute", quality.inference_attribute),
            ("ProbabilityAttribute", quality.probability_attribute),
            ("ProbabilityThresholdAttribute", quality.probability_threshold),
        ):
            if value is not None:
                endpoint_input[key] = value
        job_input["GroundTruthS3Input"] = {"S3Uri": quality.ground_truth_s3_uri}
        endpoint_input.update(labelled_window(monitoring.schedule, quality.label_delay_hours))
    if monitor == "bias":
        app["ConfigUri"] = monitoring.bias.analysis_config_s3_uri
        job_input["GroundTruthS3Input"] = {"S3Uri": bias_ground_truth(args)}
        endpoint_input.update(labelled_window(monitoring.schedule, monitoring.bias.label_delay_hours))
    if monitor == "explainability":
        app["ConfigUri"] = monitoring.explainability.analysis_config_s3_uri
    output: dict[str, Any] = {
        "MonitoringOutputs": [
            {
                "S3Output": {
                    "S3Uri": f"{args.output_prefix}{monitor}/",
                    "LocalPath": OUTPUT_PATH,
                    "S3UploadMode": "EndOfJob",
                }
            }
        ]
    }
    cluster: dict[str, Any] = {
        "InstanceCount": 1,
        "InstanceType": monitoring.instance_type,
        "VolumeSizeInGB": VOLUME_SIZE_GB,
    }
    if stack.kms_key_arn:
        output["KmsKeyId"] = stack.kms_key_arn
        if not has_local_storage(monitoring.instance_type):  # hardware-encrypted; AWS rejects a key
            cluster["VolumeKmsKeyId"] = stack.kms_key_arn
    baseline = baseline_config(args.model, monitor)
    network: dict[str, Any] = {"EnableInterContainerTrafficEncryption": True, "EnableNetworkIsolation": False}
    if stack.vpc is not None:
        network["VpcConfig"] = {
            "SecurityGroupIds": list(stack.vpc.security_group_ids),
            "Subnets": list(stack.vpc.subnet_ids),
        }
    return {
        **({f"{kind}BaselineConfig": baseline} if baseline else {}),
        f"{kind}AppSpecification": app,
        f"{kind}JobInput": job_input,
        f"{kind}JobOutputConfig": output,
        "JobResources": {"ClusterConfig": cluster},
        "NetworkConfig": network,
        "StoppingCondition": {"MaxRuntimeInSeconds": MAX_RUNTIME_S},
        "RoleArn": role_name,  # replaced by the role's ARN; the name keeps the digest offline-stable
    }


def _data_quality_inputs(definition: dict[str, Any]) -> dict[str, Any]:
    """The same request in pulumi-aws's argument names (nested single blocks are objects)."""
    app = definition["DataQualityAppSpecification"]
    endpoint = definition["DataQualityJobInput"]["EndpointInput"]
    output = definition["DataQualityJobOutputConfig"]
    s3 = output["MonitoringOutputs"][0]["S3Output"]
    cluster = definition["JobResources"]["ClusterConfig"]
    network = definition["NetworkConfig"]
    baseline = definition.get("DataQualityBaselineConfig", {})
    return {
        "data_quality_baseline_config": (
            {
                "constraints_resource": (
                    {"s3_uri": baseline["ConstraintsResource"]["S3Uri"]} if "ConstraintsResource" in baseline else None
                ),
                "statistics_resource": (
                    {"s3_uri": baseline["StatisticsResource"]["S3Uri"]} if "StatisticsResource" in baseline else None
                ),
            }
            if baseline
            else None
        ),
        "data_quality_app_specification": {"image_uri": app["ImageUri"], "environment": app["Environment"]},
        "data_quality_job_input": {
            "endpoint_input": {
                "endpoint_name": endpoint["EndpointName"],
                "local_path": endpoint["LocalPath"],
                "s3_input_mode": endpoint["S3InputMode"],
                "s3_data_distribution_type": endpoint["S3DataDistributionType"],
            }
        },
        "data_quality_job_output_config": {
            "monitoring_outputs": {
                "s3_output": {
                    "s3_uri": s3["S3Uri"],
                    "local_path": s3["LocalPath"],
                    "s3_upload_mode": s3["S3UploadMode"],
                }
            },
            "kms_key_id": output.get("KmsKeyId"),
        },
        "job_resources": {
            "cluster_config": {
                "instance_count": cluster["InstanceCount"],
                "instance_type": cluster["InstanceType"],
                "volume_size_in_gb": cluster["VolumeSizeInGB"],
                "volume_kms_key_id": cluster.get("VolumeKmsKeyId"),
            }
        },
        "network_config": {
            "enable_inter_container_traffic_encryption": network["EnableInterContainerTrafficEncryption"],
            "enable_network_isolation": network["EnableNetworkIsolation"],
            "vpc_config": (
                {
                    "security_group_ids": network["VpcConfig"]["SecurityGroupIds"],
                    "subnets": network["VpcConfig"]["Subnets"],
                }
                if "VpcConfig" in network
                else None
            ),
        },
        "stopping_condition": {"max_runtime_in_seconds": definition["StoppingCondition"]["MaxRuntimeInSeconds"]},
    }


class Monitoring(pulumi.ComponentResource):
    schedule_names: pulumi.Output[list[str]]
    role_arn: pulumi.Output[str]

    def __init__(self, name: str, args: MonitoringArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("modelops:monitoring:Monitoring", name, {}, opts)
        model, stack = args.model, args.stack
        env, monitoring = stack.environment, model.spec.monitoring
        images = monitor_images(model, stack.region)
        definitions = {}
        role_name = naming.monitoring_role_name(model.name, env)
        for monitor in monitoring.enabled_monitors():
            definitions[monitor] = job_definition(args, monitor, images[monitor], role_name)
        role, policy = sagemaker_role(
            f"{name}-jobs",
            role_name=role_name,
            description=f"Model monitoring jobs of {model.name} in {stack.name} (modelops)",
            account=args.account,
            source_arn=sagemaker_source_arn(args.partition, stack.region, args.account),
            policy=monitoring_role_policy(
                MonitoringRoleScope(
                    partition=args.partition,
                    region=stack.region,
                    account=args.account,
                    endpoint_name=args.endpoint_name,
                    capture_prefix=args.capture_prefix,
                    output_prefix=args.output_prefix,
                    images=tuple(sorted(set(images.values()))),
                    ground_truth=tuple(
                        sorted(
                            {
                                uri
                                for monitor, uri in (
                                    ("model_quality", monitoring.model_quality.ground_truth_s3_uri),
                                    ("bias", bias_ground_truth(args)),
                                )
                                if uri and monitor in definitions
                            }
                        )
                    ),
                    baselines=baseline_objects(model),
                    analysis_configs=tuple(
                        sorted(
                            getattr(monitoring, m).analysis_config_s3_uri
                            for m in ("bias", "explainability")
                            if m in definitions
                        )
                    ),
                    invokes_endpoint=bool({"bias", "explainability"} & set(definitions)),
                    kms_key_arn=stack.kms_key_arn,
                    subnet_ids=tuple(stack.vpc.subnet_ids) if stack.vpc else (),
                    security_group_ids=tuple(stack.vpc.security_group_ids) if stack.vpc else (),
                )
            ),
            boundary_arn=stack.permissions_boundary_arn,
            tags=args.tags,
            parent=self,
        )
        after_role = pulumi.ResourceOptions(parent=self, depends_on=[policy] if policy is not None else [role])
        schedules: list[str] = []
        for monitor, definition in definitions.items():
            kind = MONITORING_TYPES[monitor]
            job_name = naming.monitoring_job_definition_name(model.name, env, monitor, definition)
            job = self._job_definition(
                f"{name}-{monitor.replace('_', '-')}", monitor, job_name, definition, role.arn, args, after_role
            )
            schedule_name = naming.monitoring_schedule_name(model.name, env, monitor)
            schedule = aws.sagemaker.MonitoringSchedule(
                f"{name}-{monitor.replace('_', '-')}-schedule",
                name=schedule_name,
                monitoring_schedule_config={
                    "monitoring_job_definition_name": job,
                    "monitoring_type": kind,
                    "schedule_config": {"schedule_expression": schedule_expression(monitoring.schedule)},
                },
                tags=args.tags,
                opts=pulumi.ResourceOptions(parent=self, depends_on=[args.endpoint]),
            )
            rule = aws.cloudwatch.EventRule(
                f"{name}-{monitor.replace('_', '-')}-violations-rule",
                name=naming.bounded(schedule_name, "violations"),
                description=f"{kind} monitoring of {model.name} in {stack.name} found violations",
                event_pattern=schedule.arn.apply(lambda arn: json.dumps(violation_event_pattern(arn))),
                tags=args.tags,
                opts=pulumi.ResourceOptions(parent=self),
            )
            aws.cloudwatch.MetricAlarm(
                f"{name}-{monitor.replace('_', '-')}-violations-alarm",
                name=naming.bounded(schedule_name, "violations"),
                alarm_description=f"{kind} monitor of {model.name} ({stack.name}) reported violations",
                namespace="AWS/Events",
                metric_name="MatchedEvents",
                dimensions={"RuleName": rule.name},
                statistic="Sum",
                period=300,
                evaluation_periods=1,
                threshold=1,
                comparison_operator="GreaterThanOrEqualToThreshold",
                treat_missing_data="notBreaching",
                alarm_actions=[stack.alarm_topic_arn] if stack.alarm_topic_arn else [],
                tags=args.tags,
                opts=pulumi.ResourceOptions(parent=self),
            )
            schedules.append(schedule_name)
        self.schedule_names = pulumi.Output.from_input(schedules)
        self.role_arn = role.arn
        self.register_outputs({"schedule_names": self.schedule_names, "role_arn": self.role_arn})

    def _job_definition(
        self,
        name: str,
        monitor: str,
        job_name: str,
        definition: dict[str, Any],
        role_arn: pulumi.Output[str],
        args: MonitoringArgs,
        opts: pulumi.ResourceOptions,
    ) -> pulumi.Output[str]:
        if monitor == "data_quality":
            job = aws.sagemaker.DataQualityJobDefinition(
                f"{name}-job",
                name=job_name,
                role_arn=role_arn,
                tags=args.tags,
                opts=opts,
                **_data_quality_inputs(definition),
            )
            return job.name
        request = {**definition, "JobDefinitionName": job_name, "RoleArn": role_arn}
        dynamic = MonitoringJobDefinition(
            f"{name}-job", MONITORING_TYPES[monitor], args.stack.region, request, args.tags, opts
        )
        return dynamic.id
