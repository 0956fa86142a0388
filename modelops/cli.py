"""`modelops` command line. Library errors become exit codes here and only here:

- 0: success;
- 1: findings, one line each (`file:line:col: field: message`), or a failed rehearsal, verify
  or drift check;
- 2: bad usage: an unknown option (click's own), a --root that holds no repository, a --stack
  or --to that names no stack file in stacks/;
- 3: an error: AWS refused a call or found no credentials, or no Kubernetes cluster could be
  reached for a stack's kubernetes models (verify, drift), or an unexpected exception. One
  line; `modelops --debug ...` (or MODELOPS_DEBUG=1) prints the traceback too;
- 130: interrupted (Ctrl-C); 143: terminated (SIGTERM, as a cancelled CI job sends); 141: the reader
  of the output went away (`| head`), as a shell reports it.

No traceback reaches the user without --debug: pull requests are hostile input, and a traceback
is neither a finding nor something the author of one can act on.

With `--format json` (validate, rehearse, verify, drift) stdout carries exactly one JSON
document whatever the exit code, findings and errors included (`modelops.output.documents`);
stderr carries what it would without it. Only click's own usage errors, found before the
format is known, and a reader that went away (141) leave stdout empty.
"""

from __future__ import annotations

import gc
import itertools
import json
import os
import signal
import sys
import traceback
from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn, TypeVar

import typer

from modelops.errors import ClusterUnavailable, UsageError
from modelops.spec.loader import ProblemsFound

if TYPE_CHECKING:
    from modelops.engine.rehearse import CallResult, RehearsalReport
    from modelops.output.documents import Document, Error, ErrorKind, Finding
    from modelops.output.terminal import Printer

app = typer.Typer(
    name="modelops",
    help="GitOps for machine-learning models on AWS: specs in git, SageMaker in the cloud.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

ROOT_HELP = "Repository root holding model_specs/ and stacks/ (default: the current directory)."
RootOption = Annotated[Path | None, typer.Option("--root", help=ROOT_HELP, show_default=False)]
StackOption = Annotated[str, typer.Option("--stack", "-s", help="Stack name: stacks/Pulumi.<stack>.yaml.")]
T = TypeVar("T")


class PlanFormat(StrEnum):
    tree = "tree"
    json = "json"
    markdown = "markdown"
    mermaid = "mermaid"


class OutputFormat(StrEnum):
    text = "text"
    json = "json"


FormatOption = Annotated[
    OutputFormat,
    typer.Option(
        "--format", "-f", help="text for people; json for tools: one document, schemas/<command>-output-v1.json."
    ),
]
# Builds the command's JSON document when it ends early: its findings, or why it could not run.
FailedDocument = Callable[[list["Finding"], "Error | None"], "Document"]

EXIT_FINDINGS, EXIT_USAGE, EXIT_ERROR, EXIT_INTERRUPTED, EXIT_BROKEN_PIPE, EXIT_TERMINATED = 1, 2, 3, 130, 141, 143


class Terminated(KeyboardInterrupt):
    """SIGTERM: unwinds as Ctrl-C does, so that the forked parts of a plan or rehearsal are killed
    and their temporary folder removed (`modelops.engine.forked`), instead of the parts finishing
    their work orphaned."""


def _terminate(signum: int, frame: Any) -> None:
    raise Terminated


DEBUG_HINT = "rerun as `modelops --debug <command> ...` (or with MODELOPS_DEBUG=1) for the traceback"


class _Options:
    debug = False
    root: Path | None = None


def _print_version(requested: bool) -> None:
    if requested:
        from modelops import package_version

        typer.echo(f"modelops {package_version()}")
        raise typer.Exit()


@app.callback()
def _global_options(
    debug: Annotated[
        bool,
        typer.Option("--debug", envvar="MODELOPS_DEBUG", help="Print the traceback of an unexpected error."),
    ] = False,
    root: RootOption = None,
    _version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_print_version, is_eager=True, expose_value=False, help="Print the version and exit."
        ),
    ] = False,
) -> None:
    # Set on every invocation, so one run's options never leak into the next (tests reuse the app).
    _Options.debug = debug
    _Options.root = root


def _root(given: Path | None) -> Path:
    """The repository root: the command's --root, else the one before the command, else the
    current directory. Every file modelops reads or writes is under it, whatever the cwd."""
    return given or _Options.root or Path(".")


def _one_line(text: object) -> str:
    """Messages (AWS's, an exception's) may span lines: the user gets one."""
    return " ".join(str(text).split())


def _guarded(action: Callable[[], T], failed: FailedDocument | None = None) -> T:
    """Run a command body: findings print one line each and exit 1, never a traceback. With
    `failed` (--format json), stdout also gets the command's document, whatever went wrong."""
    try:
        return action()
    except ProblemsFound as exc:
        for problem in exc.problems:
            typer.echo(str(problem), err=True)
        typer.echo(f"{len(exc.problems)} problem(s) found.", err=True)
        _failed_document(failed, problems=exc.problems)
        raise typer.Exit(EXIT_FINDINGS) from None
    except UsageError as exc:
        typer.echo(f"modelops: {_one_line(exc)}", err=True)
        _failed_document(failed, error=("usage", _one_line(exc)))
        raise typer.Exit(EXIT_USAGE) from None
    except typer.Exit:
        raise
    except ClusterUnavailable as exc:
        # verify, drift of a stack with kubernetes models: no cluster to compare with.
        typer.echo(f"modelops: Kubernetes: {_one_line(exc)}", err=True)
        _failed_document(failed, error=("kubernetes", _one_line(exc)))
        raise typer.Exit(EXIT_ERROR) from None
    except BrokenPipeError:
        _reader_gone()
    except KeyboardInterrupt as exc:
        # click would print "Aborted!" and exit 1, the code of a finding.
        how = "terminated" if isinstance(exc, Terminated) else "interrupted"
        typer.echo(f"modelops: {how}", err=True)
        _failed_document(failed, error=("interrupted", how))
        raise typer.Exit(EXIT_TERMINATED if isinstance(exc, Terminated) else EXIT_INTERRUPTED) from None
    except Exception as exc:  # noqa: BLE001 - the one place internal errors meet the user
        if _Options.debug:
            traceback.print_exc()
        if type(exc).__module__.startswith("botocore"):
            # Only live commands (verify, drift) reach AWS: missing credentials or a refused call.
            # Not a finding about the stack: nothing was compared.
            typer.echo(f"modelops: AWS: {_one_line(exc)}", err=True)
            _failed_document(failed, error=("aws", _one_line(exc)))
            raise typer.Exit(EXIT_ERROR) from None
        hint = "" if _Options.debug else f"; {DEBUG_HINT}"
        message = f"internal error: {type(exc).__name__}: {_one_line(exc)}"
        typer.echo(f"modelops: {message}{hint}", err=True)
        _failed_document(failed, error=("internal", message))
        raise typer.Exit(EXIT_ERROR) from None


def _reader_gone() -> NoReturn:
    """The reader went away (`modelops plan ... | head`): nothing left to tell it. Point stdout
    at /dev/null so the interpreter's final flush does not raise again, and exit as a shell
    reports a SIGPIPE'd command."""
    os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    raise typer.Exit(EXIT_BROKEN_PIPE) from None


def _failed_document(
    failed: FailedDocument | None, problems: list[Any] | None = None, error: tuple[ErrorKind, str] | None = None
) -> None:
    if failed is None:
        return
    from modelops.output.documents import Error, Finding

    findings = [Finding.of(p) for p in problems or []]
    _print_document(failed(findings, Error(kind=error[0], message=error[1]) if error else None))


def _print_document(document: Document) -> None:
    from modelops.output.documents import to_json

    try:
        typer.echo(to_json(document))
    except BrokenPipeError:
        _reader_gone()


def _repository(root: Path, needs_stacks: bool = True) -> Path:
    """`root` if it holds a repository (model_specs/ and, unless not needed, a stack)."""
    from modelops.spec.repository import SPECS_DIR
    from modelops.spec.stack import STACKS_DIR, stack_names

    if not root.is_dir():
        reason = "not a directory" if root.exists() else "no such directory"
        raise UsageError(f"--root {str(root)!r}: {reason}")
    for folder in (SPECS_DIR, STACKS_DIR):
        if (root / folder).is_symlink():
            # Everything under them is read as the repository's own: a link could point a pull
            # request's validation, or promote's write, anywhere on the machine.
            raise UsageError(
                f"--root {str(root)!r}: {folder}/ is a symbolic link; it must be a folder of the repository"
            )
    if not (root / SPECS_DIR).is_dir():
        raise UsageError(
            f"--root {str(root)!r} has no {SPECS_DIR}/ folder: run modelops at the repository's root or pass --root"
        )
    if needs_stacks and not stack_names(root):
        raise UsageError(f"--root {str(root)!r} has no stacks: {STACKS_DIR}/ holds no Pulumi.<stack>.yaml")
    return root


def _stack(root: Path, name: str, option: str = "--stack") -> str:
    """A stack name the user gave, checked against stacks/ (UsageError otherwise)."""
    from modelops.spec.stack import require_stack

    return require_stack(_repository(root), name, option)


@app.command()
def validate(
    root_option: RootOption = None,
    stack: Annotated[list[str] | None, typer.Option("--stack", "-s", help="Only these stacks (default: all).")] = None,
    base: Annotated[
        str | None,
        typer.Option("--base", help="Git revision to compare with: version files released there must be unchanged."),
    ] = None,
    output_format: FormatOption = OutputFormat.text,
) -> None:
    """Check every spec and stack: schema, cross references, pins and governance rules."""
    from modelops.spec.resolve import load_project
    from modelops.spec.stack import stack_names

    root = _root(root_option)

    checked: dict[str, Any] = {}  # what the JSON document reports when validation ends in findings

    def failed(findings: list[Finding], error: Error | None) -> Document:
        from modelops.output.documents import ValidateDocument

        return ValidateDocument(ok=False, findings=findings, error=error, base=base, **checked)

    def body() -> None:
        _repository(root)
        names = [_stack(root, name) for name in stack] if stack else stack_names(root)
        project = load_project(root, names)
        found = list(project.problems)
        if base is not None:
            from modelops.spec.released import released_file_problems

            found += released_file_problems(root, base)
        checked.update(stacks=names, spec_files=sum(len(v) for v in project.repo.specs.values()))
        if found:
            raise ProblemsFound(sorted(set(found)))
        if output_format is OutputFormat.json:
            from modelops.output.documents import ValidateDocument

            _print_document(ValidateDocument(ok=True, base=base, **checked))
            return
        against = f", released versions unchanged since {base}" if base else ""
        typer.echo(f"ok: {checked['spec_files']} spec file(s), {len(names)} stack(s) valid{against}")

    _guarded(body, failed if output_format is OutputFormat.json else None)


@app.command()
def plan(
    stack: StackOption,
    root_option: RootOption = None,
    output_format: Annotated[PlanFormat, typer.Option("--format", "-f", help="Output format.")] = PlanFormat.tree,
) -> None:
    """Render the stack offline (Pulumi's mock runtime) into a Plan of every resource."""
    from modelops.engine.render import render
    from modelops.gitops.plan_format import render_markdown, render_mermaid, render_tree
    from modelops.output.terminal import PLAN_LINES, Printer, progress

    root = _root(root_option)

    def body() -> None:
        name = _stack(root, stack)
        with progress(f"plan {name}", "registered") as update:
            result = render(root, name, on_progress=update)
        if output_format is PlanFormat.json:
            result.write_json(sys.stdout)
            sys.stdout.write("\n")
        elif output_format is PlanFormat.markdown:
            typer.echo(render_markdown(result))
        elif output_format is PlanFormat.mermaid:
            typer.echo(render_mermaid(result))
        else:
            Printer(PLAN_LINES).lines(render_tree(result))
        if result.violations:
            raise typer.Exit(1)

    _guarded(body)


class _RehearsalStream:
    """`rehearse` prints each call's result the moment it returns, as the report will list it.

    Calls return on the mock runtime's threads, one at a time (the rehearsal serializes them).
    A reader that goes away there must not fail the program's resource: it is remembered and
    raised once the rehearsal is over."""

    def __init__(self, printer: Printer, stack: str):
        self._printer, self._stack = printer, stack
        self._started = self.reader_gone = False

    def call(self, call: CallResult) -> None:
        from modelops.engine.rehearse import call_line

        self._print(call_line(call))

    def finish(self, report: RehearsalReport) -> None:
        for line in report.closing_lines():
            self._print(line)
        if self.reader_gone:
            raise BrokenPipeError

    def _print(self, line: str) -> None:
        if self.reader_gone:
            return
        try:
            if not self._started:
                from modelops.engine.rehearse import rehearsal_header

                self._started = True
                self._printer.line(rehearsal_header(self._stack))
            self._printer.line(line)
        except BrokenPipeError:
            self.reader_gone = True


@app.command()
def rehearse(
    stack: StackOption, root_option: RootOption = None, output_format: FormatOption = OutputFormat.text
) -> None:
    """Deploy the stack against the embedded AWS emulator (moto): every resource a real API call,
    each printed as it returns."""
    from modelops.engine.rehearse import rehearse as run_rehearsal
    from modelops.output.terminal import RESULT_LINES, Printer, progress

    root = _root(root_option)

    def failed(findings: list[Finding], error: Error | None) -> Document:
        from modelops.output.documents import RehearseDocument

        return RehearseDocument(stack=stack, ok=False, findings=findings, error=error)

    def body() -> None:
        name = _stack(root, stack)
        if output_format is OutputFormat.json:
            from modelops.output.documents import rehearse_document

            with progress(f"rehearse {name}", "calls") as update:
                done = itertools.count(1)
                report = run_rehearsal(root, name, lambda call: update(f"{call.call} {call.resource}", next(done)))
            _print_document(rehearse_document(report))
        else:
            # The calls themselves show the progress: no spinner to interleave with them.
            stream = _RehearsalStream(Printer(RESULT_LINES), name)
            report = run_rehearsal(root, name, stream.call)
            stream.finish(report)
        if not report.ok:
            raise typer.Exit(1)

    _guarded(body, failed if output_format is OutputFormat.json else None)


class DiffFormat(StrEnum):
    text = "text"
    markdown = "markdown"
    json = "json"


class FailOn(StrEnum):
    destructive = "destructive"
    never = "never"


@app.command()
def diff(
    base: Annotated[str, typer.Option("--base", help="Git revision to compare the working tree with.")],
    root_option: RootOption = None,
    stack: Annotated[str | None, typer.Option("--stack", "-s", help="Only this stack (default: all).")] = None,
    output_format: Annotated[DiffFormat, typer.Option("--format", "-f", help="Output format.")] = DiffFormat.text,
    fail_on: Annotated[
        FailOn, typer.Option("--fail-on", help="Exit 1 when a change destroys data or causes downtime.")
    ] = FailOn.never,
) -> None:
    """What the working tree changes against REV, per stack: versions, spec fields, resources."""
    from modelops.gitops.diff import diff as compute
    from modelops.gitops.diff import diff_json, diff_markdown, diff_text
    from modelops.output.terminal import DIFF_LINES, Printer, progress

    root = _root(root_option)

    def body() -> None:
        from modelops.spec.stack import STACK_NAME

        if not root.is_dir():
            _repository(root)  # names what is wrong with the root
        if stack is not None and not STACK_NAME.match(stack):
            # A stack may exist at REV only: diff checks the name against both revisions.
            _stack(root, stack)
        with progress(f"diff against {base}", "registered") as update:
            result = compute(root, base, stack, update)
        if output_format is DiffFormat.text:
            Printer(DIFF_LINES).lines(diff_text(result))
        else:
            typer.echo((diff_markdown if output_format is DiffFormat.markdown else diff_json)(result))
        if fail_on is FailOn.destructive and result.critical:
            raise typer.Exit(1)

    _guarded(body)


@app.command()
def promote(
    model: Annotated[str, typer.Argument(help="Model name (its folder under model_specs/).")],
    version: Annotated[str, typer.Argument(help="The version to run as the model's primary.")],
    to: Annotated[str, typer.Option("--to", help="Stack whose pin moves: stacks/Pulumi.<stack>.yaml.")],
    root_option: RootOption = None,
) -> None:
    """Pin MODEL at VERSION in a stack, keeping the file's comments; refused if a rule breaks."""
    from modelops.gitops.promote import promote as run_promotion

    root = _root(root_option)

    def body() -> None:
        typer.echo(run_promotion(root, model, version, _stack(root, to, "--to")).summary())

    _guarded(body)


@app.command("policy-config")
def policy_config(stack: StackOption, root_option: RootOption = None) -> None:
    """Print the policy pack's config for a stack (for `pulumi preview --policy-pack-config`)."""
    from modelops.rules import RULES
    from modelops.spec.stack import load_stack_file

    root = _root(root_option)

    def body() -> None:
        config, _ = load_stack_file(root, _stack(root, stack))
        facts = {
            "environment": config.environment,
            "kmsKeyArn": config.kms_key_arn,
            "permissionsBoundaryArn": config.permissions_boundary_arn,
        }
        per_policy = {k: v for k, v in facts.items() if v is not None}
        typer.echo(json.dumps({name: per_policy for name in RULES}, indent=2))

    _guarded(body)


def _live_command(command: str, stack: str, root: Path, output_format: OutputFormat) -> None:
    """verify or drift: the checks, in text or as the command's JSON document."""
    from modelops.engine import live
    from modelops.output.documents import DriftDocument, VerifyDocument, live_document
    from modelops.output.terminal import RESULT_LINES, Printer

    document = VerifyDocument if command == "verify" else DriftDocument

    def failed(findings: list[Finding], error: Error | None) -> Document:
        return document(stack=stack, ok=False, findings=findings, error=error)

    def body() -> None:
        report = (live.verify if command == "verify" else live.drift)(root, _stack(root, stack))
        if output_format is OutputFormat.json:
            _print_document(live_document(report))
        else:
            Printer(RESULT_LINES).lines(report.summary())
        if not report.ok:
            raise typer.Exit(1)

    _guarded(body, failed if output_format is OutputFormat.json else None)


@app.command()
def verify(stack: StackOption, root_option: RootOption = None, output_format: FormatOption = OutputFormat.text) -> None:
    """After a deploy: endpoints InService on the intended config (a rollback fails), schedules
    Scheduled with no failed last run, feature groups Created; kubernetes models Ready (KServe)
    or rolled out (Deployment) on the intended version."""
    _live_command("verify", stack, _root(root_option), output_format)


@app.command()
def drift(stack: StackOption, root_option: RootOption = None, output_format: FormatOption = OutputFormat.text) -> None:
    """Compare what can change outside Pulumi with the stack: weights, capacity, schedules, TTLs,
    and the replica bounds and canary percent of kubernetes models."""
    _live_command("drift", stack, _root(root_option), output_format)


@app.command()
def schema(
    root_option: RootOption = None,
    check: Annotated[bool, typer.Option("--check", help="Exit 1 if a committed file is stale.")] = False,
) -> None:
    """Write what is generated from the models: the JSON Schemas under schemas/ (the spec
    language, modelspec-v1.json, and each command's --format json document,
    <command>-output-v1.json) and the spec reference, docs/spec-reference.md."""
    from modelops.output.schemas import output_schema_texts
    from modelops.spec.reference import REFERENCE_PATH, reference_text
    from modelops.spec.schema import SCHEMA_PATH, schema_text

    root = _root(root_option)

    def body() -> None:
        if not root.is_dir():
            _repository(root)  # never create a tree under a mistyped --root
        texts = {SCHEMA_PATH: schema_text(), REFERENCE_PATH: reference_text(), **output_schema_texts()}
        if check:
            stale = [name for name, text in texts.items() if not _holds(root / name, text)]
            for name in stale:
                typer.echo(f"{name} is stale: run `modelops schema`", err=True)
            if stale:
                raise typer.Exit(1)
            typer.echo(f"{len(texts)} generated files are current")
            return
        for name, text in texts.items():
            path = root / name
            path.parent.mkdir(parents=True, exist_ok=True)
            # Replaced, never written through: a symlink or FIFO at the path (a pull request can
            # commit either) is swapped for the file, not followed or blocked on.
            temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
            temporary.write_text(text)
            os.replace(temporary, path)
            typer.echo(f"wrote {name}")

    _guarded(body)


def _holds(path: Path, text: str) -> bool:
    return path.is_file() and not path.is_symlink() and path.read_bytes() == text.encode()


def main() -> None:
    # One command, then the process exits: the garbage collector would only rescan the millions
    # of objects that loading specs and running the program leave (a fifth of loading 1000 specs,
    # a third of a rehearsal), and exiting frees them all at once. A process that keeps running,
    # as the tests do, calls `app` and collects as usual.
    gc.disable()
    signal.signal(signal.SIGTERM, _terminate)
    try:
        app()
    except SystemExit as exc:
        # click uses exit code 2 for usage errors already; keep every other code as is.
        sys.exit(exc.code)
