"""Stack files: config keys Pulumi can read, and ARNs of the stack's partition and region."""

from __future__ import annotations

from pathlib import Path

import pytest

from modelops.errors import UsageError
from modelops.spec.loader import Problem, ProblemsFound
from modelops.spec.stack import (
    STACKS_DIR,
    arn_placement_problem,
    config_path,
    load_stack_file,
    require_stack,
    stack_config_from_mapping,
    stack_names,
    stack_path,
    stack_problem,
)
from tests.conftest import REPO_ROOT, assert_problem, edit_yaml, problems, read_yaml, spec_path

PROD_KMS = "arn:aws:kms:eu-west-1:123456789012:key/9a8b7c6d-5e4f-3a2b-1c0d-e9f8a7b6c5d4"


def stack_file(root: Path, name: str) -> Path:
    return root / "stacks" / f"Pulumi.{name}.yaml"


def replace_in(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert text.count(old) == 1, f"{old!r} not once in {path}"
    path.write_text(text.replace(old, new))


def set_config(root: Path, stack: str, key: str, value: str) -> None:
    edit_yaml(stack_file(root, stack), lambda d: d["config"].__setitem__(key, value))


def line_of(path: Path, fragment: str) -> int:
    return next(n for n, line in enumerate(path.read_text().splitlines(), 1) if fragment in line)


def on_field(found: list[Problem], field: str) -> list[Problem]:
    return [p for p in found if p.field == field]


# --- keys without a namespace ---------------------------------------------------------------


def test_pin_indented_out_of_models_names_its_line_and_where_it_belongs(project: Path) -> None:
    dev = stack_file(project, "dev")
    replace_in(dev, "    sentiment-api: latest\n", "")
    replace_in(dev, "  modelops:tags:", "  sentiment-api: latest\n  modelops:tags:")  # one level too little
    found = assert_problem(
        problems(project), "sentiment-api", "did you mean to put it under modelops:models?", "Pulumi.dev.yaml"
    )
    assert "has no namespace" in found.message
    assert (found.line, found.column) == (line_of(dev, "sentiment-api"), 3)


def test_pin_like_key_of_no_known_model_is_still_pointed_at_models(project: Path) -> None:
    replace_in(stack_file(project, "dev"), "  modelops:tags:", "  ghost-model: 1.0.0\n  modelops:tags:")
    found = assert_problem(problems(project), "ghost-model", "has no namespace", "Pulumi.dev.yaml")
    assert "if it is a model pin, it belongs under modelops:models" in found.message


def test_other_key_without_namespace_is_an_error_without_pin_hint(project: Path) -> None:
    set_config(project, "staging", "foo", "bar")
    found = assert_problem(problems(project), "foo", "'foo' has no namespace", "Pulumi.staging.yaml")
    assert "modelops:models" not in found.message


def test_key_with_two_colons_is_not_a_pulumi_key(project: Path) -> None:
    set_config(project, "dev", "modelops:models:churn-classifier", "1.2.0")
    assert_problem(problems(project), "modelops:models:churn-classifier", "with one colon", "Pulumi.dev.yaml")


def test_keys_of_other_namespaces_are_left_to_their_owners(project: Path) -> None:
    for key, value in (
        ("aws:profile", "ml"),
        ("pulumi:disable-default-providers", '["kubernetes"]'),
        ("kubernetes:context", "ml"),
        ("aws:config:skipCredentialsValidation", "true"),  # Pulumi's legacy <namespace>:config:<name>
    ):
        set_config(project, "dev", key, value)
    assert problems(project) == []


# --- ARNs: partition, region, and no KMS alias ------------------------------------------------


def test_kms_alias_is_refused_with_the_reason(project: Path) -> None:
    set_config(project, "prod", "modelops:kmsKeyArn", "arn:aws:kms:eu-west-1:123456789012:alias/ml-prod")
    found = assert_problem(
        problems(project), "modelops:kmsKeyArn", "this is a KMS alias, not a key", "Pulumi.prod.yaml"
    )
    assert "Resource element" in found.message and "use the key ARN" in found.message


def test_kms_key_of_another_region(project: Path) -> None:
    set_config(project, "prod", "modelops:kmsKeyArn", PROD_KMS.replace("eu-west-1", "us-east-1"))
    found = assert_problem(
        problems(project),
        "modelops:kmsKeyArn",
        "is in us-east-1, but the stack deploys to eu-west-1",
        "Pulumi.prod.yaml",
    )
    assert "multi-Region replica" in found.message


def test_kms_key_of_another_partition(project: Path) -> None:
    set_config(project, "staging", "modelops:kmsKeyArn", PROD_KMS.replace("arn:aws:", "arn:aws-cn:"))
    assert_problem(
        problems(project),
        "modelops:kmsKeyArn",
        "is in partition aws-cn, but region eu-west-1 is in partition aws",
        "Pulumi.staging.yaml",
    )


def test_alarm_topic_of_another_region(project: Path) -> None:
    set_config(project, "prod", "modelops:alarmTopicArn", "arn:aws:sns:eu-central-1:123456789012:ml-alarms")
    assert_problem(
        problems(project),
        "modelops:alarmTopicArn",
        "CloudWatch alarm actions must be in the alarm's region",
        "Pulumi.prod.yaml",
    )


def test_permissions_boundary_of_another_partition(project: Path) -> None:
    set_config(
        project, "prod", "modelops:permissionsBoundaryArn", "arn:aws-us-gov:iam::123456789012:policy/ml-boundary"
    )
    assert_problem(
        problems(project), "modelops:permissionsBoundaryArn", "is in partition aws-us-gov", "Pulumi.prod.yaml"
    )


def test_stack_arns_of_its_own_partition_and_region_pass(project: Path) -> None:
    assert problems(project) == []  # the repository's stacks: eu-west-1 keys and topics


@pytest.mark.parametrize(
    ("arn", "region", "fragment"),
    [
        ("arn:aws-cn:kms:cn-north-1:123456789012:key/k", "cn-north-1", None),
        (
            "arn:aws:kms:cn-north-1:123456789012:key/k",
            "cn-north-1",
            "is in partition aws, but region cn-north-1 is in partition aws-cn",
        ),
        ("arn:aws-us-gov:sns:us-gov-west-1:123456789012:t", "us-gov-west-1", None),
        ("arn:aws-us-gov:sns:us-gov-east-1:123456789012:t", "us-gov-west-1", "the SNS topic"),
        ("arn:aws:iam::123456789012:policy/p", "eu-west-1", None),  # IAM is global: no region to match
        ("arn:aws:ssm:eu-west-2:123456789012:parameter/p", "eu-west-1", "the SSM parameter"),
    ],
)
def test_arn_partition_and_region_by_stack_region(arn: str, region: str, fragment: str | None) -> None:
    problem = arn_placement_problem(arn, region)
    assert problem is None if fragment is None else problem is not None and fragment in problem


# --- model.secrets of the specs a stack pins -----------------------------------------------


def test_secret_of_another_region_in_a_pinned_spec(project: Path) -> None:
    path = spec_path(project, "churn-classifier", "1.2.0")  # prod's primary
    replace_in(path, "secretsmanager:eu-west-1:", "secretsmanager:us-east-1:")
    found = assert_problem(
        problems(project),
        "model.secrets.CRM_TOKEN",
        "the secret arn:aws:secretsmanager:us-east-1:123456789012:secret:crm-token-AbCdEf is in us-east-1, "
        "but the stack deploys to eu-west-1",
        "churn-classifier/1.2.0.yaml",
    )
    assert "(stack prod pins this version as primary)" in found.message
    assert found.line == line_of(path, "CRM_TOKEN")


def test_ssm_parameter_of_another_partition_in_a_pinned_spec(project: Path) -> None:
    replace_in(
        spec_path(project, "churn-classifier", "1.3.0"),  # dev (latest) and staging primary, prod shadow
        '"arn:aws:secretsmanager:eu-west-1:123456789012:secret:crm-token-AbCdEf"',
        '"arn:aws-cn:ssm:cn-north-1:123456789012:parameter/crm/token"',
    )
    found = on_field(problems(project), "model.secrets.CRM_TOKEN")
    assert all("is in partition aws-cn, but region eu-west-1 is in partition aws" in p.message for p in found)
    pinned_by = sorted(p.message.rsplit("(stack ", 1)[1] for p in found)
    assert pinned_by == [
        "dev pins this version as primary)",  # latest
        "prod pins this version as shadow)",
        "staging pins this version as primary)",
    ]


def test_each_environment_has_its_stack_file_where_pulumi_reads_it() -> None:
    """`stacks/Pulumi.<stack>.yaml`, one per environment: Pulumi.yaml's stackConfigDir points
    Pulumi at stacks/, where modelops finds the same stacks."""
    assert read_yaml(REPO_ROOT / "Pulumi.yaml")["stackConfigDir"] == STACKS_DIR == "stacks"
    environments = {
        name: read_yaml(stack_file(REPO_ROOT, name))["config"]["modelops:environment"]
        for name in stack_names(REPO_ROOT)
    }
    assert environments == {"dev": "dev", "staging": "staging", "prod": "prod"}


# --- the stack's config as the Pulumi program reads it: no file, so no line -------------------

PROGRAM_CONFIG = {"aws:region": "us-east-1", "modelops:environment": "dev"}
NO_NAMESPACE = (
    "'ghost-model' has no namespace: Pulumi reads stack config keys as <namespace>:<name> "
    "(modelops:..., aws:...) and rejects the file"
)


@pytest.mark.parametrize(
    ("value", "looks_like_a_pin"),
    [
        ({"version": "1.0.0"}, True),
        ("latest", True),
        ("1.2", True),
        ("1.0.0-rc.1", True),
        ({"versions": "1.0.0"}, False),
        ("Latest", False),
        ("v1.0.0", False),
        (1, False),
    ],
)
def test_a_key_without_namespace_in_the_programs_config_is_found_on_the_stack(
    value: object, looks_like_a_pin: bool
) -> None:
    """Inside `pulumi up` the config has no file: the finding names the stack, line 1, and
    hints at modelops:models only when the value reads as a pin."""
    with pytest.raises(ProblemsFound) as raised:
        stack_config_from_mapping("dev", {**PROGRAM_CONFIG, "ghost-model": value})
    hint = "; if it is a model pin, it belongs under modelops:models" if looks_like_a_pin else ""
    assert raised.value.problems == [Problem("stack dev", 1, 1, "ghost-model", NO_NAMESPACE + hint)]


def test_a_problem_of_a_stack_field_points_at_its_config_key() -> None:
    assert config_path(()) == ("config",)
    assert config_path(("no-such-field",)) == ("config",)
    assert config_path(("models", "ranker", "version")) == ("config", "modelops:models", "ranker")
    assert config_path(("models", "ranker", "challenger", "version")) == (
        "config",
        "modelops:models",
        "ranker",
        "challenger",
        "version",
    )


def test_a_stack_is_required_by_its_file_and_none_are_listed(tmp_path: Path) -> None:
    with pytest.raises(UsageError) as raised:
        require_stack(tmp_path, "dev", "--to")
    assert (
        str(raised.value)
        == "--to 'dev': no file stacks/Pulumi.dev.yaml (stacks: none, stacks/ holds no Pulumi.<stack>.yaml)"
    )
    (tmp_path / STACKS_DIR).mkdir()
    (tmp_path / STACKS_DIR / "Pulumi.prod.yaml").write_text("config: {}\n")
    (tmp_path / STACKS_DIR / "Pulumi.dev.yaml").write_text("config: {}\n")
    assert require_stack(tmp_path, "dev", "--to") == "dev"
    with pytest.raises(UsageError) as raised:
        require_stack(tmp_path, "qa", "--stack")
    assert str(raised.value) == "--stack 'qa': no file stacks/Pulumi.qa.yaml (stacks: dev, prod)"


def test_a_stack_rule_found_by_the_program_names_the_stack_and_its_key() -> None:
    stack = stack_config_from_mapping("prod-eu", {**PROGRAM_CONFIG, "modelops:models": {"ranker": "1.0.0"}})
    assert stack_problem(None, stack, ("models", "ranker", "version"), "only dev stacks may pin 'latest'") == Problem(
        "stack prod-eu", 1, 1, "modelops:models.ranker", "only dev stacks may pin 'latest'"
    )


# --- findings of a stack's config, read without its file (the program's config) -------------

SECRET_FIX_TAIL = (
    "which stores it encrypted (secure: v1:...); the deploy workflows take short-lived credentials from OIDC "
    "and need no key in the file"
)
OIDC_DEV = (
    "arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/5C1D2E3F4A5B6C7D8E9F0A1B2C3D4E5F"
)
KMS_ALIAS = (
    "this is a KMS alias, not a key: the execution roles' policies name this ARN in their Resource element, "
    "where an alias grants no use of the key behind it (AWS KMS: an alias cannot identify a KMS key in a "
    "policy's Resource); use the key ARN (arn:<partition>:kms:<region>:<account>:key/<key-id>) the alias points to"
)

RESERVED_TAG = "tag keys starting with 'aws:' (in any case) are reserved by AWS"
KUBERNETES_FIELDS = "context, manageNamespaces, oidcProviderArn, payloadLoggerUrl)"


def config_findings(extra: dict[str, object]) -> list[tuple[str, str, str]]:
    """(file, field, message) of each finding of stack `prod-eu` (region eu-west-1) given `extra`."""
    with pytest.raises(ProblemsFound) as raised:
        stack_config_from_mapping("prod-eu", {"aws:region": "eu-west-1", "modelops:environment": "dev", **extra})
    return [(p.file, p.field, p.message) for p in raised.value.problems]


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        (
            {"modelops:kmsKeyArn": "nope"},
            [
                (
                    "modelops:kmsKeyArn",
                    "the text 'nope' is not the ARN of a KMS key, arn:<partition>:kms:<region>:<account>:key/<key-id>",
                )
            ],
        ),
        (
            {"modelops:kmsKeyArn": "arn:aws:kms:eu-west-1:123456789012:alias/ml-prod"},
            [("modelops:kmsKeyArn", KMS_ALIAS)],
        ),
        (
            {"modelops:tags": {"Environment": "x"}},
            [
                (
                    "modelops:tags.Environment",
                    "'Environment' and modelops's own tag 'environment' differ only in case, and IAM takes a "
                    "role's tag keys without case (CreateRole refuses both): keep one",
                )
            ],
        ),
        ({"modelops:tags": {"aws:owner": "x"}}, [("modelops:tags.aws:owner", RESERVED_TAG)]),
        (
            {"modelops:kubernetes": {"contxt": "ml-dev"}},
            [("modelops:kubernetes.contxt", "unknown field; did you mean `context`? (allowed: " + KUBERNETES_FIELDS)],
        ),
        (
            # a key Pulumi cannot read does not stop the check of the keys after it
            {"ghost": "x", "modelops:bogus": 1},
            [
                (
                    "ghost",
                    "'ghost' has no namespace: Pulumi reads stack config keys as <namespace>:<name> "
                    "(modelops:..., aws:...) and rejects the file",
                ),
                (
                    "modelops:bogus",
                    "unknown key (known: modelops:environment, modelops:models, modelops:kmsKeyArn, "
                    "modelops:permissionsBoundaryArn, modelops:vpc, modelops:buckets, modelops:alarmTopicArn, "
                    "modelops:tags, modelops:kubernetes, modelops:pools)",
                ),
            ],
        ),
        (
            {"myapp:config:password": "hunter2"},  # the legacy <namespace>:config:<name>: its name is the last part
            [
                (
                    "myapp:config:password",
                    "a credential in plain text: remove it, rotate the credential, and set it with "
                    f"`pulumi config set --secret myapp:config:password <value>`, {SECRET_FIX_TAIL}",
                )
            ],
        ),
        (
            {"myapp:apiTokens": ["plain", {"secure": "v1:abc"}]},  # a list item takes its key's name
            [
                (
                    "myapp:apiTokens[0]",
                    "a credential in plain text: remove it, rotate the credential, and set it with "
                    f"`pulumi config set --secret --path myapp:apiTokens[0] <value>`, {SECRET_FIX_TAIL}",
                )
            ],
        ),
        (
            {"modelops:tags": {"ci-user": "AKIAIOSFODNN7EXAMPLE", "api-token": "not-a-secret"}},
            [
                (
                    "modelops:tags.ci-user",
                    "an AWS access key id in plain text: remove it and rotate the credential: modelops passes "
                    "this value to AWS as written",
                )
            ],
        ),
        (
            {
                "modelops:kubernetes": {"oidcProviderArn": OIDC_DEV},
                "modelops:permissionsBoundaryArn": "arn:aws:iam::210987654321:policy/b",
            },
            [
                (
                    "modelops:kubernetes.oidcProviderArn",
                    "the OIDC provider is in account 123456789012, the permissions boundary in 210987654321: the "
                    "IRSA roles are created in one account, which must hold both (an IAM role trusts only a "
                    "provider of its own account)",
                )
            ],
        ),
    ],
)
def test_each_finding_of_a_stack_config_names_the_stack_its_key_and_the_rule(
    extra: dict[str, object], expected: list[tuple[str, str]]
) -> None:
    assert config_findings(extra) == [("stack prod-eu", field, message) for field, message in expected]


@pytest.mark.parametrize(
    "extra",
    [
        {"modelops:kmsKeyArn": {"secure": "v1:abc"}},  # encrypted: unreadable offline, so taken as unset
        {"aws:secretKey": {"secure": "v1:abc"}, "myapp:db": {"password": {"secure": "v1:abc"}}},
        {"myapp:db": {"password": {"secure": "v1:AKIAIOSFODNN7EXAMPLE"}}},  # encrypted text is never searched
        {"tokenstore:region": "eu-west-1"},  # a credential's name is looked for after the namespace
        {"myapp:db": {"host": "db.internal", "port": "5432"}},  # plain settings under a key of no credential
        {
            "modelops:kubernetes": {"oidcProviderArn": OIDC_DEV},
            "modelops:permissionsBoundaryArn": "arn:aws:iam::123456789012:policy/b",  # the provider's account
        },
    ],
)
def test_a_stack_config_without_a_mistake_is_taken(extra: dict[str, object]) -> None:
    stack = stack_config_from_mapping("dev", {"aws:region": "eu-west-1", "modelops:environment": "dev", **extra})
    assert stack.name == "dev" and stack.kms_key_arn is None


@pytest.mark.parametrize(
    ("arn", "expected"),
    [
        (
            "arn:aws:kms:us-east-1:123456789012:key/k",  # no reason given: none appended
            "the KMS key arn:aws:kms:us-east-1:123456789012:key/k is in us-east-1, but the stack deploys to eu-west-1",
        ),
        ("arn:aws:kms", None),  # malformed ARNs are the field pattern's to report
        ("xrn:aws:kms:us-east-1:123456789012:key/k", None),
    ],
)
def test_an_arn_of_another_region_is_placed_exactly(arn: str, expected: str | None) -> None:
    assert arn_placement_problem(arn, "eu-west-1") == expected


@pytest.mark.parametrize("name", ["../prod", "a/b", "dev\0"])
def test_a_stack_name_that_is_no_file_name_is_refused(tmp_path: Path, name: str) -> None:
    with pytest.raises(UsageError) as raised:
        stack_path(tmp_path, name)
    assert str(raised.value) == f"{name!r} is not a stack name: a stack is a file stacks/Pulumi.<stack>.yaml"


# --- reading a stack file ---------------------------------------------------------------------


def test_a_stack_without_its_file_is_one_problem_on_the_file_it_needs(project: Path) -> None:
    with pytest.raises(ProblemsFound) as raised:
        load_stack_file(project, "qa")
    assert raised.value.problems == [
        Problem("stacks/Pulumi.qa.yaml", 1, 1, "", "stack 'qa' has no file stacks/Pulumi.qa.yaml")
    ]


@pytest.mark.parametrize("text", ["config: [a]\n", "- config\n"])
def test_a_stack_file_must_hold_a_config_mapping(project: Path, text: str) -> None:
    stack_file(project, "dev").write_text(text)
    with pytest.raises(ProblemsFound) as raised:
        load_stack_file(project, "dev")
    assert [(p.file, p.line, p.field, p.message) for p in raised.value.problems] == [
        ("stacks/Pulumi.dev.yaml", 1, "", "a stack file holds a 'config:' mapping")
    ]


def test_a_stack_text_is_checked_in_place_of_its_file(project: Path) -> None:
    text = "config:\n  aws:region: eu-west-1\n  modelops:environment: staging\n  modelops:bogus: 1\n"
    for name in ("dev", "qa"):  # a stack whose file differs, and one with no file yet
        with pytest.raises(ProblemsFound) as raised:
            load_stack_file(project, name, text)
        assert [(p.file, p.line, p.column, p.field) for p in raised.value.problems] == [
            (f"stacks/Pulumi.{name}.yaml", 4, 3, "modelops:bogus")
        ]
    stack, _ = load_stack_file(project, "dev", text.replace("  modelops:bogus: 1\n", ""))
    assert stack.environment == "staging"


def test_a_key_named_after_a_model_folder_is_pointed_at_models(project: Path) -> None:
    text = "config:\n  aws:region: eu-west-1\n  modelops:environment: dev\n  fraud-detector: {}\n"
    with pytest.raises(ProblemsFound) as raised:
        load_stack_file(project, "dev", text)
    assert [(p.file, p.line, p.field, p.message) for p in raised.value.problems] == [
        (
            "stacks/Pulumi.dev.yaml",
            4,
            "fraud-detector",
            "'fraud-detector' has no namespace: Pulumi reads stack config keys as <namespace>:<name> "
            "(modelops:..., aws:...) and rejects the file; did you mean to put it under modelops:models? "
            "(model_specs/fraud-detector/ exists)",
        )
    ]


def test_a_stack_file_is_read_in_a_repository_without_model_specs(tmp_path: Path) -> None:
    (tmp_path / STACKS_DIR).mkdir()
    (tmp_path / STACKS_DIR / "Pulumi.dev.yaml").write_text(
        "config:\n  aws:region: eu-west-1\n  modelops:environment: dev\n"
    )
    stack, doc = load_stack_file(tmp_path, "dev")
    assert (stack.name, stack.region, doc.data["config"]["modelops:environment"]) == ("dev", "eu-west-1", "dev")
