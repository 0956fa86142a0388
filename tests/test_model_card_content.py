"""The content of a model's SageMaker model card, built straight from its spec
(components/governance.py `model_card_content`), and the card status per environment.

test_plan.py reads one card from a rendered plan; these tests pin the whole document for each
shape of `governance.model_card`, without a render.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pytest

from components.governance import CARD_STATUS, RISK_RATING, model_card_content
from modelops.spec.models import ModelCardSpec
from modelops.spec.resolve import load_project
from modelops.spec.resolved_model import ResolvedModel

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def sentiment() -> ResolvedModel:
    """sentiment-api 0.2.0 of the dev stack: low risk, no model card."""
    project = load_project(ROOT, ["dev"])
    assert not project.problems, project.problems
    return next(m for m in project.resolved["dev"] if m.name == "sentiment-api")


def with_spec(model: ResolvedModel, metadata: dict[str, Any], card: ModelCardSpec | None) -> ResolvedModel:
    spec = model.spec
    spec = spec.model_copy(
        update={
            "metadata": spec.metadata.model_copy(update=metadata),
            "governance": spec.governance.model_copy(update={"model_card": card}),
        }
    )
    return dataclasses.replace(model, primary=dataclasses.replace(model.primary, spec=spec))


def test_a_model_without_a_card_section_gets_its_overview_risk_and_release(sentiment: ResolvedModel) -> None:
    assert sentiment.spec.governance.model_card is None
    assert model_card_content(sentiment) == {
        "model_overview": {
            "model_description": "Tags support tickets by sentiment; an experiment served on demand.",
            "model_owner": "support-ml@example.com",
            "model_version": 0.0,
        },
        "intended_uses": {"risk_rating": "Low"},
        "additional_information": {"custom_details": {"release": "0.2.0"}},
    }


def test_the_card_section_adds_uses_limitations_and_ethics(sentiment: ResolvedModel) -> None:
    card = ModelCardSpec(intended_uses="Ticket triage.", limitations="English only.", ethical_considerations="None.")
    model = with_spec(sentiment, {"version": "12.4.1", "risk": "high"}, card)
    content = model_card_content(model)
    # The schema's model_version is a number: the major version; the release is a custom detail.
    assert content["model_overview"]["model_version"] == 12.0
    assert content["intended_uses"] == {"risk_rating": "High", "intended_uses": "Ticket triage."}
    assert content["additional_information"] == {
        "custom_details": {"release": "0.2.0"},
        "caveats_and_recommendations": "English only.",
        "ethical_considerations": "None.",
    }


def test_empty_limitations_and_ethics_are_left_out(sentiment: ResolvedModel) -> None:
    card = ModelCardSpec(intended_uses="Ticket triage.", limitations="", ethical_considerations=None)
    content = model_card_content(with_spec(sentiment, {"risk": None}, card))
    assert content["intended_uses"] == {"risk_rating": "Unknown", "intended_uses": "Ticket triage."}
    assert content["additional_information"] == {"custom_details": {"release": "0.2.0"}}


def test_risk_ratings_and_statuses_are_the_ones_sagemaker_takes() -> None:
    # ModelCard content schema: intended_uses.risk_rating; CreateModelCard: ModelCardStatus.
    assert RISK_RATING == {"low": "Low", "medium": "Medium", "high": "High", None: "Unknown"}
    assert CARD_STATUS == {"dev": "Draft", "staging": "PendingReview", "prod": "Approved"}
