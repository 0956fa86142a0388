"""A stack's pin resolved: the model's variants, each an environment-merged spec."""

from __future__ import annotations

from dataclasses import dataclass

from modelops.spec.models import ModelSpec


@dataclass(frozen=True)
class Variant:
    role: str  # primary | challenger | shadow
    version: str
    spec: ModelSpec
    percent: int  # traffic share (challenger), sampling (shadow), the rest (primary)


@dataclass(frozen=True)
class ResolvedModel:
    name: str
    environment: str
    primary: Variant
    challenger: Variant | None = None
    shadow: Variant | None = None

    @property
    def spec(self) -> ModelSpec:
        return self.primary.spec

    @property
    def version(self) -> str:
        return self.primary.version

    @property
    def variants(self) -> list[Variant]:
        return [v for v in (self.primary, self.challenger, self.shadow) if v is not None]
