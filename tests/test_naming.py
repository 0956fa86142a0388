"""Physical names: AWS identifies a resource by its name, so a name that changes is a new
resource (a new role, endpoint or schedule, the old one deleted). Each name is pinned here by
its pattern, the digest by its definition, and the cut of a long name by what it keeps."""

from __future__ import annotations

import hashlib
from pathlib import PurePosixPath

import pytest

from modelops.aws import naming

LONG = "m" * 70


def sha8(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:8]


def test_the_digest_is_of_the_canonical_json_whatever_the_key_order() -> None:
    """sha256 of the JSON with sorted keys and no spaces: equal content, equal name."""
    assert naming.digest({"b": [1, 2], "a": "x"}) == sha8('{"a":"x","b":[1,2]}')
    assert naming.digest({"a": "x", "b": [1, 2]}) == naming.digest({"b": [1, 2], "a": "x"})
    assert naming.digest({"path": PurePosixPath("s3/x")}) == sha8('{"path":"s3/x"}')  # str() of the rest


@pytest.mark.parametrize(
    ("parts", "suffix", "limit", "name"),
    [
        (("churn", "dev"), "", 63, "churn-dev"),
        (("churn", "dev"), "ab12cd34", 63, "churn-dev-ab12cd34"),
        (("churn_classifier", "dev", "v1.2.0"), "", 63, "churn-classifier-dev-v1-2-0"),
        (("-a--b-", "", "c"), "", 63, "a-b-c"),
        ((LONG,), "", 63, "m" * 63),
        ((LONG,), "ab12cd34", 63, "m" * 54 + "-ab12cd34"),
        ((LONG,), "pool", 64, "m" * 59 + "-pool"),
        (("abc-def",), "x", 6, "abc-x"),  # cut at a dash: no dash doubled before the suffix
        (("Xray-", "devX"), "", 63, "Xray-devX"),  # only dashes are trimmed
        (("abcX-def",), "x", 6, "abcX-x"),
    ],
)
def test_a_name_keeps_awss_characters_and_its_suffix_within_the_limit(
    parts: tuple[str, ...], suffix: str, limit: int, name: str
) -> None:
    assert naming.bounded(*parts, suffix=suffix, limit=limit) == name
    assert len(name) <= limit


def test_each_kind_of_name_by_its_pattern() -> None:
    content = {"a": 1}
    d = sha8('{"a":1}')
    assert naming.stack_bucket_name("123456789012", "eu-west-1", "Dev") == "modelops-123456789012-eu-west-1-dev"
    assert naming.endpoint_name("churn", "dev") == "churn-dev"
    assert naming.model_name("churn", "dev", "1.2.0", content) == f"churn-dev-v1-2-0-{d}"
    assert naming.endpoint_config_name("churn", "dev", content) == f"churn-dev-{d}"
    assert naming.role_name("churn", "dev") == "modelops-churn-dev"
    assert naming.feature_group_name("payments", "dev", 1) == "payments-dev"
    assert naming.feature_group_name("payments", "dev", 2) == "payments-dev-g2"
    assert naming.feature_group_role_name("payments-dev") == "modelops-payments-dev-featurestore"
    assert naming.workload_role_name("churn", "dev") == "modelops-churn-dev-irsa"
    assert naming.monitoring_role_name("churn", "dev") == "modelops-churn-dev-monitor"
    schedules = {m: naming.monitoring_schedule_name("churn", "dev", m) for m in naming.MONITOR_ABBREVIATIONS}
    assert schedules == {
        "data_quality": "churn-dev-dq",
        "model_quality": "churn-dev-mq",
        "bias": "churn-dev-bias",
        "explainability": "churn-dev-shap",
    }
    assert naming.monitoring_job_definition_name("churn", "dev", "bias", content) == f"churn-dev-bias-{d}"
    assert naming.pool_endpoint_name("shared", "dev") == "shared-dev"
    assert naming.pool_endpoint_config_name("shared", "dev", content) == f"shared-dev-{d}"
    assert naming.pool_role_name("shared", "dev") == "modelops-shared-dev-pool"
    placement = sha8('{"endpoint":"shared-dev","variant":"AllTraffic"}')
    assert naming.inference_component_name("churn", "dev", "shared-dev", "AllTraffic") == f"churn-dev-{placement}"


def test_role_names_are_cut_to_iams_64_and_sagemaker_names_to_63() -> None:
    assert len(naming.role_name(LONG, "staging")) == 64
    for role in (naming.monitoring_role_name, naming.workload_role_name, naming.pool_role_name):
        assert len(role(LONG, "staging")) == 64
    assert naming.monitoring_role_name(LONG, "staging").endswith("-monitor")
    assert len(naming.feature_group_role_name(LONG)) == 64
    assert len(naming.endpoint_name(LONG, "staging")) == 63
    assert len(naming.feature_group_name(LONG, "staging", 3)) == 64 and naming.feature_group_name(
        LONG, "staging", 3
    ).endswith("-g3")
