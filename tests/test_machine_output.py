"""`--format json`: one document on stdout per run, valid against its committed schema, with
the exit codes of the text output (verify and drift: tests/test_verify*.py)."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from typer.testing import CliRunner

from modelops.cli import app
from modelops.output.schemas import output_schema_texts
from tests.conftest import REPO_ROOT, edit_yaml, json_document, spec_path
from tests.test_rehearse import unchecked_instance_types

runner = CliRunner()


def test_committed_output_schemas_are_current() -> None:
    for path, text in output_schema_texts().items():
        assert (REPO_ROOT / path).read_text() == text, f"{path} is stale: run `modelops schema`"
    assert set(output_schema_texts()) == {
        f"schemas/{command}-output-v1.json" for command in ("validate", "rehearse", "verify", "drift")
    }


def test_schema_check_names_a_stale_output_schema(project: Path) -> None:
    (project / "schemas" / "drift-output-v1.json").write_text("{}")
    stale = runner.invoke(app, ["schema", "--check", "--root", str(project)])
    assert stale.exit_code == 1
    assert stale.stderr == "schemas/drift-output-v1.json is stale: run `modelops schema`\n"
    assert runner.invoke(app, ["schema", "--root", str(project)]).exit_code == 0
    assert runner.invoke(app, ["schema", "--check", "--root", str(project)]).exit_code == 0


def test_the_schemas_refuse_what_the_commands_never_write() -> None:
    schema = json.loads((REPO_ROOT / "schemas" / "validate-output-v1.json").read_text())
    valid = {"schema": "modelops.validate/v1", "ok": True, "findings": [], "error": None}
    valid |= {"stacks": ["dev"], "spec_files": 1, "base": None}
    jsonschema.Draft202012Validator(schema).validate(valid)
    for wrong in (
        valid | {"surprise": 1},
        valid | {"schema": "modelops.validate/v2"},
        {k: v for k, v in valid.items() if k != "error"},
        valid | {"findings": [{"file": "a.yaml", "line": 1, "column": 1, "message": "no field key"}]},
        valid | {"error": {"kind": "oops", "message": "an unknown kind"}},
    ):
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.Draft202012Validator(schema).validate(wrong)


def test_validate_ok(project: Path) -> None:
    result = runner.invoke(app, ["validate", "--root", str(project), "--format", "json"])
    assert result.exit_code == 0, result.output
    document = json_document(result, "validate")
    assert document == {
        "schema": "modelops.validate/v1",
        "ok": True,
        "findings": [],
        "error": None,
        "stacks": ["dev", "prod", "staging"],
        "spec_files": 16,
        "base": None,
    }
    assert result.stderr == ""


def test_validate_findings_carry_file_line_column_field(project: Path) -> None:
    edit_yaml(spec_path(project), lambda d: d["serving"].update({"instance_count": 0}))
    result = runner.invoke(app, ["validate", "--root", str(project), "--format", "json"])
    assert result.exit_code == 1, result.output
    document = json_document(result, "validate")
    assert document["ok"] is False and document["error"] is None
    assert document["stacks"] == ["dev", "prod", "staging"]
    assert document["spec_files"] == 15  # the 16th does not load as a spec
    finding = next(f for f in document["findings"] if f["field"] == "serving.instance_count")
    assert finding["file"] == "model_specs/churn-classifier/1.2.0.yaml"
    assert finding["line"] > 1 and finding["column"] >= 1 and finding["severity"] == "error"
    # stderr is what it is without --format json: one line per finding, then the count.
    assert f"{finding['file']}:{finding['line']}:{finding['column']}: serving.instance_count: " in result.stderr
    assert result.stderr.endswith(f"{len(document['findings'])} problem(s) found.\n")


def test_usage_errors_are_a_document_too(project: Path) -> None:
    result = runner.invoke(app, ["validate", "--root", str(project), "--stack", "qa", "--format", "json"])
    assert result.exit_code == 2, result.output
    document = json_document(result, "validate")
    message = "--stack 'qa': no file stacks/Pulumi.qa.yaml (stacks: dev, prod, staging)"
    assert document["ok"] is False and document["error"] == {"kind": "usage", "message": message}
    assert document["spec_files"] is None and document["findings"] == []
    assert result.stderr == f"modelops: {message}\n"


def test_click_usage_errors_leave_stdout_empty() -> None:
    """Found before the format is known: stderr only, as documented."""
    result = runner.invoke(app, ["validate", "--format", "json", "--no-such-flag"])
    assert result.exit_code == 2 and result.stdout == ""


def test_an_unexpected_error_is_a_document_and_exit_3(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(*_: object) -> None:
        raise RuntimeError("the unexpected\nover two lines")

    monkeypatch.setattr("modelops.spec.resolve.load_project", boom)
    result = runner.invoke(app, ["validate", "--root", str(project), "--format", "json"])
    assert result.exit_code == 3, result.output
    error = json_document(result, "validate")["error"]
    assert error == {"kind": "internal", "message": "internal error: RuntimeError: the unexpected over two lines"}
    assert "Traceback" not in result.output


def test_an_interrupted_run_is_a_document_and_exit_130(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def interrupted(*_: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr("modelops.engine.rehearse.rehearse", interrupted)
    result = runner.invoke(app, ["rehearse", "--stack", "dev", "--root", str(project), "--format", "json"])
    assert result.exit_code == 130, result.output
    document = json_document(result, "rehearse")
    assert document["error"] == {"kind": "interrupted", "message": "interrupted"} and document["stack"] == "dev"


def test_rehearse_of_specs_with_findings_stops_at_them(project: Path) -> None:
    edit_yaml(spec_path(project, "demand-forecaster", "1.1.0"), lambda d: d["serving"].update({"instance_count": 0}))
    result = runner.invoke(app, ["rehearse", "--stack", "dev", "--root", str(project), "--format", "json"])
    assert result.exit_code == 1, result.output
    document = json_document(result, "rehearse")
    assert document["calls"] == [] and document["ok"] is False
    assert {f["field"] for f in document["findings"]} == {"serving.instance_count"}


def test_rehearse_lists_every_call_and_fails_on_a_refused_one(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    unchecked_instance_types(monkeypatch)
    edit_yaml(
        spec_path(project, "demand-forecaster", "1.1.0"),
        lambda d: d["serving"].update({"instance_type": "ml.zz9.mega"}),
    )
    result = runner.invoke(app, ["rehearse", "--stack", "dev", "--root", str(project), "--format", "json"])
    assert result.exit_code == 1, result.output
    document = json_document(result, "rehearse")
    assert document["ok"] is False and document["findings"] == [] and document["error"] is None
    refused = next(c for c in document["calls"] if not c["ok"])
    assert refused["resource"] == "demand-forecaster-serving-config"
    assert refused["call"] == "sagemaker:create_endpoint_config" and refused["where"] == "moto"
    assert "ml.zz9.mega" in refused["message"]
    assert {"k8s-validate 1.31", "kserve rules", "moto"} <= {c["where"] for c in document["calls"]}
    assert any("Kubernetes objects are checked offline" in note for note in document["notes"])
    assert any("CreateMonitoringSchedule" in note for note in document["notes"])
    assert result.stderr == ""
