"""Stack configuration: `stacks/Pulumi.<stack>.yaml`, namespace `modelops:`.

The same model is built from the file (validate, plan, rehearse) and from `pulumi.Config`
inside the program (a real `pulumi up`), so both paths share `stack_config_from_mapping`.
"""

from __future__ import annotations

import os
import re
from collections.abc import Collection
from pathlib import Path
from typing import Annotated, Any

from pydantic import BeforeValidator, Field, StrictBool, StrictInt, ValidationError, field_validator
from pydantic_core import PydanticCustomError

from modelops.aws.provider_config import AWS_PROVIDER_KEYS
from modelops.aws.tags import POOL_TAG, REQUIRED_TAGS, case_twins, tag_problems
from modelops.errors import UsageError
from modelops.spec.loader import Document, FieldPath, Problem, ProblemsFound, parse
from modelops.spec.models import AWS_INT32_MAX, INSTANCE_TYPE_PATTERN, MODEL_NAME_PATTERN, Environment, SpecModel
from modelops.spec.validation_messages import closest, validation_findings

STACKS_DIR = "stacks"
NAMESPACE = "modelops"
ARN_KMS_KEY = r"^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:(key|alias)/[A-Za-z0-9/_-]+$"
ARN_IAM_POLICY = r"^arn:aws[a-z-]*:iam::\d{12}:policy/[A-Za-z0-9+=,.@_/-]+$"
ARN_SNS_TOPIC = r"^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}$"
# An EKS cluster's IAM OIDC provider: the provider is named after the cluster's issuer URL,
# oidc.eks.<region>.amazonaws.com[.cn]/id/<id> ("Create an IAM OIDC provider for your cluster",
# docs.aws.amazon.com/eks/latest/userguide/enable-iam-roles-for-service-accounts.html).
ARN_OIDC_PROVIDER = (
    r"^arn:aws[a-z-]*:iam::\d{12}:oidc-provider/oidc\.eks\.[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d\."
    r"amazonaws\.com(\.cn)?/id/[A-Za-z0-9]{1,64}$"
)
BUCKET_NAME = r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$"
REGION = r"^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d$"
VERSION_PIN = r"^(latest|[0-9A-Za-z.+-]+)$"
SUBNET_ID = r"^subnet-[a-z0-9]+$"
SECURITY_GROUP_ID = r"^sg-[a-z0-9]+$"
HTTP_URL = r"^https?://[^\s]+$"
# What each pattern admits, in words, for the finding of a value it refuses.
PATTERN_NAMES = {
    ARN_KMS_KEY: "the ARN of a KMS key, arn:<partition>:kms:<region>:<account>:key/<key-id>",
    ARN_IAM_POLICY: "the ARN of an IAM policy, arn:<partition>:iam::<account>:policy/<name>",
    ARN_SNS_TOPIC: "the ARN of an SNS topic, arn:<partition>:sns:<region>:<account>:<topic>",
    BUCKET_NAME: "an S3 bucket name: 3 to 63 lowercase letters, digits, '.' and '-'",
    REGION: "an AWS region such as eu-west-1",
    VERSION_PIN: "a version of the model (a file model_specs/<model>/<version>.yaml) or latest",
    SUBNET_ID: "a subnet id, subnet-<id>",
    SECURITY_GROUP_ID: "a security group id, sg-<id>",
    HTTP_URL: "an http:// or https:// URL",
}

# Config keys of the file -> field names of StackConfig.
KEYS = {
    "aws:region": "region",
    "modelops:environment": "environment",
    "modelops:models": "models",
    "modelops:kmsKeyArn": "kms_key_arn",
    "modelops:permissionsBoundaryArn": "permissions_boundary_arn",
    "modelops:vpc": "vpc",
    "modelops:buckets": "buckets",
    "modelops:alarmTopicArn": "alarm_topic_arn",
    "modelops:tags": "tags",
    "modelops:kubernetes": "kubernetes",
    "modelops:pools": "pools",
}
FIELDS = {v: k for k, v in KEYS.items()}


def _version_text(value: Any) -> Any:
    """A pin's version is text; YAML reads an unquoted `1.1` or `3` as a number.

    The number is not turned back into text: `1.10` reads as 1.1, so the text it was written
    as is lost, and a pin must name its spec file exactly.
    """
    if isinstance(value, int | float) and not isinstance(value, bool):
        parts = str(value).split(".")
        full = ".".join(parts + ["0"] * (3 - len(parts)))
        raise PydanticCustomError(
            "version_number",
            "version pins are text, but YAML reads the unquoted {number} as a number: quote the version "
            'as its spec file is named, e.g. "{full}"',
            {"number": str(value), "full": full},
        )
    return value


VersionPin = Annotated[str, BeforeValidator(_version_text), Field(pattern=VERSION_PIN)]


class ChallengerPin(SpecModel):
    version: VersionPin = Field(description="Another version of the same model, served next to the primary.")
    traffic_percent: Annotated[StrictInt, Field(ge=1, le=50)] = Field(
        description="Share of live traffic the challenger answers; the primary gets the rest."
    )


class ShadowPin(SpecModel):
    version: VersionPin = Field(
        description="Another version of the same model that receives a copy of requests; its answers are not "
        "returned to callers."
    )
    sampling_percent: Annotated[StrictInt, Field(ge=1, le=100)] = Field(
        100, description="Share of the primary's requests copied to the shadow."
    )


class Pin(SpecModel):
    version: VersionPin = Field(
        description="The version that serves: a file model_specs/<model>/<version>.yaml, or latest (highest "
        "SemVer) in dev only."
    )
    challenger: ChallengerPin | None = Field(None, description="A second version taking a share of the traffic.")
    shadow: ShadowPin | None = Field(None, description="A second version receiving a copy of the traffic.")


class Vpc(SpecModel):
    subnet_ids: Annotated[list[Annotated[str, Field(pattern=SUBNET_ID)]], Field(min_length=1, max_length=16)] = Field(
        alias="subnetIds", description="Subnets of the models' and monitoring jobs' network interfaces."
    )
    security_group_ids: Annotated[
        list[Annotated[str, Field(pattern=SECURITY_GROUP_ID)]], Field(min_length=1, max_length=5)
    ] = Field(alias="securityGroupIds", description="Security groups of those network interfaces.")


class Buckets(SpecModel):
    data_capture: Annotated[str, Field(pattern=BUCKET_NAME)] | None = Field(
        None,
        alias="dataCapture",
        description="Bucket for captured requests and responses (unset: the stack's own bucket, created for it).",
    )
    monitoring: Annotated[str, Field(pattern=BUCKET_NAME)] | None = Field(
        None, description="Bucket for monitoring reports (unset: the stack's own bucket)."
    )
    feature_store: Annotated[str, Field(pattern=BUCKET_NAME)] | None = Field(
        None, alias="featureStore", description="Bucket for offline feature stores (unset: the stack's own bucket)."
    )


class KubernetesConfig(SpecModel):
    """The EKS cluster a stack's kubernetes models run on (docs/kubernetes.md)."""

    oidc_provider_arn: str | None = Field(
        None,
        alias="oidcProviderArn",
        description="The EKS cluster's IAM OIDC provider, which the models' IRSA roles trust: "
        "arn:aws:iam::<account>:oidc-provider/oidc.eks.<region>.amazonaws.com/id/<id>. Required when the stack pins "
        "a kubernetes model.",
    )
    context: Annotated[str, Field(min_length=1, max_length=253)] | None = Field(
        None, description="kubeconfig context of the cluster (unset: the kubeconfig's current context)."
    )
    payload_logger_url: Annotated[str, Field(pattern=HTTP_URL, max_length=2048)] | None = Field(
        None,
        alias="payloadLoggerUrl",
        description="Where KServe's payload logger sends captured requests; required for data capture on kubernetes.",
    )
    manage_namespaces: StrictBool = Field(
        True,
        alias="manageNamespaces",
        description="Create the namespaces the models use (false: they must exist).",
    )

    @field_validator("oidc_provider_arn")
    @classmethod
    def _eks_oidc_provider(cls, value: str | None) -> str | None:
        # A readable refusal instead of the pattern: the IRSA roles trust exactly this provider.
        if value is not None and not re.match(ARN_OIDC_PROVIDER, value):
            raise PydanticCustomError(
                "oidc_provider_arn",
                "not the IAM OIDC provider of an EKS cluster: arn:<partition>:iam::<account>:oidc-provider/"
                "oidc.eks.<region>.amazonaws.com/id/<id>, the provider created for the cluster's issuer "
                "(aws eks describe-cluster --query cluster.identity.oidc.issuer)",
            )
        return value


class Pool(SpecModel):
    """A SageMaker endpoint of the stack whose instances its component models share (docs/pools.md)."""

    instance_type: Annotated[str, Field(pattern=INSTANCE_TYPE_PATTERN)] = Field(
        alias="instanceType", description="SageMaker hosting instance type of the pool's instances."
    )
    # ProductionVariantManagedInstanceScaling: MinInstanceCount >= 0, MaxInstanceCount >= 1 (botocore),
    # both `integer` shapes (AWS_INT32_MAX).
    min_instances: Annotated[StrictInt, Field(ge=0, le=AWS_INT32_MAX)] = Field(
        alias="minInstances",
        description="Fewest instances; 0 lets the pool stop every instance while no copy runs on it.",
    )
    max_instances: Annotated[StrictInt, Field(ge=1, le=AWS_INT32_MAX)] = Field(
        alias="maxInstances", description="Most instances SageMaker adds as the copies need room."
    )


PoolName = Annotated[str, Field(pattern=MODEL_NAME_PATTERN)]


class StackConfig(SpecModel):
    name: str = Field(description="The stack's name, from its file name (not a config key).")
    region: Annotated[str, Field(pattern=REGION)] = Field(
        description="AWS region the stack deploys to, one botocore knows."
    )
    environment: Environment = Field(description="How strict governance is: dev, staging or prod.")
    models: dict[str, Pin] = Field(
        default_factory=dict,
        description="What runs: model name to a version (1.2.0, or latest in dev) or to a pin with a challenger "
        "or shadow.",
    )
    kms_key_arn: Annotated[str, Field(pattern=ARN_KMS_KEY)] | None = Field(
        None,
        description="KMS key (a key ARN in the stack's region, not an alias) for endpoint storage, capture, "
        "feature stores and monitoring outputs; required in staging and prod.",
    )
    permissions_boundary_arn: Annotated[str, Field(pattern=ARN_IAM_POLICY)] | None = Field(
        None, description="IAM permissions boundary attached to every role the stack creates."
    )
    vpc: Vpc | None = Field(
        None, description="Network of models and monitoring jobs; required in staging and prod for SageMaker models."
    )
    buckets: Buckets = Field(
        default_factory=Buckets, description="Existing buckets to use; the stack creates its own for any unset."
    )
    alarm_topic_arn: Annotated[str, Field(pattern=ARN_SNS_TOPIC)] | None = Field(
        None,
        description="SNS topic in the stack's region that the alarms notify: monitor violations, rollout rollbacks.",
    )
    tags: dict[str, str] = Field(default_factory=dict, description="Extra AWS tags on every resource of the stack.")
    kubernetes: KubernetesConfig = Field(
        default_factory=KubernetesConfig, description="The EKS cluster of the stack's kubernetes models."
    )
    pools: dict[PoolName, Pool] = Field(
        default_factory=dict,
        description="Shared endpoints by name (3 to 32 lowercase letters, digits and '-'): the component models "
        "pinned to a pool run as inference components on its instances. A pool no pinned model uses is not created.",
    )

    @field_validator("region")
    @classmethod
    def _known_region(cls, value: str) -> str:
        # A region the pattern admits but botocore does not know (eu-west-9) has no endpoints
        # and no framework images: refuse it here, not in `plan`.
        from modelops.aws.regions import region_problem

        problem = region_problem(value)
        if problem:
            raise PydanticCustomError("unknown_region", problem)
        return value

    @field_validator("models", mode="before")
    @classmethod
    def _short_pins(cls, value: Any) -> Any:
        # `churn-classifier: 1.2.0` is shorthand for `{version: 1.2.0}`; an unquoted `1.1`
        # (a number) too, so that the finding is the version's.
        if isinstance(value, dict):
            return {k: {"version": v} if _scalar(v) else v for k, v in value.items()}
        return value


def _scalar(value: Any) -> bool:
    return isinstance(value, str | int | float) and not isinstance(value, bool)


# "Stack names may only contain alphanumeric characters, hyphens, underscores, or periods"
# (https://www.pulumi.com/docs/iac/concepts/stacks/). `org/stack` names a stack of the Pulumi
# Cloud, never a file: a stack file is stacks/Pulumi.<stack>.yaml for the stack part alone.
STACK_NAME = re.compile(r"^[A-Za-z0-9_.-]+$")


def stack_path(root: Path, stack: str) -> Path:
    if "/" in stack or "\0" in stack:
        # A name from the command line must never reach a path outside stacks/ (require_stack
        # refuses it first with the list of stacks; this guards every other caller).
        raise UsageError(f"{stack!r} is not a stack name: a stack is a file {STACKS_DIR}/Pulumi.<stack>.yaml")
    return root / STACKS_DIR / f"Pulumi.{stack}.yaml"


def stack_names(root: Path) -> list[str]:
    directory = root / STACKS_DIR
    pattern = re.compile(r"^Pulumi\.(.+)\.yaml$")
    return sorted(m[1] for p in directory.glob("Pulumi.*.yaml") if (m := pattern.match(p.name)))


def require_stack(root: Path, name: str, option: str) -> str:
    """`name` if it names a stack file of this repository; else UsageError listing the stacks.

    The name is matched against the files in stacks/, never joined into a path first, so
    `x/../../elsewhere`, an absolute path or `org/stack` cannot name a file outside it.
    """
    known = stack_names(root)
    listing = ", ".join(known) if known else f"none, {STACKS_DIR}/ holds no Pulumi.<stack>.yaml"
    if not STACK_NAME.match(name):
        raise UsageError(
            f"{option} {name!r} is not a stack name: Pulumi stack names are letters, digits, '-', '_' "
            f"and '.', and name a file {STACKS_DIR}/Pulumi.<stack>.yaml (stacks: {listing})"
        )
    if name not in known:
        raise UsageError(f"{option} {name!r}: no file {STACKS_DIR}/Pulumi.{name}.yaml (stacks: {listing})")
    return name


def config_path(field_path: FieldPath) -> FieldPath:
    """The location in the stack file of a StackConfig field path."""
    if not field_path or field_path[0] not in FIELDS:
        return ("config",)
    rest = list(field_path[1:])
    if field_path[0] == "models" and len(rest) == 2 and rest[1] == "version":
        rest = rest[:1]  # a shorthand pin has no `version` key; point at the pin itself
    return ("config", FIELDS[str(field_path[0])], *rest)


def stack_config_from_mapping(
    name: str, config: dict[str, Any], doc: Document | None = None, model_names: Collection[str] = ()
) -> StackConfig:
    """Build the StackConfig from `namespace:key` config values; errors name the config key.

    `model_names` (the folders under model_specs/) lets a pin that slipped out of
    `modelops:models` be recognised as one.
    """
    problems: list[Problem] = []
    data: dict[str, Any] = {"name": name}
    for key, value in config.items():
        key_problem = _config_key_problem(key, value, model_names)
        if key_problem is not None:
            problems.append(_stack_problem(name, doc, ("config", str(key)), key_problem))
            continue
        for secret_path, message in plaintext_secrets(key, value):
            problems.append(_stack_problem(name, doc, ("config", *secret_path), message))
        if key in KEYS:
            data[KEYS[key]] = _plain(value)
        elif (unknown := unknown_key_problem(key, config)) is not None:
            problems.append(_stack_problem(name, doc, ("config", key), unknown))
    try:
        stack = StackConfig.model_validate(data)
    except ValidationError as exc:
        for path, message in validation_findings(exc, StackConfig, data, PATTERN_NAMES):
            problems.append(_stack_problem(name, doc, config_path(path), message))
        raise ProblemsFound(problems) from None
    for path, message in _arn_problems(stack):
        problems.append(_stack_problem(name, doc, config_path(path), message))
    for tag, message in tag_problems(stack.tags):
        problems.append(_stack_problem(name, doc, config_path(("tags", tag)), message))
    for tag, twin in case_twins([*REQUIRED_TAGS, POOL_TAG, *stack.tags], stack.tags).items():
        whose = "modelops's own tag" if twin in (*REQUIRED_TAGS, POOL_TAG) else "tag"
        message = (
            f"{tag!r} and {whose} {twin!r} differ only in case, and IAM takes a role's tag keys without case "
            "(CreateRole refuses both): keep one"
        )
        problems.append(_stack_problem(name, doc, config_path(("tags", tag)), message))
    if problems:
        raise ProblemsFound(problems)
    return stack


def _config_key_problem(key: Any, value: Any, model_names: Collection[str]) -> str | None:
    """Why Pulumi would not read `key` as a config key, or None.

    Pulumi parses each key of a stack file's `config:` as `<namespace>:<name>` (or the legacy
    `<namespace>:config:<name>`) and rejects the file otherwise: `ParseKey` in
    https://github.com/pulumi/pulumi/blob/master/sdk/go/common/resource/config/key.go.
    Keys of other namespaces (`aws:`, `pulumi:`, `kubernetes:`) are Pulumi's or a provider's.
    """
    if not isinstance(key, str):
        return f"config keys are text of the form <namespace>:<name>, not {key!r}"
    parts = key.split(":")
    if len(parts) == 2 or (len(parts) == 3 and parts[1] == "config"):
        return None
    if len(parts) > 2:
        return f"{key!r} is not a config key: Pulumi reads them as <namespace>:<name>, with one colon"
    message = (
        f"{key!r} has no namespace: Pulumi reads stack config keys as <namespace>:<name> "
        f"({NAMESPACE}:..., aws:...) and rejects the file"
    )
    if key in model_names:
        return f"{message}; did you mean to put it under {NAMESPACE}:models? (model_specs/{key}/ exists)"
    if re.match(MODEL_NAME_PATTERN, key) and _looks_like_pin(value):
        return f"{message}; if it is a model pin, it belongs under {NAMESPACE}:models"
    by_name = {known.split(":")[1]: known for known in KEYS}
    meant = key if key in by_name else closest(key, by_name)
    return f"{message}; did you mean `{by_name[meant]}`?" if meant is not None else message


def unknown_key_problem(key: str, config: Collection[str]) -> str | None:
    """Why a `<namespace>:<name>` key that modelops does not read is a mistake, or None.

    modelops reads the `modelops:` keys of KEYS and `aws:region`. Any other `modelops:` key is
    a mistake, and so is an `aws:` key the aws provider does not take (it refuses the stack).
    Other namespaces belong to other providers or to the user's own config; one is taken for a
    misspelt namespace (`modelop:models`, `asw:region`) only when the key it would be is not
    set (`config`: the keys of the file), so that `awsx:region` next to `aws:region` stays.
    """
    parts = key.split(":")
    namespace, name = parts[0], parts[-1]
    own = [known for known in KEYS if known.startswith(f"{NAMESPACE}:")]
    if namespace == NAMESPACE:
        names = [known.split(":")[1] for known in own]
        meant = name if name in names else closest(name, names)  # `modelops:config:models`, the legacy form
        suggestion = f"; did you mean `{NAMESPACE}:{meant}`?" if meant is not None else ""
        return f"unknown key{suggestion} (known: {', '.join(own)})"
    if namespace == "aws":
        if name in AWS_PROVIDER_KEYS:
            return None
        meant = closest(name, AWS_PROVIDER_KEYS)
        suggestion = f"; did you mean `aws:{meant}`?" if meant is not None else ""
        return (
            f"unknown key: the aws provider takes no config key {name!r} and refuses the stack{suggestion} "
            "(its keys: https://www.pulumi.com/registry/packages/aws/installation-configuration/)"
        )
    for known in KEYS:
        known_namespace, known_name = known.split(":")
        if name == known_name and known not in config and closest(namespace, [known_namespace]) is not None:
            return f"nothing reads the namespace {namespace!r}; did you mean `{known}`?"
    return None


# Config that pulumi-aws's schema marks secret (config variables accessKey, secretKey and token;
# pulumi_aws/config/vars.py reads them): `pulumi config set --secret` stores them encrypted.
PROVIDER_SECRETS = frozenset({"aws:accessKey", "aws:secretKey", "aws:token"})
# The key names for which `pulumi config set` itself warns that a value looks like a secret
# (`keyPattern` next to `looksLikeSecret` in pulumi/pkg/cmd/pulumi/config.go). Pulumi adds an
# entropy test; modelops refuses any plain text under such a key, which `--secret` always fixes.
SECRET_KEY_NAME = re.compile(r"passwd|pass|password|pwd|secret|token", re.IGNORECASE)
# A key naming a file or path (`aws:sharedCredentialsFiles`, `webIdentityTokenFile`) holds no secret.
PATH_KEY_NAME = re.compile(r"(file|files|path|paths)$", re.IGNORECASE)
# Shapes of credentials wherever they sit: an AWS access key id (long-term AKIA, temporary ASIA;
# https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html#identifiers-unique-ids)
# and a PEM private key.
CREDENTIAL_SHAPES = (
    (re.compile(r"(?<![A-Z0-9])(AKIA|ASIA)[A-Z0-9]{16}(?![A-Z0-9])"), "an AWS access key id"),
    (re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----"), "a private key"),
)


def _is_secure(value: Any) -> bool:
    """Pulumi writes an encrypted value as `{secure: v1:...}`, at the top or nested (--path)."""
    return isinstance(value, dict) and set(value) == {"secure"}


def plaintext_secrets(key: str, value: Any) -> list[tuple[FieldPath, str]]:
    """(path under config, message) for each credential `key` holds in plain text.

    The stack file is in git, and a pull request can be read by anyone who can read the
    repository: a credential in it is leaked, whatever happens to the pull request. Pulumi
    encrypts a value set with `pulumi config set --secret` (https://www.pulumi.com/docs/iac/concepts/secrets/).
    """
    found: list[tuple[FieldPath, str]] = []

    def fix(path: FieldPath) -> str:
        from modelops.spec.loader import dotted

        if own:
            # modelops's values become tags and names that anyone who can describe them reads;
            # none can be encrypted.
            return "remove it and rotate the credential: modelops passes this value to AWS as written"
        option = " --path" if len(path) > 1 else ""
        return (
            f"remove it, rotate the credential, and set it with `pulumi config set --secret{option} "
            f"{dotted(path)} <value>`, which stores it encrypted (secure: v1:...); the deploy workflows "
            "take short-lived credentials from OIDC and need no key in the file"
        )

    def by_name(name: str) -> bool:
        return SECRET_KEY_NAME.search(name) is not None and PATH_KEY_NAME.search(name) is None

    def walk(path: FieldPath, item: Any, secret_by_name: bool) -> None:
        if _is_secure(item):
            return
        if isinstance(item, dict):
            for child_key, child in item.items():
                walk((*path, child_key), child, not own and by_name(str(child_key)))
        elif isinstance(item, list):
            for index, child in enumerate(item):
                walk((*path, index), child, secret_by_name)
        elif isinstance(item, str) and item:
            shape = next((what for pattern, what in CREDENTIAL_SHAPES if pattern.search(item)), None)
            if secret_by_name or shape is not None:
                found.append((path, f"{shape or 'a credential'} in plain text: {fix(path)}"))

    # Only text is taken for a credential by its key's name: `aws:tokenBucketRateLimiterCapacity`
    # matches Pulumi's pattern and is a number. modelops's own keys are known and hold none.
    own = key.startswith(f"{NAMESPACE}:")
    walk((key,), value, key in PROVIDER_SECRETS or (not own and by_name(key.split(":")[-1])))
    return found


def _looks_like_pin(value: Any) -> bool:
    if isinstance(value, dict):
        return "version" in value
    return isinstance(value, str) and (value == "latest" or re.match(r"^\d+(\.\d+)*([-+].*)?$", value) is not None)


# Services whose resources live in one region and are used only there by this stack's resources.
REGIONAL_SERVICES = {"kms": "KMS key", "sns": "SNS topic", "secretsmanager": "secret", "ssm": "SSM parameter"}


def arn_placement_problem(arn: str, region: str, region_reason: str = "") -> str | None:
    """Why a resource of this ARN cannot serve a stack in `region`, or None.

    Partitions are isolated from each other (separate accounts and credentials), so an ARN of
    another partition never resolves. KMS keys, SNS topics, Secrets Manager secrets and SSM
    parameters are regional; `region_reason` says why this use needs the stack's region (the
    source is cited by the check that passes it). Malformed ARNs are left to the field's pattern.
    """
    from modelops.aws.regions import partition_of

    parts = arn.split(":", 5)
    if len(parts) < 6 or parts[0] != "arn":
        return None
    _, partition, service, arn_region = parts[:4]
    expected = partition_of(region)  # None for a region botocore does not know: reported on aws:region
    if expected is not None and partition != expected:
        return (
            f"{arn} is in partition {partition}, but region {region} is in partition {expected}: "
            f"partitions are isolated, so a stack can use only arn:{expected}:... resources"
        )
    kind = REGIONAL_SERVICES.get(service)
    if kind is not None and arn_region != region:
        why = f": {region_reason}" if region_reason else ""
        return f"the {kind} {arn} is in {arn_region}, but the stack deploys to {region}{why}"
    return None


def _arn_problems(stack: StackConfig) -> list[tuple[FieldPath, str]]:
    """The stack's ARNs must be of its partition and, for regional resources, its region.

    - kmsKeyArn: a KMS key lives in one region; using it in another takes a multi-Region replica,
      which has its own ARN in that region
      (https://docs.aws.amazon.com/kms/latest/developerguide/multi-region-keys-overview.html).
      SageMaker (KmsKeyId of CreateEndpointConfig, Model Monitor, Feature Store) encrypts with a key
      of the region it runs in, the stack's
      (https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_CreateEndpointConfig.html).
      An alias is refused: the key ARN goes into the Resource element of the execution roles'
      policies, and "you cannot use a key id, alias name, or alias ARN to identify a KMS key in
      an IAM policy statement" (https://docs.aws.amazon.com/kms/latest/developerguide/cmks-in-iam-policies.html,
      https://docs.aws.amazon.com/kms/latest/developerguide/alias-authorization.html).
    - alarmTopicArn: CloudWatch alarm actions must be in the alarm's region
      (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/AlarmThatSendsEmail.html;
      AlarmActions in https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricAlarm.html
      takes `arn:aws:sns:region:account-id:sns-topic-name`), and the alarms are created in the stack's region.
    - permissionsBoundaryArn: IAM is global within a partition, so only the partition is checked.
    """
    found: list[tuple[FieldPath, str]] = []
    if stack.kms_key_arn is not None and stack.kms_key_arn.split(":", 5)[-1].startswith("alias/"):
        found.append(
            (
                ("kms_key_arn",),
                "this is a KMS alias, not a key: the execution roles' policies name this ARN in their "
                "Resource element, where an alias grants no use of the key behind it (AWS KMS: an alias "
                "cannot identify a KMS key in a policy's Resource); use the key ARN "
                "(arn:<partition>:kms:<region>:<account>:key/<key-id>) the alias points to",
            )
        )
    regional_hints = {
        "kms_key_arn": (
            f"SageMaker encrypts with a key of its own region; use a key (or a multi-Region replica) in {stack.region}"
        ),
        "alarm_topic_arn": f"CloudWatch alarm actions must be in the alarm's region; use a topic in {stack.region}",
        "permissions_boundary_arn": "",
    }
    for field, region_reason in regional_hints.items():
        arn = getattr(stack, field)
        problem = None if arn is None else arn_placement_problem(arn, stack.region, region_reason)
        if problem is not None:
            found.append(((field,), problem))
    found.extend(_oidc_provider_problems(stack))
    return found


def _oidc_provider_problems(stack: StackConfig) -> list[tuple[FieldPath, str]]:
    """modelops:kubernetes.oidcProviderArn is trusted by the IRSA roles the stack creates.

    IAM is global within a partition, so only the partition is checked against the region. A
    role trusts a web identity provider of its own account (`AssumeRoleWithWebIdentity` needs
    the provider registered in the role's account; "IAM roles for service accounts, cross-account",
    docs.aws.amazon.com/eks/latest/userguide/cross-account-access.html, creates the provider in the
    other account for that reason), and a customer-managed permissions boundary is a policy of
    the role's account too: when both are set, their accounts must agree.
    """
    arn = stack.kubernetes.oidc_provider_arn
    if arn is None:
        return []
    path: FieldPath = ("kubernetes", "oidcProviderArn")
    problem = arn_placement_problem(arn, stack.region)
    if problem is not None:
        return [(path, problem)]
    account = arn.split(":")[4]
    boundary = stack.permissions_boundary_arn
    if boundary is not None and boundary.split(":")[4] != account:
        return [
            (
                path,
                f"the OIDC provider is in account {account}, the permissions boundary in {boundary.split(':')[4]}: "
                "the IRSA roles are created in one account, which must hold both (an IAM role trusts only a "
                "provider of its own account)",
            )
        ]
    return []


def _plain(value: Any) -> Any:
    if isinstance(value, dict) and set(value) == {"secure"}:
        return None  # encrypted config cannot be read offline; treated as unset here
    return value


def _stack_problem(name: str, doc: Document | None, path: FieldPath, message: str) -> Problem:
    if doc is not None:
        return doc.problem(path, message, _config_field(path))
    return Problem(f"stack {name}", 1, 1, _config_field(path), message)


def _config_field(path: FieldPath) -> str:
    from modelops.spec.loader import dotted

    return dotted(path[1:])  # every path it is given is under `config:`


def load_stack_file(root: Path, name: str, text: str | None = None) -> tuple[StackConfig, Document]:
    """The stack file (or `text` in its place, to check an edit before it is written)."""
    path = stack_path(root, name)
    display = path.relative_to(root).as_posix()
    if text is None and not os.path.lexists(path):  # a directory, FIFO or symlink is parse's finding
        raise ProblemsFound([Problem(display, 1, 1, "", f"stack {name!r} has no file {display}")])
    doc = parse(path, display, text)
    if not isinstance(doc.data, dict) or not isinstance(doc.data.get("config"), dict):
        raise ProblemsFound([doc.problem((), "a stack file holds a 'config:' mapping")])
    from modelops.spec.repository import SPECS_DIR

    specs = root / SPECS_DIR
    model_names = {p.name for p in specs.iterdir() if p.is_dir()} if specs.is_dir() else set()
    return stack_config_from_mapping(name, doc.data["config"], doc, model_names), doc


def stack_problem(doc: Document | None, stack: StackConfig, field_path: FieldPath, message: str) -> Problem:
    """A problem that belongs to a stack (not one spec), placed on its config key."""
    return _stack_problem(stack.name, doc, config_path(field_path), message)
