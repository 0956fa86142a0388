"""Which SageMaker instance types carry local NVMe instance storage.

SageMaker encrypts those volumes with a hardware module and rejects a KMS key for them: "You
can't request a KmsKeyId when using an instance type with local storage. If any of the models
that you specify in the ProductionVariants parameter use nitro-based instances with local
storage, do not specify a value for the KmsKeyId parameter" (CreateEndpointConfig, KmsKeyId;
the same for ProcessingClusterConfig.VolumeKmsKeyId). The families follow EC2's instance
store table: a `d` after the generation (c5d, m5d, r5d, c6id, g4dn, p3dn, p4d, p4de) or a
family whose every size has NVMe storage (g5, g6, g6e, p5, trn1).
"""

from __future__ import annotations

import re

_WITH_D = re.compile(r"^[a-z]+\d+[a-z]*d[a-z]*$")
_ALWAYS_LOCAL = frozenset({"g5", "g6", "g6e", "gr6", "p5", "p5e", "p5en", "trn1", "trn1n", "trn2"})


def has_local_storage(instance_type: str | None) -> bool:
    if not instance_type:
        return False
    parts = instance_type.split(".")
    family = parts[1] if len(parts) == 3 else ""
    return family in _ALWAYS_LOCAL or bool(_WITH_D.match(family))
