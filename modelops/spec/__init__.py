"""The spec language: loading with source positions, the pydantic models, per-spec and
cross-file checks, environments, stack configuration, resolution of pins, governance by
environment, released files and the JSON Schema."""
