"""The CrossGuard policies: each rule of `modelops.rules`, unchanged, as a resource validation.

`modelops plan` runs the same functions on its Plan; here the Pulumi engine hands them each
resource's inputs during `pulumi preview` / `pulumi up`. Importing this module has no side
effect: building the PolicyPack (which starts the analyzer's gRPC server) happens only in
`__main__.py`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pulumi_policy import (
    EnforcementLevel,
    PolicyConfigSchema,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
)

from modelops.rules import RULE_DESCRIPTIONS, RULES, Rule, RuleContext

PACK_NAME = "modelops-governance"
CONFIG_SCHEMA = PolicyConfigSchema(
    properties={
        "environment": {"type": "string", "enum": ["dev", "staging", "prod"]},
        "kmsKeyArn": {"type": "string"},
        "permissionsBoundaryArn": {"type": "string"},
    },
    required=["environment"],
)


def rule_context(config: Any) -> RuleContext:
    """The stack facts a rule needs, from the policy config `modelops policy-config` writes.
    The engine checks the config against CONFIG_SCHEMA first, which requires the environment."""
    return RuleContext(
        environment=config["environment"],
        kms_key_arn=config.get("kmsKeyArn") or None,
        permissions_boundary_arn=config.get("permissionsBoundaryArn") or None,
    )


def _validation(rule: Rule) -> Callable[[ResourceValidationArgs, ReportViolation], None]:
    def validate(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
        context = rule_context(args.get_config())
        for message in rule(args.resource_type, dict(args.props), context):
            report_violation(message, args.urn)

    return validate


def build_policies() -> list[ResourceValidationPolicy]:
    return [
        ResourceValidationPolicy(
            name=name,
            description=RULE_DESCRIPTIONS[name],
            validate=_validation(rule),
            enforcement_level=EnforcementLevel.MANDATORY,
            config_schema=CONFIG_SCHEMA,
        )
        for name, rule in RULES.items()
    ]
