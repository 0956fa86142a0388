"""`pip install .`: the `modelops` command, its version, and a repository root that does not
depend on the current directory (the console script, `python -m modelops`, an installed copy)."""

from __future__ import annotations

import ast
import importlib.metadata
import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

import modelops
from modelops.cli import app
from tests.conftest import REPO_ROOT, edit_yaml, spec_path

PYPROJECT = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["project"]
VERSION = PYPROJECT["version"]
BIN = Path(sys.executable).parent
COMMAND = BIN / "modelops"
PACKAGES = ("modelops", "components")


def run(args: list[str], cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("MODELOPS_", "PYTHON"))}
    environment.update(env or {})
    return subprocess.run(args, cwd=cwd, env=environment, capture_output=True, text=True, check=False, timeout=300)


@pytest.fixture
def elsewhere(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An empty directory that is not the repository: the commands run from here."""
    return tmp_path_factory.mktemp("cwd")


def git(root: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.email=ci@example.com", "-c", "user.name=ci", *args], cwd=root, check=True)


def test_the_console_script_is_installed() -> None:
    assert COMMAND.is_file(), f"{COMMAND} is missing: `make setup` installs the project (pip install --editable .)"
    result = run([str(COMMAND), "--version"], cwd=REPO_ROOT)
    assert (result.returncode, result.stdout, result.stderr) == (0, f"modelops {VERSION}\n", "")


def test_the_version_is_the_package_metadata() -> None:
    assert importlib.metadata.version("modelops") == VERSION
    assert modelops.package_version() == VERSION == modelops.__version__


def test_a_source_tree_never_installed_reads_its_pyproject(monkeypatch: pytest.MonkeyPatch) -> None:
    def not_installed(name: str) -> str:
        raise importlib.metadata.PackageNotFoundError(name)

    monkeypatch.setattr(importlib.metadata, "version", not_installed)
    assert modelops.package_version() == VERSION


def test_version_through_the_app() -> None:
    result = CliRunner().invoke(app, ["--version"])
    assert (result.exit_code, result.output) == (0, f"modelops {VERSION}\n")


@pytest.mark.parametrize("launcher", ["console script", "python -m"])
def test_commands_run_from_any_directory(project: Path, elsewhere: Path, launcher: str) -> None:
    prefix = [str(COMMAND)] if launcher == "console script" else [sys.executable, "-m", "modelops"]
    before_the_command = run([*prefix, "--root", str(project), "validate"], cwd=elsewhere)
    assert before_the_command.returncode == 0, before_the_command.stderr
    assert before_the_command.stdout == "ok: 16 spec file(s), 3 stack(s) valid\n"
    relative = run([*prefix, "validate", "--root", os.path.relpath(project, elsewhere)], cwd=elsewhere)
    assert relative.returncode == 0, relative.stderr
    edit_yaml(spec_path(project), lambda d: d["serving"].update({"instance_typ": "ml.m5.large"}))
    finding = run([*prefix, "--root", str(project), "validate"], cwd=elsewhere)
    assert finding.returncode == 1
    assert finding.stderr.startswith("model_specs/churn-classifier/1.2.0.yaml:")
    assert "serving.instance_typ: unknown field; did you mean `instance_type`?" in finding.stderr
    assert list(elsewhere.iterdir()) == []


def test_python_m_modelops_runs_from_the_project_root() -> None:
    result = run([sys.executable, "-m", "modelops", "validate"], cwd=REPO_ROOT)
    assert (result.returncode, result.stdout) == (0, "ok: 16 spec file(s), 3 stack(s) valid\n"), result.stderr


def test_without_root_the_current_directory_is_the_root(project: Path) -> None:
    result = run([str(COMMAND), "validate"], cwd=project)
    assert result.returncode == 0, result.stderr
    outside = run([str(COMMAND), "validate"], cwd=project / "stacks")
    assert outside.returncode == 2
    assert outside.stderr == (
        "modelops: --root '.' has no model_specs/ folder: run modelops at the repository's root or pass --root\n"
    )


def test_every_command_reads_and_writes_under_the_root(project: Path, elsewhere: Path) -> None:
    git(project, "init", "-q", "-b", "main")
    git(project, "add", "-A")
    git(project, "commit", "-q", "-m", "base")
    root = ["--root", str(project)]

    promoted = run([str(COMMAND), *root, "promote", "demand-forecaster", "1.1.0", "--to", "prod"], cwd=elsewhere)
    assert promoted.returncode == 0, promoted.stderr
    assert "demand-forecaster: 1.1.0" in (project / "stacks" / "Pulumi.prod.yaml").read_text()

    changed = run([str(COMMAND), *root, "diff", "--base", "HEAD", "--stack", "prod", "--format", "json"], cwd=elsewhere)
    assert changed.returncode == 0, changed.stderr
    assert "demand-forecaster" in changed.stdout

    released = run([str(COMMAND), *root, "validate", "--base", "HEAD"], cwd=elsewhere)
    assert released.returncode == 0, released.stderr
    assert released.stdout.endswith("released versions unchanged since HEAD\n")

    (project / "schemas" / "modelspec-v1.json").unlink()
    wrote = run([str(COMMAND), *root, "schema"], cwd=elsewhere)
    assert wrote.returncode == 0, wrote.stderr
    assert wrote.stdout.startswith("wrote schemas/modelspec-v1.json\nwrote docs/spec-reference.md\n")
    checked = run([str(COMMAND), *root, "schema", "--check"], cwd=elsewhere)
    assert checked.returncode == 0, checked.stderr

    config = run([str(COMMAND), *root, "policy-config", "--stack", "prod"], cwd=elsewhere)
    assert config.returncode == 0, config.stderr
    assert json.loads(config.stdout)["required-tags"]["environment"] == "prod"

    assert list(elsewhere.iterdir()) == []


def test_the_root_of_the_command_wins_over_the_one_before_it(
    project: Path, elsewhere: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(elsewhere)
    runner = CliRunner()
    assert runner.invoke(app, ["--root", str(project), "validate"]).exit_code == 0
    assert runner.invoke(app, ["--root", str(elsewhere), "validate", "--root", str(project)]).exit_code == 0
    refused = runner.invoke(app, ["--root", str(project), "validate", "--root", str(elsewhere)])
    assert refused.exit_code == 2 and "has no model_specs/ folder" in refused.output
    # One invocation's --root does not carry over to the next, which reads the cwd (no repository).
    assert runner.invoke(app, ["--root", str(project), "validate"]).exit_code == 0
    left_over = runner.invoke(app, ["validate"])
    assert left_over.exit_code == 2 and "--root '.' has no model_specs/ folder" in left_over.output


def _requirement_name(requirement: str) -> str:
    match = re.match(r"[A-Za-z0-9._-]+", requirement)
    assert match is not None, requirement
    return re.sub(r"[-_.]+", "-", match[0]).lower()


def test_dependencies_are_the_pins_of_requirements_txt() -> None:
    lines = {line.strip() for line in (REPO_ROOT / "requirements.txt").read_text().splitlines()}
    assert PYPROJECT["dependencies"], "pyproject.toml lists no dependencies"
    assert [d for d in PYPROJECT["dependencies"] if d not in lines] == []


def _declared_closure() -> set[str]:
    """The distributions `pip install .` brings: the dependencies and theirs, extras left out."""
    seen: set[str] = set()
    pending = [_requirement_name(d) for d in PYPROJECT["dependencies"]]
    while pending:
        name = pending.pop()
        if name in seen:
            continue
        seen.add(name)
        try:
            requirements = importlib.metadata.requires(name) or []
        except importlib.metadata.PackageNotFoundError:
            continue  # for another platform (colorama on Windows): provides nothing here
        for requirement in requirements:
            if "extra ==" not in requirement:
                pending.append(_requirement_name(requirement))
    return seen


def test_every_import_is_a_declared_dependency() -> None:
    imported: set[str] = set()
    for package in PACKAGES:
        for path in (REPO_ROOT / package).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text())):
                if isinstance(node, ast.Import):
                    imported.update(alias.name.split(".")[0] for alias in node.names)
                elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                    imported.add(node.module.split(".")[0])
    third_party = imported - set(sys.stdlib_module_names) - set(PACKAGES)
    providers = importlib.metadata.packages_distributions()
    closure = _declared_closure()
    undeclared = {
        module: providers.get(module, [])
        for module in third_party
        if not {_requirement_name(d) for d in providers.get(module, [])} & closure
    }
    assert undeclared == {}


@pytest.fixture(scope="module")
def installed_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A wheel built from the sources, installed (not editable) into a folder of its own."""
    work = tmp_path_factory.mktemp("install")
    source = work / "source"
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(REPO_ROOT / name, source / name)
    for package in PACKAGES:
        shutil.copytree(REPO_ROOT / package, source / package, ignore=shutil.ignore_patterns("__pycache__"))
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "--quiet"]
    offline = ["--no-deps", "--no-build-isolation", "--no-index"]
    built = run([*pip, "wheel", *offline, "--wheel-dir", str(work / "dist"), str(source)], cwd=work)
    assert built.returncode == 0, built.stderr
    (wheel,) = (work / "dist").glob("modelops-*.whl")
    site = work / "site"
    installed = run([*pip, "install", *offline, "--target", str(site), str(wheel)], cwd=work)
    assert installed.returncode == 0, installed.stderr
    return wheel


def test_the_wheel_holds_both_packages_and_the_command(installed_copy: Path) -> None:
    with zipfile.ZipFile(installed_copy) as wheel:
        names = set(wheel.namelist())
        info = f"modelops-{VERSION}.dist-info"
        entry_points = wheel.read(f"{info}/entry_points.txt").decode()
        metadata = wheel.read(f"{info}/METADATA").decode()
    for package in PACKAGES:
        sources = {p.relative_to(REPO_ROOT).as_posix() for p in (REPO_ROOT / package).rglob("*.py")}
        assert sources <= names, sorted(sources - names)
    assert {name.split("/")[0] for name in names} == {*PACKAGES, info}
    assert "[console_scripts]\nmodelops = modelops.cli:main" in entry_points
    assert f"\nVersion: {VERSION}\n" in metadata
    assert sorted(re.findall(r"^Requires-Dist: (.+)$", metadata, re.MULTILINE)) == sorted(PYPROJECT["dependencies"])


def test_an_installed_copy_runs_from_anywhere(installed_copy: Path, project: Path, elsewhere: Path) -> None:
    site = installed_copy.parent.parent / "site"
    env = {"PYTHONPATH": str(site)}
    located = run(
        [sys.executable, "-c", "import modelops, components; print(modelops.__file__, components.__file__)"],
        elsewhere,
        env,
    )
    assert located.stdout.split() == [str(site / "modelops" / "__init__.py"), str(site / "components" / "__init__.py")]
    script = site / "bin" / "modelops"
    version = run([str(script), "--version"], elsewhere, env)
    assert version.stdout == f"modelops {VERSION}\n", version.stderr
    validated = run([str(script), "--root", str(project), "validate"], elsewhere, env)
    assert validated.returncode == 0, validated.stderr
    # plan runs the Pulumi program from the installed package against the repository at --root.
    planned = run([str(script), "--root", str(project), "plan", "--stack", "prod", "--format", "json"], elsewhere, env)
    assert planned.returncode == 0, planned.stderr
    plan = json.loads(planned.stdout)
    assert {"name": "fraud-detector", "version": "3.0.1"} in plan["models"]
    assert list(elsewhere.iterdir()) == []
