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
    require_stack,
    stack_config_from_mapping,
    stack_names,
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
