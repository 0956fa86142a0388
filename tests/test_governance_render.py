"""What the Governance component declares for one model (components/governance.py), read whole
from rendered plans: the execution role, its inline policy and the model card of a SageMaker
model, the adopted package group of a registry model, and the card alone for a model served on
Kubernetes. Each resource's parent, name and inputs are asserted in full."""

from __future__ import annotations

import json

from modelops.engine.plan import Plan, PlanResource
from tests.conftest import PROD_FRAUD_TAGS

ROLE = "aws:iam/role:Role"
POLICY = "aws:iam/rolePolicy:RolePolicy"
CARD = "pulumi-python:dynamic/sagemaker:ModelCard"
PACKAGE_GROUP = "aws:sagemaker/modelPackageGroup:ModelPackageGroup"
PROD_KMS = "arn:aws:kms:eu-west-1:123456789012:key/9a8b7c6d-5e4f-3a2b-1c0d-e9f8a7b6c5d4"


def governance_of(plan: Plan, model: str) -> tuple[PlanResource, list[PlanResource]]:
    """The model's Governance component and the resources declared under it, in order."""
    (component,) = [r for r in plan.resources if r.name == f"{model}-governance"]
    return component, [r for r in plan.resources if r.parent == component.urn]


def test_a_sagemaker_model_gets_its_role_policy_and_card_under_its_governance(prod: Plan) -> None:
    component, children = governance_of(prod, "fraud-detector")
    assert component.type == "modelops:governance:Governance"
    assert (
        component.parent
        == "urn:pulumi:prod::modelops::pulumi:pulumi:Stack$modelops:index:ModelDeployment::fraud-detector"
    )
    assert component.inputs == {}
    assert [(r.type, r.name) for r in children] == [
        (ROLE, "fraud-detector-governance-execution-role"),
        (POLICY, "fraud-detector-governance-execution-policy"),
        (CARD, "fraud-detector-governance-model-card"),
    ]
    role, policy, card = children
    role_inputs = dict(role.inputs)
    trust = json.loads(role_inputs.pop("assumeRolePolicy"))
    assert role_inputs == {
        "name": "modelops-fraud-detector-prod",
        "description": "SageMaker execution role of fraud-detector in prod (modelops)",
        "maxSessionDuration": 3600.0,
        "permissionsBoundary": "arn:aws:iam::123456789012:policy/ml-boundary",
        "tags": PROD_FRAUD_TAGS,
    }
    assert trust == {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": "sagemaker.amazonaws.com"},
                "Action": "sts:AssumeRole",
                "Condition": {
                    "StringEquals": {"aws:SourceAccount": "123456789012"},
                    "ArnLike": {"aws:SourceArn": "arn:aws:sagemaker:eu-west-1:123456789012:*"},
                },
            }
        ],
    }
    assert policy.inputs["role"] == "modelops-fraud-detector-prod"
    assert policy.inputs["name"] == "least-privilege"
    assert policy.dependencies == [role.urn]
    card_inputs = dict(card.inputs)
    content = json.loads(card_inputs.pop("content"))
    assert card_inputs == {
        "modelCardName": "fraud-detector-prod",
        "modelCardStatus": "Approved",
        "region": "eu-west-1",
        "securityConfig": {"kmsKeyId": PROD_KMS},
        "tags": PROD_FRAUD_TAGS,
    }
    assert content["additional_information"]["custom_details"] == {"release": "3.0.1"}
    # Keys sorted: the provider updates the card (a new card version) whenever the text differs.
    assert card.inputs["content"] == json.dumps(content, sort_keys=True)


def test_the_models_serve_with_the_role_governance_declared(prod: Plan) -> None:
    _, children = governance_of(prod, "fraud-detector")
    role_urn = children[0].urn
    models = [r for r in prod.resources if r.type == "aws:sagemaker/model:Model" and r.name.startswith("fraud-")]
    assert [m.name for m in models] == [
        "fraud-detector-serving-challenger-model",
        "fraud-detector-serving-primary-model",
    ]
    for model in models:
        assert model.inputs["executionRoleArn"] == "arn:aws:iam::123456789012:role/modelops-fraud-detector-prod"
        assert model.dependencies == [role_urn]


def test_a_registry_model_adopts_its_package_group_and_a_dev_card_is_a_draft(dev: Plan) -> None:
    _, children = governance_of(dev, "churn-classifier")
    assert [(r.type, r.name) for r in children] == [
        (ROLE, "churn-classifier-governance-execution-role"),
        (POLICY, "churn-classifier-governance-execution-policy"),
        (PACKAGE_GROUP, "churn-classifier-governance-package-group"),
        (CARD, "churn-classifier-governance-model-card"),
    ]
    assert children[2].inputs == {"modelPackageGroupName": "churn-classifier"}
    card = children[3].inputs
    assert (card["modelCardName"], card["modelCardStatus"], card["region"]) == (
        "churn-classifier-dev",
        "Draft",
        "eu-west-1",
    )
    assert "securityConfig" not in card  # dev sets no key
    assert "permissionsBoundary" not in children[0].inputs  # nor a boundary


def test_a_model_on_kubernetes_gets_only_its_card(dev: Plan) -> None:
    _, children = governance_of(dev, "reviews-kserve")
    assert [(r.type, r.name) for r in children] == [(CARD, "reviews-kserve-governance-model-card")]
    assert children[0].inputs["modelCardName"] == "reviews-kserve-dev"
    roles = [r.name for r in dev.resources if r.type == ROLE and r.name.startswith("reviews-kserve")]
    assert roles == ["reviews-kserve-identity-role"]  # the pods' own (components.kubernetes_identity)
