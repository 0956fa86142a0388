"""`diff` shows IAM policy changes statement by statement, and says when one broadens access."""

from __future__ import annotations

import json
from typing import Any

from modelops.engine.plan import Plan, PlanResource
from modelops.gitops.diff import (
    Diff,
    StackDiff,
    diff_json,
    diff_markdown,
    diff_text,
    resource_changes,
    security_changes,
)
from modelops.gitops.policy_diff import (
    Condition,
    Statement,
    Widening,
    documents,
    policy_changes,
    statement,
    statement_changes,
    statements,
)
from modelops.gitops.value_diff import POLICY, SAME_STATEMENTS
from tests.test_markdown_safe import assert_inert, assert_tables_whole

ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
ROLE = "aws:iam/role:Role"
BUCKET = "arn:aws:s3:::acme-models"
READ = {"Sid": "Read", "Effect": "Allow", "Action": "s3:GetObject", "Resource": f"{BUCKET}/*"}
TRUST = {
    "Effect": "Allow",
    "Principal": {"Service": "sagemaker.amazonaws.com"},
    "Action": "sts:AssumeRole",
    "Condition": {"StringEquals": {"aws:SourceAccount": "123456789012"}},
}


def document(*raw: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(raw)})


def changes_of(old: list[dict[str, Any]], new: list[dict[str, Any]]) -> list[Any]:
    return statement_changes(statements({"Statement": old}), statements({"Statement": new}))


def test_the_same_grant_written_differently_is_no_change() -> None:
    written = {"Effect": "Allow", "Action": ["s3:PutObject", "s3:GetObject", "s3:GetObject"], "Resource": [BUCKET]}
    rewritten = {"Sid": "Renamed", "Action": ["s3:GetObject", "s3:PutObject"], "Resource": BUCKET}  # Allow: default
    assert changes_of([written, READ], [READ, rewritten]) == []
    assert statement(TRUST) == Statement(
        effect="Allow",
        actions=("sts:AssumeRole",),
        principals=("Service:sagemaker.amazonaws.com",),
        conditions=(Condition("StringEquals", "aws:SourceAccount", ("123456789012",)),),
    )


def test_every_way_an_allow_widens_is_named() -> None:
    wider = {
        "Sid": "Read",
        "Effect": "Allow",
        "Action": ["s3:GetObject", "s3:DeleteObject"],
        "Resource": [f"{BUCKET}/*", "*"],
        "Principal": {"Service": "sagemaker.amazonaws.com", "AWS": "arn:aws:iam::999999999999:root"},
    }
    narrow = {**READ, "Principal": {"Service": "sagemaker.amazonaws.com"}, "Condition": TRUST["Condition"]}
    [change] = changes_of([narrow], [wider])
    assert change.change == "changed" and change.old.sid == change.new.sid == "Read"
    assert change.broadens == (
        Widening("allows actions", ("s3:DeleteObject",)),
        Widening("allows resources", ("*",)),
        Widening("allows principals", ("AWS:arn:aws:iam::999999999999:root",)),
        Widening("drops the conditions", ("StringEquals aws:SourceAccount = 123456789012",)),
    )


def test_narrowing_is_shown_but_not_flagged() -> None:
    narrower = {**READ, "Condition": {"Bool": {"aws:SecureTransport": True}}}
    deny = {"Effect": "Deny", "Action": "s3:*", "Resource": BUCKET}
    found = changes_of([READ, {**READ, "Sid": "Write", "Action": "s3:PutObject"}], [narrower, deny])
    assert {(c.change, c.broadens) for c in found} == {("changed", ()), ("removed", ()), ("added", ())}
    [changed] = [c for c in found if c.change == "changed"]
    assert changed.new.conditions == (Condition("Bool", "aws:SecureTransport", ("true",)),)


def test_deny_and_not_elements_count_the_other_way_round() -> None:
    deny = {"Effect": "Deny", "Action": ["s3:DeleteObject", "s3:PutObject"], "Resource": BUCKET}
    [fewer] = changes_of([deny], [{**deny, "Action": "s3:PutObject"}])
    assert fewer.broadens == (Widening("no longer denies actions", ("s3:DeleteObject",)),)
    [gone] = changes_of([READ, deny], [READ])
    assert (gone.change, gone.broadens) == ("removed", (Widening("removes a Deny statement"),))
    conditional = {**deny, "Condition": {"StringNotEquals": {"aws:PrincipalAccount": "123456789012"}}}
    [scoped] = changes_of([deny], [conditional])
    assert scoped.broadens == (
        Widening("denies only under the conditions", ("StringNotEquals aws:PrincipalAccount = 123456789012",)),
    )
    everything_but = {"Effect": "Allow", "NotAction": ["iam:*", "kms:*"], "Resource": "*"}
    [exception_gone] = changes_of([everything_but], [{**everything_but, "NotAction": "iam:*"}])
    assert exception_gone.broadens == (Widening("no longer excepts actions", ("kms:*",)),)
    assert {(c.change, c.broadens) for c in changes_of([deny], [{**deny, "Effect": "Allow"}])} == {
        ("removed", (Widening("removes a Deny statement"),)),
        ("added", (Widening("adds an Allow statement"),)),
    }
    [turned] = changes_of([{**deny, "Sid": "S"}], [{**deny, "Sid": "S", "Effect": "Allow"}])
    assert (turned.change, turned.broadens) == ("changed", (Widening("turns a Deny statement into an Allow"),))


def test_policy_documents_are_found_wherever_pulumi_aws_takes_them() -> None:
    inputs = {
        "assumeRolePolicy": document(TRUST),
        "inlinePolicies": [{"name": "read", "policy": document(READ)}],
        "policy": {"Version": "2012-10-17", "Statement": READ},  # an object, one statement
        "description": '{"Statement": not json}',
        "tags": {"Statement": "x"},
    }
    found = documents(inputs)
    assert set(found) == {"assumeRolePolicy", "inlinePolicies[read].policy", "policy"}
    assert [s.actions for s in statements(found["policy"])] == [("s3:GetObject",)]


def _resource(type_token: str, name: str, inputs: dict[str, Any]) -> PlanResource:
    return PlanResource(f"urn:pulumi:dev::modelops::{type_token}::{name}", type_token, name, None, inputs)


def _plan(*resources: PlanResource) -> Plan:
    return Plan("dev", "dev", [], list(resources))


def test_a_created_role_lists_its_statements_as_added_grants() -> None:
    role = _resource(ROLE, "new-role", {"name": "new-role", "assumeRolePolicy": document(TRUST)})
    [policy] = security_changes(_plan(), _plan(role))
    [added] = policy.statements
    assert (policy.path, added.change, added.new) == ("assumeRolePolicy", "added", statement(TRUST))
    assert added.broadens == (Widening("adds an Allow statement"),)
    assert policy_changes(role, None)[0].statements[0].change == "removed"
    two = _resource(ROLE, "new-role", {"name": "new-role", "assumeRolePolicy": document(TRUST, READ)})
    result = Diff("main", [StackDiff("dev", "dev", security=security_changes(_plan(), _plan(two)))])
    assert "  !! BROADENS ACCESS in dev: new-role assumeRolePolicy: adds an Allow statement (x2)" in diff_text(result)


def _policy_diff(old: str, new: str) -> Diff:
    before = _plan(_resource(ROLE_POLICY, "exec-policy", {"role": "r", "policy": old}))
    after = _plan(_resource(ROLE_POLICY, "exec-policy", {"role": "r", "policy": new}))
    stack = StackDiff("dev", "dev", resources=resource_changes(before, after), security=security_changes(before, after))
    return Diff("main", [stack])


def test_a_widened_policy_is_flagged_in_every_format() -> None:
    wider = {**READ, "Action": ["s3:GetObject", "s3:DeleteObject"]}
    result = _policy_diff(document(READ), document(wider))
    [stack] = result.stacks
    [update] = stack.resources
    assert [(v.path, v.hidden) for v in update.values] == [("policy", POLICY)]  # not two JSON strings
    assert [p.name for _, p in result.broadening] == ["exec-policy"]

    text = diff_text(result).splitlines()
    assert text[1] == "1 IAM policy change(s) broaden access; review them:"
    assert text[2] == "  !! BROADENS ACCESS in dev: exec-policy policy: allows actions s3:DeleteObject"
    statement_lines = text[text.index("  IAM statement changes:") + 1 :]
    assert statement_lines == [
        f"    exec-policy ({ROLE_POLICY}) policy:",
        f"      - Allow s3:GetObject on {BUCKET}/*",
        f"      + Allow s3:DeleteObject, s3:GetObject on {BUCKET}/*",
        "        !! broadens access: allows actions s3:DeleteObject",
    ]

    markdown = diff_markdown(result)
    assert_tables_whole(markdown, assert_inert(markdown))
    assert "> [!WARNING]\n> 1 IAM policy change(s) broaden access." in markdown
    assert "| `dev` | `exec-policy` | `policy` | allows actions `s3:DeleteObject` |" in markdown
    assert f"| - | `exec-policy` `policy` | Allow | `s3:GetObject` | `{BUCKET}/*` |  |  |" in markdown
    plus = f"| + :warning: | `exec-policy` `policy` | Allow | `s3:DeleteObject`, `s3:GetObject` | `{BUCKET}/*` |  |  |"
    assert plus in markdown

    data = json.loads(diff_json(result))
    [policy] = data["stacks"][0]["security"]
    [change] = policy["statements"]
    assert (policy["broadens"], change["change"]) == (True, "changed")
    assert change["new"]["actions"] == ["s3:DeleteObject", "s3:GetObject"] and change["old"]["sid"] == "Read"
    assert change["broadens"] == [{"how": "allows actions", "values": ["s3:DeleteObject"]}]
    assert data["broadening"][0]["broadens"] == change["broadens"]


def test_a_rewritten_document_with_the_same_statements_says_so() -> None:
    reordered = json.dumps({"Statement": [{**READ, "Action": ["s3:GetObject"]}], "Version": "2012-10-17"})
    result = _policy_diff(document(READ), reordered)
    [stack] = result.stacks
    assert stack.security == [] and result.broadening == []
    assert [(v.path, v.hidden) for v in stack.resources[0].values] == [("policy", SAME_STATEMENTS)]
    assert "IAM" not in diff_text(result) and "[!WARNING]" not in diff_markdown(result)
