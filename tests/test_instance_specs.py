"""The vendored instance figures (modelops/aws/instance_specs.py) against botocore's hosting types."""

from __future__ import annotations

from modelops.aws.instance_specs import INSTANCE_SPECS, InstanceSpec, instance_spec, unknown_size_problem
from modelops.aws.instance_types import hosting_instance_types

# The families issue 12 asks pools to size at least.
RESEARCH_FAMILIES = frozenset(
    {"t2", "m5", "m6i", "m7i", "c5", "c6i", "c7i", "r5", "r6i", "g4dn", "g5", "g6", "g6e", "p3", "p4d", "p4de", "p5"}
    | {"inf1", "inf2"}
)


def test_every_entry_is_a_hosting_type_botocore_knows() -> None:
    unknown = sorted(set(INSTANCE_SPECS) - hosting_instance_types())
    assert unknown == [], f"not in botocore's ProductionVariantInstanceType: {unknown}"


def test_every_size_botocore_lists_of_a_covered_family_has_an_entry() -> None:
    """A botocore upgrade that adds a size to a family the table covers fails here, not as a
    'modelops does not know its size' finding in a user's pull request."""
    families = {name.split(".")[1] for name in INSTANCE_SPECS}
    assert families >= RESEARCH_FAMILIES
    missing = sorted(t for t in hosting_instance_types() if t.split(".")[1] in families and t not in INSTANCE_SPECS)
    assert missing == []


def test_figures_are_the_published_ones() -> None:
    assert instance_spec("ml.c6i.2xlarge") == InstanceSpec(8, 16 * 1024, 0, "")
    assert instance_spec("ml.c4.large") == InstanceSpec(2, 3840, 0, "")  # 3.75 GiB
    assert instance_spec("ml.g5.12xlarge") == InstanceSpec(48, 192 * 1024, 4, "NVIDIA A10G GPU")
    assert instance_spec("ml.g6e.xlarge") == InstanceSpec(4, 32 * 1024, 1, "NVIDIA L40S GPU")
    assert instance_spec("ml.inf2.48xlarge") == InstanceSpec(192, 768 * 1024, 12, "AWS Inferentia2 chip")
    assert instance_spec("ml.p3.2xlarge") == InstanceSpec(8, 61 * 1024, 1, "NVIDIA V100 GPU")
    assert instance_spec("ml.p5.48xlarge") == InstanceSpec(192, 2048 * 1024, 8, "NVIDIA H100 GPU")
    # Memory per vCPU is the family's on every general purpose, compute and memory optimized size.
    ratios = {"m": 4, "c": 2, "r": 8}
    for name, spec in INSTANCE_SPECS.items():
        family = name.split(".")[1]
        if family[0] in ratios and family not in ("c4", "m4") and spec.accelerators == 0:
            assert spec.memory_mib == spec.vcpus * ratios[family[0]] * 1024, name


def test_an_unknown_size_names_close_known_types() -> None:
    assert unknown_size_problem("ml.c6i.2xlarge") is None
    assert "ml.g7e.2xlarge" in hosting_instance_types()
    problem = unknown_size_problem("ml.g7e.2xlarge")
    assert problem is not None
    assert problem.startswith("modelops does not know the vCPUs, memory and accelerators of ml.g7e.2xlarge")
    assert "known close types: ml.g6e.2xlarge" in problem
