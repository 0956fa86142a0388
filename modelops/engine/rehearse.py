"""Deploy rehearsal: the real program, with moto behind Pulumi's mocks.

Each resource the program declares becomes the AWS API call that creates it, made with boto3
against moto in-process. botocore validates every request against AWS's own service model
(required members, types, lengths); moto checks references (the model an endpoint
configuration names, the configuration an endpoint names) and returns real ARNs, which flow
into the resources that depend on them.

Translation is generic, driven by the operation's botocore input shape: keys match members
case-insensitively, floats become integers where the shape wants one, a lone value becomes a
one-item list, tag and dimension maps become Key/Value lists. What differs per resource type
(the operation, renamed keys, reshaped blocks) is in the one table `OPERATIONS`. Known moto
gaps are filled in `modelops.engine.moto_gaps` and listed in the README; none is skipped silently.
Dynamic resources (our boto3 providers) are rehearsed by unpickling their provider the way
Pulumi's dynamic provider host does and calling its `create` against moto.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from modelops.engine import moto_gaps
from modelops.engine.plan import PlanResource
from modelops.engine.program import StackInputs
from modelops.engine.render import ProgramFailed, RecordingMocks, run_program
from modelops.gitops.markdown_safe import visible
from modelops.spec.loader import Problem, ProblemsFound
from modelops.spec.resolve import load_project
from modelops.spec.stack import load_stack_file

Transform = Callable[[dict[str, Any], str], dict[str, Any]]


@dataclass(frozen=True)
class Operation:
    service: str
    method: str
    renames: dict[str, str] = field(default_factory=dict)
    reshape: Transform | None = None  # pulumi inputs -> AWS-shaped (before the generic pass)
    physical_id: Callable[[dict[str, Any]], str] = lambda p: ""
    arn_key: str | None = None  # response member holding the ARN


def _alarm(inputs: dict[str, Any], region: str) -> dict[str, Any]:
    # pulumi-aws flattens MetricStat: {metric: {metricName, namespace, period, stat, dimensions}}.
    shaped = dict(inputs)
    queries = shaped.pop("metricQueries", None)
    if queries:
        shaped["Metrics"] = []
        for query in queries:
            entry = {k: v for k, v in query.items() if k != "metric"}
            metric = query.get("metric")
            if metric:
                entry["MetricStat"] = {
                    "Metric": {
                        "MetricName": metric["metricName"],
                        "Namespace": metric["namespace"],
                        "Dimensions": metric.get("dimensions", {}),
                    },
                    "Period": metric["period"],
                    "Stat": metric["stat"],
                }
            shaped["Metrics"].append(entry)
    return shaped


def _bucket(inputs: dict[str, Any], region: str) -> dict[str, Any]:
    shaped: dict[str, Any] = {"Bucket": inputs["bucket"]}
    if region != "us-east-1":
        shaped["CreateBucketConfiguration"] = {"LocationConstraint": region}
    return shaped


def _bucket_encryption(inputs: dict[str, Any], region: str) -> dict[str, Any]:
    rules = []
    for rule in inputs.get("rules", []):
        default = rule.get("applyServerSideEncryptionByDefault", {})
        rules.append(
            {
                "ApplyServerSideEncryptionByDefault": {
                    "SSEAlgorithm": default.get("sseAlgorithm"),
                    **({"KMSMasterKeyID": default["kmsMasterKeyId"]} if default.get("kmsMasterKeyId") else {}),
                },
                "BucketKeyEnabled": rule.get("bucketKeyEnabled", False),
            }
        )
    return {"Bucket": inputs["bucket"], "ServerSideEncryptionConfiguration": {"Rules": rules}}


def _public_access_block(inputs: dict[str, Any], region: str) -> dict[str, Any]:
    return {
        "Bucket": inputs["bucket"],
        "PublicAccessBlockConfiguration": {k[0].upper() + k[1:]: v for k, v in inputs.items() if k != "bucket"},
    }


def _ownership_controls(inputs: dict[str, Any], region: str) -> dict[str, Any]:
    rule = inputs.get("rule", {})
    return {
        "Bucket": inputs["bucket"],
        "OwnershipControls": {"Rules": [{"ObjectOwnership": rule.get("objectOwnership")}]},
    }


def _endpoint_configuration(inputs: dict[str, Any], region: str) -> dict[str, Any]:
    # pulumi-aws writes a variant's RoutingConfig structure as a list, `routingConfigs` (at most one).
    shaped = dict(inputs)
    for key in ("productionVariants", "shadowProductionVariants"):
        variants = []
        for variant in shaped.get(key) or []:
            variant = dict(variant)
            routing = variant.pop("routingConfigs", None) or []
            if len(routing) > 1:
                raise TranslationError(f"{key}.routingConfigs: a variant has one RoutingConfig, got {len(routing)}")
            if routing:
                variant["routingConfig"] = routing[0]
            variants.append(variant)
        if key in shaped:
            shaped[key] = variants
    return shaped


OPERATIONS: dict[str, Operation] = {
    "aws:iam/role:Role": Operation(
        "iam",
        "create_role",
        {"name": "RoleName", "assumeRolePolicy": "AssumeRolePolicyDocument"},
        physical_id=lambda p: p["RoleName"],
    ),
    "aws:iam/rolePolicy:RolePolicy": Operation(
        "iam",
        "put_role_policy",
        {"role": "RoleName", "name": "PolicyName", "policy": "PolicyDocument"},
        physical_id=lambda p: f"{p['RoleName']}:{p['PolicyName']}",
    ),
    "aws:sagemaker/model:Model": Operation(
        "sagemaker", "create_model", {"name": "ModelName"}, physical_id=lambda p: p["ModelName"], arn_key="ModelArn"
    ),
    "aws:sagemaker/endpointConfiguration:EndpointConfiguration": Operation(
        "sagemaker",
        "create_endpoint_config",
        {"name": "EndpointConfigName", "kmsKeyArn": "KmsKeyId"},
        reshape=_endpoint_configuration,
        physical_id=lambda p: p["EndpointConfigName"],
        arn_key="EndpointConfigArn",
    ),
    "aws:sagemaker/endpoint:Endpoint": Operation(
        "sagemaker",
        "create_endpoint",
        {"name": "EndpointName"},
        physical_id=lambda p: p["EndpointName"],
        arn_key="EndpointArn",
    ),
    "aws:appautoscaling/target:Target": Operation(
        "application-autoscaling",
        "register_scalable_target",
        physical_id=lambda p: p["ResourceId"],
        arn_key="ScalableTargetARN",
    ),
    "aws:appautoscaling/policy:Policy": Operation(
        "application-autoscaling",
        "put_scaling_policy",
        {"name": "PolicyName"},
        physical_id=lambda p: p["PolicyName"],
        arn_key="PolicyARN",
    ),
    "aws:cloudwatch/metricAlarm:MetricAlarm": Operation(
        "cloudwatch", "put_metric_alarm", {"name": "AlarmName"}, reshape=_alarm, physical_id=lambda p: p["AlarmName"]
    ),
    "aws:sagemaker/featureGroup:FeatureGroup": Operation(
        "sagemaker", "create_feature_group", physical_id=lambda p: p["FeatureGroupName"], arn_key="FeatureGroupArn"
    ),
    "aws:sagemaker/dataQualityJobDefinition:DataQualityJobDefinition": Operation(
        "sagemaker",
        "create_data_quality_job_definition",
        {"name": "JobDefinitionName"},
        physical_id=lambda p: p["JobDefinitionName"],
        arn_key="JobDefinitionArn",
    ),
    "aws:sagemaker/monitoringSchedule:MonitoringSchedule": Operation(
        "sagemaker",
        "create_monitoring_schedule",
        {"name": "MonitoringScheduleName"},
        physical_id=lambda p: p["MonitoringScheduleName"],
        arn_key="MonitoringScheduleArn",
    ),
    "aws:cloudwatch/eventRule:EventRule": Operation(
        "events", "put_rule", {"name": "Name"}, physical_id=lambda p: p["Name"], arn_key="RuleArn"
    ),
    "aws:s3/bucket:Bucket": Operation("s3", "create_bucket", reshape=_bucket, physical_id=lambda p: p["Bucket"]),
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration": Operation(
        "s3", "put_bucket_encryption", reshape=_bucket_encryption, physical_id=lambda p: p["Bucket"]
    ),
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": Operation(
        "s3", "put_public_access_block", reshape=_public_access_block, physical_id=lambda p: p["Bucket"]
    ),
    "aws:s3/bucketOwnershipControls:BucketOwnershipControls": Operation(
        "s3", "put_bucket_ownership_controls", reshape=_ownership_controls, physical_id=lambda p: p["Bucket"]
    ),
    "aws:s3/bucketVersioning:BucketVersioning": Operation(
        "s3", "put_bucket_versioning", physical_id=lambda p: p["Bucket"]
    ),
    "aws:s3/bucketPolicy:BucketPolicy": Operation("s3", "put_bucket_policy", physical_id=lambda p: p["Bucket"]),
}
# Imported (adopted) resources are read, not created: the call that proves they exist.
READS: dict[str, tuple[str, str, str, str]] = {
    "aws:sagemaker/modelPackageGroup:ModelPackageGroup": (
        "sagemaker",
        "describe_model_package_group",
        "ModelPackageGroupName",
        "ModelPackageGroupArn",
    ),
}
# The services the rehearsal calls: their clients are made before the parts fork.
_SERVICES = sorted({"sts"} | {op.service for op in OPERATIONS.values()} | {read[0] for read in READS.values()})
# Inputs that are Pulumi's own, or that the create call does not take.
PULUMI_ONLY = {"region", "namePrefix", "timeouts", "forceDestroy", "tagsAll", "description", "maxSessionDuration"}


class TranslationError(Exception):
    pass


def to_botocore(value: Any, shape: Any, path: str, dropped: list[str]) -> Any:
    """Convert camelCase pulumi inputs to the botocore shape, generically."""
    kind = shape.type_name
    if value is None:
        return None
    if kind == "structure":
        if not isinstance(value, dict):
            raise TranslationError(f"{path}: expected a structure, got {type(value).__name__}")
        members = {name.lower(): name for name in shape.members}
        result = {}
        for key, item in value.items():
            target = key if key in shape.members else members.get(key.lower())
            if target is None:
                if key not in PULUMI_ONLY:
                    dropped.append(f"{path}.{key}" if path else key)
                continue
            converted = to_botocore(item, shape.members[target], f"{path}.{target}" if path else target, dropped)
            if converted is not None:
                result[target] = converted
        return result
    if kind == "list":
        member = shape.member
        if isinstance(value, dict) and member.type_name == "structure":
            names = set(member.members)
            for key_name, value_name in (("Key", "Value"), ("Name", "Value")):
                if {key_name, value_name} <= names:
                    return [{key_name: k, value_name: str(v)} for k, v in value.items()]
        items = value if isinstance(value, list) else [value]
        return [to_botocore(item, member, f"{path}[{i}]", dropped) for i, item in enumerate(items)]
    if kind == "map":
        return {k: to_botocore(v, shape.value, f"{path}.{k}", dropped) for k, v in value.items()}
    if kind in ("integer", "long"):
        if isinstance(value, float) and not value.is_integer():
            raise TranslationError(f"{path}: {value} is not a whole number")
        return int(value)
    if kind in ("double", "float"):
        return float(value)
    if kind == "boolean":
        return bool(value)
    if kind == "string" and isinstance(value, dict | list):
        return json.dumps(value)
    return value


@dataclass
class CallResult:
    resource: str
    type: str
    call: str
    ok: bool
    message: str = ""
    dropped: list[str] = field(default_factory=list)
    where: str = "moto"  # what ran it: moto, or an offline checker of Kubernetes objects


KUBERNETES_NOTE = (
    "Kubernetes objects are checked offline, nothing is sent to a cluster: core objects against the "
    "Kubernetes {version} API schema (kubernetes-validate, strict), InferenceServices against modelops's "
    "model of the fields it writes and KServe's admission-webhook rules"
)


def rehearsal_header(stack: str) -> str:
    return f"rehearsal of stack {visible(stack)}: AWS calls on the embedded AWS emulator (moto)"


def call_line(call: CallResult) -> str:
    """One call's result as `rehearse` prints it, the moment the call returns."""
    mark = "ok " if call.ok else "FAIL"
    detail = f": {call.message}" if call.message else ""
    if call.dropped:
        detail += f" (inputs this call does not take: {', '.join(call.dropped)})"
    # Spec text reaches a terminal or a CI log: no escape sequence or line break of its own.
    return visible(f"  {mark} {call.where + ': ' + call.call:<56} {call.resource} ({call.type}){detail}")


@dataclass
class RehearsalReport:
    stack: str
    calls: list[CallResult]
    emulated: list[str]
    outputs: dict[str, Any]

    @property
    def ok(self) -> bool:
        return all(c.ok for c in self.calls)

    @property
    def notes(self) -> list[str]:
        """What the rehearsal emulated or checked offline instead of calling AWS."""
        notes = []
        if any(c.where != "moto" for c in self.calls):
            from modelops.kubernetes.checks import KUBERNETES_VERSION

            notes.append(KUBERNETES_NOTE.format(version=KUBERNETES_VERSION.rsplit(".", 1)[0]))
        return notes + self.emulated

    def closing_lines(self) -> list[str]:
        """What follows the calls: the notes, then the count."""
        failed = sum(not c.ok for c in self.calls)
        lines = [visible(f"  note {note}") for note in self.notes]
        return [*lines, f"{len(self.calls) - failed} calls succeeded, {failed} failed"]

    def summary(self) -> str:
        return "\n".join([rehearsal_header(self.stack), *map(call_line, self.calls), *self.closing_lines()])


class RehearsalMocks(RecordingMocks):
    def __init__(self, region: str, account: str, on_call: Callable[[CallResult], None] | None = None):
        super().__init__(region)
        self.account = account
        self.calls: list[CallResult] = []
        self._on_call = on_call
        self._calls_lock = threading.Lock()
        import boto3

        self._session = boto3.session.Session(region_name=region)
        self._clients: dict[str, Any] = {}
        # The mock runtime registers resources from several threads; moto's in-process backends
        # are not thread-safe (its IAM backend iterates a dict another call is growing).
        self._aws = threading.Lock()
        # Unpickled dynamic providers by their pickle: ours hold no state, and unpickling one
        # per resource was a fifth of a rehearsal.
        self._providers: dict[str, Any] = {}

    def _record(self, call: CallResult) -> None:
        """Keep the call's result and pass it on at once: `rehearse` prints each as it happens,
        in the order of the report."""
        with self._calls_lock:
            self.calls.append(call)
            if self._on_call is not None:
                self._on_call(call)

    def client(self, service: str) -> Any:
        if service not in self._clients:
            self._clients[service] = self._session.client(service, region_name=self.region)
        return self._clients[service]

    def call(self, args: Any) -> Any:
        if args.token == "aws:index/getCallerIdentity:getCallerIdentity":
            identity = self.client("sts").get_caller_identity()
            return {
                "accountId": identity["Account"],
                "arn": identity["Arn"],
                "userId": identity["UserId"],
                "id": identity["Account"],
            }
        return super().call(args)

    def create(self, record: PlanResource, provider: str | None = None) -> tuple[str, dict[str, Any]]:
        from modelops.kubernetes.checks import is_kubernetes

        if is_kubernetes(record.type):
            return self._check_kubernetes(record)
        with self._aws:
            if provider is not None:
                return self._create_dynamic(record, provider)
            return self._create(record)

    def _check_kubernetes(self, record: PlanResource) -> tuple[str, dict[str, Any]]:
        """A Kubernetes object is checked offline (`modelops.kubernetes.checks`), never applied."""
        from modelops.kubernetes.checks import check

        result = check(record.type, record.inputs)
        self._record(CallResult(record.name, record.type, result.call, result.ok, result.message, where=result.where))
        metadata = record.inputs.get("metadata")
        name = metadata.get("name") if isinstance(metadata, dict) else None
        return str(name or record.name), dict(record.inputs)

    def _create(self, record: PlanResource) -> tuple[str, dict[str, Any]]:
        from botocore.exceptions import ClientError, ParamValidationError

        state: dict[str, Any] = dict(record.inputs)
        read = READS.get(record.type)
        if read is not None:
            service, method, key, arn_key = read
            name = record.inputs.get("modelPackageGroupName", "")
            try:
                response = getattr(self.client(service), method)(**{key: name})
                self._record(CallResult(record.name, record.type, f"{service}:{method}", True, "adopted (import)"))
                state["arn"] = response.get(arn_key, "")
            except ClientError as exc:
                self._record(CallResult(record.name, record.type, f"{service}:{method}", False, _aws_message(exc)))
            return name, state
        operation = OPERATIONS.get(record.type)
        if operation is None:
            self._record(CallResult(record.name, record.type, "-", False, "no AWS call is known for this type"))
            return record.name, state
        call_name = f"{operation.service}:{operation.method}"
        client = self.client(operation.service)
        dropped: list[str] = []
        try:
            inputs = operation.reshape(record.inputs, self.region) if operation.reshape else dict(record.inputs)
            inputs = {operation.renames.get(k, k): v for k, v in inputs.items()}
            shape = client.meta.service_model.operation_model(_operation_name(client, operation.method)).input_shape
            params = to_botocore(inputs, shape, "", dropped)
            response = getattr(client, operation.method)(**params)
        except (ClientError, ParamValidationError, TranslationError) as exc:
            message = _aws_message(exc) if isinstance(exc, ClientError) else str(exc).replace("\n", " ")
            self._record(CallResult(record.name, record.type, call_name, False, message, dropped))
            return record.name, state
        physical = operation.physical_id(params)
        state["arn"] = response.get(operation.arn_key, "") if operation.arn_key else self._derived_arn(record, physical)
        if record.type == "aws:iam/role:Role":
            state["arn"] = response["Role"]["Arn"]
            state["uniqueId"] = response["Role"]["RoleId"]
        if record.type == "aws:s3/bucket:Bucket":
            state["bucket"] = physical
        self._record(CallResult(record.name, record.type, call_name, True, "", dropped))
        return physical, state

    def _create_dynamic(self, record: PlanResource, provider: str) -> tuple[str, dict[str, Any]]:
        import base64

        import dill

        call = f"{record.type.rsplit(':', 1)[-1]}.create"
        try:
            if provider not in self._providers:
                self._providers[provider] = dill.loads(base64.b64decode(provider))
            result = self._providers[provider].create(dict(record.inputs))
        except Exception as exc:  # noqa: BLE001 - a provider's failure is a finding of the rehearsal
            self._record(CallResult(record.name, record.type, call, False, str(exc)))
            return record.name, dict(record.inputs)
        self._record(CallResult(record.name, record.type, call, True))
        return result.id, dict(result.outs or {})

    def _derived_arn(self, record: PlanResource, physical: str) -> str:
        if record.type == "aws:cloudwatch/metricAlarm:MetricAlarm":
            return f"arn:aws:cloudwatch:{self.region}:{self.account}:alarm:{physical}"
        if record.type == "aws:s3/bucket:Bucket":
            return f"arn:aws:s3:::{physical}"
        return ""


def _operation_name(client: Any, method: str) -> str:
    return client.meta.method_to_api_mapping[method]


def _aws_message(exc: Any) -> str:
    error = exc.response.get("Error", {})
    return f"{error.get('Code', 'Error')}: {error.get('Message', str(exc))}"


@contextmanager
def emulated_aws(region: str):
    """moto in-process, with dummy credentials that can never reach a real account."""
    from moto import mock_aws

    saved = {
        k: os.environ.get(k)
        for k in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_DEFAULT_REGION")
    }
    os.environ.update(
        {
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_SESSION_TOKEN": "testing",
            "AWS_DEFAULT_REGION": region,
        }
    )
    try:
        with mock_aws():
            yield moto_gaps.apply()
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def _seed_registry(mocks: RehearsalMocks, packages: dict[str, int]) -> list[str]:
    """The registry packages a training pipeline would have registered before this deploy.

    The rehearsal registers them Approved; a real deploy reads the live approval status.
    """
    client = mocks.client("sagemaker")
    notes = []
    for group, version in sorted(packages.items()):
        client.create_model_package_group(ModelPackageGroupName=group)
        for number in range(1, version + 1):
            client.create_model_package(
                ModelPackageGroupName=group,
                ModelApprovalStatus="Approved",
                InferenceSpecification={
                    "Containers": [
                        {
                            "Image": f"{mocks.account}.dkr.ecr.{mocks.region}.amazonaws.com/{group}:{number}",
                            "ModelDataUrl": f"s3://modelops-rehearsal-registry/{group}/{number}/model.tar.gz",
                        }
                    ],
                    "SupportedContentTypes": ["application/json"],
                    "SupportedResponseMIMETypes": ["application/json"],
                },
            )
        notes.append(f"registry group {group} seeded with versions 1-{version}, Approved (a real deploy checks live)")
    return notes


# Models per rehearsing process: the figure of `modelops.engine.render.PART_SIZE`, for the
# same reasons (the runtime's state grows with the models and is never collected).
PART_SIZE = 20


def rehearse(
    root: Path,
    stack: str,
    on_call: Callable[[CallResult], None] | None = None,
    *,
    part_size: int = PART_SIZE,
    workers: int | None = None,
) -> RehearsalReport:
    """`on_call` is told of each call's result as it returns, in the order of the report.

    The models are rehearsed in parts of `part_size`, each in a process forked from one that
    holds the emulation and the seeded registry, `workers` (the CPUs) at a time: each part
    calls moto on its own copy, where the stack-level resources are created once more; their
    calls are reported from the first part that makes them. Where processes cannot fork, one
    run rehearses every model (`rehearse_in_emulator`)."""
    from modelops.engine import forked

    config, _ = load_stack_file(root, stack)  # the region; everything else is checked inside
    with emulated_aws(config.region) as gap_notes:
        if forked.available():
            report = _rehearse_in_parts(root, stack, on_call, part_size, workers or forked.cpu_count())
        else:
            report = rehearse_in_emulator(root, stack, on_call)
    report.emulated[:0] = gap_notes
    return report


def rehearse_in_emulator(
    root: Path, stack: str, on_call: Callable[[CallResult], None] | None = None
) -> RehearsalReport:
    """The rehearsal inside an emulation the caller holds open (`emulated_aws`), in this process,
    so that what it created can be inspected afterwards, as `modelops verify` does in the tests."""
    from modelops.aws.registry import BotoRegistry

    inputs, mocks, notes = _ready(root, stack, on_call)
    try:
        outputs = run_program(root, stack, mocks, BotoRegistry(), inputs)
    except ProgramFailed as exc:
        raise ProblemsFound([Problem(f"stack {stack}", 1, 1, "", str(exc))]) from None
    return RehearsalReport(stack=stack, calls=mocks.calls, emulated=notes, outputs=outputs)


def _ready(
    root: Path, stack: str, on_call: Callable[[CallResult], None] | None
) -> tuple[StackInputs, RehearsalMocks, list[str]]:
    """The stack's inputs, mocks on the emulation and the registry seeded in it, with its notes."""
    import boto3

    from modelops.engine.program import prepare

    project = load_project(root, [stack])
    if project.problems:
        raise ProblemsFound(project.problems)
    config, _ = project.stacks[stack]
    packages: dict[str, int] = {}
    for model in project.resolved[stack]:
        for variant in model.variants:
            package = variant.spec.model.package
            if package is not None:
                packages[package.group] = max(packages.get(package.group, 0), package.version)
    account = boto3.client("sts", region_name=config.region).get_caller_identity()["Account"]
    mocks = RehearsalMocks(config.region, account, on_call)
    notes = _seed_registry(mocks, packages)
    return prepare(config, project.repo, project.resolved[stack]), mocks, notes


def _rehearse_in_parts(
    root: Path,
    stack: str,
    on_call: Callable[[CallResult], None] | None,
    part_size: int,
    workers: int,
) -> RehearsalReport:
    from modelops.aws.registry import BotoRegistry
    from modelops.engine import forked
    from modelops.engine.render import merge_outputs, preload, split_in_parts, start_forked_run

    inputs, mocks, notes = _ready(root, stack, None)
    preload(kubernetes=bool(inputs.on_kubernetes))
    for service in _SERVICES:
        mocks.client(service)  # created once here rather than once per part
    parts = split_in_parts(inputs, None, part_size)

    def rehearse_part(part: list[str]) -> dict[str, Any]:
        start_forked_run()
        mocks.calls, mocks.records, mocks._on_call = [], [], forked.send
        return run_program(root, stack, mocks, BotoRegistry(), inputs, part)

    calls: list[CallResult] = []
    made_by: dict[tuple[str, str, str], int] = {}  # a call -> the part that reported it first

    def arrived(part: int, call: CallResult) -> None:
        first = made_by.setdefault((call.type, call.resource, call.call), part)
        if first != part:
            return  # a stack-level resource, created again on this part's copy of the emulation
        calls.append(call)
        if on_call is not None:
            on_call(call)

    outputs: dict[str, Any] = {}
    try:
        for part_outputs in forked.fork_map(rehearse_part, parts, workers, on_message=arrived):
            merge_outputs(outputs, part_outputs)
    except ProgramFailed as exc:
        raise ProblemsFound([Problem(f"stack {stack}", 1, 1, "", str(exc))]) from None
    return RehearsalReport(stack=stack, calls=calls, emulated=notes, outputs=outputs)
