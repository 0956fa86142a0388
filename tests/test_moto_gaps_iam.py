"""IAM's quota on a role's inline policies, which moto does not apply: the rehearsal refuses a
PutRolePolicy past 10,240 characters (white space not counted) as AWS does (`moto_gaps`)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from modelops.aws.iam import ROLE_POLICY_SIZE_LIMIT, assume_role_policy, policy_size
from modelops.engine.plan import PlanResource
from modelops.engine.rehearse import RehearsalMocks, emulated_aws

REGION = "eu-west-1"
ROLE = "modelops-cpu-pool-dev"
LIMIT_MESSAGE = f"Maximum policy size of 10240 bytes exceeded for role {ROLE}"


def document(size: int) -> str:
    """A policy of exactly `size` characters as IAM counts them, with white space it does not count."""
    base = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": ["s3:GetObject"], "Resource": ["arn:aws:s3:::b/"]}],
    }
    padding = size - policy_size(base)
    assert padding >= 0
    base["Statement"][0]["Resource"] = [f"arn:aws:s3:::b/{'k' * padding}"]
    text = json.dumps(base, indent=4)  # white space IAM does not count
    assert policy_size(text) == size
    return text


@pytest.fixture
def iam() -> Iterator[Any]:
    with emulated_aws(REGION):
        client = boto3.client("iam", region_name=REGION)
        client.create_role(RoleName=ROLE, AssumeRolePolicyDocument=json.dumps(assume_role_policy("123456789012")))
        yield client


def test_iam_counts_a_policy_without_its_white_space() -> None:
    assert policy_size('{"a": [ "b",\n\t"c" ]}') == len('{"a":["b","c"]}')
    assert policy_size({"a": ["b", "c"]}) == len('{"a":["b","c"]}')


def test_a_role_policy_at_the_limit_is_taken(iam: Any) -> None:
    iam.put_role_policy(RoleName=ROLE, PolicyName="least-privilege", PolicyDocument=document(ROLE_POLICY_SIZE_LIMIT))
    assert iam.list_role_policies(RoleName=ROLE)["PolicyNames"] == ["least-privilege"]


def test_a_role_policy_past_the_limit_is_refused_as_aws_refuses_it(iam: Any) -> None:
    with pytest.raises(ClientError) as refused:
        iam.put_role_policy(
            RoleName=ROLE, PolicyName="least-privilege", PolicyDocument=document(ROLE_POLICY_SIZE_LIMIT + 1)
        )
    assert refused.value.response["Error"]["Code"] == "LimitExceeded"
    assert refused.value.response["Error"]["Message"] == LIMIT_MESSAGE
    assert iam.list_role_policies(RoleName=ROLE)["PolicyNames"] == []


def test_the_limit_is_on_the_roles_inline_policies_together(iam: Any) -> None:
    half = ROLE_POLICY_SIZE_LIMIT // 2
    iam.put_role_policy(RoleName=ROLE, PolicyName="one", PolicyDocument=document(half))
    iam.put_role_policy(RoleName=ROLE, PolicyName="two", PolicyDocument=document(half))
    with pytest.raises(ClientError, match="LimitExceeded"):
        iam.put_role_policy(RoleName=ROLE, PolicyName="three", PolicyDocument=document(300))
    # A policy put again replaces itself: it is counted once.
    iam.put_role_policy(RoleName=ROLE, PolicyName="two", PolicyDocument=document(half - 300))
    iam.put_role_policy(RoleName=ROLE, PolicyName="three", PolicyDocument=document(300))
    with pytest.raises(ClientError, match="LimitExceeded"):
        iam.put_role_policy(RoleName=ROLE, PolicyName="two", PolicyDocument=document(half - 299))


@pytest.mark.parametrize(("size", "ok"), [(ROLE_POLICY_SIZE_LIMIT, True), (ROLE_POLICY_SIZE_LIMIT + 1, False)])
def test_a_role_whose_inline_policy_exceeds_the_limit_fails_the_rehearsal(size: int, ok: bool) -> None:
    """Through the rehearsal's own calls: the role, then its policy as the program declares them."""
    with emulated_aws(REGION):
        account = boto3.client("sts", region_name=REGION).get_caller_identity()["Account"]
        mocks = RehearsalMocks(REGION, account)
        role = PlanResource(
            urn="urn:role",
            type="aws:iam/role:Role",
            name="pool-cpu-pool-execution-role",
            parent=None,
            inputs={"name": ROLE, "assumeRolePolicy": json.dumps(assume_role_policy(account))},
        )
        policy = PlanResource(
            urn="urn:policy",
            type="aws:iam/rolePolicy:RolePolicy",
            name="pool-cpu-pool-execution-policy",
            parent=None,
            inputs={"role": ROLE, "name": "least-privilege", "policy": document(size)},
        )
        mocks.create(role)
        mocks.create(policy)
    assert [c.ok for c in mocks.calls] == [True, ok]
    if not ok:
        assert mocks.calls[1].call == "iam:put_role_policy"
        assert mocks.calls[1].message == f"LimitExceeded: {LIMIT_MESSAGE}"


def test_the_rehearsal_lists_the_quota_among_what_it_emulates() -> None:
    with emulated_aws(REGION) as notes:
        pass
    assert any("PutRolePolicy" in note and "10,240" in note for note in notes)
