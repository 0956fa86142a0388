"""The model card provider on moto: updated in place, content and status never in one call,
archived instead of deleted, taken over when it already exists."""

from __future__ import annotations

import json
from typing import Any

import pytest

from components.providers import model_card
from components.providers.model_card import ModelCardError, ModelCardProvider
from tests.conftest import MOTO_REGION

TEST_NAME = "churn-classifier-prod"
TEST_KEY = "arn:aws:kms:eu-west-1:123456789012:key/9a8b7c6d-5e4f-3a2b-1c0d-e9f8a7b6c5d4"
TEST_OTHER_KEY = "arn:aws:kms:eu-west-1:123456789012:key/1f2e3d4c-5b6a-7980-a1b2-c3d4e5f60718"


def props(release: str, status: str = "Draft", key: str | None = TEST_KEY) -> dict[str, Any]:
    content = {"model_overview": {"model_description": "churn"}, "intended_uses": {"risk_rating": "Medium"}}
    content["additional_information"] = {"custom_details": {"release": release}}  # type: ignore[assignment]
    return {
        "region": MOTO_REGION,
        "modelCardName": TEST_NAME,
        "content": json.dumps(content, sort_keys=True),
        "modelCardStatus": status,
        "securityConfig": {"kmsKeyId": key} if key else None,
        "tags": {"model": "churn-classifier"},
    }


@pytest.fixture
def calls(sagemaker: Any, monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, dict[str, Any]]]:
    """Every SageMaker call the provider makes, as (method, request)."""
    seen: list[tuple[str, dict[str, Any]]] = []
    original = model_card._call

    def recording(client: Any, method: str, **request: Any) -> dict[str, Any]:
        seen.append((method, request))
        return original(client, method, **request)

    monkeypatch.setattr(model_card, "_call", recording)
    return seen


def live(sagemaker: Any) -> tuple[str, str]:
    card = sagemaker.describe_model_card(ModelCardName=TEST_NAME)
    return json.loads(card["Content"])["additional_information"]["custom_details"]["release"], card["ModelCardStatus"]


def test_a_version_move_updates_content_and_status_in_separate_calls(sagemaker: Any, calls: list) -> None:
    provider = ModelCardProvider()
    created = provider.create(props("1.2.0"))
    assert live(sagemaker) == ("1.2.0", "Draft")
    assert sagemaker.describe_model_card(ModelCardName=TEST_NAME)["SecurityConfig"]["KmsKeyId"] == TEST_KEY
    old, new = created.outs, props("1.3.0", "Approved")
    diff = provider.diff(TEST_NAME, old, new)
    assert diff.changes and diff.replaces == []
    provider.update(TEST_NAME, old, new)
    assert live(sagemaker) == ("1.3.0", "Approved")
    updates = [request for method, request in calls if method == "update_model_card"]
    assert [sorted(r) for r in updates] == [["Content", "ModelCardName"], ["ModelCardName", "ModelCardStatus"]]


def test_removing_the_card_archives_it(sagemaker: Any, calls: list) -> None:
    provider = ModelCardProvider()
    provider.create(props("1.2.0"))
    provider.delete(TEST_NAME, props("1.2.0"))
    assert live(sagemaker) == ("1.2.0", "Archived")
    assert not [m for m, _ in calls if m == "delete_model_card"]


def test_a_card_kept_from_an_earlier_deploy_is_taken_over(sagemaker: Any) -> None:
    provider = ModelCardProvider()
    provider.create(props("1.2.0"))
    provider.delete(TEST_NAME, props("1.2.0"))  # the model left the stack
    provider.create(props("1.4.0", "Approved"))  # and came back
    assert live(sagemaker) == ("1.4.0", "Approved")


def test_a_card_under_another_key_is_refused_with_the_way_out(sagemaker: Any) -> None:
    ModelCardProvider().create(props("1.2.0", key=TEST_OTHER_KEY))
    with pytest.raises(ModelCardError, match="its key cannot change: export it, delete it"):
        ModelCardProvider().create(props("1.3.0"))


def test_a_new_key_replaces_the_card() -> None:
    diff = ModelCardProvider().diff(TEST_NAME, props("1.2.0", key=TEST_OTHER_KEY), props("1.2.0"))
    assert diff.replaces == ["securityConfig"] and diff.delete_before_replace
