"""`aws:region` must be a region botocore knows, in its partition."""

from __future__ import annotations

from pathlib import Path

from modelops.aws import regions
from tests.conftest import assert_problem, edit_yaml, problems
from tests.test_stack_rules import stack_file


def test_unknown_region_is_refused_with_close_ones(project: Path) -> None:
    edit_yaml(stack_file(project, "dev"), lambda d: d["config"].update({"aws:region": "eu-west-9"}))
    problem = assert_problem(
        problems(project), "aws:region", "knows no region 'eu-west-9' in partition aws", "Pulumi.dev.yaml"
    )
    assert "close: eu-west-3, eu-west-2, eu-west-1" in problem.message


def test_region_outside_every_partition_lists_the_partitions() -> None:
    message = regions.region_problem("zz-west-1") or ""
    assert "in any partition (aws, aws-cn," in message and "aws-us-gov" in message


def test_regions_of_other_partitions_are_known() -> None:
    assert regions.region_problem("us-gov-west-1") is None
    assert regions.partition_of("cn-north-1") == "aws-cn"
    assert regions.partition_of("eu-west-1") == "aws"
    assert "aws-global" not in regions.known_regions()  # an endpoint name, not a region
