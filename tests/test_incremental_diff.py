"""`diff --base` renders only the models whose deployment reads something different, and says
exactly what a diff that renders both revisions whole says (modelops/engine/model_digest.py)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from modelops.engine import model_digest, render
from modelops.gitops import diff as diff_module
from modelops.gitops.diff import diff, diff_json
from tests.conftest import edit_yaml, read_yaml, spec_path, write_yaml
from tests.test_gitops import repo  # noqa: F401  (the scratch git repository fixture)

DEV = "stacks/Pulumi.dev.yaml"


def _models(root: Path) -> Callable[[Callable[[dict[str, Any]], None]], None]:
    def change(edit: Callable[[dict[str, Any]], None]) -> None:
        edit_yaml(root / DEV, lambda data: edit(data["config"]["modelops:models"]))

    return change


def move_fraud_pin(root: Path) -> None:
    _models(root)(lambda pins: pins.update({"fraud-detector": "3.0.1"}))


def new_generation_of_a_read_group(root: Path) -> None:
    # churn-classifier reads payments-history: its role's policy names the group's new generation.
    data = read_yaml(spec_path(root, "fraud-detector", "3.1.0"))
    data["metadata"]["version"] = "3.2.0"
    group = data["features"]["groups"][0]
    group["features"] = group["features"][:-1]
    group["replace"] = True
    write_yaml(spec_path(root, "fraud-detector", "3.2.0"), data)
    _models(root)(lambda pins: pins.update({"fraud-detector": "3.2.0"}))


def stack_wide_tags(root: Path) -> None:
    edit_yaml(root / DEV, lambda data: data["config"]["modelops:tags"].update({"cost-centre": "ml"}))


def remove_and_add_models(root: Path) -> None:
    _models(root)(lambda pins: (pins.pop("sentiment-hf"), pins.pop("demand-forecaster")))


def move_the_cluster(root: Path) -> None:
    edit_yaml(root / DEV, lambda data: data["config"]["modelops:kubernetes"].update({"context": "ml-dev-2"}))


def switch_a_model_to_sagemaker(root: Path) -> None:
    data = read_yaml(spec_path(root, "ticket-router", "1.0.0"))
    data["metadata"]["version"] = "1.0.1"
    serving = data.setdefault("environments", {}).setdefault("dev", {}).setdefault("serving", {})
    serving.update({"target": "sagemaker", "kubernetes": None, "instance_type": "ml.m5.large"})
    write_yaml(spec_path(root, "ticket-router", "1.0.1"), data)
    _models(root)(lambda pins: pins.update({"ticket-router": "1.0.1"}))


def nothing(root: Path) -> None:
    pass


CHANGES = [
    move_fraud_pin,
    new_generation_of_a_read_group,
    stack_wide_tags,
    remove_and_add_models,
    move_the_cluster,
    switch_a_model_to_sagemaker,
    nothing,
]


@pytest.fixture
def rendered(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, Any]]:
    """The `only` of every render the diff asks for."""
    calls: list[tuple[str, Any]] = []
    original = render.render

    def spy(root: Path, stack: str, *args: Any, **kwargs: Any) -> Any:
        calls.append((stack, kwargs.get("only")))
        return original(root, stack, *args, **kwargs)

    monkeypatch.setattr(diff_module, "render", spy)
    return calls


@pytest.mark.parametrize("change", CHANGES, ids=lambda c: c.__name__)
def test_incremental_diff_says_what_the_full_diff_says(
    repo: Path,  # noqa: F811
    change: Callable[[Path], None],
    monkeypatch: pytest.MonkeyPatch,
    rendered: list[tuple[str, Any]],
) -> None:
    change(repo)
    incremental = diff_json(diff(repo, "HEAD", "dev"))
    monkeypatch.setattr(diff_module, "models_to_render", lambda before, after: None)
    full = diff_json(diff(repo, "HEAD", "dev"))
    assert incremental == full
    assert rendered[-1] == ("dev", None)  # the full diff did render everything


def test_one_moved_pin_renders_that_model_alone(repo: Path, rendered: list[tuple[str, Any]]) -> None:  # noqa: F811
    move_fraud_pin(repo)
    result = diff(repo, "HEAD", "dev")
    assert rendered == [("dev", {"fraud-detector"}), ("dev", {"fraud-detector"})]
    assert any(c.name.startswith("fraud-detector") for c in result.stacks[0].resources)


def test_a_reader_renders_again_when_its_group_changes_generation(repo: Path, rendered: list[tuple[str, Any]]) -> None:  # noqa: F811
    new_generation_of_a_read_group(repo)
    diff(repo, "HEAD", "dev")
    assert rendered[0][1] == {"fraud-detector", "churn-classifier"}


def test_stack_wide_config_renders_every_model(repo: Path, rendered: list[tuple[str, Any]]) -> None:  # noqa: F811
    stack_wide_tags(repo)
    diff(repo, "HEAD", "dev")
    pins = read_yaml(repo / DEV)["config"]["modelops:models"]
    assert rendered[0][1] == set(pins)


def test_identical_spec_files_are_parsed_once(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: F811
    from modelops.spec import repository

    parsed: list[str] = []
    original = repository.load_spec_file

    def spy(path: Path, display: str, text: str | None = None) -> Any:
        parsed.append(display)
        return original(path, display, text)

    monkeypatch.setattr(repository, "load_spec_file", spy)
    new_generation_of_a_read_group(repo)
    diff(repo, "HEAD", "dev")
    files = sorted(p.relative_to(repo).as_posix() for p in (repo / "model_specs").glob("*/*.yaml"))
    # Every file of the base once, and of the head only the one that is new.
    assert sorted(parsed) == sorted([*(f for f in files if "3.2.0" not in f), "model_specs/fraud-detector/3.2.0.yaml"])


def test_every_input_has_a_canonical_form() -> None:
    with pytest.raises(TypeError, match="no canonical form for object"):
        model_digest.canonical({"x": object()})
