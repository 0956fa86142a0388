"""Entry point the Pulumi engine runs for `--policy-pack policies`: serves the pack over gRPC."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # modelops/ and policies/

from pulumi_policy import EnforcementLevel, PolicyPack

from policies.governance import PACK_NAME, build_policies

PolicyPack(name=PACK_NAME, enforcement_level=EnforcementLevel.MANDATORY, policies=build_policies())
