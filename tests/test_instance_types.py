"""Instance types are checked at `validate` against the enums the SageMaker API itself takes."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from modelops.aws import instance_types
from tests.conftest import assert_problem, edit_yaml, problems, spec_path


@pytest.fixture
def enum_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("MODELOPS_CACHE_DIR", str(tmp_path))
    instance_types._enums.cache_clear()
    yield tmp_path
    instance_types._enums.cache_clear()


def test_misspelt_hosting_instance_type_names_close_ones(project: Path) -> None:
    edit_yaml(spec_path(project), lambda d: d["serving"].update(instance_type="ml.m5.larg"))
    problem = assert_problem(
        problems(project),
        "serving.instance_type",
        "ml.m5.larg is not an instance type SageMaker endpoints take (botocore's ProductionVariantInstanceType)",
    )
    assert "close: ml.m5.large" in problem.message


def test_monitoring_instance_type_must_be_a_processing_type(project: Path) -> None:
    # ml.inf2 hosts endpoints but runs no processing job
    assert "ml.inf2.xlarge" in instance_types.hosting_instance_types()
    edit_yaml(spec_path(project), lambda d: d["monitoring"].update(instance_type="ml.inf2.xlarge"))
    assert_problem(
        problems(project),
        "monitoring.instance_type",
        "ml.inf2.xlarge is not an instance type SageMaker monitoring (processing) jobs take "
        "(botocore's ProcessingInstanceType)",
    )


def test_an_override_with_a_bad_instance_type_is_named(project: Path) -> None:
    edit_yaml(
        spec_path(project),
        lambda d: d["environments"]["prod"]["serving"].update(instance_type="ml.m5.huge"),
    )
    problem = assert_problem(problems(project), "serving.instance_type", "ml.m5.huge is not an instance type")
    assert "after the prod override" in problem.message


def test_the_enums_are_botocores_and_cached_per_botocore_version(enum_cache: Path) -> None:
    import botocore
    import botocore.session

    model = botocore.session.get_session().get_service_model("sagemaker")
    assert instance_types.hosting_instance_types() == set(model.shape_for("ProductionVariantInstanceType").enum)
    assert instance_types.processing_instance_types() == set(model.shape_for("ProcessingInstanceType").enum)
    cache = enum_cache / f"sagemaker-instance-types-botocore-{botocore.__version__}.json"
    assert set(json.loads(cache.read_text())) == {"ProductionVariantInstanceType", "ProcessingInstanceType"}
    # the next run reads the file, not botocore
    cache.write_text(json.dumps({"ProductionVariantInstanceType": ["ml.x1.cached"], "ProcessingInstanceType": []}))
    instance_types._enums.cache_clear()
    assert instance_types.hosting_instance_types() == {"ml.x1.cached"}


def test_rehearsal_checks_the_same_enum(sagemaker, monkeypatch: pytest.MonkeyPatch) -> None:
    """moto_gaps reads the enum from modelops.aws.instance_types: one source for validate and rehearse."""
    from botocore.exceptions import ClientError
    from moto.sagemaker import models

    monkeypatch.setattr(instance_types, "_enums", lambda: {instance_types.HOSTING_SHAPE: frozenset()})
    from modelops.engine import moto_gaps

    moto_gaps._patch_instance_types(models)
    try:
        with pytest.raises(ClientError, match=r"ml\.m5\.large' at 'instanceType' is not a SageMaker hosting"):
            sagemaker.create_endpoint_config(
                EndpointConfigName="probe",
                ProductionVariants=[
                    {"VariantName": "a", "ModelName": "m", "InstanceType": "ml.m5.large", "InitialInstanceCount": 1}
                ],
            )
    finally:
        monkeypatch.undo()
        moto_gaps._patch_instance_types(models)
