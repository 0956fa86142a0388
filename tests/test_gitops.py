"""The GitOps loop in a scratch git repository: diff, validate --base and promote."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from modelops.cli import app
from modelops.engine.plan import Plan, PlanResource
from modelops.errors import UsageError
from modelops.gitops.diff import VersionChange, diff, diff_markdown, diff_text, resource_changes
from modelops.gitops.promote import promote
from modelops.spec.loader import Problem, ProblemsFound
from tests.conftest import REPO_ROOT, edit_yaml, git, read_yaml, spec_path, write_yaml

PROD_STACK = "stacks/Pulumi.prod.yaml"
CRM_TOKEN = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:crm-token-AbCdEf"  # churn-classifier's secret


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    for folder in ("model_specs", "stacks", "schemas"):
        shutil.copytree(REPO_ROOT / folder, tmp_path / folder)
    git(tmp_path, "init", "-q", "-b", "main")
    git(tmp_path, "add", "-A")
    git(tmp_path, "commit", "-q", "-m", "base")
    return tmp_path


def cli(root: Path, *args: str) -> Any:
    return CliRunner().invoke(app, [*args, "--root", str(root)])


def publish(root: Path, version: str, change: Any = None) -> None:
    data = read_yaml(spec_path(root, "churn-classifier", "1.3.0"))
    data["metadata"]["version"] = version
    if change:
        change(data)
    write_yaml(spec_path(root, "churn-classifier", version), data)


def remove_feature_with_replace(data: dict[str, Any]) -> None:
    group = data["features"]["groups"][0]
    group["features"] = [f for f in group["features"] if f["name"] != "monthly_charges"]
    group["replace"] = True


def test_moved_pin_is_named_with_its_resources(repo: Path) -> None:
    stack = repo / PROD_STACK
    stack.write_text(stack.read_text().replace("demand-forecaster: 1.0.0", "demand-forecaster: 1.1.0"))
    rendered: list[tuple[str, int]] = []
    result = diff(repo, "HEAD", "prod", on_progress=lambda name, count: rendered.append((name, count)))
    [prod] = result.stacks
    # Progress names each part rendered (here the one model that changed) with the revision and
    # stack, counting the resources rendered so far.
    for side in ("HEAD prod", "working tree prod"):
        counts = [count for name, count in rendered if name.startswith(f"{side}: ")]
        assert counts == sorted(set(counts)) and counts[-1] > 10
        assert f"{side}: 1 models to demand-forecaster" in {name for name, _ in rendered}
    assert prod.versions == [VersionChange("demand-forecaster", "primary", "1.0.0", "1.1.0")]
    fields = {f.path: (f.old, f.new) for f in prod.fields}
    assert fields["model.environment.FORECAST_HORIZON_WEEKS"] == ("12", "16")
    actions = {(c.action, c.name) for c in prod.resources}
    assert ("replace", "demand-forecaster-serving-primary-model") in actions
    assert ("update", "demand-forecaster-serving-endpoint") in actions  # repointed in place: no downtime
    assert result.critical == []
    assert git(repo, "status", "--porcelain") == f" M {PROD_STACK}\n"  # the working tree was only read


@pytest.mark.parametrize("forked", [True, False], ids=["forked-parts", "in-process"])
def test_progress_names_the_revision_and_stack_of_each_render(
    repo: Path, monkeypatch: pytest.MonkeyPatch, forked: bool
) -> None:
    """Whether the stack renders in forked parts (each part told) or in this process (each
    resource told), every report names its side and stack and counts up."""
    if not forked:
        monkeypatch.setattr("modelops.engine.forked.available", lambda: False)
    stack = repo / PROD_STACK
    stack.write_text(stack.read_text().replace("demand-forecaster: 1.0.0", "demand-forecaster: 1.1.0"))
    told: list[tuple[str, int]] = []
    diff(repo, "HEAD", "prod", on_progress=lambda name, count: told.append((name, count)))
    assert {name.split(": ", 1)[0] for name, _ in told} == {"HEAD prod", "working tree prod"}
    for side in ("HEAD prod", "working tree prod"):
        counts = [count for name, count in told if name.startswith(f"{side}: ")]
        assert counts == sorted(set(counts)) and counts[0] >= 1


def test_feature_removal_with_replace_is_destructive_and_listed_first(repo: Path) -> None:
    publish(repo, "1.4.0", remove_feature_with_replace)
    result = diff(repo, "HEAD", "dev")
    [dev] = result.stacks
    assert dev.versions == [VersionChange("churn-classifier", "primary", "1.3.0", "1.4.0")]
    paths = {f.path for f in dev.fields}
    assert "features.groups[customer-profile].features[monthly_charges]" in paths
    first = dev.resources[0]
    assert (first.action, first.type, first.name) == (
        "delete",
        "aws:sagemaker/featureGroup:FeatureGroup",
        "churn-classifier-customer-profile-dev-group",
    )
    assert first.data_loss and [c for _, c in result.critical] == [first]
    created = [c.name for c in dev.resources if c.action == "create"]
    assert "churn-classifier-customer-profile-dev-g2-group" in created
    text = diff_text(result).splitlines()
    assert text[1] == "1 change(s) destroy data or cause downtime; review them first:"
    assert text[2].startswith("  !! DATA LOSS in dev: delete churn-classifier-customer-profile-dev-group")
    markdown = diff_markdown(result)
    assert markdown.index("[!CAUTION]") < markdown.index("### Stack `dev`")
    outcome = cli(repo, "diff", "--base", "HEAD", "--stack", "dev", "--fail-on", "destructive")
    assert outcome.exit_code == 1, outcome.output
    assert cli(repo, "diff", "--base", "HEAD", "--stack", "dev").exit_code == 0


def test_new_version_reaches_only_the_stack_pinning_latest(repo: Path) -> None:
    publish(repo, "1.4.0")
    stacks = {stack.stack: stack for stack in diff(repo, "HEAD").stacks}
    assert stacks["staging"].empty and stacks["prod"].empty
    assert stacks["dev"].versions == [VersionChange("churn-classifier", "primary", "1.3.0", "1.4.0")]  # dev: latest
    assert stacks["dev"].fields == []  # the same spec but for its version
    outcome = cli(repo, "validate", "--base", "HEAD")
    assert outcome.exit_code == 0, outcome.output


def test_edited_version_file_is_rejected(repo: Path) -> None:
    edit_yaml(spec_path(repo, "fraud-detector", "3.0.1"), lambda d: d["serving"].update({"instance_count": 3}))
    outcome = cli(repo, "validate", "--base", "HEAD")
    assert outcome.exit_code == 1
    assert "model_specs/fraud-detector/3.0.1.yaml:" in outcome.output
    assert "fraud-detector 3.0.1 was released at HEAD and is immutable" in outcome.output
    assert "(e.g. 3.1.1)" in outcome.output
    git(repo, "checkout", "--", ".")
    (repo / "model_specs" / "sentiment-api" / "0.1.0.yaml").unlink()
    outcome = cli(repo, "validate", "--base", "HEAD")
    assert outcome.exit_code == 1 and "is deleted" in outcome.output


def test_unknown_revision_is_a_clear_error(repo: Path) -> None:
    with pytest.raises(UsageError, match="unknown revision 'no-such-rev'"):
        diff(repo, "no-such-rev")
    for command in (["validate"], ["diff"]):
        outcome = cli(repo, *command, "--base", "no-such-rev")
        assert outcome.exit_code == 2 and "--base: unknown revision 'no-such-rev'" in outcome.output
    outcome = cli(repo, "validate", "--base", "--output=x")
    assert outcome.exit_code == 2 and "is not a revision" in outcome.output


def test_a_problem_at_the_base_is_named_with_the_revision(repo: Path) -> None:
    """Where it is (file at REV, line, column, field) as validate would say, so it can be found."""
    stack = repo / "stacks" / "Pulumi.dev.yaml"
    fixed = stack.read_text()
    stack.write_text(fixed.replace("modelops:environment: dev", "modelops:environment: dve"))
    git(repo, "commit", "-q", "-am", "a typo")
    stack.write_text(fixed)
    with pytest.raises(ProblemsFound) as raised:
        diff(repo, "HEAD", "dev")
    assert raised.value.problems == [
        Problem(
            "HEAD:stacks/Pulumi.dev.yaml",
            4,
            3,
            "modelops:environment",
            "the value must be one of `dev`, `staging`, `prod` (got the text 'dve'); did you mean `dev`?",
        )
    ]


def test_a_program_failing_at_the_base_is_named_with_the_revision(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from modelops.engine import render

    def fail(*args: Any, **kwargs: Any) -> Any:
        raise render.ProgramFailed("the program failed")

    monkeypatch.setattr(render, "run_program", fail)
    monkeypatch.setattr(render, "_render_in_parts", fail)
    with pytest.raises(ProblemsFound) as raised:
        diff(repo, "HEAD", "dev")
    assert raised.value.problems == [Problem("HEAD:stack dev", 1, 1, "", "the program failed")]


def test_an_unknown_stack_when_neither_revision_has_one_says_none(repo: Path) -> None:
    git(repo, "rm", "-q", "stacks/*.yaml")
    git(repo, "commit", "-q", "-m", "no stacks")
    message = "--stack 'qa': no file stacks/Pulumi.qa.yaml here or at HEAD (stacks: none)"
    with pytest.raises(UsageError) as raised:
        diff(repo, "HEAD", "qa")
    assert str(raised.value) == message


def test_stack_added_since_base_is_all_creates(repo: Path) -> None:
    shutil.copy(repo / "stacks" / "Pulumi.dev.yaml", repo / "stacks" / "Pulumi.sandbox.yaml")
    [sandbox] = diff(repo, "HEAD", "sandbox").stacks
    assert sandbox.resources and {c.action for c in sandbox.resources} == {"create"}
    assert {v.kind for v in sandbox.versions} == {"added"}


def test_every_stack_of_either_revision_is_diffed_without_a_stack_named(repo: Path) -> None:
    """A stack added here is all creates, one removed since the base all deletes."""
    shutil.copy(repo / "stacks" / "Pulumi.dev.yaml", repo / "stacks" / "Pulumi.sandbox.yaml")
    (repo / "stacks" / "Pulumi.staging.yaml").unlink()
    stacks = {s.stack: s for s in diff(repo, "HEAD").stacks}
    # The removed stack's environment is the base's.
    assert [(s.stack, s.environment) for s in stacks.values()] == [
        ("dev", "dev"),
        ("prod", "prod"),
        ("sandbox", "dev"),
        ("staging", "staging"),
    ]
    assert {c.action for c in stacks["sandbox"].resources} == {"create"}
    assert {c.action for c in stacks["staging"].resources} == {"delete"}
    assert stacks["dev"].resources == stacks["prod"].resources == []


def test_promote_keeps_every_comment_and_moves_the_pin(repo: Path) -> None:
    stack = repo / PROD_STACK
    stack.write_text(
        stack.read_text()
        .replace(
            "    demand-forecaster: 1.0.0",
            "    # forecasting runs weekly\n    demand-forecaster: 1.0.0  # owner: supply",
        )
        .replace("  modelops:tags:", "  # tags every resource gets\n  modelops:tags:")
    )
    before = stack.read_text()
    promotion = promote(repo, "demand-forecaster", "1.1.0", "prod")
    after = stack.read_text()
    assert promotion.summary() == f"{PROD_STACK}: demand-forecaster 1.0.0 -> 1.1.0"
    comments = [line.split("#", 1)[1] for line in before.splitlines() if "#" in line]
    assert comments and all(any(c in line for line in after.splitlines()) for c in comments)
    assert "    demand-forecaster: 1.1.0  # owner: supply" in after
    assert [a for a, b in zip(after.splitlines(), before.splitlines(), strict=True) if a != b] == [
        "    demand-forecaster: 1.1.0  # owner: supply"
    ]
    assert yaml.safe_load(after)["config"]["modelops:models"]["demand-forecaster"] == "1.1.0"


def test_promoting_the_shadow_retires_it(repo: Path) -> None:
    promotion = promote(repo, "churn-classifier", "1.3.0", "prod")
    assert promotion.retired == "shadow"
    pin = yaml.safe_load((repo / PROD_STACK).read_text())["config"]["modelops:models"]["churn-classifier"]
    assert pin == {"version": "1.3.0"}


def test_promoting_a_kserve_challenger_retires_it(repo: Path) -> None:
    """On kubernetes a challenger is a KServe canary entry; promoting it is the same promote."""
    dev = "stacks/Pulumi.dev.yaml"
    promotion = promote(repo, "reviews-kserve", "1.1.0", "dev")
    assert promotion.summary() == f"{dev}: reviews-kserve 1.0.0 -> 1.1.0 (it was the challenger, which is removed)"
    assert yaml.safe_load((repo / dev).read_text())["config"]["modelops:models"]["reviews-kserve"] == {
        "version": "1.1.0"
    }


@pytest.mark.parametrize(
    ("model", "version", "fragment"),
    [
        ("churn-classifier", "9.9.9", "churn-classifier 9.9.9 does not exist (versions: 1.2.0, 1.3.0)"),
        ("sentiment-api", "0.2.0", "allows environments dev, not prod"),
    ],
)
def test_refused_promotion_leaves_the_file_untouched(repo: Path, model: str, version: str, fragment: str) -> None:
    before = (repo / PROD_STACK).read_bytes()
    outcome = cli(repo, "promote", model, version, "--to", "prod")
    assert outcome.exit_code == 1, outcome.output
    assert fragment in outcome.output
    assert (repo / PROD_STACK).read_bytes() == before
    assert not list((repo / "stacks").glob(".*.tmp"))


@pytest.mark.parametrize(
    ("change", "finding"),
    [
        (lambda d: d["serving"].update(replicas=3), "serving.replicas: unknown field"),
        (
            lambda d: d["model"]["environment"].update(DB_PASSWORD="x"),
            "model.environment.DB_PASSWORD: 'DB_PASSWORD' looks like a secret",
        ),
    ],
    ids=["unknown-field", "rule-between-fields"],
)
def test_promoting_an_invalid_version_is_refused_and_leaves_the_file_untouched(
    repo: Path, change: Any, finding: str
) -> None:
    """promote checks the promoted version's own spec, not only the stack it would write."""
    publish(repo, "1.4.0", change)
    before = (repo / PROD_STACK).read_bytes()
    outcome = cli(repo, "promote", "churn-classifier", "1.4.0", "--to", "prod")
    assert outcome.exit_code == 1, outcome.output
    [line] = [x for x in outcome.output.splitlines() if finding in x]
    assert line.startswith("model_specs/churn-classifier/1.4.0.yaml:")
    assert line.endswith("(after promoting churn-classifier 1.4.0)")
    assert (repo / PROD_STACK).read_bytes() == before
    assert not list((repo / "stacks").glob(".*.tmp"))


def _plan(*resources: PlanResource) -> Plan:
    return Plan(stack="prod", environment="prod", models=[], resources=list(resources))


def _endpoint(name: str, config: str) -> PlanResource:
    return PlanResource(
        urn="urn:pulumi:prod::modelops::aws:sagemaker/endpoint:Endpoint::x-endpoint",
        type="aws:sagemaker/endpoint:Endpoint",
        name="x-endpoint",
        parent=None,
        inputs={"name": name, "endpointConfigName": config, "tags": {"model-version": config}},
    )


def test_replacement_follows_the_provider_schema() -> None:
    [update] = resource_changes(_plan(_endpoint("x-prod", "c1")), _plan(_endpoint("x-prod", "c2")))
    assert (update.action, update.fields, update.downtime) == (
        "update",
        ("endpointConfigName", "tags.model-version"),
        None,
    )
    [replace] = resource_changes(_plan(_endpoint("x-prod", "c1")), _plan(_endpoint("x-production", "c1")))
    assert (replace.action, replace.replacing) == ("replace", ("name",))
    assert replace.downtime and replace.critical


def test_project_in_a_subdirectory_of_the_repository(tmp_path: Path) -> None:
    project = tmp_path / "ml" / "platform"
    for folder in ("model_specs", "stacks", "schemas"):
        shutil.copytree(REPO_ROOT / folder, project / folder)
    git(tmp_path, "init", "-q", "-b", "main")
    git(tmp_path, "add", "-A")
    git(tmp_path, "commit", "-q", "-m", "base")
    edit_yaml(spec_path(project, "fraud-detector", "3.0.1"), lambda d: d["serving"].update({"instance_count": 3}))
    outcome = cli(project, "validate", "--base", "HEAD")
    assert outcome.exit_code == 1 and "model_specs/fraud-detector/3.0.1.yaml:" in outcome.output
    stack = project / PROD_STACK
    stack.write_text(stack.read_text().replace("demand-forecaster: 1.0.0", "demand-forecaster: 1.1.0"))
    [prod] = diff(project, "HEAD", "prod").stacks
    assert prod.versions == [VersionChange("demand-forecaster", "primary", "1.0.0", "1.1.0")]


def test_removed_model_lists_its_losses_first(repo: Path) -> None:
    edit_yaml(repo / PROD_STACK, lambda d: d["config"]["modelops:models"].pop("churn-classifier"))
    [prod] = diff(repo, "HEAD", "prod").stacks
    assert [v for v in prod.versions if v.model == "churn-classifier"] == [
        VersionChange("churn-classifier", "primary", "1.2.0", None),
        VersionChange("churn-classifier", "shadow", "1.3.0", None),
    ]
    critical = {c.type: c for c in prod.critical}
    assert set(critical) == {
        "aws:sagemaker/endpoint:Endpoint",
        "aws:sagemaker/featureGroup:FeatureGroup",
        "aws:sagemaker/modelPackageGroup:ModelPackageGroup",
    }
    assert "every request to it fails" in (critical["aws:sagemaker/endpoint:Endpoint"].downtime or "")
    assert prod.resources[: len(critical)] == sorted(prod.critical, key=lambda c: c.name)


def test_spec_files_published_edited_and_removed_are_named(repo: Path) -> None:
    publish(repo, "1.4.0", remove_feature_with_replace)
    edit_yaml(spec_path(repo, "fraud-detector", "3.0.1"), lambda d: d["serving"].update({"instance_count": 3}))
    (repo / "model_specs" / "sentiment-api" / "0.1.0.yaml").unlink()
    files = {(c.kind, c.model, c.version): c for c in diff(repo, "HEAD", "staging").spec_files}
    assert set(files) == {
        ("published", "churn-classifier", "1.4.0"),
        ("edited", "fraud-detector", "3.0.1"),
        ("removed", "sentiment-api", "0.1.0"),
    }
    published = files[("published", "churn-classifier", "1.4.0")]
    assert published.since == "1.3.0"
    assert ("features.groups[customer-profile].replace", None, True) in published.fields
    assert files[("edited", "fraud-detector", "3.0.1")].fields == (("serving.instance_count", 2, 3),)
    text = diff_text(diff(repo, "HEAD", "staging"))
    assert "published churn-classifier 1.4.0 (changes since 1.3.0)" in text
    assert "edited released fraud-detector 3.0.1 (validate --base rejects this): serving.instance_count: 2 -> 3" in text


def test_moving_between_serverless_and_instances_recreates_the_endpoint_as_downtime(repo: Path) -> None:
    data = read_yaml(spec_path(repo, "sentiment-api", "0.2.0"))
    data["metadata"]["version"] = "0.3.0"
    data["serving"] = {"mode": "realtime", "instance_type": "ml.m5.large"}
    write_yaml(spec_path(repo, "sentiment-api", "0.3.0"), data)  # dev pins latest
    [dev] = diff(repo, "HEAD", "dev").stacks
    [endpoint] = [c for c in dev.resources if c.name == "sentiment-api-serving-endpoint"]
    assert endpoint.action == "replace" and endpoint.replacing == ("tags.endpoint-kind",)
    assert endpoint.downtime and endpoint in dev.critical
    outcome = cli(repo, "diff", "--base", "HEAD", "--stack", "dev", "--fail-on", "destructive")
    assert outcome.exit_code == 1, outcome.output
    assert "sentiment-api-serving-endpoint" in outcome.output


def test_a_new_version_of_the_same_kind_updates_the_endpoint_in_place(repo: Path) -> None:
    publish(repo, "1.4.0", lambda d: d["serving"].update({"instance_type": "ml.c5.xlarge"}))
    [dev] = diff(repo, "HEAD", "dev").stacks
    [endpoint] = [c for c in dev.resources if c.name == "churn-classifier-serving-endpoint"]
    assert endpoint.action == "update" and not endpoint.critical


def test_guardrails_appearing_replace_the_endpoint_as_upstream_forces(repo: Path) -> None:
    # terraform-provider-aws endpoint.go: deployment_config.auto_rollback_configuration is ForceNew.
    publish(repo, "1.4.0", lambda d: d["environments"]["dev"]["serving"].pop("rollout"))  # dev: latest
    [dev] = diff(repo, "HEAD", "dev").stacks
    [endpoint] = [c for c in dev.resources if c.name == "churn-classifier-serving-endpoint"]
    assert endpoint.action == "replace" and endpoint.downtime
    assert endpoint.replacing == ("deploymentConfig",)


def test_which_endpoint_inputs_replace_it() -> None:
    from modelops.aws.replacements import replacing_paths

    endpoint = "aws:sagemaker/endpoint:Endpoint"
    assert replacing_paths(endpoint, ["endpointConfigName"]) == []
    assert replacing_paths(endpoint, ["deploymentConfig.blueGreenUpdatePolicy.terminationWaitInSeconds"]) == []
    alarms = "deploymentConfig.autoRollbackConfiguration.alarms"
    assert replacing_paths(endpoint, [alarms]) == [alarms]
    assert replacing_paths(endpoint, ["deploymentConfig"]) == ["deploymentConfig"]
    assert replacing_paths(endpoint, ["tags.owner"]) == []


def test_diff_shows_changed_values_and_the_iam_statements_a_new_secret_grants(repo: Path) -> None:
    db_password = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:db-pw-AbCdEf"

    def read_one_more_secret(data: dict[str, Any]) -> None:
        data["model"]["secrets"]["DB_PASSWORD"] = db_password
        data["serving"]["instance_type"] = "ml.c5.xlarge"

    publish(repo, "1.4.0", read_one_more_secret)  # dev pins latest
    outcome = cli(repo, "diff", "--base", "HEAD", "--stack", "dev")
    assert outcome.exit_code == 0, outcome.output
    lines = outcome.output.splitlines()
    assert lines[1] == "1 IAM policy change(s) broaden access; review them:"
    policy = "churn-classifier-governance-execution-policy"
    assert lines[2] == f"  !! BROADENS ACCESS in dev: {policy} policy: allows resources {db_password}"
    assert '         productionVariants[0].instanceType: "ml.m5.large" -> "ml.c5.xlarge"' in lines
    assert "         policy: (policy document: see the IAM statement changes)" in lines
    assert f"      + Allow secretsmanager:GetSecretValue on {CRM_TOKEN}, {db_password}" in lines

    data = json.loads(cli(repo, "diff", "--base", "HEAD", "--stack", "dev", "--format", "json").output)
    [policy] = data["stacks"][0]["security"]
    [statement] = policy["statements"]
    assert (policy["name"], statement["change"], statement["old"]["sid"]) == (
        "churn-classifier-governance-execution-policy",
        "changed",
        "ReadSecrets",
    )
    assert statement["new"]["resources"] == [CRM_TOKEN, db_password]
    [config] = [r for r in data["stacks"][0]["resources"] if r["name"] == "churn-classifier-serving-config"]
    [instance] = [v for v in config["values"] if v["path"] == "productionVariants[0].instanceType"]
    assert (instance["old"], instance["new"], instance["hidden"]) == ("ml.m5.large", "ml.c5.xlarge", None)
