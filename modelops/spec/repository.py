"""All model specs of a repository, loaded, checked and cross-checked.

`model_specs/<name>/<version>.yaml` is one released version. Loading reports every problem of
every file; cross-file rules (feature-group owners, `reads`, feature evolution between
versions) run over the files that loaded.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from modelops.spec.checks import check_spec, semver_key
from modelops.spec.environments import merged_spec_data
from modelops.spec.loader import (
    Document,
    FieldPath,
    Problem,
    ProblemsFound,
    decode,
    dotted,
    parse,
    read_bytes,
)
from modelops.spec.models import PATTERN_NAMES, FeatureGroupSpec, ModelSpec
from modelops.spec.validation_messages import validation_findings

SPECS_DIR = "model_specs"


@dataclass
class SpecFile:
    doc: Document
    spec: ModelSpec
    by_environment: dict[str, ModelSpec] = field(default_factory=dict)

    def for_environment(self, environment: str) -> ModelSpec:
        return self.by_environment.get(environment, self.spec)


@dataclass
class Repository:
    root: Path
    specs: dict[str, dict[str, SpecFile]] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    unloadable: set[tuple[str, str]] = field(default_factory=set)
    # Each spec file's bytes and what loading them gave, for `load_repository(reuse=...)`.
    loaded: dict[str, tuple[bytes, SpecFile | list[Problem]]] = field(default_factory=dict, repr=False)

    def versions(self, name: str) -> list[str]:
        return sorted(self.specs.get(name, {}), key=semver_key)

    def get(self, name: str, version: str) -> SpecFile | None:
        return self.specs.get(name, {}).get(version)

    def feature_group_owners(self) -> dict[str, str]:
        """Group -> the model that declares it (the first in name order, if several claim it)."""
        owners: dict[str, str] = {}
        for name in sorted(self.specs):
            for version in self.versions(name):
                for group in self.specs[name][version].spec.features.groups:
                    owners.setdefault(group.name, name)
        return owners

    def exists(self, name: str, version: str) -> bool:
        return version in self.specs.get(name, {}) or (name, version) in self.unloadable


def load_repository(root: Path, reuse: Repository | None = None) -> Repository:
    """Load and check every spec file under `root`. A file whose path and bytes are the same in
    `reuse` (the other revision of a diff) takes its result from there instead of parsing again:
    loading a file depends on nothing but its path and its bytes."""
    repo = Repository(root=root)
    directory = root / SPECS_DIR
    paths: list[Path] = []
    for folder in sorted(directory.iterdir()) if directory.is_dir() else []:
        if folder.is_symlink():
            # Path.glob would follow it; git archive (validate --base, diff) skips it.
            message = "is a symbolic link: a model's folder holds its version files itself"
            repo.problems.append(Problem(folder.relative_to(root).as_posix(), 1, 1, "", message))
        elif folder.is_dir():
            paths.extend(sorted(folder.iterdir()))
    for path in paths:
        display = path.relative_to(root).as_posix()
        if path.suffix != ".yaml":
            if path.is_file():
                repo.problems.append(Problem(display, 1, 1, "", "spec files end in .yaml"))
            continue
        try:
            content = read_bytes(path, display)
        except ProblemsFound as exc:
            repo.problems.extend(exc.problems)
            repo.unloadable.add((path.parent.name, path.stem))
            continue
        previous = reuse.loaded.get(display) if reuse is not None else None
        if previous is not None and previous[0] == content:
            outcome = previous[1]
            if isinstance(outcome, SpecFile):
                outcome = replace(outcome, doc=replace(outcome.doc, path=path))
        else:
            try:
                outcome = load_spec_file(path, display, decode(content, display))
            except ProblemsFound as exc:
                outcome = exc.problems
        repo.loaded[display] = (content, outcome)
        if isinstance(outcome, list):
            repo.problems.extend(outcome)
            repo.unloadable.add((path.parent.name, path.stem))
            continue
        spec_file = outcome
        repo.specs.setdefault(spec_file.spec.metadata.name, {})[spec_file.spec.metadata.version] = spec_file
    repo.problems.extend(_cross_file_problems(repo))
    return repo


def load_spec_file(path: Path, display: str, text: str | None = None) -> SpecFile:
    doc = parse(path, display, text)
    problems: list[Problem] = []
    if not isinstance(doc.data, dict):
        raise ProblemsFound([doc.problem((), "a spec is a YAML mapping")])
    spec = _validated(doc, doc.data, None, problems)
    if spec is None:
        raise ProblemsFound(problems)
    base_findings = check_spec(spec)
    problems.extend(doc.problem(p, m) for p, m in base_findings)
    meta = spec.metadata
    if path.parent.name != meta.name:
        problems.append(doc.problem(("metadata", "name"), f"{meta.name!r} must match its folder {path.parent.name!r}"))
    if path.stem != meta.version:
        problems.append(
            doc.problem(("metadata", "version"), f"{meta.version!r} must match the file name {path.name!r}")
        )
    spec_file = SpecFile(doc=doc, spec=spec)
    for environment in spec.environments:
        merged = merged_spec_data(doc.data, environment)
        if merged is None:
            continue
        env_spec = _validated(doc, merged, environment, problems)
        if env_spec is None:
            continue
        for finding_path, message in check_spec(env_spec):
            if (finding_path, message) not in base_findings:
                problems.append(_override_problem(doc, environment, finding_path, message))
        spec_file.by_environment[environment] = env_spec
    if problems:
        raise ProblemsFound(problems)
    return spec_file


def _override_problem(doc: Document, environment: str, path: FieldPath, message: str) -> Problem:
    """A problem of the merged spec, placed on the override that caused it when it can be."""
    override_path: FieldPath = ("environments", environment, *path)
    for end in range(len(override_path), 2, -1):
        if doc.has(override_path[:end]):
            return doc.problem(override_path[:end], f"{message} (after the {environment} override)", dotted(path))
    return doc.problem(path, f"{message} (in environment {environment})", dotted(path))


def _validated(
    doc: Document, data: dict[str, Any], environment: str | None, problems: list[Problem]
) -> ModelSpec | None:
    try:
        return ModelSpec.model_validate(data)
    except ValidationError as exc:
        for path, message in validation_findings(exc, ModelSpec, data, PATTERN_NAMES):
            if environment is None:
                problems.append(doc.problem(path, message))
            else:
                problems.append(_override_problem(doc, environment, path, message))
        return None


def _cross_file_problems(repo: Repository) -> list[Problem]:
    problems: list[Problem] = []
    owners = repo.feature_group_owners()
    for name in sorted(repo.specs):
        for version in repo.versions(name):
            spec_file = repo.specs[name][version]
            for index, group in enumerate(spec_file.spec.features.groups):
                owner = owners[group.name]
                if owner != name:
                    problems.append(
                        spec_file.doc.problem(
                            ("features", "groups", index, "name"),
                            f"feature group {group.name!r} is owned by model {owner!r}: "
                            "list it under features.reads instead",
                        )
                    )
    for name in sorted(repo.specs):
        for version in repo.versions(name):
            spec_file = repo.specs[name][version]
            for index, group_name in enumerate(spec_file.spec.features.reads):
                if group_name not in owners:
                    problems.append(
                        spec_file.doc.problem(
                            ("features", "reads", index),
                            f"no model declares feature group {group_name!r}",
                        )
                    )
        problems.extend(_evolution_problems(repo, name))
    return problems


def _evolution_problems(repo: Repository, name: str) -> list[Problem]:
    """Between consecutive versions a group may only gain features (or say replace: true)."""
    problems: list[Problem] = []
    versions = repo.versions(name)
    for older, newer in itertools.pairwise(versions):
        old_groups = {g.name: g for g in repo.specs[name][older].spec.features.groups}
        newer_file = repo.specs[name][newer]
        for index, group in enumerate(newer_file.spec.features.groups):
            previous = old_groups.get(group.name)
            if previous is None or group.replace:
                continue
            for message in destructive_changes(previous, group):
                problems.append(
                    newer_file.doc.problem(
                        ("features", "groups", index),
                        f"{message} since version {older}: this destroys stored feature data; "
                        "publish it with replace: true on the group to recreate it",
                        f"features.groups[{index}]",
                    )
                )
    return problems


def destructive_changes(old: FeatureGroupSpec, new: FeatureGroupSpec) -> list[str]:
    """What in `new` cannot be applied to `old` in place (only additions can)."""
    changes = []
    new_types = {f.name: f.type for f in new.features}
    for feature in old.features:
        if feature.name not in new_types:
            changes.append(f"feature {feature.name!r} removed")
        elif new_types[feature.name] != feature.type:
            changes.append(f"feature {feature.name!r} retyped {feature.type} -> {new_types[feature.name]}")
    for attribute in ("record_identifier", "event_time"):
        if getattr(old, attribute) != getattr(new, attribute):
            changes.append(f"{attribute} changed {getattr(old, attribute)!r} -> {getattr(new, attribute)!r}")
    if old.offline.enabled and new.offline.enabled and old.offline.table_format != new.offline.table_format:
        changes.append("offline table_format changed")
    if old.online.enabled != new.online.enabled or old.offline.enabled != new.offline.enabled:
        changes.append("online/offline store enablement changed")
    return changes
