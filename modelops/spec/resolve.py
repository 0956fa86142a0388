"""A stack's pins resolved to environment-merged specs, with every stack-level rule checked."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from modelops.aws.regions import partition_of
from modelops.spec.checks import semver_key
from modelops.spec.feature_store import FeatureGroupDeployment, deployed_groups
from modelops.spec.loader import Document, FieldPath, Problem, ProblemsFound
from modelops.spec.model_roles import model_role_problems
from modelops.spec.models import KubernetesServing, ModelSpec
from modelops.spec.policy import StackUse, spec_findings, stack_findings
from modelops.spec.pools import is_component, pinned_component_problems, pool_problems, serving_instance_type
from modelops.spec.repository import Repository, SpecFile, load_repository
from modelops.spec.resolved_model import ResolvedModel, Variant
from modelops.spec.stack import StackConfig, arn_placement_problem, load_stack_file, stack_problem


def resolve_pin_version(repo: Repository, name: str, pinned: str) -> str | None:
    if pinned == "latest":
        versions = sorted(repo.specs.get(name, {}), key=semver_key)
        return versions[-1] if versions else None
    return pinned


def resolve_stack(
    repo: Repository, stack: StackConfig, doc: Document | None = None
) -> tuple[list[ResolvedModel], list[Problem]]:
    problems: list[Problem] = []
    resolved: list[ResolvedModel] = []
    stack_variants: list[Variant] = []
    unresolved = False
    for name, pin in stack.models.items():
        pin_path: FieldPath = ("models", name)
        if name not in repo.specs and not any(n == name for n, _ in repo.unloadable):
            problems.append(stack_problem(doc, stack, pin_path, f"no model {name!r} under model_specs/"))
            continue
        variants: list[Variant] = []
        for role, pinned, percent, path in _pinned_variants(pin, pin_path):
            if pinned == "latest" and stack.environment != "dev":
                problems.append(stack_problem(doc, stack, path, "only dev stacks may pin 'latest'"))
                continue
            version = resolve_pin_version(repo, name, pinned)
            spec_file = repo.get(name, version) if version else None
            if spec_file is None:
                unresolved = True
                if version is not None and (name, version) in repo.unloadable:
                    continue  # its own errors are already reported
                known = ", ".join(repo.versions(name)) or "none"
                problems.append(
                    stack_problem(
                        doc, stack, path, f"model_specs/{name}/{pinned}.yaml does not exist (versions: {known})"
                    )
                )
                continue
            problems.extend(_variant_problems(spec_file, stack, doc, path, role))
            variant = Variant(
                role, spec_file.spec.metadata.version, spec_file.for_environment(stack.environment), percent
            )
            problems.extend(_kubernetes_pin_problems(name, variant, stack, doc, path))
            variants.append(variant)
        stack_variants.extend(variants)
        problems.extend(_combination_problems(variants, stack, doc, pin_path))
        problems.extend(pinned_component_problems(name, variants, stack, doc, pin_path))
        if variants and variants[0].role == "primary" and len(variants) == len(list(_pinned_variants(pin, pin_path))):
            by_role = {v.role: v for v in variants}
            resolved.append(
                ResolvedModel(
                    name, stack.environment, by_role["primary"], by_role.get("challenger"), by_role.get("shadow")
                )
            )
    groups = deployed_groups(repo, resolved, stack.environment)
    problems.extend(_feature_read_problems(repo, resolved, stack, doc, groups))
    problems.extend(pool_problems(repo, resolved, stack, doc))
    problems.extend(model_role_problems(resolved, stack, doc, groups))
    use = StackUse(
        sagemaker=unresolved or not stack_variants or any(v.spec.serving.target == "sagemaker" for v in stack_variants),
        feature_groups=unresolved or any(v.spec.features.groups for v in stack_variants),
    )
    for finding in stack_findings(stack, use):
        problems.append(stack_problem(doc, stack, finding.path, f"[{finding.rule}] {finding.message}"))
    return resolved, problems


def _kubernetes_pin_problems(
    name: str, variant: Variant, stack: StackConfig, doc: Document | None, path: FieldPath
) -> list[Problem]:
    """What a stack must say to serve a pinned version on kubernetes (docs/kubernetes.md,
    'Stack config'): the EKS cluster's IAM OIDC provider, which the model's IRSA role trusts,
    and for data capture the URL KServe's payload logger sends to. A namespace that modelops
    manages must not be `default`, which every cluster has and no stack may own."""
    serving = variant.spec.serving
    if serving.target != "kubernetes":
        return []
    where = f"{name} {variant.version} serves on kubernetes in stack {stack.name} (as {variant.role})"
    problems = []
    if stack.kubernetes.oidc_provider_arn is None:
        problems.append(
            stack_problem(
                doc,
                stack,
                path,
                f"{where}: set modelops:kubernetes.oidcProviderArn, the IAM OIDC provider of the EKS cluster, "
                "which the model's IRSA role trusts",
            )
        )
    if serving.data_capture.enabled and stack.kubernetes.payload_logger_url is None:
        problems.append(
            stack_problem(
                doc,
                stack,
                path,
                f"{where} with data capture: set modelops:kubernetes.payloadLoggerUrl, where KServe's payload "
                f"logger sends requests and responses, or disable serving.data_capture for {stack.environment}",
            )
        )
    namespace = serving.kubernetes.namespace if serving.kubernetes else "models"
    if namespace == "default" and stack.kubernetes.manage_namespaces:
        problems.append(
            stack_problem(
                doc,
                stack,
                path,
                f"{where} in namespace 'default', which every cluster has: with modelops:kubernetes.manageNamespaces "
                "true the stack would create and own it; use a namespace of the model's own, or set "
                "manageNamespaces: false",
            )
        )
    return problems


def _feature_read_problems(
    repo: Repository,
    models: list[ResolvedModel],
    stack: StackConfig,
    doc: Document | None,
    groups: list[FeatureGroupDeployment],
) -> list[Problem]:
    """A group is created by its owner's deployment: a reader needs the owner in the same stack."""
    deployed = {d.spec.name for d in groups}
    owners = repo.feature_group_owners()
    problems = []
    for model in models:
        for variant in model.variants:
            for group in variant.spec.features.reads:
                if group in deployed or group not in owners:
                    continue  # an unknown group is reported with the spec file
                problems.append(
                    stack_problem(
                        doc,
                        stack,
                        ("models", model.name),
                        f"{model.name} {variant.version} reads feature group {group!r}, which no model in stack "
                        f"{stack.name} declares: deploy its owner {owners[group]!r} "
                        "(a version that declares it) here too",
                    )
                )
    return problems


def _pinned_variants(pin, pin_path: FieldPath):
    challenger = pin.challenger.traffic_percent if pin.challenger else 0
    yield "primary", pin.version, 100 - challenger, (*pin_path, "version")
    if pin.challenger:
        yield "challenger", pin.challenger.version, challenger, (*pin_path, "challenger", "version")
    if pin.shadow:
        yield "shadow", pin.shadow.version, pin.shadow.sampling_percent, (*pin_path, "shadow", "version")


def _variant_problems(
    spec_file: SpecFile, stack: StackConfig, doc: Document | None, path: FieldPath, role: str
) -> list[Problem]:
    problems = []
    spec = spec_file.for_environment(stack.environment)
    allowed = spec.governance.allowed_environments
    if stack.environment not in allowed:
        problems.append(
            stack_problem(
                doc,
                stack,
                path,
                f"{spec_file.doc.display} allows environments {', '.join(allowed)}, not {stack.environment}",
            )
        )
    for finding in spec_findings(spec, stack.environment):
        problems.append(
            spec_file.doc.problem(
                finding.path,
                f"[{finding.rule}] {finding.message} (stack {stack.name} pins this version as {role})",
            )
        )
    problems.extend(_secret_region_problems(spec_file, spec, stack, role))
    problems.extend(_merged_tag_problems(spec_file, spec, stack))
    if stack.vpc is not None and spec.serving.mode == "serverless":
        problems.append(
            spec_file.doc.problem(
                ("serving", "mode"),
                f"serverless endpoints take no VPC config, and stack {stack.name} sets modelops:vpc",
            )
        )
    problems.extend(_image_region_problems(spec_file, spec, stack))
    problems.extend(_own_image_region_problems(spec_file, spec, stack))
    problems.extend(_analyzer_region_problems(spec_file, spec, stack))
    return problems


def _own_image_region_problems(spec_file: SpecFile, spec: ModelSpec, stack: StackConfig) -> list[Problem]:
    """`model.image` is pulled from ECR in the stack's region: "the Docker image for inference
    container in Amazon EC2 Container Registry must be in the same region as the model or
    endpoint you are creating" (ContainerDefinition.Image,
    https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_ContainerDefinition.html).
    China's ECR hosts end in `.amazonaws.com.cn`, the other partitions' in `.amazonaws.com`."""
    image = spec.model.image
    if spec.serving.target != "sagemaker" or image is None:
        return []
    host = image.split("/", 1)[0]
    image_region = host.split(".")[3]  # <account>.dkr.ecr.<region>.amazonaws.com[.cn], by ECR_IMAGE_PATTERN
    china_host = host.endswith(".cn")
    if image_region == stack.region and china_host == (partition_of(stack.region) == "aws-cn"):
        return []
    suffix = "amazonaws.com.cn" if partition_of(stack.region) == "aws-cn" else "amazonaws.com"
    return [
        spec_file.doc.problem(
            ("model", "image"),
            f"{host} is not the ECR of {stack.region}, the region of stack {stack.name}: SageMaker pulls "
            f"images only from its own region's ECR; replicate the repository to "
            f"<account>.dkr.ecr.{stack.region}.{suffix} (ECR cross-region replication) and use that image "
            "in an environment override",
        )
    ]


def _analyzer_region_problems(spec_file: SpecFile, spec: ModelSpec, stack: StackConfig) -> list[Problem]:
    """Monitors run the Model Monitor analyzer or SageMaker Clarify image of the stack's region,
    and the sagemaker SDK (`image_uri_config/model-monitor.json`, `clarify.json`) lists the
    regions that have one; elsewhere `image_uris.retrieve` refuses with "Unsupported region"."""
    from modelops.spec import frameworks

    problems = []
    for monitor in spec.monitoring.enabled_monitors():
        analyzer = frameworks.analyzer_for(monitor)
        regions = frameworks.analyzer_regions(analyzer)
        if regions and stack.region not in regions:
            problems.append(
                spec_file.doc.problem(
                    ("monitoring", monitor),
                    f"the sagemaker SDK has no {analyzer} image in {stack.region}, the region of stack "
                    f"{stack.name}, so this monitor cannot run there; disable it in an environment override "
                    f"(regions with the image: {', '.join(regions)})",
                )
            )
    return problems


def _merged_tag_problems(spec_file: SpecFile, spec: ModelSpec, stack: StackConfig) -> list[Problem]:
    """Each resource of the model carries the stack's tags, the spec's and modelops's own; AWS
    takes at most 50 (botocore's SageMaker `TagList` max; IAM roles and S3 buckets take 50 too),
    and the model's role none whose keys differ only in case (`case_twins`)."""
    from modelops.aws.tags import MAX_TAGS, REQUIRED_TAGS, case_twins, resource_tags

    meta = spec.metadata
    merged = resource_tags(meta.owner, meta.name, meta.version, stack.environment, stack.tags, meta.tags)
    problems = [
        spec_file.doc.problem(
            ("metadata", "tags", key),
            f"{key!r} and stack {stack.name}'s tag {twin!r} differ only in case, and IAM takes a role's tag keys "
            "without case (CreateRole refuses both): keep one",
        )
        for key, twin in case_twins([*stack.tags, *meta.tags], meta.tags).items()
        if twin in stack.tags and twin not in meta.tags  # twins within the spec are the spec's own finding
    ]
    if len(merged) > MAX_TAGS:
        problems.append(
            spec_file.doc.problem(
                ("metadata", "tags"),
                f"with stack {stack.name}'s {len(stack.tags)} tags and modelops's {len(REQUIRED_TAGS)}, each resource "
                f"would carry {len(merged)} tags: AWS takes at most {MAX_TAGS}",
            )
        )
    return problems


def _image_region_problems(spec_file: SpecFile, spec: ModelSpec, stack: StackConfig) -> list[Problem]:
    """A framework image exists in the regions its version config lists under `registries`
    (sagemaker-core `image_uri_config/<framework>.json`, read by `image_uris._registry_from_region`)."""
    import difflib

    from modelops.spec import frameworks

    model = spec.model
    if spec.serving.target != "sagemaker" or model.artifact is None or model.image is not None:
        return []
    if model.framework is None or model.framework_version is None:
        return []
    instance_type = serving_instance_type(spec, stack)
    if is_component(spec) and instance_type is None:
        return []  # the stack lacks the pool: reported by pool_problems
    image = frameworks.serving_image(
        model.framework, model.framework_version, instance_type, model.base_framework_version, model.py_version
    )
    if not isinstance(image, frameworks.ServingImage) or stack.region in image.regions:
        return []  # a refusal is reported with the spec file
    close = difflib.get_close_matches(stack.region, image.regions, n=4, cutoff=0.6) or list(image.regions[:4])
    return [
        spec_file.doc.problem(
            ("model", "framework_version"),
            f"{image.describe()} has no image in {stack.region}, the region of stack {stack.name}; the sagemaker "
            f"SDK has it in {len(image.regions)} regions, close: {', '.join(close) or 'none'}",
        )
    ]


def _secret_region_problems(spec_file: SpecFile, spec: ModelSpec, stack: StackConfig, role: str) -> list[Problem]:
    """model.secrets must be of the stack's partition and region.

    Secrets Manager secrets and SSM parameters are regional: a secret is used in another region
    through a replica, which has its own ARN there
    (https://docs.aws.amazon.com/secretsmanager/latest/userguide/create-manage-multi-region-secrets.html),
    and a VPC endpoint serves only its own region's service
    (https://docs.aws.amazon.com/secretsmanager/latest/userguide/vpc-endpoint-overview.html). The
    execution role is granted exactly the pinned ARNs, so the container must read those.
    """
    problems = []
    reason = (
        f"the container runs in {stack.region} and reaches Secrets Manager and SSM through that region's "
        f"endpoint; replicate it to {stack.region} and use that ARN"
    )
    for key, arn in spec.model.secrets.items():
        problem = arn_placement_problem(arn, stack.region, reason)
        if problem is not None:
            problems.append(
                spec_file.doc.problem(
                    ("model", "secrets", key), f"{problem} (stack {stack.name} pins this version as {role})"
                )
            )
    return problems


def _combination_problems(
    variants: list[Variant], stack: StackConfig, doc: Document | None, pin_path: FieldPath
) -> list[Problem]:
    problems: list[Problem] = []
    if len(variants) < 2 or variants[0].role != "primary" or any(is_component(v.spec) for v in variants):
        return problems  # a component takes no second variant: pinned_component_problems
    primary = variants[0]
    roles = {v.role for v in variants}
    if {"challenger", "shadow"} <= roles and primary.spec.serving.target == "sagemaker":
        problems.append(
            stack_problem(
                doc,
                stack,
                pin_path,
                "SageMaker shadow testing needs a single production variant: pin a challenger or a shadow, not both",
            )
        )
    for variant in variants[1:]:
        path = (*pin_path, variant.role, "version")
        if variant.version == primary.version:
            problems.append(
                stack_problem(doc, stack, path, f"the {variant.role} must be another version than {primary.version}")
            )
        if "kubernetes" in (primary.spec.serving.target, variant.spec.serving.target):
            # SageMaker's variant rules (serverless, modes, guardrail exclusions) do not apply.
            problems.extend(_kubernetes_variant_problems(primary, variant, stack, doc, path))
            continue
        for spec in (primary.spec, variant.spec):
            if spec.serving.mode == "serverless":
                problems.append(stack_problem(doc, stack, path, f"serverless endpoints take no {variant.role} variant"))
                break
        if variant.spec.serving.mode != primary.spec.serving.mode:
            problems.append(
                stack_problem(
                    doc,
                    stack,
                    path,
                    f"the {variant.role} serves {variant.spec.serving.mode}, the primary {primary.spec.serving.mode}: "
                    "variants of one endpoint share its mode",
                )
            )
        if primary.spec.serving.rollout.strategy == "rolling":
            problems.append(
                stack_problem(
                    doc,
                    stack,
                    path,
                    f"rolling deployments are not available with a {variant.role} variant (multi-variant endpoints "
                    "are excluded); use canary or linear",
                )
            )
        problems.extend(_guardrails_on_inf1(primary, variant, stack, doc, path))
    return problems


def _kubernetes_variant_problems(
    primary: Variant, variant: Variant, stack: StackConfig, doc: Document | None, path: FieldPath
) -> list[Problem]:
    """A second version next to a kubernetes primary (docs/kubernetes.md): a challenger becomes
    a KServe canary entry (`spec.canary`, with its traffic_percent) of the primary's
    InferenceService, so both serve with runtime kserve, in the one namespace of that object.
    KServe mirrors no traffic, so there is no shadow. A variant and its primary share a target
    in each environment; a switch between SageMaker and kubernetes is made for both at once."""
    role = variant.role
    targets = (primary.spec.serving.target, variant.spec.serving.target)
    if targets[0] != targets[1]:
        message = (
            f"the primary serves on {targets[0]} in {stack.environment}, the {role} on {targets[1]}: a {role} "
            "is part of its primary's endpoint or InferenceService, so both serve on the same target"
        )
        return [stack_problem(doc, stack, path, message)]
    if role == "shadow":
        message = (
            "shadow variants are not available on kubernetes (KServe mirrors no traffic): pin the new version "
            "as a challenger with a small traffic_percent instead (runtime kserve)"
        )
        return [stack_problem(doc, stack, path, message)]
    default = KubernetesServing()
    ours, theirs = primary.spec.serving.kubernetes or default, variant.spec.serving.kubernetes or default
    if (ours.runtime, theirs.runtime) != ("kserve", "kserve"):
        message = (
            "a challenger on kubernetes is a KServe canary entry of the primary's InferenceService: both need "
            f"runtime kserve (the primary has {ours.runtime}, the challenger {theirs.runtime})"
        )
        return [stack_problem(doc, stack, path, message)]
    if ours.namespace != theirs.namespace:
        message = (
            f"the challenger is a canary entry of the primary's InferenceService in namespace {ours.namespace!r}, "
            f"but its spec serves in {theirs.namespace!r}: use the same namespace"
        )
        return [stack_problem(doc, stack, path, message)]
    return []


def _guardrails_on_inf1(
    primary: Variant, variant: Variant, stack: StackConfig, doc: Document | None, path: FieldPath
) -> list[Problem]:
    """An endpoint that uses Inf1 instances anywhere falls back to all at once with no baking,
    silently ("Exclusions",
    https://docs.aws.amazon.com/sagemaker/latest/dg/deployment-guardrails-exclusions.html); the
    spec check sees the primary's own instance type, this one the variants an endpoint gains."""
    strategy = primary.spec.serving.rollout.strategy
    instance_type = variant.spec.serving.instance_type or ""
    if strategy == "all_at_once" or not instance_type.startswith("ml.inf1."):
        return []
    return [
        stack_problem(
            doc,
            stack,
            path,
            f"the {variant.role} runs on {instance_type}, and an endpoint with Inf1 instances gets no deployment "
            f"guardrails: the primary's {strategy} rollout would silently run all at once; use an Inf2 instance "
            "or rollout strategy all_at_once",
        )
    ]


@dataclass
class Project:
    """Everything `validate` looks at: the repository's specs and its stacks."""

    repo: Repository
    stacks: dict[str, tuple[StackConfig, Document]]
    resolved: dict[str, list[ResolvedModel]]
    problems: list[Problem]


def load_project(root: Path, stacks: list[str], reuse: Project | None = None) -> Project:
    """The specs and the named stacks; `reuse` is another revision whose identical spec files
    need no second parse (see `load_repository`)."""
    repo = load_repository(root, reuse.repo if reuse is not None else None)
    problems = list(repo.problems)
    loaded: dict[str, tuple[StackConfig, Document]] = {}
    resolved: dict[str, list[ResolvedModel]] = {}
    for name in stacks:
        try:
            stack, doc = load_stack_file(root, name)
        except ProblemsFound as exc:
            problems.extend(exc.problems)
            continue
        loaded[name] = (stack, doc)
        models, stack_problems = resolve_stack(repo, stack, doc)
        resolved[name] = models
        problems.extend(stack_problems)
    return Project(repo, loaded, resolved, sorted(set(problems)))
