"""The compare fleet as an AWS CDK app: what a team writing CDK by hand would declare.

    .venv/bin/python app.py FLEET_JSON OUTDIR [--models-per-stack K] [--lean]

FLEET_JSON is written by compare.py from the same data as the modelops specs. Per model:
SageMaker Model, EndpointConfig (data capture, KMS) and Endpoint (canary with auto-rollback on
two CloudWatch alarms), the execution role and its policy, an Application Auto Scaling target
and target-tracking policy, a feature group with its role and policy, a data quality job
definition and its monitoring schedule with a role and policy, an EventBridge rule and alarm
on violations, and a model card. SageMaker has no L2 constructs, so those are L1; IAM,
CloudWatch, EventBridge, auto scaling and S3 use the L2 constructs a CDK user would reach for.

A CloudFormation stack holds at most 500 resources, so the fleet cannot be one stack: each
stack holds K models (default 1, the usual layout when models ship independently), plus one
stack for the shared bucket.

Without --lean the app runs as `cdk synth` runs it: the CLI's default context (path and asset
metadata, version reporting, bundling). --lean is the fastest a user can make synthesis
without changing the app: no creation stack traces, logical-ID metadata, path metadata or
version reporting, and `synth(skip_validation=True)`; compare.py also runs it under
`python -O`, which skips jsii's runtime type checks of every property passed from Python.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import aws_cdk as cdk
from aws_cdk import aws_applicationautoscaling as appscaling
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_events as events
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_sagemaker as sagemaker
from constructs import Construct

# What `cdk synth` passes to the app by default (CDK CLI, prepareContext / contextFromSettings).
CLI_CONTEXT = {
    "aws:cdk:enable-path-metadata": True,
    "aws:cdk:enable-asset-metadata": True,
    "aws:cdk:version-reporting": True,
    "aws:cdk:bundling-stacks": ["**"],
}
LEAN_CONTEXT = {
    "aws:cdk:disable-creation-stack-traces": True,
    "aws:cdk:disable-logicalId-metadata": True,
    "aws:cdk:disable-stack-trace": True,
    "aws:cdk:enable-path-metadata": False,
    "aws:cdk:version-reporting": False,
    "aws:cdk:bundling-stacks": [],
}
MONITOR_IMAGE_ACCOUNT = "468650794304"  # SageMaker Model Monitor's analyzer image in eu-west-1
SAGEMAKER = "sagemaker.amazonaws.com"
SCALING_ROLE = (
    "aws-service-role/sagemaker.application-autoscaling.amazonaws.com/"
    "AWSServiceRoleForApplicationAutoScaling_SageMakerEndpoint"
)


class Fleet:
    """The stack-wide settings of FLEET_JSON."""

    def __init__(self, data: dict) -> None:
        self.account: str = data["account"]
        self.region: str = data["region"]
        self.environment: str = data["environment"]
        self.kms_key_arn: str = data["kms_key_arn"]
        self.bucket: str = f"modelops-{self.account}-{self.region}-{self.environment}"
        self.models: list[dict] = data["models"]

    def arn(self, service: str, resource: str, region: bool = True) -> str:
        return f"arn:aws:{service}:{self.region if region else ''}:{self.account}:{resource}"


def statement(sid: str, actions: list[str], resources: list[str], **conditions: dict) -> iam.PolicyStatement:
    return iam.PolicyStatement(sid=sid, actions=actions, resources=resources, conditions=conditions or None)


def key_statement(fleet: Fleet, via_s3: bool = False) -> iam.PolicyStatement:
    condition = {"StringEquals": {"kms:ViaService": [f"s3.{fleet.region}.amazonaws.com"]}} if via_s3 else {}
    return statement(
        "UseStackKey",
        ["kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:GenerateDataKey"],
        [fleet.kms_key_arn],
        **condition,
    )


def ecr_statements(sid: str, repository_arn: str) -> list[iam.PolicyStatement]:
    return [
        statement("EcrLogin", ["ecr:GetAuthorizationToken"], ["*"]),
        statement(
            sid,
            ["ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
            [repository_arn],
        ),
    ]


def log_statement(sid: str, fleet: Fleet, group: str) -> iam.PolicyStatement:
    log_group = fleet.arn("logs", f"log-group:{group}")
    actions = ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:DescribeLogStreams", "logs:PutLogEvents"]
    return statement(sid, actions, [log_group, f"{log_group}:*"])


def sagemaker_role(
    scope: Construct,
    fleet: Fleet,
    name: str,
    description: str,
    statements: list[iam.PolicyStatement],
    any_sagemaker_resource: bool = True,
) -> tuple[iam.Role, iam.Policy]:
    """A role SageMaker assumes on this account's behalf, with one least-privilege inline policy."""
    conditions: dict[str, dict] = {"StringEquals": {"aws:SourceAccount": fleet.account}}
    if any_sagemaker_resource:
        conditions["ArnLike"] = {"aws:SourceArn": fleet.arn("sagemaker", "*")}
    role = iam.Role(
        scope,
        "Role",
        role_name=name,
        description=description,
        max_session_duration=cdk.Duration.hours(1),
        assumed_by=iam.ServicePrincipal(SAGEMAKER, conditions=conditions),
    )
    policy = iam.Policy(scope, "Policy", policy_name="least-privilege", roles=[role], statements=statements)
    return role, policy


class FeatureGroup(Construct):
    def __init__(self, scope: Construct, construct_id: str, fleet: Fleet, group: dict) -> None:
        super().__init__(scope, construct_id)
        name = f"{group['name']}-{fleet.environment}"
        prefix = f"feature-store/{name}"
        table = f"{name.replace('-', '_')}_*"
        role, _ = sagemaker_role(
            self,
            fleet,
            f"modelops-{name}-featurestore",
            f"Feature Store role of feature group {name} in {fleet.environment} (modelops)",
            [
                statement(
                    "WriteOfflineStore",
                    ["s3:GetObject", "s3:PutObject", "s3:PutObjectAcl"],
                    [f"arn:aws:s3:::{fleet.bucket}/{prefix}/*"],
                ),
                statement("OfflineStoreBucket", ["s3:GetBucketAcl"], [f"arn:aws:s3:::{fleet.bucket}"]),
                statement(
                    "OfflineStoreTable",
                    ["glue:GetTable", "glue:UpdateTable"],
                    [
                        fleet.arn("glue", "catalog"),
                        fleet.arn("glue", "database/sagemaker_featurestore"),
                        fleet.arn("glue", f"table/sagemaker_featurestore/{table}"),
                    ],
                ),
                key_statement(fleet, via_s3=True),
            ],
            any_sagemaker_resource=False,
        )
        sagemaker.CfnFeatureGroup(
            self,
            "Group",
            feature_group_name=name,
            record_identifier_feature_name=group["record_identifier"],
            event_time_feature_name=group["event_time"],
            feature_definitions=[
                sagemaker.CfnFeatureGroup.FeatureDefinitionProperty(
                    feature_name=feature["name"], feature_type=feature["type"].capitalize()
                )
                for feature in group["features"]
            ],
            # CloudFormation types these two as JSON, hence the raw CloudFormation keys.
            online_store_config={"EnableOnlineStore": True, "SecurityConfig": {"KmsKeyId": fleet.kms_key_arn}},
            offline_store_config={
                "S3StorageConfig": {"S3Uri": f"s3://{fleet.bucket}/{prefix}", "KmsKeyId": fleet.kms_key_arn},
                "TableFormat": "Glue",
            },
            role_arn=role.role_arn,
        )


class Serving(Construct):
    """Model, endpoint config and endpoint; canary rollout rolled back by two alarms; autoscaling."""

    def __init__(self, scope: Construct, construct_id: str, fleet: Fleet, model: dict) -> None:
        super().__init__(scope, construct_id)
        name, env = model["name"], fleet.environment
        self.endpoint_name = f"{name}-{env}"
        alarm_names = [f"{self.endpoint_name}-rollback-5xx-rate", f"{self.endpoint_name}-rollback-p99-latency"]
        repository = model["image"].split("/", 1)[1].split(":")[0]
        artifact = model["artifact"].removeprefix("s3://")
        role, policy = sagemaker_role(
            self,
            fleet,
            f"modelops-{name}-{env}",
            f"SageMaker execution role of {name} in {env} (modelops)",
            [
                log_statement("EndpointLogs", fleet, f"/aws/sagemaker/Endpoints/{self.endpoint_name}"),
                statement(
                    "EndpointMetrics",
                    ["cloudwatch:PutMetricData"],
                    ["*"],
                    StringLike={"cloudwatch:namespace": ["/aws/sagemaker/Endpoints", "aws/sagemaker/Endpoints/*"]},
                ),
                *ecr_statements("PullModelImage", fleet.arn("ecr", f"repository/{repository}")),
                statement("ReadModelArtifact", ["s3:GetObject"], [f"arn:aws:s3:::{artifact}"]),
                statement(
                    "WriteCaptureAndOutput",
                    ["s3:PutObject"],
                    [f"arn:aws:s3:::{fleet.bucket}/data-capture/{name}/*"],
                ),
                key_statement(fleet),
                statement(
                    "ReadRollbackAlarms",
                    ["cloudwatch:DescribeAlarms"],
                    [fleet.arn("cloudwatch", f"alarm:{alarm}") for alarm in alarm_names],
                ),
            ],
        )
        sagemaker_model = sagemaker.CfnModel(
            self,
            "Model",
            execution_role_arn=role.role_arn,
            enable_network_isolation=False,
            primary_container=sagemaker.CfnModel.ContainerDefinitionProperty(
                image=model["image"], model_data_url=model["artifact"], environment=model["environment"]
            ),
        )
        # SageMaker checks the role can pull the image when the model is created.
        sagemaker_model.node.add_dependency(policy)
        config = sagemaker.CfnEndpointConfig(
            self,
            "Config",
            kms_key_id=fleet.kms_key_arn,
            production_variants=[
                sagemaker.CfnEndpointConfig.ProductionVariantProperty(
                    variant_name="primary",
                    model_name=sagemaker_model.attr_model_name,
                    initial_instance_count=model["instance_count"],
                    instance_type=model["instance_type"],
                    initial_variant_weight=100,
                )
            ],
            data_capture_config=sagemaker.CfnEndpointConfig.DataCaptureConfigProperty(
                enable_capture=True,
                initial_sampling_percentage=model["sampling_percent"],
                destination_s3_uri=f"s3://{fleet.bucket}/data-capture/{name}/",
                kms_key_id=fleet.kms_key_arn,
                capture_options=[
                    sagemaker.CfnEndpointConfig.CaptureOptionProperty(capture_mode="Input"),
                    sagemaker.CfnEndpointConfig.CaptureOptionProperty(capture_mode="Output"),
                ],
                capture_content_type_header=sagemaker.CfnEndpointConfig.CaptureContentTypeHeaderProperty(
                    csv_content_types=["text/csv"], json_content_types=["application/json"]
                ),
            ),
        )
        self.rollback_alarms(alarm_names, model)
        endpoint = sagemaker.CfnEndpoint(
            self,
            "Endpoint",
            endpoint_name=self.endpoint_name,
            endpoint_config_name=config.attr_endpoint_config_name,
            deployment_config=sagemaker.CfnEndpoint.DeploymentConfigProperty(
                blue_green_update_policy=sagemaker.CfnEndpoint.BlueGreenUpdatePolicyProperty(
                    traffic_routing_configuration=sagemaker.CfnEndpoint.TrafficRoutingConfigProperty(
                        type="CANARY",
                        canary_size=sagemaker.CfnEndpoint.CapacitySizeProperty(type="CAPACITY_PERCENT", value=10),
                        wait_interval_in_seconds=600,
                    ),
                    termination_wait_in_seconds=0,
                ),
                auto_rollback_configuration=sagemaker.CfnEndpoint.AutoRollbackConfigProperty(
                    alarms=[sagemaker.CfnEndpoint.AlarmProperty(alarm_name=alarm) for alarm in alarm_names]
                ),
            ),
        )
        target = appscaling.ScalableTarget(
            self,
            "ScalingTarget",
            service_namespace=appscaling.ServiceNamespace.SAGEMAKER,
            resource_id=f"endpoint/{endpoint.attr_endpoint_name}/variant/primary",
            scalable_dimension="sagemaker:variant:DesiredInstanceCount",
            min_capacity=model["min_instances"],
            max_capacity=model["max_instances"],
            # The service-linked role, as modelops uses; without a role the construct makes one.
            role=iam.Role.from_role_arn(
                self,
                "ScalingRole",
                fleet.arn("iam", f"role/{SCALING_ROLE}", region=False),
                mutable=False,
            ),
        )
        target.scale_to_track_metric(
            "InvocationsTargetTracking",
            policy_name=f"{self.endpoint_name}-invocations-target-tracking",
            target_value=model["target_invocations_per_instance"],
            predefined_metric=appscaling.PredefinedMetric.SAGEMAKER_VARIANT_INVOCATIONS_PER_INSTANCE,
            scale_in_cooldown=cdk.Duration.seconds(300),
            scale_out_cooldown=cdk.Duration.seconds(60),
        )

    def rollback_alarms(self, alarm_names: list[str], model: dict) -> None:
        def variant_metric(metric_name: str, statistic: str) -> cloudwatch.Metric:
            return cloudwatch.Metric(
                namespace="AWS/SageMaker",
                metric_name=metric_name,
                dimensions_map={"EndpointName": self.endpoint_name, "VariantName": "primary"},
                statistic=statistic,
                period=cdk.Duration.minutes(1),
            )

        errors = cloudwatch.MathExpression(
            expression="MAX([100 * errors0 / invocations0])",
            using_metrics={
                "errors0": variant_metric("Invocation5XXErrors", "Sum"),
                "invocations0": variant_metric("Invocations", "Sum"),
            },
            label="worst variant's 5xx error rate (%)",
            period=cdk.Duration.minutes(1),
        )
        latency = cloudwatch.MathExpression(
            expression="MAX([latency0])",
            using_metrics={"latency0": variant_metric("ModelLatency", "p99")},
            label="worst variant's p99 model latency (us)",
            period=cdk.Duration.minutes(1),
        )
        p99_ms = model["max_p99_latency_ms"]
        for construct_id, alarm_name, metric, threshold, description in (
            ("Rollback5xx", alarm_names[0], errors, 1, "5xx error rate of a variant above 1.0%"),
            ("RollbackP99", alarm_names[1], latency, p99_ms * 1000, f"p99 model latency above {p99_ms} ms"),
        ):
            cloudwatch.Alarm(
                self,
                construct_id,
                alarm_name=alarm_name,
                alarm_description=f"{description} on {self.endpoint_name}: rolls the deployment back",
                metric=metric,
                threshold=threshold,
                evaluation_periods=1,
                comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
                treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
            )


class DataQualityMonitor(Construct):
    def __init__(self, scope: Construct, construct_id: str, fleet: Fleet, model: dict, endpoint_name: str) -> None:
        super().__init__(scope, construct_id)
        name, env = model["name"], fleet.environment
        capture = f"data-capture/{name}"
        analyzer = "sagemaker-model-monitor-analyzer"
        role, policy = sagemaker_role(
            self,
            fleet,
            f"modelops-{name}-{env}-monitor",
            f"Model monitoring jobs of {name} in {env} (modelops)",
            [
                log_statement("ProcessingJobLogs", fleet, "/aws/sagemaker/ProcessingJobs"),
                statement(
                    "MonitorMetrics",
                    ["cloudwatch:PutMetricData"],
                    ["*"],
                    StringLike={
                        "cloudwatch:namespace": [
                            "/aws/sagemaker/Endpoint/data-metrics",
                            "/aws/sagemaker/Endpoints/data-metric",
                            "/aws/sagemaker/Endpoints/data-metrics",
                            "aws/sagemaker/Endpoints/*",
                        ]
                    },
                ),
                *ecr_statements(
                    "PullAnalyzerImages", f"arn:aws:ecr:{fleet.region}:{MONITOR_IMAGE_ACCOUNT}:repository/{analyzer}"
                ),
                statement("ReadCapturedData", ["s3:GetObject"], [f"arn:aws:s3:::{fleet.bucket}/{capture}/*"]),
                statement(
                    "ListReadCapturedData0",
                    ["s3:ListBucket"],
                    [f"arn:aws:s3:::{fleet.bucket}"],
                    StringLike={"s3:prefix": [f"{capture}/*"]},
                ),
                statement("WriteReports", ["s3:PutObject"], [f"arn:aws:s3:::{fleet.bucket}/monitoring/{name}/*"]),
                key_statement(fleet),
            ],
        )
        job = sagemaker.CfnDataQualityJobDefinition(
            self,
            "Job",
            job_definition_name=f"{name}-{env}-dq",
            role_arn=role.role_arn,
            data_quality_app_specification=sagemaker.CfnDataQualityJobDefinition.DataQualityAppSpecificationProperty(
                image_uri=f"{MONITOR_IMAGE_ACCOUNT}.dkr.ecr.{fleet.region}.amazonaws.com/{analyzer}",
                environment={"publish_cloudwatch_metrics": "Enabled"},
            ),
            data_quality_job_input=sagemaker.CfnDataQualityJobDefinition.DataQualityJobInputProperty(
                endpoint_input=sagemaker.CfnDataQualityJobDefinition.EndpointInputProperty(
                    endpoint_name=endpoint_name,
                    local_path="/opt/ml/processing/input/endpoint",
                    s3_input_mode="File",
                    s3_data_distribution_type="FullyReplicated",
                )
            ),
            data_quality_job_output_config=sagemaker.CfnDataQualityJobDefinition.MonitoringOutputConfigProperty(
                kms_key_id=fleet.kms_key_arn,
                monitoring_outputs=[
                    sagemaker.CfnDataQualityJobDefinition.MonitoringOutputProperty(
                        s3_output=sagemaker.CfnDataQualityJobDefinition.S3OutputProperty(
                            local_path="/opt/ml/processing/output",
                            s3_uri=f"s3://{fleet.bucket}/monitoring/{name}/data_quality/",
                            s3_upload_mode="EndOfJob",
                        )
                    )
                ],
            ),
            job_resources=sagemaker.CfnDataQualityJobDefinition.MonitoringResourcesProperty(
                cluster_config=sagemaker.CfnDataQualityJobDefinition.ClusterConfigProperty(
                    instance_count=1,
                    instance_type="ml.m5.xlarge",
                    volume_size_in_gb=20,
                    volume_kms_key_id=fleet.kms_key_arn,
                )
            ),
            network_config=sagemaker.CfnDataQualityJobDefinition.NetworkConfigProperty(
                enable_inter_container_traffic_encryption=True, enable_network_isolation=False
            ),
            stopping_condition=sagemaker.CfnDataQualityJobDefinition.StoppingConditionProperty(
                max_runtime_in_seconds=1800
            ),
        )
        job.node.add_dependency(policy)
        schedule = sagemaker.CfnMonitoringSchedule(
            self,
            "Schedule",
            monitoring_schedule_name=f"{name}-{env}-dq",
            monitoring_schedule_config=sagemaker.CfnMonitoringSchedule.MonitoringScheduleConfigProperty(
                monitoring_job_definition_name=job.job_definition_name,
                monitoring_type="DataQuality",
                schedule_config=sagemaker.CfnMonitoringSchedule.ScheduleConfigProperty(
                    schedule_expression="cron(0 0 ? * * *)"
                ),
            ),
        )
        schedule.node.add_dependency(job)  # the name is a plain string, not a reference CloudFormation sees
        violations = f"{name}-{env}-dq-violations"
        rule = events.Rule(
            self,
            "Violations",
            rule_name=violations,
            description=f"DataQuality monitoring of {name} in {env} found violations",
            event_pattern=events.EventPattern(
                source=["aws.sagemaker"],
                detail_type=["SageMaker Processing Job State Change"],
                detail={
                    "MonitoringScheduleArn": [schedule.attr_monitoring_schedule_arn],
                    "ExitMessage": [{"prefix": "CompletedWithViolations"}],
                },
            ),
        )
        cloudwatch.Alarm(
            self,
            "ViolationsAlarm",
            alarm_name=violations,
            alarm_description=f"DataQuality monitor of {name} ({env}) reported violations",
            metric=cloudwatch.Metric(
                namespace="AWS/Events",
                metric_name="MatchedEvents",
                dimensions_map={"RuleName": rule.rule_name},
                statistic="Sum",
                period=cdk.Duration.minutes(5),
            ),
            threshold=1,
            evaluation_periods=1,
            comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
            treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
        )


class ModelDeployment(Construct):
    def __init__(self, scope: Construct, construct_id: str, fleet: Fleet, model: dict) -> None:
        super().__init__(scope, construct_id)
        for group in model["feature_groups"]:
            FeatureGroup(self, f"FeatureGroup-{group['name']}", fleet, group)
        serving = Serving(self, "Serving", fleet, model)
        DataQualityMonitor(self, "DataQuality", fleet, model, serving.endpoint_name)
        sagemaker.CfnModelCard(
            self,
            "ModelCard",
            model_card_name=f"{model['name']}-{fleet.environment}",
            model_card_status="Draft",
            content=sagemaker.CfnModelCard.ContentProperty(
                model_overview=sagemaker.CfnModelCard.ModelOverviewProperty(
                    model_description=model["description"],
                    model_owner=model["owner"],
                    model_version=float(model["version"].rsplit(".", 1)[0]),
                ),
                intended_uses=sagemaker.CfnModelCard.IntendedUsesProperty(risk_rating=model["risk"].capitalize()),
                additional_information=sagemaker.CfnModelCard.AdditionalInformationProperty(
                    custom_details={"release": model["version"]}
                ),
            ),
        )
        tags = {
            "managed-by": "modelops",
            "model": model["name"],
            "environment": fleet.environment,
            "model-version": model["version"],
            "owner": model["owner"],
        }
        for key, value in tags.items():
            cdk.Tags.of(self).add(key, value)


class StackBucket(cdk.Stack):
    """The bucket that holds data capture, monitoring reports and offline feature stores."""

    def __init__(self, scope: Construct, construct_id: str, fleet: Fleet, env: cdk.Environment) -> None:
        super().__init__(scope, construct_id, env=env)
        s3.Bucket(
            self,
            "Bucket",
            bucket_name=fleet.bucket,
            encryption=s3.BucketEncryption.KMS,
            encryption_key=kms.Key.from_key_arn(self, "StackKey", fleet.kms_key_arn),
            bucket_key_enabled=True,
            versioned=True,
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            object_ownership=s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
            enforce_ssl=True,
            removal_policy=cdk.RemovalPolicy.RETAIN,
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("fleet", type=Path)
    parser.add_argument("outdir", type=Path)
    parser.add_argument("--models-per-stack", type=int, default=1)
    parser.add_argument("--lean", action="store_true")
    args = parser.parse_args()
    fleet = Fleet(json.loads(args.fleet.read_text()))
    context = {**CLI_CONTEXT, **LEAN_CONTEXT} if args.lean else CLI_CONTEXT
    app = cdk.App(outdir=str(args.outdir), context=context)
    env = cdk.Environment(account=fleet.account, region=fleet.region)
    StackBucket(app, f"modelops-{fleet.environment}-bucket", fleet, env)
    per_stack = args.models_per_stack
    for first in range(0, len(fleet.models), per_stack):
        stack = cdk.Stack(app, f"modelops-{fleet.environment}-models-{first // per_stack:04d}", env=env)
        for model in fleet.models[first : first + per_stack]:
            ModelDeployment(stack, model["name"], fleet, model)
    app.synth(skip_validation=args.lean)


if __name__ == "__main__":
    main()
