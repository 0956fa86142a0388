"""The command line through typer's runner: exit codes 0 / 1 / 2 and one line per error."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from modelops.cli import app
from tests.conftest import edit_yaml, spec_path

runner = CliRunner()


def test_validate_ok(project: Path) -> None:
    result = runner.invoke(app, ["validate", "--root", str(project)])
    assert result.exit_code == 0, result.output
    assert "16 spec file(s), 3 stack(s) valid" in result.output


def test_validate_reports_file_line_field(project: Path) -> None:
    edit_yaml(spec_path(project), lambda d: d["serving"].update({"instance_count": 0}))
    result = runner.invoke(app, ["validate", "--root", str(project)])
    assert result.exit_code == 1, result.output
    line = next(x for x in result.output.splitlines() if "serving.instance_count" in x)
    file, row, column, field, _ = line.split(":", 4)
    assert file == "model_specs/churn-classifier/1.2.0.yaml" and int(row) > 1 and int(column) >= 1
    assert field.strip() == "serving.instance_count"
    assert "Traceback" not in result.output


def test_bad_usage_exits_2() -> None:
    assert runner.invoke(app, ["plan"]).exit_code == 2
    assert runner.invoke(app, ["validate", "--no-such-flag"]).exit_code == 2


def test_plan_json_follows_the_plan_format(project: Path) -> None:
    result = runner.invoke(app, ["plan", "--stack", "prod", "--format", "json", "--root", str(project)])
    assert result.exit_code == 0, result.output
    plan = json.loads(result.output)
    assert plan["stack"] == "prod" and plan["environment"] == "prod" and plan["violations"] == []
    assert {"name": "fraud-detector", "version": "3.0.1"} in plan["models"]
    endpoint = next(r for r in plan["resources"] if r["type"] == "aws:sagemaker/endpoint:Endpoint")
    assert set(endpoint) >= {"urn", "type", "name", "parent", "inputs"}
    assert endpoint["urn"].startswith("urn:pulumi:prod::modelops::") and endpoint["parent"].startswith("urn:pulumi:")
    assert "endpointConfigName" in endpoint["inputs"]


def test_plan_tree_and_missing_stack(project: Path) -> None:
    result = runner.invoke(app, ["plan", "--stack", "dev", "--root", str(project)])
    assert result.exit_code == 0, result.output
    assert (
        "churn-classifier-serving-endpoint (aws:sagemaker/endpoint:Endpoint)  [churn-classifier-dev]" in result.output
    )
    missing = runner.invoke(app, ["plan", "--stack", "qa", "--root", str(project)])
    assert missing.exit_code == 2, missing.output
    assert missing.output.strip() == (
        "modelops: --stack 'qa': no file stacks/Pulumi.qa.yaml (stacks: dev, prod, staging)"
    )


def test_rehearse_command(project: Path) -> None:
    result = runner.invoke(app, ["rehearse", "--stack", "dev", "--root", str(project)])
    assert result.exit_code == 0, result.output
    assert "0 failed" in result.output


def test_schema_is_current(project: Path) -> None:
    from tests.conftest import REPO_ROOT

    assert runner.invoke(app, ["schema", "--check", "--root", str(REPO_ROOT)]).exit_code == 0
    (project / "schemas" / "modelspec-v1.json").write_text("{}")
    stale = runner.invoke(app, ["schema", "--check", "--root", str(project)])
    assert stale.exit_code == 1 and "stale" in stale.output
    assert runner.invoke(app, ["schema", "--root", str(project)]).exit_code == 0
    assert runner.invoke(app, ["schema", "--check", "--root", str(project)]).exit_code == 0


def test_schema_validates_the_examples() -> None:
    import jsonschema
    import yaml

    from tests.conftest import REPO_ROOT

    schema = json.loads((REPO_ROOT / "schemas" / "modelspec-v1.json").read_text())
    for path in sorted((REPO_ROOT / "model_specs").glob("*/*.yaml")):
        jsonschema.validate(yaml.safe_load(path.read_text()), schema)
    bad = yaml.safe_load(spec_path(REPO_ROOT).read_text()) | {"surprise": 1}
    try:
        jsonschema.validate(bad, schema)
    except jsonschema.ValidationError as exc:
        assert "surprise" in exc.message
    else:
        raise AssertionError("the schema accepted an unknown key")


def test_plan_as_mermaid_nests_resources_in_their_components(project: Path) -> None:
    result = runner.invoke(app, ["plan", "--stack", "dev", "--format", "mermaid", "--root", str(project)])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "flowchart LR"
    # eleven models, the stack bucket, the Kubernetes cluster and the shared-cpu pool, each one
    # top-level subgraph
    assert lines.count("  end") == 14
    nodes = [line for line in lines if "<br/><small>" in line]
    plan = json.loads(runner.invoke(app, ["plan", "--stack", "dev", "--format", "json", "--root", str(project)]).output)
    assert len(nodes) == sum(r["custom"] for r in plan["resources"])
    assert any('["customer-profile-dev<br/><small>sagemaker#58;FeatureGroup</small>"]' in n for n in nodes)


def test_plan_as_markdown_leads_with_violations(project: Path) -> None:
    result = runner.invoke(app, ["plan", "--stack", "dev", "--format", "markdown", "--root", str(project)])
    assert result.exit_code == 0, result.output
    assert "| `churn-classifier` | `1.3.0` |" in result.output and "```mermaid\nflowchart LR" in result.output
    assert "[!WARNING]" not in result.output
    # Break a rule the plan checks: a role policy with a wildcard action.
    from modelops.engine.plan import PlanViolation
    from modelops.engine.render import render
    from modelops.gitops.plan_format import render_markdown

    plan = render(project, "dev")
    plan.violations = [
        PlanViolation("no-wildcard-iam-actions", "mandatory", plan.resources[0].urn, "IAM action 's3:*' | x")
    ]
    markdown = render_markdown(plan)
    assert markdown.index("[!WARNING]") < markdown.index("| model | version |")
    assert "IAM action 's3:\\*' \\| x" in markdown
