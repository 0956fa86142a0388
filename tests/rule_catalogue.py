"""Every rule of the spec's contract, each with the tests that break it.

One entry per rule: an id, a verbatim fragment (white space aside) of the sentence that states
it in each document that does, and the node ids of the tests that break it: a test that feeds
the rule a value it must refuse (or, for a rule about what is rendered, asserts the rendered
value a change to the rule would alter). A node id without its `[...]` names every case of a
parametrized test.

The documents are the design notes (`../shared/design/modelspec-v1.md`, `kubernetes-serving.md`)
and the user docs that restate them (`docs/spec-language.md`, `docs/kubernetes.md`).
tests/test_rule_catalogue.py checks that every test named here exists, that every fragment is
in a rule of its document, and that every rule of the documents (a sentence of a design note's
rule bullets, table rows and stack rules; a bullet or table row of the user docs) is quoted.
"""

from __future__ import annotations

from dataclasses import dataclass, field

MODELSPEC = "modelspec-v1"
KUBERNETES_SERVING = "kubernetes-serving"
SPEC_LANGUAGE = "spec-language"
KUBERNETES = "kubernetes"


@dataclass(frozen=True)
class Rule:
    id: str
    tests: tuple[str, ...]
    quotes: dict[str, str] = field(default_factory=dict)  # document -> verbatim fragment


def rule(
    id: str,
    *tests: str,
    modelspec: str | None = None,
    kubernetes_serving: str | None = None,
    spec_language: str | None = None,
    kubernetes: str | None = None,
) -> Rule:
    quotes = {
        MODELSPEC: modelspec,
        KUBERNETES_SERVING: kubernetes_serving,
        SPEC_LANGUAGE: spec_language,
        KUBERNETES: kubernetes,
    }
    return Rule(id, tests, {doc: text for doc, text in quotes.items() if text is not None})


def spec(case: str) -> str:
    return f"tests/test_spec_rules.py::test_rule_is_enforced[{case}]"


def k8s(case: str) -> str:
    return f"tests/test_kubernetes_rules.py::test_kubernetes_rule_is_enforced[{case}]"


def k8s_unseen(case: str) -> str:
    return f"tests/test_kubernetes_unseen.py::test_an_invalid_unseen_spec_is_refused_naming_the_field[{case}]"


def pool(case: str) -> str:
    return f"tests/test_pools_unseen.py::test_an_invalid_pool_case_is_refused_naming_the_field[{case}]"


def policy(rule_name: str) -> str:
    return f"tests/test_policies.py::test_each_policy_reports_what_its_rule_reports[{rule_name}]"


STACK_RULES = "tests/test_stack_rules.py::"
GITOPS = "tests/test_gitops.py::"
PLAN = "tests/test_plan.py::"
KUBERNETES_RULES = "tests/test_kubernetes_rules.py::"
KUBERNETES_RENDER = "tests/test_kubernetes.py::"

RULES: tuple[Rule, ...] = (
    # --- files and versions -------------------------------------------------------------------
    rule(
        "files.one-file-per-version",
        STACK_RULES + "test_new_version_file_is_picked_up",
        spec("file-name"),
        spec("folder-name"),
        "tests/test_hostile_input.py::test_directory_named_like_a_version_is_a_finding",
        modelspec="one file per released version of one model",
        spec_language="One file per released version: `model_specs/<name>/<version>.yaml`",
    ),
    rule(
        "files.name-and-version-match-the-path",
        spec("folder-name"),
        spec("file-name"),
        modelspec="`<name>` must equal `metadata.name`, `<version>` must equal `metadata.version`",
        spec_language="The folder must equal `metadata.name` and the file name `metadata.version`",
    ),
    rule(
        "files.released-version-immutable",
        GITOPS + "test_edited_version_file_is_rejected",
        "tests/test_hostile_input.py::test_released_version_replaced_by_a_symlink_is_a_finding_with_base",
        modelspec="a change to an existing version file is rejected by `modelops validate --base <rev>`",
        spec_language="any change to it (or its removal) is an error of `modelops validate --base <rev>`",
    ),
    rule(
        "files.one-stack-per-environment",
        "tests/test_stack_config.py::test_each_environment_has_its_stack_file_where_pulumi_reads_it",
        modelspec="one per environment (Pulumi's own stack config files; the project's `Pulumi.yaml` sets "
        "`stackConfigDir: stacks`)",
    ),
    rule(
        "files.stack-pins-versions",
        GITOPS + "test_moved_pin_is_named_with_its_resources",
        PLAN + "test_version_bump_keeps_endpoint_and_renames_model_and_config",
        modelspec="The stack pins which version of which model runs there.",
    ),
    rule(
        "files.promotion-changes-a-pin",
        GITOPS + "test_promote_keeps_every_comment_and_moves_the_pin",
        GITOPS + "test_refused_promotion_leaves_the_file_untouched",
        GITOPS + "test_promoting_an_invalid_version_is_refused_and_leaves_the_file_untouched",
        modelspec="Promotion is a pull request that changes a pin.",
    ),
    rule(
        "files.schema-current",
        "tests/test_cli.py::test_schema_is_current",
        "tests/test_cli.py::test_schema_validates_the_examples",
        modelspec="JSON Schema generated from the pydantic models, committed, and checked by a test to be current",
        spec_language="Editors can complete and check specs from the JSON Schema `schemas/modelspec-v1.json`",
    ),
    rule(
        "files.schema-comment-allowed",
        "tests/test_spec_rules.py::test_repository_specs_are_valid",
        "tests/test_cli.py::test_schema_validates_the_examples",
        modelspec="Spec files may start with `# yaml-language-server: $schema=../../schemas/modelspec-v1.json`",
    ),
    # --- metadata -----------------------------------------------------------------------------
    rule(
        "metadata.api-version-and-kind",
        spec("api-version"),
        spec("kind"),
        modelspec="`apiVersion` is `modelops/v1`, `kind` is `ModelSpec`",
    ),
    rule(
        "unknown-keys",
        spec("unknown-key"),
        spec("unknown-top-level"),
        spec("override-section"),
        STACK_RULES + "test_unknown_stack_key_and_environment",
        modelspec="Unknown keys anywhere are errors.",
        spec_language="Unknown keys are errors everywhere",
    ),
    rule(
        "metadata.name-pattern",
        spec("name-pattern"),
        spec("name-double-dash"),
        spec("name-too-long"),
        modelspec="`name`: `^[a-z][a-z0-9-]{1,30}[a-z0-9]$`, no `--`",
        spec_language="`name` is 3 to 32 lowercase letters, digits and `-`, starts with a letter and has no `--`",
    ),
    rule(
        "metadata.derived-names-fit",
        PLAN + "test_the_longest_model_name_fits_every_name_derived_from_it",
        policy("aws-name-limits"),
        modelspec="every derived AWS name must fit SageMaker's 63-character limit with its suffixes",
        spec_language="every AWS name derived from it (endpoint, roles, alarms) must fit SageMaker's 63 characters",
    ),
    rule(
        "metadata.version-semver",
        spec("version-semver"),
        STACK_RULES + "test_new_version_file_is_picked_up",
        modelspec="`version`: SemVer 2.0.",
        spec_language="`metadata.version` is [SemVer 2.0](https://semver.org)",
    ),
    rule(
        "metadata.owner-and-description-required",
        spec("owner-required"),
        spec("description-length"),
        spec("description-empty"),
        modelspec="`owner`, `description` (1-1024 chars) required",
    ),
    rule(
        "metadata.owner-is-a-tag-value",
        spec("owner-tag-value"),
        "tests/test_credentials_and_tags.py::test_the_owner_is_a_tag_value",
        spec_language="`owner` becomes the value of the `owner` tag on every resource, so it must be a valid AWS "
        "tag value",
    ),
    rule(
        "metadata.tags-at-most-40",
        spec("too-many-tags"),
        modelspec="`tags`: at most 40",
        spec_language="`tags` holds at most 40 entries",
    ),
    rule(
        "metadata.tags-with-the-stack-at-most-50",
        "tests/test_credentials_and_tags.py::test_the_stack_and_spec_tags_together_stay_within_50",
        spec_language="with the stack's tags and the five modelops adds, a resource carries at most 50",
    ),
    rule(
        "metadata.tag-key-length",
        spec("tag-key-empty"),
        spec("tag-key-length"),
        modelspec="keys 1-128 chars",
    ),
    rule(
        "metadata.tag-value-length",
        spec("tag-value-length"),
        modelspec="values 0-256",
    ),
    rule(
        "metadata.tag-key-aws-prefix",
        spec("aws-tag"),
        spec("aws-tag-upper-case"),
        spec("aws-tag-mixed-case"),
        "tests/test_credentials_and_tags.py::test_spec_tags_follow_aws_rules",
        modelspec="no key starting `aws:`",
        spec_language="no key starting with `aws:` (in any case)",
    ),
    # --- model --------------------------------------------------------------------------------
    rule(
        "model.artifact-or-package",
        spec("artifact-and-package"),
        spec("neither-artifact-nor-package"),
        spec("artifact-uri"),
        modelspec="Exactly one of `artifact` (an `s3://bucket/key` URI) or `package`",
        spec_language="Exactly one of `artifact` (an `s3://bucket/key` object) or `package`",
    ),
    rule(
        "model.package-group-and-version",
        spec("package-version"),
        spec("package-version-integer"),
        spec("package-group"),
        modelspec="(`group` + integer `version` >= 1)",
    ),
    rule(
        "model.sha256",
        spec("sha256-with-package"),
        spec("sha256-format"),
        spec("sha256-lowercase"),
        modelspec="`sha256` only with `artifact`, 64 lowercase hex",
        spec_language="`sha256` goes only with `artifact`",
    ),
    rule(
        "model.artifact-container",
        spec("image-and-framework"),
        spec("artifact-without-container"),
        spec("image-not-ecr"),
        spec("framework-without-version"),
        STACK_RULES + "test_own_image_must_be_in_the_stacks_region",
        modelspec="With `artifact`, exactly one of `image` (an ECR image URI) or `framework` + `framework_version`",
        spec_language="An `artifact` needs exactly one of `image` (your own serving image, in the ECR of each "
        "stack's region) or `framework` + `framework_version`",
    ),
    rule(
        "model.unknown-framework-lists-versions",
        spec("unknown-framework"),
        spec("unknown-framework-version"),
        "tests/test_frameworks.py::test_validate_accepts_exactly_what_the_sdk_resolves",
        "tests/test_frameworks.py::test_framework_without_an_image_in_the_stack_region",
        modelspec="an unknown framework or version is an error that lists the versions the sagemaker SDK knows",
        spec_language="An unknown framework or version is an error that lists the versions the sagemaker SDK knows",
    ),
    rule(
        "model.framework-image-choices",
        "tests/test_frameworks.py::test_framework_image_rule",
        spec_language="`py_version` and `base_framework_version` (Hugging Face) choose among a framework's images",
    ),
    rule(
        "model.package-carries-its-image",
        spec("package-with-image"),
        spec("package-with-python-choice"),
        "tests/test_frameworks.py::test_framework_choices_with_a_registry_package_are_refused",
        PLAN + "test_models_vpc_isolation_and_images",
        modelspec="With `package`, neither: the registry package carries its image and model data, and the Model "
        "is created from the package version's ARN",
        spec_language="`package` carries its image and model data: `image`, `framework`, `framework_version`, "
        "`py_version` and `base_framework_version` go only with `artifact`",
    ),
    rule(
        "model.environment-keys-are-identifiers",
        spec("env-identifier"),
        spec("env-identifier-dash"),
        modelspec="`environment` keys are shell identifiers",
        spec_language="`environment` keys are shell identifiers",
    ),
    rule(
        "model.environment-keys-not-secrets",
        spec("env-secret"),
        spec("env-api-key"),
        spec("env-secret-word"),
        spec("env-token"),
        spec("env-private-key"),
        modelspec="a key that looks like a secret (contains SECRET, PASSWORD, TOKEN, API_KEY, PRIVATE_KEY, "
        "case-insensitive) is an error that points to `secrets`",
        spec_language="A key that looks like a secret (it contains `SECRET`, `PASSWORD`, `TOKEN`, `API_KEY` or "
        "`PRIVATE_KEY`, in any case) is an error",
    ),
    rule(
        "model.secrets-are-arns",
        spec("secret-arn"),
        "tests/test_stack_config.py::test_secret_of_another_region_in_a_pinned_spec",
        "tests/test_stack_config.py::test_ssm_parameter_of_another_partition_in_a_pinned_spec",
        modelspec="`secrets` values are Secrets Manager or SSM parameter ARNs",
        spec_language="`secrets` maps a name to a Secrets Manager secret or SSM parameter ARN in the stack's region",
    ),
    rule(
        "model.secrets-injected-and-readable",
        PLAN + "test_models_vpc_isolation_and_images",
        PLAN + "test_iam_is_least_privilege",
        GITOPS + "test_diff_shows_changed_values_and_the_iam_statements_a_new_secret_grants",
        modelspec="the container gets `<NAME>_SECRET_ARN` and the execution role may read exactly those ARNs",
        spec_language="The container gets `<NAME>_SECRET_ARN` and the execution role may read exactly these ARNs",
    ),
    rule(
        "model.secrets-without-isolation",
        spec("secrets-isolated"),
        spec("secrets-confidential"),
        modelspec="`secrets` with network isolation is an error",
        spec_language="`secrets` with network isolation is an error",
    ),
    rule(
        "model.isolation-of-confidential-data",
        spec("isolation-off-confidential"),
        spec("secrets-confidential"),
        k8s("confidential-data"),
        PLAN + "test_models_vpc_isolation_and_images",
        modelspec="network isolation for confidential and restricted data",
        spec_language="`network_isolation` defaults to on for `confidential` and `restricted` data, which may never "
        "turn it off",
        kubernetes="network isolation for confidential and restricted data | applies and cannot be met",
    ),
    rule(
        "model.container-environment-limits",
        spec("env-value-too-long"),
        spec("env-name-too-long"),
        spec("secret-name-too-long"),
        spec("env-too-large"),
        spec("env-too-many"),
        spec("secrets-too-large"),
        "tests/test_spec_rules.py::test_the_container_environment_may_fill_its_limits",
        "tests/test_spec_rules.py::test_the_container_may_have_a_hundred_variables",
        spec_language="at most 100 variables, each name and each value at most 1,024 bytes, and all of them together "
        "at most 32,000 bytes",
    ),
    # --- serving ------------------------------------------------------------------------------
    rule(
        "serving.instance-type",
        spec("instance-type"),
        spec("instance-type-required"),
        spec("instance-type-hosted"),
        "tests/test_instance_types.py::test_misspelt_hosting_instance_type_names_close_ones",
        "tests/test_instance_types.py::test_monitoring_instance_type_must_be_a_processing_type",
        modelspec="`instance_type` matches `^ml\\.[a-z0-9]+\\.[a-z0-9]+$`; required unless `mode: serverless`",
        spec_language="`instance_type` is required unless `mode: serverless`, and must be a type SageMaker hosts",
    ),
    rule("serving.instance-count", spec("instance-count"), modelspec="`instance_count` >= 1"),
    rule(
        "serving.serverless-settings",
        spec("serverless-memory"),
        spec("serverless-concurrency"),
        modelspec="`serverless.memory_mb` in {1024, 2048, 3072, 4096, 5120, 6144}; `serverless.max_concurrency` 1-200",
    ),
    rule(
        "serving.mode-blocks",
        spec("serverless-block-wrong-mode"),
        spec("async-block-wrong-mode"),
        spec_language="`serverless` settings go only with `mode: serverless`, `async` only with `mode: async`",
    ),
    rule(
        "serving.async-concurrency",
        spec("async-concurrency"),
        modelspec="`async` takes `max_concurrent_invocations_per_instance` 1-1000",
    ),
    rule(
        "serving.async-output-in-the-stack-bucket",
        PLAN + "test_async_output_goes_to_the_stacks_bucket_and_the_role_reads_only_its_input",
        modelspec="its output goes to the stack's bucket",
    ),
    rule(
        "serving.autoscaling-bounds",
        spec("autoscaling-min-max"),
        spec("autoscaling-zero"),
        "tests/test_autoscaling.py::test_min_instances_equal_to_max_instances_is_allowed_and_rendered",
        "tests/test_guardrails.py::test_async_from_zero_scales_out_on_backlog_without_capacity",
        modelspec="`1 <= min_instances <= max_instances` (0 allowed for async only)",
        spec_language="`autoscaling`: `min_instances <= max_instances`; `min_instances` is at least 1, except for "
        "async endpoints, which may scale to 0",
    ),
    rule(
        "serving.instance-count-within-autoscaling",
        spec("instance-count-above-autoscaling"),
        spec("instance-count-below-autoscaling"),
        spec_language="`instance_count` must lie within the bounds",
    ),
    rule(
        "serving.autoscaling-target",
        spec("autoscaling-target"),
        "tests/test_autoscaling.py::test_a_realtime_variant_scales_on_invocations_per_instance",
        "tests/test_autoscaling.py::test_an_async_endpoint_scales_on_its_backlog_per_instance",
        modelspec="`target_invocations_per_instance` > 0",
    ),
    rule(
        "serving.autoscaling-not-serverless",
        spec("serverless-autoscaling"),
        modelspec="not allowed with serverless",
    ),
    rule(
        "serving.capture-sampling",
        spec("sampling-percent"),
        spec("sampling-percent-above"),
        modelspec="`data_capture.sampling_percent` 1-100",
    ),
    rule(
        "serving.capture-to-the-stack-bucket",
        PLAN + "test_endpoint_configuration",
        "tests/test_monitoring.py::test_jobs_read_the_capture_and_write_encrypted_reports_in_the_vpc",
        spec_language="`data_capture` writes requests and responses to the stack's capture bucket; every monitor "
        "reads it",
    ),
    rule(
        "serving.canary-percent",
        spec("canary-percent"),
        spec("canary-percent-zero"),
        modelspec="`canary_percent` 1-50",
    ),
    rule(
        # AWS takes a linear step of 10 to 50 percent (TrafficRoutingConfig.LinearStepSize), so 5-9
        # are refused too: modelops/spec/models.py, Rollout.linear_step_percent.
        "serving.linear-step-percent",
        spec("linear-step"),
        spec("linear-step-above"),
        modelspec="`linear_step_percent` 5-50",
    ),
    rule(
        "serving.rollout-waits",
        spec("wait"),
        spec("wait-negative"),
        spec("termination-wait"),
        spec("termination-wait-above"),
        modelspec="`wait_s` and `termination_wait_s` 0-3600",
    ),
    rule(
        "serving.guarded-rollout-rolls-back-on-alarms",
        PLAN + "test_guardrails_and_rollback_alarms",
        "tests/test_guardrails.py::test_no_rollback_alarms_no_describe_permission",
        spec("rollout-without-alarms"),
        modelspec="Any strategy but `all_at_once` creates CloudWatch alarms from `rollout.alarms` and wires them "
        "into the endpoint's automatic rollback",
        spec_language="roll back automatically when an alarm of `rollout.alarms` fires, so at least one alarm must "
        "be set",
    ),
    rule(
        "serving.serverless-limits",
        STACK_RULES + "test_serverless_cannot_run_in_a_vpc",
        spec("serverless-isolation"),
        spec("serverless-capture"),
        spec("serverless-monitoring"),
        STACK_RULES + "test_serverless_variants",
        STACK_RULES + "test_serverless_takes_no_challenger",
        spec("serverless-rollout"),
        spec("serverless-instance-type"),
        spec("serverless-autoscaling"),
        modelspec="serverless endpoints take no VPC config, network isolation, data capture, monitoring, "
        "challenger or shadow variant, and no `rollout` but `all_at_once`",
        spec_language="Serverless endpoints take no instance type, autoscaling, data capture, monitors, network "
        "isolation, challenger or shadow, no rollout but `all_at_once`, and no VPC",
    ),
    rule(
        "serving.guardrails-where-aws-has-them",
        spec("serverless-rollout"),
        spec("guardrails-on-inf1"),
        STACK_RULES + "test_inf1_challenger_takes_the_guardrails_away",
        modelspec="deployment guardrails (canary, linear, rolling) exist for realtime and async endpoints only",
        spec_language="They are refused on `ml.inf1` instances",
    ),
    rule(
        "serving.rolling-without-a-second-variant",
        STACK_RULES + "test_rolling_with_challenger",
        STACK_RULES + "test_rolling_with_shadow",
        modelspec="`rolling` is not available with a challenger variant",
        spec_language="`rolling` is refused when the stack pins a challenger or shadow next to the version",
    ),
    rule(
        "serving.kubernetes-target",
        k8s("kubernetes-block-on-sagemaker"),
        k8s("no-instance-type"),
        k8s("no-autoscaling"),
        KUBERNETES_RENDER + "test_recorded_inference_service_with_a_canary",
        modelspec="`target: kubernetes` takes `kubernetes: {runtime: kserve | deployment, min_replicas, "
        "max_replicas, cpu, memory, gpu}` and serves the same artifact",
        spec_language="`target: kubernetes` serves the model on the stack's EKS cluster instead, with "
        "`serving.kubernetes`; SageMaker-only fields are then errors",
    ),
    rule(
        "serving.component-on-a-pool",
        pool("instance-type"),
        pool("endpoint-autoscaling"),
        pool("serverless-settings"),
        pool("async-settings"),
        pool("canary-rollout"),
        pool("linear-rollout"),
        pool("model-monitor"),
        pool("cpu-above-instance"),
        pool("memory-above-instance"),
        pool("challenger-pin"),
        pool("shadow-pin"),
        spec_language="`mode: component` puts the model on one of the stack's pools",
    ),
    # --- features -----------------------------------------------------------------------------
    rule(
        "features.one-owner-readers-read-only",
        STACK_RULES + "test_feature_group_has_one_owner",
        "tests/test_feature_store.py::test_a_model_reads_exactly_the_groups_it_names",
        spec("reads-own-group"),
        spec("group-declared-twice"),
        modelspec="A feature group is declared by exactly one model (its owner); another model lists it in "
        "`reads` and gets read-only access",
        spec_language="A feature group is declared (`features.groups`) by exactly one model, its owner",
    ),
    rule(
        "features.second-owner-or-unknown-read",
        STACK_RULES + "test_feature_group_has_one_owner",
        STACK_RULES + "test_reads_unknown_group",
        modelspec="Duplicate owners or a `reads` of an unknown group are errors.",
        spec_language="A second owner, or a `reads` of a group no model declares, is an error",
    ),
    rule(
        "features.reader-deploys-with-its-owner",
        "tests/test_feature_store.py::test_reader_needs_the_owner_in_the_same_stack",
        spec_language="so is a stack that deploys a reader without the group's owner",
    ),
    rule("features.group-name", spec("group-name"), modelspec="Group `name`: `^[a-z][a-z0-9-]{1,40}$`"),
    rule(
        "features.record-identifier-and-event-time",
        spec("record-identifier"),
        spec("event-time-declared"),
        spec("event-time-type"),
        modelspec="`record_identifier` and `event_time` must be declared features; `event_time` is `string` or "
        "`fractional`",
        spec_language="`record_identifier` and `event_time` name declared features",
    ),
    rule("features.types", spec("feature-type"), modelspec="Types: string | integral | fractional"),
    rule(
        "features.feature-names",
        spec("feature-name"),
        spec("feature-unique"),
        spec("feature-reserved"),
        modelspec="Feature names `^[a-zA-Z0-9]([-_]*[a-zA-Z0-9]){0,63}$`, unique, not `is_deleted`, `write_time` or "
        "`api_invocation_time`",
        spec_language="Feature names are unique and not Feature Store's own",
    ),
    rule(
        "features.a-store",
        spec("store-required"),
        modelspec="At least one of online/offline",
        spec_language="At least one of `online` and `offline` is enabled",
    ),
    rule(
        "features.ttl-needs-the-online-store",
        spec("ttl-without-online-store"),
        spec_language="`online.ttl_days` needs the online store",
    ),
    rule(
        "features.evolution-only-gains",
        STACK_RULES + "test_feature_removal_needs_replace",
        STACK_RULES + "test_feature_retype_needs_replace",
        "tests/test_feature_store.py::test_adding_a_feature_keeps_the_group_and_adds_in_place",
        "tests/test_providers.py::test_feature_additions_refuse_removal_and_retyping",
        modelspec="between two versions of a model a group may only gain features",
        spec_language="Between two versions of a model a group may only gain features, which are added in place",
    ),
    rule(
        "features.destructive-change-needs-replace",
        STACK_RULES + "test_feature_removal_needs_replace",
        STACK_RULES + "test_feature_retype_needs_replace",
        STACK_RULES + "test_a_group_change_that_destroys_stored_data_needs_replace",
        "tests/test_feature_store.py::test_removing_a_feature_needs_replace",
        modelspec="it is an error unless the newer version says `replace: true` on that group",
        spec_language="Removing or retyping a feature, changing the record identifier, event time, table format or "
        "which stores are enabled would destroy stored data",
    ),
    rule(
        "features.replace-is-destructive-in-the-diff",
        GITOPS + "test_feature_removal_with_replace_is_destructive_and_listed_first",
        "tests/test_feature_store.py::test_replace_creates_a_new_group_before_the_old_one_goes",
        modelspec="and the diff marks it destructive",
        spec_language="`modelops diff` flags it as data loss",
    ),
    # --- monitoring ---------------------------------------------------------------------------
    rule(
        "monitoring.needs-capture-and-an-endpoint",
        spec("monitor-needs-capture"),
        spec("serverless-monitoring"),
        k8s("monitoring-disabled"),
        pool("model-monitor"),
        modelspec="Any enabled monitor requires `serving.data_capture.enabled` and a non-serverless mode.",
        spec_language="Every enabled monitor needs `serving.data_capture.enabled: true` and a SageMaker endpoint "
        "that is not serverless",
    ),
    rule(
        "monitoring.model-quality-settings",
        spec("model-quality-problem-type"),
        spec("model-quality-problem-type-enum"),
        spec("model-quality-ground-truth"),
        modelspec="`model_quality` needs `problem_type` (BinaryClassification | MulticlassClassification | "
        "Regression) and `ground_truth_s3_uri`",
        spec_language="`model_quality` needs `problem_type` and `ground_truth_s3_uri`",
    ),
    rule(
        "monitoring.clarify-analysis-config",
        spec("bias-config"),
        spec("explainability-config"),
        modelspec="`bias` and `explainability` need `analysis_config_s3_uri`",
        spec_language="`bias` and `explainability` (SHAP, through SageMaker Clarify) need `analysis_config_s3_uri`",
    ),
    rule(
        "monitoring.schedule-and-alarm",
        "tests/test_monitoring.py::test_every_enabled_monitor_has_definition_schedule_and_alarm",
        "tests/test_monitoring.py::test_no_alarm_action_without_a_topic",
        modelspec="Every enabled monitor gets a schedule and a CloudWatch alarm on violations sent to the stack's "
        "alarm topic.",
        spec_language="Each gets a schedule, and a CloudWatch alarm on violations that notifies the stack's "
        "`modelops:alarmTopicArn`",
    ),
    rule(
        "monitoring.schedule",
        spec("schedule"),
        spec("schedule-hours"),
        spec("schedule-interval"),
        spec("schedule-interval-zero"),
        "tests/test_monitoring.py::test_cron_schedule_is_passed_through",
        spec_language="`schedule` is `hourly`, `daily`, or a cron on the hour as SageMaker monitoring takes it",
    ),
    rule(
        "monitoring.analyzer-image-in-the-region",
        STACK_RULES + "test_monitor_needs_its_analyzer_image_in_the_region",
        spec_language="The analyzer image must exist in the region of every stack that pins the version",
    ),
    rule(
        "monitoring.baseline",
        "tests/test_monitoring.py::test_baselines_are_wired_and_readable",
        spec_language="Without `baseline_constraints_s3_uri` (the `constraints.json` of a baselining job) a monitor "
        "computes statistics but has nothing to report a violation against",
    ),
    rule(
        "monitoring.label-delay",
        spec("label-delay"),
        "tests/test_guardrails.py::test_label_merging_monitors_read_a_window_whose_labels_arrived",
        spec_language="`label_delay_hours` (model quality and bias) is how long ground-truth labels take to arrive",
    ),
    # --- governance ---------------------------------------------------------------------------
    rule(
        "governance.registry-needs-a-package",
        spec("registry-needs-package"),
        modelspec="`approval: registry` means the model must come from `model.package`",
        spec_language="`approval: registry` needs `model.package`",
    ),
    rule(
        "governance.registry-package-approved",
        "tests/test_registry_approval.py::test_staging_and_prod_refuse_a_package_that_is_not_approved",
        "tests/test_registry_approval.py::test_dev_deploys_a_package_of_any_status_and_staging_an_approved_one",
        "tests/test_rehearse.py::test_unapproved_package_is_refused_in_prod",
        modelspec="in staging and prod that package version must be Approved in the registry (checked live, never "
        "assumed)",
        spec_language="in staging and prod the package version must be Approved in the registry, which a real "
        "deploy checks live",
    ),
    rule(
        "governance.table.registry-approval",
        "tests/test_registry_approval.py::test_staging_and_prod_refuse_a_package_that_is_not_approved",
        "tests/test_registry_approval.py::test_dev_deploys_a_package_of_any_status_and_staging_an_approved_one",
        modelspec="model from an Approved registry package when `approval: registry` | - | yes | yes",
        spec_language="model from an Approved registry package when `approval: registry` (checked live at deploy) "
        "| - | yes | yes",
    ),
    rule(
        "governance.approval-default",
        "tests/test_registry_approval.py::test_a_package_without_an_approval_setting_is_held_to_the_registry",
        KUBERNETES_RULES + "test_the_examples_validate",
        spec_language="Unset, `approval` is `registry` for a package and `none` for an artifact",
    ),
    rule(
        "governance.allowed-environments-pin",
        STACK_RULES + "test_allowed_environments",
        GITOPS + "test_refused_promotion_leaves_the_file_untouched",
        modelspec="`allowed_environments`: a stack of another environment may not pin this model",
        spec_language="A stack of another environment may not pin the version",
    ),
    rule(
        "governance.allowed-environments-list",
        spec("allowed-environments-empty"),
        spec("allowed-environments-twice"),
        spec("allowed-environments"),
        spec_language="`allowed_environments` lists at least one environment, each once",
    ),
    rule(
        "governance.model-card-risk",
        PLAN + "test_model_card_follows_risk",
        "tests/test_guardrails.py::test_model_card_survives_a_version_move",
        modelspec="`model_card` becomes a SageMaker Model Card whose risk rating follows `metadata.risk`",
        spec_language="`model_card` becomes a SageMaker Model Card, one per model and stack, whose risk rating "
        "follows `metadata.risk`",
    ),
    rule(
        "governance.data-access",
        "tests/test_hardening.py::test_an_s3_prefix_grants_the_folder_under_it_and_nothing_beside_it",
        PLAN + "test_async_output_goes_to_the_stacks_bucket_and_the_role_reads_only_its_input",
        "tests/test_kubernetes.py::test_irsa_permissions_are_the_execution_scope_of_the_pod",
        spec_language="`data_access.s3_read` lists the S3 prefixes the model may read at run time",
    ),
    # --- environments -------------------------------------------------------------------------
    rule("environments.keys", spec("override-environment"), modelspec="Keys are environment names"),
    rule(
        "environments.serving-and-monitoring-only",
        spec("override-section"),
        modelspec="values override `serving` and `monitoring` only",
    ),
    rule(
        "environments.deep-merge",
        "tests/test_environment_overrides.py::test_a_mapping_is_deep_merged_keeping_what_the_override_leaves_out",
        modelspec="deep-merged",
        spec_language="Mappings are deep-merged",
    ),
    rule(
        "environments.lists-replaced",
        "tests/test_environment_overrides.py::test_a_list_is_replaced_as_a_whole",
        modelspec="lists replaced",
        spec_language="Lists are replaced as a whole.",
    ),
    rule(
        "environments.null-removes",
        "tests/test_environment_overrides.py::test_null_removes_a_key_which_takes_its_default_again",
        "tests/test_pools_validate.py::test_an_override_that_moves_a_model_to_a_pool_drops_its_instances_with_null",
        modelspec="`null` removes a key",
        spec_language="`null` removes a key, so it takes its default again",
    ),
    rule(
        "environments.merged-result-validated",
        spec("override-merged"),
        spec("override-merged-rule"),
        KUBERNETES_RULES + "test_override_finding_points_at_the_override",
        modelspec="The merged result is validated again, and its errors name the override that caused them.",
    ),
    # --- stack config -------------------------------------------------------------------------
    rule(
        "stack.pin-exists",
        STACK_RULES + "test_pin_of_missing_version",
        STACK_RULES + "test_pin_of_unknown_model",
        modelspec="A pin names a version file that exists.",
    ),
    rule(
        "stack.latest-in-dev-only",
        STACK_RULES + "test_latest_only_in_dev",
        GITOPS + "test_new_version_reaches_only_the_stack_pinning_latest",
        modelspec="`dev` may pin `latest` (highest SemVer).",
        spec_language="`latest` in a dev stack means the highest version by SemVer precedence",
    ),
    rule(
        "stack.challenger-and-shadow-variants",
        PLAN + "test_endpoint_configuration",
        STACK_RULES + "test_traffic_percent_range",
        "tests/test_guardrails.py::test_shadow_weight_ratio_is_the_sampling_fraction",
        modelspec="`challenger` adds a second production variant with that share of traffic; `shadow` adds a "
        "shadow variant",
    ),
    rule(
        "stack.variants-are-other-versions",
        STACK_RULES + "test_challenger_rules",
        STACK_RULES + "test_a_shadow_is_another_version",
        modelspec="Both name another version of the same model.",
    ),
    # --- governance by environment (table rows) -----------------------------------------------
    rule(
        "governance.table.pinned-artifact",
        STACK_RULES + "test_staging_requires_pinned_artifacts",
        "tests/test_spec_rules.py::test_repository_specs_are_valid",
        modelspec="`approval: none` models pin their artifact with `sha256` | - | yes | yes",
        spec_language="`approval: none` models pin their artifact with `sha256` | - | yes | yes",
        kubernetes="`approval: none` artifacts pinned with `sha256` in staging and prod | applies",
    ),
    rule(
        "governance.table.prod-redundancy",
        STACK_RULES + "test_prod_governance_rules",
        STACK_RULES + "test_prod_requires_two_instances_at_the_autoscaling_minimum",
        KUBERNETES_RULES + "test_prod_governance_on_kubernetes",
        modelspec="realtime `instance_count` and `min_instances` >= 2",
        spec_language="realtime `instance_count` and `min_instances` >= 2",
        kubernetes="prod redundancy | applies, as `min_replicas >= 2`",
    ),
    rule(
        "governance.table.prod-data-capture",
        STACK_RULES + "test_prod_governance_rules",
        KUBERNETES_RULES + "test_prod_governance_on_kubernetes",
        KUBERNETES_RULES + "test_prod_deployment_needs_no_capture",
        modelspec="| data capture enabled | - | - | yes |",
        spec_language="| data capture enabled | - | - | yes |",
        kubernetes="prod data capture | applies to kserve (the payload logger)",
    ),
    rule(
        "governance.table.prod-guarded-rollout",
        STACK_RULES + "test_prod_governance_rules",
        STACK_RULES + "test_dev_is_relaxed",
        KUBERNETES_RULES + "test_prod_governance_on_kubernetes",
        modelspec="`rollout.strategy` not `all_at_once` | - | - | yes",
        spec_language="`rollout.strategy` not `all_at_once` | - | - | yes",
        kubernetes="prod rollout not `all_at_once` | applies",
    ),
    rule(
        "governance.table.vpc",
        STACK_RULES + "test_staging_requires_vpc_and_kms",
        PLAN + "test_models_vpc_isolation_and_images",
        "tests/test_monitoring.py::test_jobs_read_the_capture_and_write_encrypted_reports_in_the_vpc",
        KUBERNETES_RULES + "test_kubernetes_only_stack_needs_no_vpc",
        modelspec="VPC config on models and monitoring jobs | - | yes | yes",
        spec_language="VPC config on models and monitoring jobs (`modelops:vpc`)",
        kubernetes="VPC config on models and monitoring jobs | does not apply",
    ),
    rule(
        "governance.table.kms",
        STACK_RULES + "test_staging_requires_vpc_and_kms",
        policy("kms-encryption"),
        "tests/test_feature_store.py::test_prod_groups_are_encrypted_in_the_stack_buckets",
        KUBERNETES_RULES + "test_kubernetes_only_stack_needs_no_vpc",
        modelspec="KMS key on endpoint storage, capture, feature store, monitoring outputs | if set | yes | yes",
        spec_language="KMS key on endpoint storage, capture, feature store, monitoring outputs "
        "(`modelops:kmsKeyArn`) | if set | yes | yes",
        kubernetes="`modelops:kmsKeyArn` stays required in staging and prod when a pinned model owns a feature group",
    ),
    rule(
        "governance.table.high-risk-monitors",
        STACK_RULES + "test_prod_governance_rules",
        KUBERNETES_RULES + "test_prod_governance_on_kubernetes",
        modelspec="risk high: bias and explainability monitors enabled",
        spec_language="risk high: bias and explainability monitors enabled",
        kubernetes="risk-driven monitors in prod | do not apply",
    ),
    rule(
        "governance.table.risk-model-quality",
        STACK_RULES + "test_prod_governance_rules",
        STACK_RULES + "test_prod_requires_the_model_quality_monitor_of_a_medium_risk_model",
        "tests/test_pools_validate.py::test_prod_asks_a_risky_component_for_an_endpoint_of_its_own_not_for_a_monitor",
        modelspec="risk medium or high: model quality monitor enabled",
        spec_language="risk medium or high: model quality monitor enabled",
    ),
    rule(
        "governance.table.network-isolation",
        spec("isolation-off-confidential"),
        k8s("confidential-data"),
        spec_language="network isolation for confidential and restricted data | yes | yes | yes",
    ),
    rule(
        "governance.table.required-tags",
        policy("required-tags"),
        PLAN + "test_tags_on_every_taggable_resource",
        KUBERNETES_RENDER + "test_irsa_role_trusts_exactly_one_service_account",
        modelspec="tags `owner`, `model`, `model-version`, `environment`, `managed-by` on every taggable resource",
        spec_language="tags `owner`, `model`, `model-version`, `environment`, `managed-by` on every taggable resource",
        kubernetes="tags, no IAM wildcards, permissions boundary | apply to the model's AWS resources (its IRSA role)",
    ),
    rule(
        "governance.table.iam",
        policy("no-wildcard-iam-actions"),
        policy("no-full-access-policies"),
        policy("permissions-boundary"),
        "tests/test_policies.py::test_a_policy_granting_actions_it_does_not_name_is_refused",
        KUBERNETES_RENDER + "test_irsa_policies_pass_the_linter",
        modelspec="no IAM action `*`, no AWS-managed FullAccess policy, boundary attached when configured",
        spec_language="no IAM action `*`, no AWS-managed FullAccess policy, boundary attached when configured",
    ),
    rule(
        "governance.table.role-policy-size",
        policy("role-policy-size"),
        "tests/test_resource_rules.py::test_a_role_policy_may_fill_iams_quota_and_no_more",
        "tests/test_model_role_size.py::test_a_model_reading_too_many_prefixes_is_refused_on_its_pin",
        "tests/test_model_role_size.py::test_a_role_may_fill_the_quota_and_no_more",
        "tests/test_model_role_size.py::test_validate_measures_each_models_role_as_the_program_renders_it",
        "tests/test_pools_validate.py::test_the_role_policy_finding_says_what_one_model_adds",
        spec_language="each role's inline policy within IAM's 10,240 characters, white space not counted",
    ),
    # --- kubernetes serving -------------------------------------------------------------------
    rule(
        "kubernetes.kserve-model-format",
        k8s("kserve-model-format"),
        k8s("kserve-needs-format-or-image"),
        k8s_unseen("model-format"),
        KUBERNETES_RENDER + "test_recorded_inference_service_with_a_canary",
        kubernetes_serving="`runtime: kserve` serves `model.artifact` with `model.framework` as KServe's "
        "`modelFormat` (sklearn, xgboost, lightgbm, pytorch, tensorflow, onnx, huggingface)",
        kubernetes="`runtime: kserve` takes `framework` as KServe's model format",
    ),
    rule(
        "kubernetes.kserve-custom-predictor",
        k8s("kserve-format-or-image"),
        KUBERNETES_RENDER + "test_recorded_inference_service_of_an_own_image",
        "tests/test_kubernetes_unseen.py::test_a_custom_predictor_scaling_to_zero",
        kubernetes_serving="or `model.artifact` + `model.image` as a custom predictor container",
    ),
    rule(
        "kubernetes.kserve-framework-choices",
        k8s("framework-version-alone"),
        k8s("no-sagemaker-image-choice"),
        "tests/test_frameworks.py::test_framework_choices_with_kubernetes_serving_are_refused",
        kubernetes="`framework_version` is optional there and not checked against the sagemaker SDK",
    ),
    rule(
        "kubernetes.deployment-needs-an-image",
        k8s("deployment-needs-image"),
        k8s("deployment-takes-no-framework"),
        KUBERNETES_RENDER + "test_recorded_deployment_service_hpa_and_pdb",
        kubernetes_serving="`runtime: deployment` needs `model.image` (a model server listening on `port`)",
        kubernetes="`runtime: deployment` needs `image`, a model server listening on `port`, and takes no `framework`",
    ),
    rule(
        "kubernetes.artifact-variable-is-modelops",
        k8s_unseen("storage-uri-is-ours"),
        k8s_unseen("artifact-uri-is-ours"),
        kubernetes="`model.environment` may not set the variable that carries the artifact to the container",
    ),
    rule(
        "kubernetes.no-registry-package",
        k8s("no-registry-package"),
        spec("kubernetes-package"),
        kubernetes_serving="`model.package` (SageMaker registry) is not available on kubernetes.",
        kubernetes="`model.artifact` always; no `model.package` (the registry is SageMaker's)",
    ),
    rule(
        "kubernetes.registry-approval-cannot-hold",
        k8s("no-registry-package"),
        kubernetes="registry approval (`approval: registry`) | cannot hold",
    ),
    rule(
        "kubernetes.monitoring-disabled",
        k8s("monitoring-disabled"),
        k8s("override-monitors-on-kubernetes"),
        kubernetes_serving="`monitoring` must be all disabled on kubernetes",
    ),
    rule(
        "kubernetes.feature-store-access",
        "tests/test_kubernetes_unseen.py::test_a_custom_predictor_scaling_to_zero",
        KUBERNETES_RULES + "test_kubernetes_only_stack_needs_no_vpc",
        kubernetes_serving="`features.reads` and `features.groups` work as on SageMaker (the pod's role gets the "
        "same Feature Store access)",
    ),
    rule(
        "kubernetes.sagemaker-only-fields",
        k8s("no-instance-type"),
        k8s("no-instance-count"),
        k8s("no-autoscaling"),
        k8s("no-serverless"),
        k8s("no-async"),
        k8s("realtime-only"),
        k8s("no-guardrail-settings"),
        k8s("no-rollback-alarms"),
        k8s("no-network-isolation"),
        k8s("kubernetes-block-on-sagemaker"),
        kubernetes="`instance_type`, `instance_count`, `autoscaling`, `serverless`, `async`; `mode` other than "
        "realtime",
    ),
    rule(
        "kubernetes.replicas",
        k8s("min-max-replicas"),
        k8s("scale-to-zero-kserve-only"),
        k8s("override-min-max"),
        k8s_unseen("replicas-int32"),
        kubernetes_serving="`min_replicas <= max_replicas`; `min_replicas: 0` only with `runtime: kserve`.",
        kubernetes="`min_replicas <= max_replicas`, both int32 as in the Kubernetes API",
    ),
    rule(
        "kubernetes.rollout",
        KUBERNETES_RENDER + "test_rolling_strategy_never_takes_serving_replicas_away",
        kubernetes_serving="`rollout`: `rolling` (batch percent becomes maxSurge, with 0 unavailable) or "
        "`all_at_once` (Recreate on a Deployment)",
    ),
    rule(
        "kubernetes.canary-and-linear-refused",
        k8s("no-canary-rollout"),
        k8s("no-linear-rollout"),
        k8s("override-canary"),
        kubernetes_serving="`canary` and `linear` are SageMaker deployment guardrails: on kubernetes they are errors "
        "that say how to get the same result",
    ),
    rule(
        "kubernetes.challenger-is-a-kserve-canary",
        KUBERNETES_RULES + "test_challenger_needs_kserve",
        "tests/test_kubernetes_unseen.py::test_a_challenger_is_a_kserve_canary_entry",
        KUBERNETES_RENDER + "test_recorded_inference_service_with_a_canary",
        kubernetes_serving="pin the new version as a `challenger` with its `traffic_percent`, which becomes a KServe "
        "canary entry (`runtime: kserve` only)",
    ),
    rule(
        "kubernetes.promote-a-challenger",
        GITOPS + "test_promoting_a_kserve_challenger_retires_it",
        kubernetes_serving="promoting it later is the same `modelops promote` as on SageMaker",
    ),
    rule(
        "kubernetes.no-shadow",
        KUBERNETES_RULES + "test_no_shadow_on_kubernetes",
        k8s_unseen("no-shadow"),
        kubernetes_serving="`shadow` pins are not available on kubernetes (error).",
    ),
    rule(
        "kubernetes.target-per-environment",
        "tests/test_kubernetes_unseen.py::test_a_target_per_environment",
        k8s("override-to-kubernetes"),
        k8s("override-keeps-target"),
        kubernetes_serving="`environments` overrides may switch `target` per environment",
    ),
    rule(
        "kubernetes.rules-on-the-merged-spec",
        k8s("override-scale-metric"),
        k8s("override-memory"),
        k8s("override-min-max"),
        KUBERNETES_RULES + "test_override_finding_points_at_the_override",
        kubernetes_serving="every rule applies to the merged result",
    ),
    rule(
        "kubernetes.hpa-metrics",
        k8s("kserve-hpa-metrics"),
        k8s("deployment-hpa-metrics"),
        k8s("scale-target-percent"),
        k8s("scale-target-positive"),
        kubernetes="`scale_metric` is `cpu` or `memory` for **both** runtimes",
    ),
    rule(
        "kubernetes.resources",
        k8s("cpu-quantity"),
        k8s("cpu-not-zero"),
        k8s("cpu-millicores"),
        k8s("memory-units"),
        k8s("memory-millibytes"),
        k8s("memory-without-unit"),
        k8s("memory-not-zero"),
        k8s("gpu-per-node"),
        k8s("gpu-count"),
        kubernetes="`cpu` and `memory` are Kubernetes quantities, read strictly",
    ),
    rule(
        "kubernetes.names",
        KUBERNETES_RULES + "test_model_names_are_dns_labels",
        k8s("namespace-label"),
        k8s("namespace-length"),
        k8s("namespace-reserved"),
        k8s("kserve-host-label"),
        k8s("version-label"),
        KUBERNETES_RULES + "test_build_metadata_cannot_be_a_label",
        kubernetes="`namespace` is a DNS label of at most 63 characters, not `kube-*`",
    ),
    rule(
        "kubernetes.capture-is-kserves",
        k8s("deployment-has-no-capture"),
        kubernetes="**Data capture** is KServe's payload logger: not available with `runtime: deployment`.",
    ),
    rule(
        "kubernetes.stack-needs-the-oidc-provider",
        KUBERNETES_RULES + "test_kubernetes_needs_the_oidc_provider",
        KUBERNETES_RULES + "test_a_stack_without_kubernetes_config",
        KUBERNETES_RULES + "test_oidc_provider_arn",
        kubernetes_serving="A stack that deploys a kubernetes model without `modelops:kubernetes.oidcProviderArn` is "
        "an error",
        kubernetes="A stack that pins a kubernetes version (any variant, as its environment sees it) needs "
        "`modelops:kubernetes.oidcProviderArn`",
    ),
    rule(
        "kubernetes.capture-needs-the-payload-logger",
        KUBERNETES_RULES + "test_data_capture_needs_the_payload_logger",
        KUBERNETES_RULES + "test_data_capture_off_needs_no_payload_logger",
        kubernetes_serving="and so is data capture on kubernetes without `payloadLoggerUrl`",
    ),
    rule(
        "kubernetes.stack-variants",
        KUBERNETES_RULES + "test_manage_namespaces_never_owns_default",
        KUBERNETES_RULES + "test_challenger_in_the_primary_namespace",
        KUBERNETES_RULES + "test_challenger_on_the_primary_target",
        kubernetes="With `manageNamespaces: true` no model may use `default`",
    ),
    rule(
        "kubernetes.irsa-identity",
        KUBERNETES_RENDER + "test_irsa_role_trusts_exactly_one_service_account",
        kubernetes_serving="whose trust policy allows only `sts:AssumeRoleWithWebIdentity` from the stack's OIDC "
        "provider",
    ),
    rule(
        "kubernetes.irsa-least-privilege",
        KUBERNETES_RENDER + "test_irsa_permissions_are_the_execution_scope_of_the_pod",
        KUBERNETES_RENDER + "test_irsa_policies_pass_the_linter",
        "tests/test_kubernetes_unseen.py::test_a_custom_predictor_scaling_to_zero",
        kubernetes_serving="its permissions follow the same least-privilege rules as a SageMaker execution role",
    ),
    rule(
        "kubernetes.inference-service",
        KUBERNETES_RENDER + "test_recorded_inference_service_with_a_canary",
        KUBERNETES_RENDER + "test_recorded_inference_service_of_an_own_image",
        "tests/test_kubernetes_rehearse.py::test_every_rendered_inference_service_validates_against_the_kserve_crd",
        kubernetes_serving="`kserve`: an InferenceService `serving.kserve.io/v1beta1` in Standard (raw deployment) "
        "mode with HPA autoscaling",
    ),
    rule(
        "kubernetes.deployment-objects",
        KUBERNETES_RENDER + "test_recorded_deployment_service_hpa_and_pdb",
        KUBERNETES_RENDER + "test_pod_disruption_budget_only_from_two_replicas",
        "tests/test_kubernetes_unseen.py::test_a_gpu_deployment_on_its_own_port",
        kubernetes_serving="when `min_replicas >= 2`, a PodDisruptionBudget (policy/v1); readiness and liveness "
        "probes on `port`",
    ),
    rule(
        "kubernetes.labels",
        KUBERNETES_RENDER + "test_every_object_carries_the_standard_labels",
        kubernetes_serving="Every object carries the labels `app.kubernetes.io/name`, `app.kubernetes.io/version`, "
        "`app.kubernetes.io/managed-by: modelops` and `modelops/environment`.",
    ),
)
