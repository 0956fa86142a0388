"""vCPUs, memory and accelerator devices of SageMaker hosting instance types.

An inference component reserves CPU cores, memory and accelerator devices per copy
(`ComputeResourceRequirements` of CreateInferenceComponent), and a copy runs on one instance of
its endpoint: `validate` compares a reservation with one instance of the pool. Nothing installed
carries these figures (botocore has only the instance type enum; sagemaker-core's
`instance_gpu_info.json` has GPU counts for some GPU families and no vCPUs or memory), so they
are vendored here, by hand, from AWS's published specifications. An `ml.X` hosting instance has
the hardware of EC2 instance type `X`:

- general purpose (t2, m4, m5, m5d, m6g, m6gd, m6i, m7i, m8g):
  https://docs.aws.amazon.com/ec2/latest/instancetypes/gp.html
- compute optimized (c4, c5, c5d, c6g, c6gd, c6gn, c6i, c6in, c7g, c7i, c8g):
  https://docs.aws.amazon.com/ec2/latest/instancetypes/co.html
- memory optimized (r5, r5d, r6g, r6gd, r6i, r7gd, r7i, r8g):
  https://docs.aws.amazon.com/ec2/latest/instancetypes/mo.html
- accelerated computing (g4dn, g5, g6, g6e, p2, p3, p4d, p4de, p5, p5e, p5en, inf1, inf2, trn1, trn1n):
  https://docs.aws.amazon.com/ec2/latest/instancetypes/ac.html
- SageMaker's own listing: https://aws.amazon.com/sagemaker/pricing/ ("Instance details"), and the
  GPU table of https://docs.aws.amazon.com/sagemaker/latest/dg/multi-model-support.html.

Accelerators count NVIDIA GPUs, and AWS Inferentia or Trainium chips (what one "accelerator
device" of `NumberOfAcceleratorDevicesRequired` is on Neuron instances, a chip or a NeuronCore,
AWS does not document; a chip is the larger unit, so no reservation that fits a chip is
refused). Only types in botocore's `ProductionVariantInstanceType` are listed
(tests/test_instance_specs.py checks it); a type missing here is refused for a pool with a
finding, since its reservations could not be checked. SageMaker keeps part of each instance for
itself (how much is not documented): a reservation of a whole instance passes here and may
still never be placed.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass

GIB = 1024  # MiB


@dataclass(frozen=True)
class InstanceSpec:
    vcpus: int
    memory_mib: int
    accelerators: int  # GPUs, or Inferentia / Trainium chips
    accelerator: str  # what one accelerator is, "" when there are none


# family -> (what one accelerator is, "size vCPUs/memory GiB[/accelerators], ...")
_FAMILIES: dict[str, tuple[str, str]] = {
    # General purpose
    "t2": ("", "medium 2/4, large 2/8, xlarge 4/16, 2xlarge 8/32"),
    "m4": ("", "xlarge 4/16, 2xlarge 8/32, 4xlarge 16/64, 10xlarge 40/160, 16xlarge 64/256"),
    "m5": ("", "large 2/8, xlarge 4/16, 2xlarge 8/32, 4xlarge 16/64, 12xlarge 48/192, 24xlarge 96/384"),
    "m5d": ("", "large 2/8, xlarge 4/16, 2xlarge 8/32, 4xlarge 16/64, 12xlarge 48/192, 24xlarge 96/384"),
    "m6g": (
        "",
        "large 2/8, xlarge 4/16, 2xlarge 8/32, 4xlarge 16/64, 8xlarge 32/128, 12xlarge 48/192, 16xlarge 64/256",
    ),
    "m6gd": (
        "",
        "large 2/8, xlarge 4/16, 2xlarge 8/32, 4xlarge 16/64, 8xlarge 32/128, 12xlarge 48/192, 16xlarge 64/256",
    ),
    "m6i": (
        "",
        "large 2/8, xlarge 4/16, 2xlarge 8/32, 4xlarge 16/64, 8xlarge 32/128, 12xlarge 48/192, "
        "16xlarge 64/256, 24xlarge 96/384, 32xlarge 128/512",
    ),
    "m7i": (
        "",
        "large 2/8, xlarge 4/16, 2xlarge 8/32, 4xlarge 16/64, 8xlarge 32/128, 12xlarge 48/192, "
        "16xlarge 64/256, 24xlarge 96/384, 48xlarge 192/768",
    ),
    "m8g": (
        "",
        "medium 1/4, large 2/8, xlarge 4/16, 2xlarge 8/32, 4xlarge 16/64, 8xlarge 32/128, 12xlarge 48/192, "
        "16xlarge 64/256, 24xlarge 96/384, 48xlarge 192/768",
    ),
    # Compute optimized
    "c4": ("", "large 2/3.75, xlarge 4/7.5, 2xlarge 8/15, 4xlarge 16/30, 8xlarge 36/60"),
    "c5": ("", "large 2/4, xlarge 4/8, 2xlarge 8/16, 4xlarge 16/32, 9xlarge 36/72, 18xlarge 72/144"),
    "c5d": ("", "large 2/4, xlarge 4/8, 2xlarge 8/16, 4xlarge 16/32, 9xlarge 36/72, 18xlarge 72/144"),
    "c6g": ("", "large 2/4, xlarge 4/8, 2xlarge 8/16, 4xlarge 16/32, 8xlarge 32/64, 12xlarge 48/96, 16xlarge 64/128"),
    "c6gd": ("", "large 2/4, xlarge 4/8, 2xlarge 8/16, 4xlarge 16/32, 8xlarge 32/64, 12xlarge 48/96, 16xlarge 64/128"),
    "c6gn": ("", "large 2/4, xlarge 4/8, 2xlarge 8/16, 4xlarge 16/32, 8xlarge 32/64, 12xlarge 48/96, 16xlarge 64/128"),
    "c6i": (
        "",
        "large 2/4, xlarge 4/8, 2xlarge 8/16, 4xlarge 16/32, 8xlarge 32/64, 12xlarge 48/96, 16xlarge 64/128, "
        "24xlarge 96/192, 32xlarge 128/256",
    ),
    "c6in": (
        "",
        "large 2/4, xlarge 4/8, 2xlarge 8/16, 4xlarge 16/32, 8xlarge 32/64, 12xlarge 48/96, "
        "16xlarge 64/128, 24xlarge 96/192, 32xlarge 128/256",
    ),
    "c7g": ("", "large 2/4, xlarge 4/8, 2xlarge 8/16, 4xlarge 16/32, 8xlarge 32/64, 12xlarge 48/96, 16xlarge 64/128"),
    "c7i": (
        "",
        "large 2/4, xlarge 4/8, 2xlarge 8/16, 4xlarge 16/32, 8xlarge 32/64, 12xlarge 48/96, 16xlarge 64/128, "
        "24xlarge 96/192, 48xlarge 192/384",
    ),
    "c8g": (
        "",
        "medium 1/2, large 2/4, xlarge 4/8, 2xlarge 8/16, 4xlarge 16/32, 8xlarge 32/64, 12xlarge 48/96, "
        "16xlarge 64/128, 24xlarge 96/192, 48xlarge 192/384",
    ),
    # Memory optimized
    "r5": ("", "large 2/16, xlarge 4/32, 2xlarge 8/64, 4xlarge 16/128, 12xlarge 48/384, 24xlarge 96/768"),
    "r5d": ("", "large 2/16, xlarge 4/32, 2xlarge 8/64, 4xlarge 16/128, 12xlarge 48/384, 24xlarge 96/768"),
    "r6g": (
        "",
        "large 2/16, xlarge 4/32, 2xlarge 8/64, 4xlarge 16/128, 8xlarge 32/256, 12xlarge 48/384, 16xlarge 64/512",
    ),
    "r6gd": (
        "",
        "large 2/16, xlarge 4/32, 2xlarge 8/64, 4xlarge 16/128, 8xlarge 32/256, 12xlarge 48/384, 16xlarge 64/512",
    ),
    "r6i": (
        "",
        "large 2/16, xlarge 4/32, 2xlarge 8/64, 4xlarge 16/128, 8xlarge 32/256, 12xlarge 48/384, "
        "16xlarge 64/512, 24xlarge 96/768, 32xlarge 128/1024",
    ),
    "r7gd": (
        "",
        "medium 1/8, large 2/16, xlarge 4/32, 2xlarge 8/64, 4xlarge 16/128, 8xlarge 32/256, "
        "12xlarge 48/384, 16xlarge 64/512",
    ),
    "r7i": (
        "",
        "large 2/16, xlarge 4/32, 2xlarge 8/64, 4xlarge 16/128, 8xlarge 32/256, 12xlarge 48/384, "
        "16xlarge 64/512, 24xlarge 96/768, 48xlarge 192/1536",
    ),
    "r8g": (
        "",
        "medium 1/8, large 2/16, xlarge 4/32, 2xlarge 8/64, 4xlarge 16/128, 8xlarge 32/256, 12xlarge 48/384, "
        "16xlarge 64/512, 24xlarge 96/768, 48xlarge 192/1536",
    ),
    # Accelerated computing
    "g4dn": (
        "NVIDIA T4 GPU",
        "xlarge 4/16/1, 2xlarge 8/32/1, 4xlarge 16/64/1, 8xlarge 32/128/1, 12xlarge 48/192/4, 16xlarge 64/256/1",
    ),
    "g5": (
        "NVIDIA A10G GPU",
        "xlarge 4/16/1, 2xlarge 8/32/1, 4xlarge 16/64/1, 8xlarge 32/128/1, 12xlarge 48/192/4, "
        "16xlarge 64/256/1, 24xlarge 96/384/4, 48xlarge 192/768/8",
    ),
    "g6": (
        "NVIDIA L4 GPU",
        "xlarge 4/16/1, 2xlarge 8/32/1, 4xlarge 16/64/1, 8xlarge 32/128/1, 12xlarge 48/192/4, "
        "16xlarge 64/256/1, 24xlarge 96/384/4, 48xlarge 192/768/8",
    ),
    "g6e": (
        "NVIDIA L40S GPU",
        "xlarge 4/32/1, 2xlarge 8/64/1, 4xlarge 16/128/1, 8xlarge 32/256/1, "
        "12xlarge 48/384/4, 16xlarge 64/512/1, 24xlarge 96/768/4, 48xlarge 192/1536/8",
    ),
    "p2": ("NVIDIA K80 GPU", "xlarge 4/61/1, 8xlarge 32/488/8, 16xlarge 64/732/16"),
    "p3": ("NVIDIA V100 GPU", "2xlarge 8/61/1, 8xlarge 32/244/4, 16xlarge 64/488/8"),
    "p4d": ("NVIDIA A100 GPU", "24xlarge 96/1152/8"),
    "p4de": ("NVIDIA A100 80 GB GPU", "24xlarge 96/1152/8"),
    "p5": ("NVIDIA H100 GPU", "4xlarge 16/256/1, 48xlarge 192/2048/8"),
    "p5e": ("NVIDIA H200 GPU", "48xlarge 192/2048/8"),
    "p5en": ("NVIDIA H200 GPU", "48xlarge 192/2048/8"),
    "inf1": ("AWS Inferentia chip", "xlarge 4/8/1, 2xlarge 8/16/1, 6xlarge 24/48/4, 24xlarge 96/192/16"),
    "inf2": ("AWS Inferentia2 chip", "xlarge 4/16/1, 8xlarge 32/128/1, 24xlarge 96/384/6, 48xlarge 192/768/12"),
    "trn1": ("AWS Trainium chip", "2xlarge 8/32/1, 32xlarge 128/512/16"),
    "trn1n": ("AWS Trainium chip", "32xlarge 128/512/16"),
}


def _specs() -> dict[str, InstanceSpec]:
    specs = {}
    for family, (accelerator, sizes) in _FAMILIES.items():
        for entry in sizes.split(", "):
            size, figures = entry.split(" ")
            vcpus, memory_gib, *devices = figures.split("/")
            count = int(devices[0]) if devices else 0
            specs[f"ml.{family}.{size}"] = InstanceSpec(
                int(vcpus), round(float(memory_gib) * GIB), count, accelerator if count else ""
            )
    return specs


INSTANCE_SPECS: dict[str, InstanceSpec] = _specs()


def instance_spec(instance_type: str) -> InstanceSpec | None:
    return INSTANCE_SPECS.get(instance_type)


def unknown_size_problem(instance_type: str) -> str | None:
    """Why modelops cannot size `instance_type` (a hosting type botocore knows), or None."""
    if instance_type in INSTANCE_SPECS:
        return None
    close = difflib.get_close_matches(instance_type, sorted(INSTANCE_SPECS), n=4, cutoff=0.6)
    hint = f"; known close types: {', '.join(close)}" if close else ""
    return (
        f"modelops does not know the vCPUs, memory and accelerators of {instance_type}, so it cannot check that "
        f"the components' reservations fit one instance (modelops/aws/instance_specs.py lists the sizes it "
        f"knows){hint}"
    )
