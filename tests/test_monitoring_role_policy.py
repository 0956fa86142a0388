"""A model's monitoring role policy (the processing jobs of Model Monitor and Clarify), built
straight from its scope (modelops.aws.iam.monitoring_role_policy).

Each case asserts the whole document: the jobs log to `/aws/sagemaker/ProcessingJobs`, put
metrics only in the endpoints' namespace, pull their analyzer images from ECR, read the captured
data (and list it), the ground truth, the baselines and analysis configs, write the reports, and
only Clarify invokes the monitored endpoint.
"""

from __future__ import annotations

from typing import Any

from modelops.aws.iam import MonitoringRoleScope, monitoring_role_policy, vpc_statements

KEY = "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
ANALYZER = "468650794304.dkr.ecr.eu-west-1.amazonaws.com/sagemaker-model-monitor-analyzer"
CLARIFY = "009899104443.dkr.ecr.eu-west-1.amazonaws.com/sagemaker-clarify-processing:1.0"

# Data quality's namespace as AWS's pages spell it (three ways), then the other monitors'.
NAMESPACES = [
    "/aws/sagemaker/Endpoint/data-metrics",
    "/aws/sagemaker/Endpoints/data-metric",
    "/aws/sagemaker/Endpoints/data-metrics",
    "aws/sagemaker/Endpoints/*",
]


def scope(**fields: Any) -> MonitoringRoleScope:
    defaults: dict[str, Any] = {
        "partition": "aws",
        "region": "eu-west-1",
        "account": "123456789012",
        "endpoint_name": "Fraud-Scorer",
        "capture_prefix": "s3://acme-capture/fraud-scorer",
        "output_prefix": "s3://acme-monitoring/fraud-scorer/reports",
        "images": (ANALYZER,),
    }
    return MonitoringRoleScope(**{**defaults, **fields})


LOGS = {
    "Sid": "ProcessingJobLogs",
    "Effect": "Allow",
    "Action": ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:DescribeLogStreams", "logs:PutLogEvents"],
    "Resource": [
        "arn:aws:logs:eu-west-1:123456789012:log-group:/aws/sagemaker/ProcessingJobs",
        "arn:aws:logs:eu-west-1:123456789012:log-group:/aws/sagemaker/ProcessingJobs:*",
    ],
}
METRICS = {
    "Sid": "MonitorMetrics",
    "Effect": "Allow",
    "Action": ["cloudwatch:PutMetricData"],
    "Resource": ["*"],
    "Condition": {"StringLike": {"cloudwatch:namespace": NAMESPACES}},
}
ECR_LOGIN = {"Sid": "EcrLogin", "Effect": "Allow", "Action": ["ecr:GetAuthorizationToken"], "Resource": ["*"]}
PULL_ACTIONS = ["ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"]
READ_CAPTURE = [
    {
        "Sid": "ReadCapturedData",
        "Effect": "Allow",
        "Action": ["s3:GetObject"],
        "Resource": ["arn:aws:s3:::acme-capture/fraud-scorer/*"],
    },
    {
        "Sid": "ListReadCapturedData0",
        "Effect": "Allow",
        "Action": ["s3:ListBucket"],
        "Resource": ["arn:aws:s3:::acme-capture"],
        "Condition": {"StringLike": {"s3:prefix": ["fraud-scorer/*"]}},
    },
]
WRITE_REPORTS = {
    "Sid": "WriteReports",
    "Effect": "Allow",
    "Action": ["s3:PutObject"],
    "Resource": ["arn:aws:s3:::acme-monitoring/fraud-scorer/reports/*"],
}


def test_data_quality_reads_the_capture_and_writes_its_reports_only() -> None:
    assert monitoring_role_policy(scope()) == {
        "Version": "2012-10-17",
        "Statement": [
            LOGS,
            METRICS,
            ECR_LOGIN,
            {
                "Sid": "PullAnalyzerImages",
                "Effect": "Allow",
                "Action": PULL_ACTIONS,
                "Resource": ["arn:aws:ecr:eu-west-1:468650794304:repository/sagemaker-model-monitor-analyzer"],
            },
            *READ_CAPTURE,
            WRITE_REPORTS,
        ],
    }


def test_every_monitor_reads_what_it_names_and_clarify_invokes_the_lowercased_endpoint() -> None:
    """SageMaker writes an endpoint's ARN in lower case, so a grant on `endpoint/Fraud-Scorer`
    would match nothing; baselines and analysis configs are objects, not prefixes."""
    policy = monitoring_role_policy(
        scope(
            images=(CLARIFY, ANALYZER, CLARIFY),
            ground_truth=("s3://acme-labels/fraud-scorer/", "s3://acme-labels/bias"),
            baselines=(
                "s3://acme-monitoring/baseline/statistics.json",
                "s3://acme-monitoring/baseline/constraints.json",
            ),
            analysis_configs=("s3://acme-monitoring/clarify/analysis_config.json",),
            invokes_endpoint=True,
            kms_key_arn=KEY,
            subnet_ids=("subnet-0a", "subnet-0b"),
            security_group_ids=("sg-0c",),
        )
    )
    assert policy == {
        "Version": "2012-10-17",
        "Statement": [
            LOGS,
            METRICS,
            ECR_LOGIN,
            {
                "Sid": "PullAnalyzerImages",
                "Effect": "Allow",
                "Action": PULL_ACTIONS,
                "Resource": [
                    "arn:aws:ecr:eu-west-1:009899104443:repository/sagemaker-clarify-processing",
                    "arn:aws:ecr:eu-west-1:468650794304:repository/sagemaker-model-monitor-analyzer",
                ],
            },
            *READ_CAPTURE,
            {
                "Sid": "ReadGroundTruth",
                "Effect": "Allow",
                "Action": ["s3:GetObject"],
                "Resource": ["arn:aws:s3:::acme-labels/bias/*", "arn:aws:s3:::acme-labels/fraud-scorer/*"],
            },
            {
                "Sid": "ListReadGroundTruth0",
                "Effect": "Allow",
                "Action": ["s3:ListBucket"],
                "Resource": ["arn:aws:s3:::acme-labels"],
                "Condition": {"StringLike": {"s3:prefix": ["bias/*", "fraud-scorer/*"]}},
            },
            {
                "Sid": "ReadAnalysisConfigs",
                "Effect": "Allow",
                "Action": ["s3:GetObject"],
                "Resource": ["arn:aws:s3:::acme-monitoring/clarify/analysis_config.json"],
            },
            {
                "Sid": "ReadBaselines",
                "Effect": "Allow",
                "Action": ["s3:GetObject"],
                "Resource": [
                    "arn:aws:s3:::acme-monitoring/baseline/constraints.json",
                    "arn:aws:s3:::acme-monitoring/baseline/statistics.json",
                ],
            },
            WRITE_REPORTS,
            {
                "Sid": "InvokeMonitoredEndpoint",
                "Effect": "Allow",
                "Action": ["sagemaker:DescribeEndpoint", "sagemaker:InvokeEndpoint"],
                "Resource": ["arn:aws:sagemaker:eu-west-1:123456789012:endpoint/fraud-scorer"],
            },
            {
                "Sid": "UseStackKey",
                "Effect": "Allow",
                "Action": ["kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:GenerateDataKey"],
                "Resource": [KEY],
            },
            # pinned whole by tests/test_iam_policies.py
            *vpc_statements("aws", "eu-west-1", "123456789012", ("subnet-0a", "subnet-0b"), ("sg-0c",)),
        ],
    }


def test_only_baselines_add_only_the_baseline_read() -> None:
    statements = monitoring_role_policy(scope(baselines=("s3://acme-monitoring/baseline/constraints.json",)))[
        "Statement"
    ]
    assert statements[6:] == [
        {
            "Sid": "ReadBaselines",
            "Effect": "Allow",
            "Action": ["s3:GetObject"],
            "Resource": ["arn:aws:s3:::acme-monitoring/baseline/constraints.json"],
        },
        WRITE_REPORTS,
    ]


def test_only_analysis_configs_add_only_the_config_read() -> None:
    statements = monitoring_role_policy(scope(analysis_configs=("s3://acme-monitoring/clarify/bias.json",)))[
        "Statement"
    ]
    assert statements[6:] == [
        {
            "Sid": "ReadAnalysisConfigs",
            "Effect": "Allow",
            "Action": ["s3:GetObject"],
            "Resource": ["arn:aws:s3:::acme-monitoring/clarify/bias.json"],
        },
        WRITE_REPORTS,
    ]


def test_security_groups_without_subnets_open_no_vpc_permission() -> None:
    assert monitoring_role_policy(scope(security_group_ids=("sg-0c",)))["Statement"][6:] == [WRITE_REPORTS]


def test_in_china_every_arn_is_in_the_aws_cn_partition_and_the_image_host_ends_in_cn() -> None:
    policy = monitoring_role_policy(
        scope(
            partition="aws-cn",
            region="cn-north-1",
            capture_prefix="s3://acme-capture/",
            output_prefix="s3://acme-monitoring",
            images=("453000072557.dkr.ecr.cn-north-1.amazonaws.com.cn/sagemaker-model-monitor-analyzer",),
            invokes_endpoint=True,
        )
    )
    assert policy == {
        "Version": "2012-10-17",
        "Statement": [
            {
                **LOGS,
                "Resource": [
                    "arn:aws-cn:logs:cn-north-1:123456789012:log-group:/aws/sagemaker/ProcessingJobs",
                    "arn:aws-cn:logs:cn-north-1:123456789012:log-group:/aws/sagemaker/ProcessingJobs:*",
                ],
            },
            METRICS,
            ECR_LOGIN,
            {
                "Sid": "PullAnalyzerImages",
                "Effect": "Allow",
                "Action": PULL_ACTIONS,
                "Resource": ["arn:aws-cn:ecr:cn-north-1:453000072557:repository/sagemaker-model-monitor-analyzer"],
            },
            {
                "Sid": "ReadCapturedData",
                "Effect": "Allow",
                "Action": ["s3:GetObject"],
                "Resource": ["arn:aws-cn:s3:::acme-capture/*"],
            },
            {
                "Sid": "ListReadCapturedData0",
                "Effect": "Allow",
                "Action": ["s3:ListBucket"],
                "Resource": ["arn:aws-cn:s3:::acme-capture"],
                "Condition": {"StringLike": {"s3:prefix": ["*"]}},
            },
            {
                "Sid": "WriteReports",
                "Effect": "Allow",
                "Action": ["s3:PutObject"],
                "Resource": ["arn:aws-cn:s3:::acme-monitoring/*"],
            },
            {
                "Sid": "InvokeMonitoredEndpoint",
                "Effect": "Allow",
                "Action": ["sagemaker:DescribeEndpoint", "sagemaker:InvokeEndpoint"],
                "Resource": ["arn:aws-cn:sagemaker:cn-north-1:123456789012:endpoint/fraud-scorer"],
            },
        ],
    }


def test_the_jobs_put_metrics_in_the_namespaces_of_every_monitor_and_no_other() -> None:
    """Data quality publishes under `/aws/sagemaker/Endpoint(s)/data-metric(s)` (leading slash; AWS's
    pages spell it three ways), model
    quality, bias and explainability to `aws/sagemaker/Endpoints/<kind>-metrics` (none), as the
    Model Monitor and Clarify CloudWatch guides give them; not the endpoint's own namespace."""
    statement = monitoring_role_policy(scope())["Statement"][1]
    assert statement == {
        "Sid": "MonitorMetrics",
        "Effect": "Allow",
        "Action": ["cloudwatch:PutMetricData"],
        "Resource": ["*"],
        "Condition": {"StringLike": {"cloudwatch:namespace": NAMESPACES}},
    }
