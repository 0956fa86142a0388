"""A feature group's generation and the declaration a stack deploys, straight from a version history.

The history used throughout (model `churn-classifier`, group `customer-profile`):

- 1.0.0 declares the group (generation 1 starts);
- 1.1.0 adds a feature (same generation);
- 1.2.0 says `replace: true` and removes a feature (generation 2 starts);
- 1.3.0 says `replace: true` but only adds a feature (still generation 2);
- 1.4.0 drops the group;
- 1.5.0 declares it again, as 1.3.0 did, without `replace` (generation 3 starts: a new group);
- 1.6.0 adds a feature (same generation).
"""

from __future__ import annotations

from typing import Any

import pytest

from modelops.spec.feature_store import FeatureGroupDeployment, deployed_groups, lineage
from modelops.spec.models import FeatureGroupSpec
from modelops.spec.repository import Repository, load_repository
from modelops.spec.resolved_model import ResolvedModel, Variant
from tests.conftest import REPO_ROOT, read_yaml, spec_path, write_yaml

MODEL = "churn-classifier"
GROUP = "customer-profile"
BASE_FEATURES = [
    {"name": "customer_id", "type": "string"},
    {"name": "event_time", "type": "fractional"},
    {"name": "tenure_months", "type": "integral"},
    {"name": "monthly_charges", "type": "fractional"},
]
TICKETS = {"name": "support_tickets_90d", "type": "integral"}
PLAN_TIER = {"name": "plan_tier", "type": "string"}
WITHOUT_CHARGES = [f for f in BASE_FEATURES if f["name"] != "monthly_charges"]

# version -> (features of the group, replace), or None where the version does not declare it
HISTORY: dict[str, tuple[list[dict[str, str]], bool] | None] = {
    "1.0.0": (BASE_FEATURES, False),
    "1.1.0": ([*BASE_FEATURES, TICKETS], False),
    "1.2.0": ([*WITHOUT_CHARGES, TICKETS], True),
    "1.3.0": ([*WITHOUT_CHARGES, TICKETS, PLAN_TIER], True),
    "1.4.0": None,
    "1.5.0": ([*WITHOUT_CHARGES, TICKETS, PLAN_TIER], False),
    "1.6.0": ([*WITHOUT_CHARGES, TICKETS, PLAN_TIER, {"name": "region", "type": "string"}], False),
}


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Repository:
    root = tmp_path_factory.mktemp("history")
    for version, declaration in HISTORY.items():
        data: Any = read_yaml(spec_path(REPO_ROOT, MODEL, "1.3.0"))
        data["metadata"]["version"] = version
        data["features"].pop("reads", None)  # reads another model's group: not part of this history
        [group] = data["features"]["groups"]
        if declaration is None:
            data["features"]["groups"] = []
        else:
            features, replace = declaration
            group["features"] = features
            if replace:
                group["replace"] = True
        write_yaml(spec_path(root, MODEL, version), data)
    loaded = load_repository(root)
    assert loaded.problems == []  # a legal history: each change is additive or says replace
    assert loaded.versions(MODEL) == list(HISTORY)
    return loaded


def _declaration(repo: Repository, version: str) -> FeatureGroupSpec:
    [group] = repo.specs[MODEL][version].spec.features.groups
    return group


def _variant(repo: Repository, role: str, version: str, percent: int) -> Variant:
    return Variant(role, version, repo.specs[MODEL][version].spec, percent)


@pytest.mark.parametrize(
    ("version", "expected"),
    [
        pytest.param("1.0.0", (1, "1.0.0"), id="first declaration starts generation 1"),
        pytest.param("1.1.0", (1, "1.0.0"), id="an added feature keeps the generation"),
        pytest.param("1.2.0", (2, "1.2.0"), id="replace with a removed feature starts a generation at itself"),
        pytest.param("1.3.0", (2, "1.2.0"), id="replace without a destructive change keeps the generation"),
        pytest.param("1.5.0", (3, "1.5.0"), id="a dropped group declared again is a new generation"),
        pytest.param("1.6.0", (3, "1.5.0"), id="an added feature after a re-declaration keeps its generation"),
    ],
)
def test_generation_and_its_first_version_follow_the_history(
    repo: Repository, version: str, expected: tuple[int, str]
) -> None:
    assert lineage(repo, MODEL, GROUP, version) == expected


def _deployment(repo: Repository, version: str, base: str, generation: int, name: str) -> FeatureGroupDeployment:
    return FeatureGroupDeployment(
        owner=MODEL,
        owner_version=version,
        spec=_declaration(repo, version),
        base=_declaration(repo, base),
        generation=generation,
        physical_name=name,
    )


@pytest.mark.parametrize(
    ("roles", "deployed"),
    [
        pytest.param(
            {"primary": "1.1.0", "challenger": "1.3.0"},
            ("1.1.0", "1.0.0", 1, "customer-profile-dev"),
            id="the primary's generation wins over a newer challenger of another generation",
        ),
        pytest.param(
            {"primary": "1.0.0", "challenger": "1.1.0"},
            ("1.1.0", "1.0.0", 1, "customer-profile-dev"),
            id="a challenger of the primary's generation adds its features",
        ),
        pytest.param(
            {"primary": "1.2.0", "shadow": "1.3.0"},
            ("1.3.0", "1.2.0", 2, "customer-profile-dev-g2"),
            id="a shadow of the primary's second generation adds its features under the g2 name",
        ),
        pytest.param(
            {"primary": "1.4.0", "challenger": "1.3.0", "shadow": "1.5.0"},
            ("1.5.0", "1.5.0", 3, "customer-profile-dev-g3"),
            id="without a declaring primary the newest declaring variant decides the generation",
        ),
    ],
)
def test_a_stack_deploys_the_newest_declaration_of_the_deciding_generation(
    repo: Repository, roles: dict[str, str], deployed: tuple[str, str, int, str]
) -> None:
    variants = {role: _variant(repo, role, version, 10) for role, version in roles.items()}
    model = ResolvedModel(
        name=MODEL,
        environment="dev",
        primary=variants["primary"],
        challenger=variants.get("challenger"),
        shadow=variants.get("shadow"),
    )
    assert deployed_groups(repo, [model], "dev") == [_deployment(repo, *deployed)]
