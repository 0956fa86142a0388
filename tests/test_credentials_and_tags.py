"""Stack files hold no plain-text credential, and every tag follows AWS's character rules."""

from __future__ import annotations

from pathlib import Path

import pytest

from modelops.aws import tags
from modelops.spec.loader import Problem
from tests.conftest import assert_problem, edit_yaml, problems, spec_path
from tests.test_stack_config import line_of, stack_file

SECRET_FIX = "pulumi config set --secret"


def add_config(root: Path, stack: str, lines: str) -> Path:
    """Append config lines under `config:` (two-space indented YAML text)."""
    path = stack_file(root, stack)
    path.write_text(path.read_text() + lines)
    return path


def stack_problems(root: Path, stack: str = "dev") -> list[Problem]:
    return [p for p in problems(root) if p.file == f"stacks/Pulumi.{stack}.yaml"]


# --- credentials ------------------------------------------------------------------------------


@pytest.mark.parametrize("key", ["aws:secretKey", "aws:accessKey", "aws:token", "myapp:dbPassword", "gcp:apiToken"])
def test_a_plain_text_credential_is_refused(project: Path, key: str) -> None:
    path = add_config(project, "dev", f"  {key}: wJalrXUtnFEMI-K7MDENG-bPxRfiCYEXAMPLEKEY\n")
    found = assert_problem(stack_problems(project), key, "a credential in plain text")
    assert f"`{SECRET_FIX} {key} <value>`" in found.message and "stores it encrypted" in found.message
    assert (found.line, found.column) == (line_of(path, key), 3)
    assert str(found).startswith(f"stacks/Pulumi.dev.yaml:{found.line}:3: {key}: a credential in plain text")


def test_an_encrypted_credential_is_fine(project: Path) -> None:
    add_config(project, "dev", "  aws:secretKey:\n    secure: v1:Zm9vYmFyYmF6:cXV4\n  aws:token: ''\n")
    assert stack_problems(project) == []


def test_settings_whose_names_look_like_credentials_but_are_not(project: Path) -> None:
    add_config(
        project,
        "dev",
        "  aws:tokenBucketRateLimiterCapacity: 100\n"  # a number: matches Pulumi's pattern, holds no secret
        "  aws:sharedCredentialsFiles: [/home/ci/.aws/credentials]\n"
        "  aws:assumeRoleWithWebIdentity: {roleArn: 'arn:aws:iam::123456789012:role/ci', "
        "webIdentityTokenFile: /var/run/token}\n",
    )
    assert stack_problems(project) == []


def test_a_nested_credential_names_its_path(project: Path) -> None:
    add_config(
        project,
        "dev",
        "  aws:assumeRoleWithWebIdentity:\n    roleArn: arn:aws:iam::123456789012:role/ci\n"
        "    webIdentityToken: eyJhbGciOiJSUzI1NiJ9.payload.signature\n",
    )
    found = assert_problem(
        stack_problems(project), "aws:assumeRoleWithWebIdentity.webIdentityToken", "a credential in plain text"
    )
    assert f"`{SECRET_FIX} --path aws:assumeRoleWithWebIdentity.webIdentityToken <value>`" in found.message


def test_an_access_key_id_is_refused_anywhere(project: Path) -> None:
    edit_yaml(
        stack_file(project, "dev"),
        lambda d: d["config"]["modelops:tags"].update({"ci-user": "AKIAIOSFODNN7EXAMPLE"}),
    )
    found = assert_problem(stack_problems(project), "modelops:tags.ci-user", "an AWS access key id in plain text")
    assert "remove it and rotate the credential" in found.message and SECRET_FIX not in found.message
    add_config(project, "staging", "  aws:profile: ASIAY34FZKBOKMUTVV7A\n")
    assert_problem(stack_problems(project, "staging"), "aws:profile", "an AWS access key id in plain text")


def test_a_private_key_is_refused(project: Path) -> None:
    add_config(project, "dev", "  myapp:signing: '-----BEGIN RSA PRIVATE KEY----- MIIEow...'\n")
    assert_problem(stack_problems(project), "myapp:signing", "a private key in plain text")


# --- tags -----------------------------------------------------------------------------------


def test_the_rules_are_botocores() -> None:
    """The SageMaker Tag shape this module encodes; fails when botocore's model changes."""
    import botocore.loaders

    shapes = botocore.loaders.Loader().load_service_model("sagemaker", "service-2")["shapes"]
    key, value, tag_list = shapes["TagKey"], shapes["TagValue"], shapes["TagList"]
    assert key["pattern"] == value["pattern"] == tags.TAG_PATTERN
    assert (key["min"], key["max"], value["min"], value["max"]) == (1, tags.TAG_KEY_MAX, 0, tags.TAG_VALUE_MAX)
    assert tag_list["max"] == tags.MAX_TAGS


@pytest.mark.parametrize(
    ("key", "value", "fragment"),
    [
        ("team<script>", "x", "AWS refuses '<', '>' in a tag key: it takes only letters, numbers, spaces and _"),
        ("team", 'say "hi"', "AWS refuses '\"' in a tag value"),
        ("team", "a\tb", "AWS refuses U+0009 in a tag value"),
        ("cost,center", "x", "AWS refuses ',' in a tag key"),
        ("AWS:team", "x", "tag keys starting with 'aws:' (in any case) are reserved by AWS"),
        ("Aws:Team", "x", "reserved by AWS"),
        ("k" * 129, "x", "tag keys are 1 to 128 characters (this one has 129)"),
        ("team", "v" * 257, "a tag value is at most 256 characters (this one has 257)"),
    ],
)
def test_stack_tags_follow_aws_rules(project: Path, key: str, value: str, fragment: str) -> None:
    edit_yaml(stack_file(project, "dev"), lambda d: d["config"]["modelops:tags"].update({key: value}))
    found = assert_problem(stack_problems(project), f"modelops:tags.{key}", fragment)
    # On the key itself, inside modelops:tags (edit_yaml writes the mapping in block style).
    assert found.line > line_of(stack_file(project, "dev"), "modelops:tags") and found.column >= 5


def test_tags_at_aws_bounds_pass_and_each_one_past_gets_its_exact_message(project: Path) -> None:
    """A key of 1 or 128 characters and a value of 256 pass, one character more does not; a
    message names at most 5 refused characters and counts the rest."""
    allowed = {"k": "x", "K" * 128: "x", "team": "v" * 256}
    refused = {
        "e" * 129: "tag keys are 1 to 128 characters (this one has 129)",
        "AWS:team": "tag keys starting with 'aws:' (in any case) are reserved by AWS",
        "a!#$%&": "AWS refuses '!', '#', '$', '%', '&' in a tag key",
        "b!#$%&*": "AWS refuses '!', '#', '$', '%', '&' and 1 more in a tag key",
        "c": "AWS refuses '<', '>' in a tag value",
        "d": "a tag value is at most 256 characters (this one has 257)",
    }
    values = {"c": "<>", "d": "w" * 257}
    edit_yaml(
        stack_file(project, "dev"),
        lambda d: d["config"]["modelops:tags"].update({**allowed, **{k: values.get(k, "x") for k in refused}}),
    )
    takes_only = ": it takes only letters, numbers, spaces and _ . : / = + - @"
    expected = {
        f"modelops:tags.{key}": message + (takes_only if message.startswith("AWS refuses") else "")
        for key, message in refused.items()
    }
    assert {p.field: p.message for p in stack_problems(project)} == expected


def test_an_empty_tag_key_is_refused(project: Path) -> None:
    edit_yaml(stack_file(project, "dev"), lambda d: d["config"]["modelops:tags"].update({"": "x"}))
    assert_problem(stack_problems(project), 'modelops:tags[""]', "tag keys are 1 to 128 characters")


def test_letters_numbers_and_spaces_of_any_script_are_fine(project: Path) -> None:
    unicode_tags = {"équipe données": "Zürich · 東京"[:7] + " 2024", "team/sub=x+y@z:1.2_3-4": "", "Ωmega": "١٢٣"}
    edit_yaml(stack_file(project, "dev"), lambda d: d["config"]["modelops:tags"].update(unicode_tags))
    edit_yaml(spec_path(project), lambda d: d["metadata"]["tags"].update(unicode_tags))
    assert problems(project) == []


@pytest.mark.parametrize(
    ("key", "value", "fragment"),
    [
        ("team", "growth;drop", "AWS refuses ';' in a tag value"),
        ("AWS:cost", "x", "reserved by AWS"),
        ("team#1", "x", "AWS refuses '#' in a tag key"),
    ],
)
def test_spec_tags_follow_aws_rules(project: Path, key: str, value: str, fragment: str) -> None:
    edit_yaml(spec_path(project), lambda d: d["metadata"]["tags"].update({key: value}))
    assert_problem(problems(project), f"metadata.tags.{key}", fragment, "churn-classifier/1.2.0.yaml")


def test_the_owner_is_a_tag_value(project: Path) -> None:
    edit_yaml(spec_path(project), lambda d: d["metadata"].update({"owner": "Growth ML <growth-ml@example.com>"}))
    assert_problem(problems(project), "metadata.owner", "AWS refuses '<', '>' in the owner tag's value", "1.2.0.yaml")


def test_the_stack_and_spec_tags_together_stay_within_50(project: Path) -> None:
    edit_yaml(
        spec_path(project, version="1.3.0"), lambda d: d["metadata"].update({"tags": {f"s{i}": "v" for i in range(40)}})
    )
    assert problems(project) == []
    edit_yaml(
        stack_file(project, "dev"),
        lambda d: d["config"]["modelops:tags"].update({f"t{i}": "v" for i in range(6)}),
    )
    found = assert_problem(problems(project), "metadata.tags", "each resource would carry 52 tags", "1.3.0.yaml")
    assert "AWS takes at most 50" in found.message and "stack dev's 7 tags and modelops's 5" in found.message


# IAM takes a role's tag keys without case, and every model and pool has a role.
@pytest.mark.parametrize(
    ("spec_tags", "key", "fragment"),
    [
        ({"Team": "a", "team": "b"}, "team", "'team' and tag 'Team' differ only in case, and IAM takes a role's tag"),
        ({"Owner": "x"}, "Owner", "'Owner' and modelops's own tag 'owner' differ only in case"),
        (
            {"Environment-Owner": "x"},
            "Environment-Owner",
            "and stack prod's tag 'environment-owner' differ only in case",
        ),
    ],
)
def test_a_spec_tag_differing_only_in_case_from_another_is_refused(
    project: Path, spec_tags: dict[str, str], key: str, fragment: str
) -> None:
    edit_yaml(spec_path(project), lambda d: d["metadata"]["tags"].update(spec_tags))
    found = assert_problem(problems(project), f"metadata.tags.{key}", fragment, "churn-classifier/1.2.0.yaml")
    assert found.message.endswith("(CreateRole refuses both): keep one")


@pytest.mark.parametrize(("key", "twin"), [("Model", "model"), ("POOL", "pool"), ("Environment-owner", "")])
def test_a_stack_tag_differing_only_in_case_from_another_is_refused(project: Path, key: str, twin: str) -> None:
    edit_yaml(stack_file(project, "dev"), lambda d: d["config"]["modelops:tags"].update({key: "x"}))
    whose = f"modelops's own tag '{twin}'" if twin else "tag 'environment-owner'"
    assert_problem(stack_problems(project), f"modelops:tags.{key}", f"'{key}' and {whose} differ only in case")


def test_the_same_tag_key_in_the_stack_and_the_spec_is_one_tag(project: Path) -> None:
    """The spec's value wins (modelops.aws.tags.resource_tags): one key, which IAM takes."""
    edit_yaml(spec_path(project), lambda d: d["metadata"]["tags"].update({"environment-owner": "growth"}))
    assert problems(project) == []


# --- AWS's tag rules, one bound at a time ---------------------------------------------------------

ALLOWED = "letters, numbers, spaces and _ . : / = + - @"


@pytest.mark.parametrize(
    ("key", "problem"),
    [
        ("k", None),
        ("k" * 128, None),
        ("", "tag keys are 1 to 128 characters (this one has 0)"),
        ("k" * 129, "tag keys are 1 to 128 characters (this one has 129)"),
        ("aws", None),
        ("awsteam", None),
        ("aws:team", "tag keys starting with 'aws:' (in any case) are reserved by AWS"),
        ("AWS:team", "tag keys starting with 'aws:' (in any case) are reserved by AWS"),
        ("aWs:", "tag keys starting with 'aws:' (in any case) are reserved by AWS"),
        ("team:aws:x", None),
        ("cost-centre_2 @a.b/c=d+e", None),
        ("équipe", None),
        ("team#", f"AWS refuses '#' in a tag key: it takes only {ALLOWED}"),
        ("t#e!a#m", f"AWS refuses '#', '!' in a tag key: it takes only {ALLOWED}"),
        ("bell\a", f"AWS refuses U+0007 in a tag key: it takes only {ALLOWED}"),
        ("!#$%&", f"AWS refuses '!', '#', '$', '%', '&' in a tag key: it takes only {ALLOWED}"),
        ("!#$%&*", f"AWS refuses '!', '#', '$', '%', '&' and 1 more in a tag key: it takes only {ALLOWED}"),
        ("!#$%&*?<", f"AWS refuses '!', '#', '$', '%', '&' and 3 more in a tag key: it takes only {ALLOWED}"),
    ],
)
def test_a_tag_key_is_held_to_awss_rules(key: str, problem: str | None) -> None:
    """1 to 128 characters, no `aws:` prefix in any case, only the characters of AWS's pattern;
    the message names the first five refused characters, each once, and counts the rest."""
    assert tags.tag_key_problem(key) == problem


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("", None),
        ("v" * 256, None),
        ("v" * 257, "a tag value is at most 256 characters (this one has 257)"),
        ("aws:anything", None),
        ("ok then; not", f"AWS refuses ';' in a tag value: it takes only {ALLOWED}"),
    ],
)
def test_a_tag_value_is_held_to_awss_rules(value: str, problem: str | None) -> None:
    assert tags.tag_value_problem(value, "a tag value") == problem


def test_each_refused_tag_is_named_by_its_key_with_the_keys_problem_first() -> None:
    found = tags.tag_problems({"team": "ml", "aws:x": "bad;", "cost": "bad;", "count": 3})  # type: ignore[dict-item]
    assert found == [
        ("aws:x", "tag keys starting with 'aws:' (in any case) are reserved by AWS"),
        ("cost", f"AWS refuses ';' in a tag value: it takes only {ALLOWED}"),
    ]


def test_keys_equal_but_for_case_are_twins_of_the_first() -> None:
    """IAM compares tag keys without case: each such key of `among` is named with its twin."""
    assert tags.case_twins(["Team", "team", "owner"], ["Team", "team", "TEAM", "owner"]) == {
        "team": "Team",
        "TEAM": "Team",
    }
