"""`diff` shows each changed input as `path: old -> new`, compact, cut short, and never a secret."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

from modelops.engine.plan import Plan, PlanResource
from modelops.gitops.diff import (
    VALUES_SHOWN,
    Diff,
    FieldChange,
    StackDiff,
    diff_json,
    diff_markdown,
    diff_text,
    resource_changes,
    spec_file_changes,
)
from modelops.gitops.value_diff import (
    CREDENTIAL,
    ELLIPSIS,
    SECRET,
    SECRET_SIG,
    SECRET_SIG_KEY,
    ValueChange,
    compact,
    compact_pair,
    value_changes,
)
from tests.test_markdown_safe import assert_inert, assert_tables_whole

MODEL = "aws:sagemaker/model:Model"
SECRET_VALUE = "hunter2-do-not-print"


def secret(value: Any) -> dict[str, Any]:
    """A Pulumi secret as the mock runtime hands it over (pulumi.runtime.rpc.wrap_rpc_secret)."""
    return {SECRET_SIG_KEY: SECRET_SIG, "value": value}


def test_each_changed_leaf_with_its_old_and_new_value() -> None:
    old = {
        "name": "m-1-2-0",
        "primaryContainer": {"image": "repo:1.2.0", "environment": {"A": "1", "GONE": "x"}},
        "productionVariants": [{"variantName": "primary", "instanceType": "ml.m5.large", "weight": 1}],
        "containers": [{"name": "main", "image": "a:1"}, {"name": "sidecar", "image": "s:1"}],
        "subnets": ["s-1", "s-2"],
        "content": json.dumps({"overview": {"release": "1.2.0", "owner": "ml"}}),
    }
    new = {
        "name": "m-1-3-0",
        "primaryContainer": {"image": "repo:1.3.0", "environment": {"A": "1", "NEW": "y"}},
        "productionVariants": [{"variantName": "primary", "instanceType": "ml.c5.xlarge", "weight": 1}],
        "containers": [{"name": "sidecar", "image": "s:2"}, {"name": "main", "image": "a:1"}],
        "subnets": ["s-1", "s-2", "s-3"],
        "content": json.dumps({"overview": {"release": "1.3.0", "owner": "ml"}}),
    }
    assert value_changes(old, new) == [
        ValueChange("containers[sidecar].image", "s:1", "s:2"),  # named items match by name, not position
        ValueChange("content.overview.release", "1.2.0", "1.3.0"),  # inside JSON text
        ValueChange("name", "m-1-2-0", "m-1-3-0"),
        ValueChange("primaryContainer.environment.GONE", "x", None),
        ValueChange("primaryContainer.environment.NEW", None, "y"),
        ValueChange("primaryContainer.image", "repo:1.2.0", "repo:1.3.0"),
        ValueChange("productionVariants[0].instanceType", "ml.m5.large", "ml.c5.xlarge"),
        ValueChange("subnets", ["s-1", "s-2"], ["s-1", "s-2", "s-3"]),  # a list that grew: shown whole
    ]
    assert value_changes(old, new, ignored=frozenset({"content", "containers"}))[0].path == "name"


def test_long_values_are_cut_at_80_characters_where_they_differ() -> None:
    long = "x" * 200
    assert compact(long) == json.dumps(long)[:79] + ELLIPSIS and len(compact(long)) == 80
    assert compact(None) == "(absent)" and compact({"b": 1, "a": [2]}) == '{"a": [2], "b": 1}'
    old = "arn:aws:s3:::bucket/" + "p" * 100 + "/model-1.2.0.tar.gz"
    new = old.replace("1.2.0", "1.3.0")
    was, now = compact_pair(old, new)
    assert was.startswith(ELLIPSIS) and "model-1.2.0" in was and "model-1.3.0" in now
    assert max(len(was), len(now)) <= 80
    assert compact_pair("a", "b") == ('"a"', '"b"')


def test_secrets_and_credentials_are_never_shown(tmp_path: Path) -> None:
    old = {
        "environment": {"DB_PASSWORD": "old-" + SECRET_VALUE, "API_SECRET_ARN": "arn:aws:secretsmanager:r:1:secret:a"},
        "token": secret("old-" + SECRET_VALUE),
        "note": "key AKIAABCDEFGHIJKLMNOP",
        "tags": {"token-owner": "team-a"},
    }
    new = {
        "environment": {"DB_PASSWORD": SECRET_VALUE, "API_SECRET_ARN": "arn:aws:secretsmanager:r:1:secret:b"},
        "token": secret(SECRET_VALUE),
        "note": "key AKIAZYXWVUTSRQPONMLK",
        "tags": {"token-owner": "team-b"},
    }
    changes = {c.path: c for c in value_changes(old, new)}
    assert changes["environment.DB_PASSWORD"] == ValueChange("environment.DB_PASSWORD", None, None, CREDENTIAL)
    assert changes["token"] == ValueChange("token", None, None, SECRET)
    assert changes["note"].hidden == SECRET  # shaped like an access key id
    assert changes["environment.API_SECRET_ARN"].new == "arn:aws:secretsmanager:r:1:secret:b"  # names a secret
    assert changes["tags.token-owner"].new == "team-b"  # tags are labels, shown

    before = Plan("dev", "dev", [], [PlanResource("urn:m", MODEL, "m", None, old)])
    after = Plan("dev", "dev", [], [PlanResource("urn:m", MODEL, "m", None, new)])
    field = FieldChange("m", "primary", "model.environment.DB_PASSWORD", "old-" + SECRET_VALUE, SECRET_VALUE)
    for version, value in (("1.0.0", "old-" + SECRET_VALUE), ("1.1.0", SECRET_VALUE)):
        spec = tmp_path / "head" / "model_specs" / "m" / f"{version}.yaml"
        spec.parent.mkdir(parents=True, exist_ok=True)
        spec.write_text(f"model:\n  environment:\n    DB_PASSWORD: {value}\n")
    (tmp_path / "base" / "model_specs" / "m").mkdir(parents=True)
    shutil.copy(tmp_path / "head/model_specs/m/1.0.0.yaml", tmp_path / "base/model_specs/m/1.0.0.yaml")
    files = spec_file_changes(tmp_path / "base", tmp_path / "head")
    assert [c.fields for c in files] == [(("model.environment.DB_PASSWORD", f"({CREDENTIAL})", f"({CREDENTIAL})"),)]
    stack = StackDiff("dev", "dev", fields=[field], resources=resource_changes(before, after))
    result = Diff("main", [stack], files)
    for output in (diff_text(result), diff_markdown(result)):
        assert SECRET_VALUE not in output and "AKIA" not in output
    result.stacks[0].fields = []  # built by hand above; the JSON has what `diff` builds
    assert SECRET_VALUE not in diff_json(result) and "AKIA" not in diff_json(result)
    text = diff_text(result)
    assert "         token: (secret)" in text
    assert "         environment.DB_PASSWORD: (named like a credential)" in text
    assert 'tags.token-owner: "team-a" -> "team-b"' in text


def test_many_changes_show_the_first_and_count_the_rest() -> None:
    old = {"tags": {f"k{i:02}": "a" * 120 for i in range(VALUES_SHOWN + 3)}}
    new = {"tags": {f"k{i:02}": "b" * 120 for i in range(VALUES_SHOWN + 3)}}
    before = Plan("dev", "dev", [], [PlanResource("urn:m", MODEL, "m", None, old)])
    after = Plan("dev", "dev", [], [PlanResource("urn:m", MODEL, "m", None, new)])
    result = Diff("main", [StackDiff("dev", "dev", resources=resource_changes(before, after))])
    [change] = result.stacks[0].resources
    assert len(change.values) == VALUES_SHOWN + 3  # all of them in the data (and the JSON)
    text = diff_text(result).splitlines()
    shown = [line for line in text if line.startswith("         tags.")]
    assert len(shown) == VALUES_SHOWN and all(len(line) == len(shown[0]) for line in shown)
    assert shown[0] == f'         tags.k00: "{"a" * 78}{ELLIPSIS} -> "{"b" * 78}{ELLIPSIS}'
    assert text[-1] == "         ... and 3 more changed value(s)"
    markdown = diff_markdown(result)
    assert_tables_whole(markdown, assert_inert(markdown))
    assert "| `m` | ... and 3 more changed value\\(s\\) |  |  |" in markdown
    assert f'| `m` | `tags.k00` | `"{"a" * 78}{ELLIPSIS}` | `"{"b" * 78}{ELLIPSIS}` |' in markdown
    assert len(json.loads(diff_json(result))["stacks"][0]["resources"][0]["values"]) == VALUES_SHOWN + 3
