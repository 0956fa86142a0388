"""`modelops diff` as a reviewer reads it: which paths changed, and the text, the pull-request
comment and the JSON of one small diff that has every kind of change, line by line."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from modelops.engine.plan import Plan, PlanResource
from modelops.gitops.diff import (
    VALUES_SHOWN,
    Diff,
    FieldChange,
    ResourceChange,
    SpecFileChange,
    StackDiff,
    VersionChange,
    changed_paths,
    diff_json,
    diff_markdown,
    diff_text,
    field_changes,
    resource_changes,
    security_changes,
    spec_file_changes,
)
from modelops.gitops.policy_diff import PolicyChange, statement_changes, statements
from modelops.gitops.value_diff import POLICY, SECRET, ValueChange
from modelops.spec.resolve import load_project
from tests.conftest import copy_specs_and_stacks, edit_yaml, spec_path

ACCESS_KEY = "AKIAIOSFODNN7EXAMPLE"  # the shape of an AWS access key id: never shown
BUCKET = "arn:aws:s3:::acme-models"


@pytest.mark.parametrize(
    ("old", "new", "changed"),
    [
        ({"a": 1, "b": {"c": 1}}, {"a": 1, "b": {"c": 2}}, {"b.c": (1, 2)}),
        ({"a": 1, "gone": {"x": 1}}, {"a": 1, "new": 2}, {"gone": ({"x": 1}, None), "new": (None, 2)}),
        # YAML allows keys that are not text: they sort among the others by their text.
        ({1: "a", "b": 1}, {1: "b", "b": 1, "c": 2}, {"1": ("a", "b"), "c": (None, 2)}),
        (
            {"f": [{"name": "x", "v": 1}, {"name": "gone", "v": 1}]},
            {"f": [{"name": "added", "v": 1}, {"name": "x", "v": 2}]},
            {
                "f[x].v": (1, 2),
                "f[gone]": ({"name": "gone", "v": 1}, None),
                "f[added]": (None, {"name": "added", "v": 1}),
            },
        ),
        # A named list on one side only is one changed value, not item by item.
        ({"f": [{"name": "x"}]}, {"f": []}, {"f": ([{"name": "x"}], [])}),
        ({"f": "text"}, {"f": [{"name": "x"}]}, {"f": ("text", [{"name": "x"}])}),
        # A spec file that is not a mapping (a YAML list) compares whole.
        (["a"], {"a": 1}, {"": (["a"], {"a": 1})}),
    ],
    ids=["nested", "one-side", "non-text-keys", "named-items", "named-emptied", "named-from-text", "not-a-mapping"],
)
def test_changed_paths_name_each_changed_value(old: Any, new: Any, changed: dict[str, Any]) -> None:
    found = changed_paths(old, new)
    assert found == changed
    assert list(found) == list(changed)  # in key order; named items as listed, the new ones last


def _resource(inputs: dict[str, Any]) -> PlanResource:
    return PlanResource("urn:pulumi:dev::modelops::aws:iam/role:Role::exec", "aws:iam/role:Role", "exec", None, inputs)


def _document(*raw: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(raw)})


READ = {"Effect": "Allow", "Action": "s3:GetObject", "Resource": f"{BUCKET}/*"}


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ({"name": "exec", "inlinePolicy": _document(READ)}, {"name": "exec"}),
        ({"name": "exec"}, {"name": "exec", "inlinePolicy": _document(READ)}),
    ],
    ids=["removed", "added"],
)
def test_a_policy_document_on_one_side_only_points_to_the_statement_changes(
    old: dict[str, Any], new: dict[str, Any]
) -> None:
    """Not the document's JSON as a value: the IAM statement changes show what it grants."""
    [change] = resource_changes(Plan("dev", "dev", [], [_resource(old)]), Plan("dev", "dev", [], [_resource(new)]))
    assert change.values == (ValueChange("inlinePolicy", None, None, POLICY),)


@pytest.mark.parametrize(("old", "new"), [(ACCESS_KEY, "rotated"), ("none yet", ACCESS_KEY)], ids=["old", "new"])
def test_a_credential_on_either_side_of_a_spec_file_change_hides_both(tmp_path: Path, old: str, new: str) -> None:
    for root, value in (("base", old), ("head", new)):
        spec = tmp_path / root / "model_specs" / "churn" / "1.0.0.yaml"
        spec.parent.mkdir(parents=True)
        spec.write_text(f"metadata:\n  description: {value}\n")
    [change] = spec_file_changes(tmp_path / "base", tmp_path / "head")
    assert change.fields == (("metadata.description", f"({SECRET})", f"({SECRET})"),)


def _policy(name: str, path: str, old: list[dict[str, Any]], new: list[dict[str, Any]]) -> PolicyChange:
    found = statement_changes(statements({"Statement": old}), statements({"Statement": new}))
    return PolicyChange(f"urn:{name}", "aws:iam/role:Role", name, path, tuple(found))


DENY = {"Effect": "Deny", "Action": "s3:DeleteBucket", "Resource": BUCKET}
EXCEPT = {
    "Effect": "Allow",
    "NotAction": ["iam:*", "kms:*"],
    "NotResource": BUCKET,
    "NotPrincipal": {"AWS": "arn:aws:iam::1:root"},
    "Condition": {"Bool": {"aws:SecureTransport": True}, "StringEquals": {"aws:SourceAccount": "1"}},
}
SID_READ = {**READ, "Sid": "Read"}
WIDER = {**SID_READ, "Action": ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"], "Resource": [f"{BUCKET}/*", BUCKET]}
LIST = {"Effect": "Allow", "Action": "s3:ListBucket", "Resource": BUCKET}
TRUST = {"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"Service": "sagemaker.amazonaws.com"}}
ENDPOINT = "aws:sagemaker/endpoint:Endpoint"
BUCKET_TYPE = "aws:s3/bucket:Bucket"

# One stack with nothing to show, then one with every kind of change; built by hand, in the
# order `diff` would give (critical first). The access key on one side of a change is not masked
# here, as `diff` would: the text and the comment must mask it again.
DIFF = Diff(
    base="main",
    spec_files=[
        SpecFileChange(
            "published",
            "churn",
            "1.3.0",
            "1.2.0",
            (("serving.instance_type", "ml.m5.large", None), ("key", ACCESS_KEY, "x")),
        ),
        SpecFileChange("published", "fraud", "0.1.0"),
        SpecFileChange("edited", "churn", "1.2.0", "1.2.0", (("metadata.owner", "ml", "data"),)),
        SpecFileChange("removed", "churn", "1.0.0"),
    ],
    stacks=[
        StackDiff("dev", "dev"),
        StackDiff(
            "staging",
            "staging",
            versions=[
                VersionChange("churn", "primary", "1.2.0", "1.3.0"),
                VersionChange("churn", "shadow", None, "1.3.0"),
                VersionChange("fraud", "challenger", "0.1.0", None),
            ],
            fields=[
                FieldChange("churn", "primary", "serving.min_instances", 1, 2),
                FieldChange("churn", "primary", "note", "was", ACCESS_KEY),
            ],
            resources=[
                ResourceChange(
                    "replace",
                    "urn:ep",
                    ENDPOINT,
                    "churn-serving-endpoint",
                    ("endpointConfigName", "name"),
                    ("name", "kmsKeyArn"),
                    data_loss="logs lost",
                    downtime="requests fail",
                ),
                ResourceChange("delete", "urn:b", BUCKET_TYPE, "churn-data", data_loss="objects deleted"),
                ResourceChange("create", "urn:m", "aws:sagemaker/model:Model", "churn-model"),
                ResourceChange(
                    "update",
                    "urn:cfg",
                    "aws:sagemaker/endpointConfiguration:EndpointConfiguration",
                    "churn-config",
                    ("tags", "productionVariants"),
                    values=(ValueChange("tags.team", "a", "b"), ValueChange("tags.token", None, None, SECRET)),
                ),
                ResourceChange("update", "urn:r", "aws:iam/role:Role", "churn-role", ("tags", "description")),
            ],
            security=[
                _policy(
                    "churn-role",
                    "policy",
                    [SID_READ, DENY],
                    [WIDER, EXCEPT, LIST],
                ),
                _policy("churn-role", "assumeRolePolicy", [TRUST], [{**TRUST, "Condition": EXCEPT["Condition"]}]),
            ],
        ),
    ],
)

WIDENED = f"allows actions s3:DeleteObject, s3:PutObject; allows resources {BUCKET}"
POLICY_LINE = f"{WIDENED}; removes a Deny statement; adds an Allow statement (x2)"
EXCEPT_TEXT = (
    "every action but iam:*, kms:* on every resource but arn:aws:s3:::acme-models to everyone but "
    "AWS:arn:aws:iam::1:root when Bool aws:SecureTransport = true and StringEquals aws:SourceAccount = 1"
)
CONDITIONS = "`Bool aws:SecureTransport = true` and `StringEquals aws:SourceAccount = 1`"


def test_the_text_lists_critical_changes_first_then_each_stack() -> None:
    assert diff_text(DIFF).splitlines() == [
        "modelops diff against main",
        "2 change(s) destroy data or cause downtime; review them first:",
        f"  !! DATA LOSS in staging: replace churn-serving-endpoint ({ENDPOINT}): logs lost; requests fail",
        f"  !! DATA LOSS in staging: delete churn-data ({BUCKET_TYPE}): objects deleted",
        "1 IAM policy change(s) broaden access; review them:",
        f"  !! BROADENS ACCESS in staging: churn-role policy: {POLICY_LINE}",
        "spec files:",
        '  published churn 1.3.0 (changes since 1.2.0): serving.instance_type: "ml.m5.large" -> (absent); '
        "key: (secret) -> (secret)",
        "  published fraud 0.1.0 (the model's first version)",
        '  edited released churn 1.2.0 (validate --base rejects this): metadata.owner: "ml" -> "data"',
        "  removed churn 1.0.0 (validate --base rejects removing a released version)",
        "stack dev (dev): no change",
        "stack staging (staging): 1 to create, 2 to update, 1 to replace, 1 to delete",
        "  versions:",
        "    churn (primary) moved 1.2.0 -> 1.3.0",
        "    churn (shadow) added at 1.3.0",
        "    fraud (challenger) removed (was 0.1.0)",
        "  spec fields:",
        "    churn (primary) serving.min_instances: 1 -> 2",
        "    churn (primary) note: (secret) -> (secret)",
        "  resources:",
        f"    +- replace churn-serving-endpoint ({ENDPOINT}) (replaced because name, kmsKeyArn changed) !!",
        f"    -  delete churn-data ({BUCKET_TYPE}) !!",
        "    +  create churn-model (aws:sagemaker/model:Model)",
        "    ~  update churn-config (aws:sagemaker/endpointConfiguration:EndpointConfiguration)",
        '         tags.team: "a" -> "b"',
        "         tags.token: (secret)",
        "    ~  update churn-role (aws:iam/role:Role) (tags, description)",
        "  IAM statement changes:",
        "    churn-role (aws:iam/role:Role) policy:",
        f"      - Allow s3:GetObject on {BUCKET}/*",
        f"      + Allow s3:DeleteObject, s3:GetObject, s3:PutObject on {BUCKET}, {BUCKET}/*",
        f"        !! broadens access: {WIDENED}",
        f"      - Deny s3:DeleteBucket on {BUCKET}",
        "        !! broadens access: removes a Deny statement",
        f"      + Allow {EXCEPT_TEXT}",
        "        !! broadens access: adds an Allow statement",
        f"      + Allow s3:ListBucket on {BUCKET}",
        "        !! broadens access: adds an Allow statement",
        "    churn-role (aws:iam/role:Role) assumeRolePolicy:",
        "      - Allow sts:AssumeRole to Service:sagemaker.amazonaws.com",
        "      + Allow sts:AssumeRole to Service:sagemaker.amazonaws.com when Bool aws:SecureTransport = true and "
        "StringEquals aws:SourceAccount = 1",
    ]


def test_a_change_that_only_causes_downtime_is_named_downtime() -> None:
    change = ResourceChange("delete", "urn:ep", ENDPOINT, "fraud-endpoint", downtime="requests fail")
    only_downtime = Diff(base="main", stacks=[StackDiff("prod", "prod", resources=[change])])
    assert diff_text(only_downtime).splitlines()[1:3] == [
        "1 change(s) destroy data or cause downtime; review them first:",
        f"  !! DOWNTIME in prod: delete fraud-endpoint ({ENDPOINT}): requests fail",
    ]


def test_the_comment_has_a_table_per_kind_of_change() -> None:
    policy = "| `churn-role` `policy` |"
    trust = "| `churn-role` `assumeRolePolicy` |"
    assert diff_markdown(DIFF) == "\n".join(
        [
            "## modelops diff against `main`",
            "",
            "> [!CAUTION]",
            "> 2 change(s) destroy data or cause downtime. Review them first.",
            "",
            "| stack | change | resource | consequence |",
            "|---|---|---|---|",
            f"| `staging` | **replace** | `churn-serving-endpoint` (`{ENDPOINT}`) | logs lost; requests fail |",
            f"| `staging` | **delete** | `churn-data` (`{BUCKET_TYPE}`) | objects deleted |",
            "",
            "> [!WARNING]",
            "> 1 IAM policy change(s) broaden access. Review them.",
            "",
            "| stack | resource | policy | how it broadens |",
            "|---|---|---|---|",
            "| `staging` | `churn-role` | `policy` | allows actions `s3:DeleteObject`, `s3:PutObject`; "
            f"allows resources `{BUCKET}`; removes a Deny statement; "
            "adds an Allow statement (x2) |",
            "",
            "### Spec files",
            "",
            "| change | field | before | after |",
            "|---|---|---|---|",
            "| published `churn` `1.3.0` (changes since `1.2.0`) |  |  |  |",
            '|  | `serving.instance_type` | `"ml.m5.large"` | `(absent)` |',
            "|  | `key` | `(secret)` | `(secret)` |",
            "| published `fraud` `0.1.0` (the model's first version) |  |  |  |",
            "| edited released `churn` `1.2.0` (validate --base rejects this) |  |  |  |",
            '|  | `metadata.owner` | `"ml"` | `"data"` |',
            "| removed `churn` `1.0.0` (validate --base rejects removing a released version) |  |  |  |",
            "",
            "### Stack `dev` (dev): no change",
            "",
            "No change.",
            "",
            "### Stack `staging` (staging): 1 to create, 2 to update, 1 to replace, 1 to delete",
            "",
            "| model | variant | before | after |",
            "|---|---|---|---|",
            "| `churn` | primary | `1.2.0` | `1.3.0` |",
            "| `churn` | shadow | - | `1.3.0` |",
            "| `fraud` | challenger | `0.1.0` | - |",
            "",
            "<details><summary>Spec fields changed</summary>",
            "",
            "| model | field | before | after |",
            "|---|---|---|---|",
            "| `churn` (primary) | `serving.min_instances` | `1` | `2` |",
            "| `churn` (primary) | `note` | `(secret)` | `(secret)` |",
            "",
            "</details>",
            "",
            "<details open><summary>IAM statement changes</summary>",
            "",
            "| | resource | effect | actions | resources | principals | conditions |",
            "|---|---|---|---|---|---|---|",
            f"| - {policy} Allow | `s3:GetObject` | `{BUCKET}/*` |  |  |",
            f"| + :warning: {policy} Allow | `s3:DeleteObject`, `s3:GetObject`, `s3:PutObject` "
            f"| `{BUCKET}`, `{BUCKET}/*` |  |  |",
            f"| - :warning: {policy} Deny | `s3:DeleteBucket` | `{BUCKET}` |  |  |",
            f"| + :warning: {policy} Allow | every action but `iam:*`, `kms:*` | every resource but `{BUCKET}` "
            f"| everyone but `AWS:arn:aws:iam::1:root` | {CONDITIONS} |",
            f"| + :warning: {policy} Allow | `s3:ListBucket` | `{BUCKET}` |  |  |",
            f"| - {trust} Allow | `sts:AssumeRole` |  | `Service:sagemaker.amazonaws.com` |  |",
            f"| + {trust} Allow | `sts:AssumeRole` |  | `Service:sagemaker.amazonaws.com` | {CONDITIONS} |",
            "",
            "</details>",
            "",
            "<details><summary>Resources</summary>",
            "",
            "| action | resource | type | why |",
            "|---|---|---|---|",
            f"| replace :warning: | `churn-serving-endpoint` | `{ENDPOINT}` | replaced: `name`, `kmsKeyArn` changed |",
            f"| delete :warning: | `churn-data` | `{BUCKET_TYPE}` | no longer declared |",
            "| create | `churn-model` | `aws:sagemaker/model:Model` | new |",
            "| update | `churn-config` | `aws:sagemaker/endpointConfiguration:EndpointConfiguration` "
            "| `tags`, `productionVariants` |",
            "| update | `churn-role` | `aws:iam/role:Role` | `tags`, `description` |",
            "",
            "</details>",
            "",
            "<details><summary>Changed values</summary>",
            "",
            "| resource | input | before | after |",
            "|---|---|---|---|",
            '| `churn-config` | `tags.team` | `"a"` | `"b"` |',
            "| `churn-config` | `tags.token` | \\(secret\\) |  |",
            "",
            "</details>",
            "",
        ]
    )


def test_the_json_names_each_part_for_tools() -> None:
    data = json.loads(diff_json(DIFF))
    assert list(data) == ["base", "critical", "broadening", "spec_files", "stacks"]
    assert data["base"] == "main"
    assert [(c["stack"], c["name"], c["action"]) for c in data["critical"]] == [
        ("staging", "churn-serving-endpoint", "replace"),
        ("staging", "churn-data", "delete"),
    ]
    [broadening] = data["broadening"]
    assert broadening == {
        "stack": "staging",
        "urn": "urn:churn-role",
        "name": "churn-role",
        "path": "policy",
        "broadens": [
            {"how": "allows actions", "values": ["s3:DeleteObject", "s3:PutObject"]},
            {"how": "allows resources", "values": [BUCKET]},
            {"how": "removes a Deny statement", "values": []},
            {"how": "adds an Allow statement", "values": []},
            {"how": "adds an Allow statement", "values": []},
        ],
    }
    assert [(f["kind"], f["model"], f["version"], f["since"]) for f in data["spec_files"]] == [
        ("published", "churn", "1.3.0", "1.2.0"),
        ("published", "fraud", "0.1.0", None),
        ("edited", "churn", "1.2.0", "1.2.0"),
        ("removed", "churn", "1.0.0", None),
    ]
    empty, staging = data["stacks"]
    assert empty == {
        "stack": "dev",
        "environment": "dev",
        "versions": [],
        "fields": [],
        "resources": [],
        "security": [],
        "empty": True,
    }
    assert staging["empty"] is False
    assert [(p["path"], p["broadens"]) for p in staging["security"]] == [("policy", True), ("assumeRolePolicy", False)]


def _with_values(count: int) -> Diff:
    values = tuple(ValueChange(f"tags.k{i}", "a", "b") for i in range(count))
    change = ResourceChange("update", "urn:m", "aws:sagemaker/model:Model", "m", ("tags",), values=values)
    return Diff("main", [StackDiff("dev", "dev", resources=[change])])


@pytest.mark.parametrize(
    ("count", "more"),
    [(1, ""), (VALUES_SHOWN, ""), (VALUES_SHOWN + 1, "... and 1 more changed value(s)")],
    ids=["one", "as-many-as-shown", "one-more"],
)
def test_values_past_those_shown_are_counted(count: int, more: str) -> None:
    text = diff_text(_with_values(count)).splitlines()
    shown = [f'         tags.k{i}: "a" -> "b"' for i in range(min(count, VALUES_SHOWN))]
    assert [line for line in text if line.startswith("         ")] == shown + ([f"         {more}"] if more else [])
    escaped = more.replace("(", "\\(").replace(")", "\\)")
    rows = [line for line in diff_markdown(_with_values(count)).splitlines() if "more changed" in line]
    assert rows == ([f"| `m` | {escaped} |  |  |"] if more else [])


def _write_spec(root: Path, model: str, version: str, description: str) -> None:
    spec = root / "model_specs" / model / f"{version}.yaml"
    spec.parent.mkdir(parents=True, exist_ok=True)
    spec.write_text(f"metadata:\n  version: '{version}'\n  description: {description}\n")


def test_spec_files_are_compared_in_version_order(tmp_path: Path) -> None:
    """By SemVer, not as text: 1.10.0 follows 1.9.0, and is what 1.11.0 is published against."""
    base, head = tmp_path / "base", tmp_path / "head"
    for root in (base, head):
        _write_spec(root, "a", "1.9.0", "nine")
        _write_spec(root, "a", "1.10.0", ACCESS_KEY)
    _write_spec(base, "a", "1.2.0", "two")
    _write_spec(head, "a", "1.11.0", "rotated")
    _write_spec(base, "b", "1.0.0", "x")
    _write_spec(head, "b", "1.0.0", "y")
    assert spec_file_changes(base, head) == [
        SpecFileChange("removed", "a", "1.2.0"),
        SpecFileChange("published", "a", "1.11.0", "1.10.0", (("metadata.description", "(secret)", "(secret)"),)),
        SpecFileChange("edited", "b", "1.0.0", "1.0.0", (("metadata.description", "x", "y"),)),
    ]


def test_a_models_first_version_is_published_against_nothing(tmp_path: Path) -> None:
    _write_spec(tmp_path / "head", "new", "1.0.0", "first")
    assert spec_file_changes(tmp_path / "base", tmp_path / "head") == [
        SpecFileChange("published", "new", "1.0.0", None, ())
    ]


def test_a_version_copied_without_its_version_bumped_is_published_with_its_other_changes(tmp_path: Path) -> None:
    """Its metadata.version is the older one's (validate refuses it next): no change of it to drop."""
    base, head = tmp_path / "base", tmp_path / "head"
    for root in (base, head):
        _write_spec(root, "a", "1.0.0", "one")
    _write_spec(head, "a", "1.1.0", "two")
    (head / "model_specs" / "a" / "1.1.0.yaml").write_text("metadata:\n  version: '1.0.0'\n  description: two\n")
    assert spec_file_changes(base, head) == [
        SpecFileChange("published", "a", "1.1.0", "1.0.0", (("metadata.description", "one", "two"),))
    ]


def test_a_changed_field_is_named_with_its_model_and_the_role_of_its_version(tmp_path: Path) -> None:
    """dev pins churn-classifier 1.3.0 as the primary and reviews-kserve 1.1.0 as a challenger."""
    base, head = copy_specs_and_stacks(tmp_path / "base"), copy_specs_and_stacks(tmp_path / "head")
    for model, version in (("churn-classifier", "1.3.0"), ("reviews-kserve", "1.1.0")):
        edit_yaml(spec_path(head, model, version), lambda data: data["metadata"].update(description="Changed."))
    old, new = (load_project(root, ["dev"]).resolved["dev"] for root in (base, head))
    changes = field_changes(old, new)
    assert [(c.model, c.role, c.path, c.new) for c in changes] == [
        ("churn-classifier", "primary", "metadata.description", "Changed."),
        ("reviews-kserve", "challenger", "metadata.description", "Changed."),
    ]


def test_broadening_policies_come_first_and_a_removed_stack_loses_every_statement() -> None:
    def role(name: str, *raw: dict[str, Any]) -> PlanResource:
        return PlanResource(f"urn:{name}", "aws:iam/role:Role", name, None, {"inlinePolicy": _document(*raw)})

    narrowed = {**READ, "Condition": EXCEPT["Condition"]}
    before = Plan("dev", "dev", [], [role("a-role", READ), role("b-role", READ)])
    after = Plan("dev", "dev", [], [role("a-role", narrowed), role("b-role", READ, LIST)])
    assert [(p.name, p.broadens) for p in security_changes(before, after)] == [("b-role", True), ("a-role", False)]
    removed = security_changes(before, None)
    assert [(p.name, [s.change for s in p.statements]) for p in removed] == [
        ("a-role", ["removed"]),
        ("b-role", ["removed"]),
    ]


def test_a_model_switching_serving_target_loses_its_address() -> None:
    """Only a model's serving resources are matched, by type and name: not a model resource named like
    one, nor a pool's endpoint (named otherwise)."""

    def plan(*resources: tuple[str, str]) -> Plan:
        return Plan(
            "dev", "dev", [], [PlanResource(f"urn:{kind}::{name}", kind, name, None, {}) for kind, name in resources]
        )

    service = "kubernetes:serving.kserve.io/v1beta1:InferenceService"
    model = "aws:sagemaker/model:Model"
    before = plan((ENDPOINT, "m-serving-endpoint"), (model, "n-serving-endpoint"), (ENDPOINT, "pool"))
    after = plan((service, "m-serving-inference-service"), (service, "n-serving-inference-service"), (service, "pool"))
    deleted = {c.name: c.downtime for c in resource_changes(before, after) if c.action == "delete"}
    assert deleted == {
        "m-serving-endpoint": "m moves from its SageMaker endpoint to a KServe inference service: the SageMaker "
        "endpoint is deleted and every request to it fails from then on; callers must move to the new address",
        "n-serving-endpoint": None,
        "pool": "the endpoint is deleted: every request to it fails from then on",
    }
