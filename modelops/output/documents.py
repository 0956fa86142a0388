"""The JSON documents of `--format json`: one per command, typed, versioned by their `schema`.

Each is what a CI tool reads instead of the text: `ok` says whether the command passed,
`findings` holds the problems in spec and stack files (`file`, `line`, `column`, `field`),
`error` why the command could not run (exit 2 or 3), and the rest is the command's own result:
the calls of a rehearsal, the checks of verify and drift. The JSON Schemas under `schemas/` are
generated from these classes (`modelops.output.schemas`) by `modelops schema`; a test fails
while a committed schema differs from them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Annotated, Literal

from pydantic import ConfigDict, Field, TypeAdapter

if TYPE_CHECKING:
    from modelops.engine.live_report import LiveReport
    from modelops.engine.rehearse import RehearsalReport
    from modelops.spec.loader import Problem

# Every field is always written, so the schemas require each one (`null` where there is none).
_STRICT = ConfigDict(extra="forbid", json_schema_serialization_defaults_required=True)
ErrorKind = Literal["usage", "aws", "kubernetes", "internal", "interrupted"]
# A field that changes meaning or goes away makes a new version; fields may be added within one.
_VERSION = Field(description="This document's format and version.")


@dataclass(frozen=True, kw_only=True)
class Finding:
    """A problem in a spec or stack file: the line `file:line:col: field: message` that the
    command prints to stderr, as data."""

    __pydantic_config__ = _STRICT

    file: Annotated[str, Field(description="The file, relative to the repository root.")]
    line: Annotated[int, Field(description="1-based.")]
    column: Annotated[int, Field(description="1-based.")]
    field: Annotated[
        str | None, Field(description="The field's dotted path, e.g. `serving.instance_count`; null: the whole file.")
    ]
    message: str
    severity: Annotated[Literal["error"], Field(description="Every finding fails the command.")] = "error"

    @classmethod
    def of(cls, problem: Problem) -> Finding:
        return cls(
            file=problem.file,
            line=problem.line,
            column=problem.column,
            field=problem.field or None,
            message=problem.message,
        )


@dataclass(frozen=True, kw_only=True)
class Error:
    """Why the command could not run: the line it prints to stderr, without `modelops: `."""

    __pydantic_config__ = _STRICT

    kind: Annotated[
        ErrorKind,
        Field(description="usage: exit 2; aws, kubernetes, internal: exit 3; interrupted: exit 130."),
    ]
    message: str


@dataclass(frozen=True, kw_only=True)
class _Document:
    __pydantic_config__ = _STRICT

    schema: Annotated[str, _VERSION]
    ok: Annotated[bool, Field(description="The command passed: it exits 0.")]
    findings: Annotated[
        list[Finding], Field(description="Problems in spec and stack files; any fails the command (exit 1).")
    ] = field(default_factory=list)
    error: Annotated[Error | None, Field(description="Why the command could not run; null when it ran.")] = None


@dataclass(frozen=True, kw_only=True)
class ValidateDocument(_Document):
    """`modelops validate --format json`."""

    schema: Annotated[Literal["modelops.validate/v1"], _VERSION] = "modelops.validate/v1"
    stacks: Annotated[list[str], Field(description="The stacks checked.")] = field(default_factory=list)
    spec_files: Annotated[
        int | None, Field(description="How many spec files loaded as specs; null when checking did not start.")
    ] = None
    base: Annotated[
        str | None, Field(description="--base: the revision released version files were compared with.")
    ] = None


@dataclass(frozen=True, kw_only=True)
class RehearsalCall:
    """One resource's call: an AWS API call on moto, or the offline check of a Kubernetes object."""

    __pydantic_config__ = _STRICT

    resource: Annotated[str, Field(description="The Pulumi resource's name.")]
    type: Annotated[str, Field(description="The Pulumi type token.")]
    call: Annotated[
        str,
        Field(description="`service:operation`, a dynamic provider's `<Kind>.create`, or the Kubernetes check."),
    ]
    where: Annotated[str, Field(description="What ran the call: `moto`, or the offline checker of the object.")]
    ok: bool
    message: Annotated[str, Field(description="AWS's or the checker's message; often empty on success.")]
    dropped: Annotated[list[str], Field(description="Inputs the API call does not take: listed, never lost silently.")]


@dataclass(frozen=True, kw_only=True)
class RehearseDocument(_Document):
    """`modelops rehearse --format json`."""

    schema: Annotated[Literal["modelops.rehearse/v1"], _VERSION] = "modelops.rehearse/v1"
    stack: str
    calls: Annotated[list[RehearsalCall], Field(description="In the order they were made.")] = field(
        default_factory=list
    )
    notes: Annotated[list[str], Field(description="What was emulated or checked offline instead of called on AWS.")] = (
        field(default_factory=list)
    )


def rehearse_document(report: RehearsalReport) -> RehearseDocument:
    calls = [
        RehearsalCall(
            resource=c.resource,
            type=c.type,
            call=c.call,
            where=c.where,
            ok=c.ok,
            message=c.message,
            dropped=list(c.dropped),
        )
        for c in report.calls
    ]
    return RehearseDocument(stack=report.stack, ok=report.ok, calls=calls, notes=report.notes)


@dataclass(frozen=True, kw_only=True)
class LiveCheck:
    """One live object compared with what the stack intends."""

    __pydantic_config__ = _STRICT

    subject: Annotated[str, Field(description="e.g. `endpoint churn-classifier-prod`, `deployment search/ranker`.")]
    ok: Annotated[bool, Field(description="false: verify fails it, or drift found it changed outside Pulumi.")]
    message: str


@dataclass(frozen=True, kw_only=True)
class _LiveDocument(_Document):
    stack: str
    against: Annotated[
        str | None,
        Field(description="`AWS`, `Kubernetes context <name>`, or both; null when the command stopped first."),
    ] = None
    checks: list[LiveCheck] = field(default_factory=list)


@dataclass(frozen=True, kw_only=True)
class VerifyDocument(_LiveDocument):
    """`modelops verify --format json`."""

    schema: Annotated[Literal["modelops.verify/v1"], _VERSION] = "modelops.verify/v1"


@dataclass(frozen=True, kw_only=True)
class DriftDocument(_LiveDocument):
    """`modelops drift --format json`."""

    schema: Annotated[Literal["modelops.drift/v1"], _VERSION] = "modelops.drift/v1"


def live_document(report: LiveReport) -> VerifyDocument | DriftDocument:
    """The document of a verify or drift report."""
    document = VerifyDocument if report.command == "verify" else DriftDocument
    checks = [LiveCheck(subject=c.subject, ok=c.ok, message=c.message) for c in report.checks]
    return document(stack=report.stack, ok=report.ok, against=report.against, checks=checks)


Document = ValidateDocument | RehearseDocument | VerifyDocument | DriftDocument
DOCUMENTS: dict[str, type[Document]] = {
    "validate": ValidateDocument,
    "rehearse": RehearseDocument,
    "verify": VerifyDocument,
    "drift": DriftDocument,
}


def to_json(document: Document) -> str:
    return TypeAdapter(type(document)).dump_json(document, indent=2).decode()
