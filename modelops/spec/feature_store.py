"""Which feature groups a stack deploys, under which names, created with which definition.

What pulumi-aws does to a group (pulumi-aws bridges terraform-provider-aws's
`aws_sagemaker_feature_group`, internal/service/sagemaker/feature_group.go): every argument
except `tags` and `online_store_config.ttl_duration` and `throughput_config` is ForceNew, the
feature definitions and the description included. A changed definition list would replace the
group: with its fixed name the create-before-delete replacement fails, and a delete-first
replacement destroys every stored record. So:

- a group is declared to pulumi-aws with the definition of the first version of its
  *generation* (its features, description and stores), which never changes while versions
  only add features; features added later are applied by `components.providers.
  feature_additions` with UpdateFeatureGroup(FeatureAdditions), the one in-place change
  the SageMaker API allows;
- a version that removes or retypes a feature (or changes the record identifier, event time
  or stores) must say `replace: true`; that starts a new generation: a new group under a new
  name (`<group>-<env>-g2`), which Pulumi creates before it deletes the old one.

Generations are counted from the model's version history in the repository, so the same
version always gets the same name, whatever the stack deployed before.
"""

from __future__ import annotations

from dataclasses import dataclass

from modelops.aws import naming
from modelops.spec.checks import semver_key
from modelops.spec.models import FeatureGroupSpec, ModelSpec
from modelops.spec.repository import Repository, destructive_changes
from modelops.spec.resolved_model import ResolvedModel


@dataclass(frozen=True)
class FeatureGroupDeployment:
    owner: str  # the model that declares the group
    owner_version: str  # the version whose declaration is deployed
    spec: FeatureGroupSpec  # the definition deployed now
    base: FeatureGroupSpec  # the definition the group was created with (its generation's first)
    generation: int
    physical_name: str

    @property
    def added_features(self) -> list[str]:
        base = {f.name for f in self.base.features}
        return [f.name for f in self.spec.features if f.name not in base]


def _declared(spec: ModelSpec, group: str) -> FeatureGroupSpec | None:
    return next((g for g in spec.features.groups if g.name == group), None)


def lineage(repo: Repository, model: str, group: str, version: str) -> tuple[int, str]:
    """(generation, first version of that generation) of `group` as of `version`."""
    generation, base_version = 0, version
    previous: FeatureGroupSpec | None = None
    for candidate in repo.versions(model):
        if semver_key(candidate) > semver_key(version):
            break
        declared = _declared(repo.specs[model][candidate].spec, group)
        if declared is None:
            previous = None  # dropped: a later declaration is a new group
            continue
        if previous is None or (declared.replace and destructive_changes(previous, declared)):
            generation += 1
            base_version = candidate
        previous = declared
    return max(generation, 1), base_version


def deployed_groups(repo: Repository, models: list[ResolvedModel], environment: str) -> list[FeatureGroupDeployment]:
    """The groups the stack's models own. The primary's declaration decides the generation; a
    challenger or shadow of the same generation may add features (they are additive, so the
    primary keeps working), but never replaces the primary's group."""
    deployments: list[FeatureGroupDeployment] = []
    for model in models:
        names = list(dict.fromkeys(g.name for v in model.variants for g in v.spec.features.groups))
        for group in names:
            declaring = [v for v in model.variants if _declared(v.spec, group) is not None]
            anchor = next((v for v in declaring if v.role == "primary"), None) or max(
                declaring, key=lambda v: semver_key(v.version)
            )
            generation, base_version = lineage(repo, model.name, group, anchor.version)
            same_generation = [
                v for v in declaring if lineage(repo, model.name, group, v.version)[0] == generation
            ] or [anchor]
            chosen = max(same_generation, key=lambda v: semver_key(v.version))
            spec = _declared(chosen.spec, group)
            base = _declared(repo.specs[model.name][base_version].spec, group)
            assert spec is not None and base is not None
            deployments.append(
                FeatureGroupDeployment(
                    owner=model.name,
                    owner_version=chosen.version,
                    spec=spec,
                    base=base,
                    generation=generation,
                    physical_name=naming.feature_group_name(group, environment, generation),
                )
            )
    return deployments


def model_reads(model: ResolvedModel) -> list[str]:
    """The groups any variant of the model reads (each variant runs with the model's role)."""
    return sorted({name for v in model.variants for name in v.spec.features.reads})


def feature_group_arn(partition: str, region: str, account: str, physical_name: str) -> str:
    # SageMaker lower-cases resource names in ARNs.
    return f"arn:{partition}:sagemaker:{region}:{account}:feature-group/{physical_name.lower()}"
