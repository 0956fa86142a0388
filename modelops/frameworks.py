"""Framework containers known to the sagemaker SDK.

Validation reads the SDK's bundled image configuration (JSON files) directly, because importing
`sagemaker.core.image_uris` costs seconds (pandas, the service shapes) and `validate` must stay
fast. Image URIs themselves come from `image_uris.retrieve`, imported only when a program
needs one, and cached on disk per SDK version.
"""

from __future__ import annotations

import functools
import importlib.metadata
import importlib.util
import json
import os
from pathlib import Path

_SCOPE = "inference"


@functools.cache
def _config_dir() -> Path | None:
    spec = importlib.util.find_spec("sagemaker")
    if spec is None or not spec.submodule_search_locations:
        return None
    for location in spec.submodule_search_locations:
        candidate = Path(location) / "core" / "image_uri_config"
        if candidate.is_dir():
            return candidate
    return None


@functools.cache
def _inference_config(framework: str) -> dict | None:
    directory = _config_dir()
    if directory is None or not (directory / f"{framework}.json").is_file():
        return None
    config = json.loads((directory / f"{framework}.json").read_text())
    if _SCOPE in config:
        return config[_SCOPE]
    if _SCOPE in config.get("scope", []):
        return config
    return None


@functools.cache
def known_frameworks() -> tuple[str, ...]:
    directory = _config_dir()
    if directory is None:
        return ()
    return tuple(sorted(p.stem for p in directory.glob("*.json") if _inference_config(p.stem) is not None))


def known_versions(framework: str) -> tuple[str, ...] | None:
    """Versions (and aliases) the SDK can resolve for serving, or None if unknown."""
    config = _inference_config(framework)
    if config is None:
        return None
    return tuple(config.get("versions", {})) + tuple(config.get("version_aliases", {}))


def _cache_file() -> Path:
    version = importlib.metadata.version("sagemaker-core")
    root = Path(os.environ.get("MODELOPS_CACHE_DIR", Path.home() / ".cache" / "modelops"))
    return root / f"image-uris-sagemaker-core-{version}.json"


@functools.cache
def _disk_cache() -> dict[str, str]:
    try:
        return dict(json.loads(_cache_file().read_text()))
    except (OSError, ValueError):
        return {}


def image_uri(framework: str, version: str, region: str, instance_type: str | None) -> str:
    """The official serving image for the framework in the region, via the sagemaker SDK."""
    return _retrieve(
        framework,
        region=region,
        version=version,
        instance_type=instance_type or "ml.m5.large",
        image_scope=_SCOPE,
    )


def analyzer_image(analyzer: str, region: str) -> str:
    """The Model Monitor analyzer (`model-monitor`) or SageMaker Clarify (`clarify`) image."""
    return _retrieve(analyzer, region=region)


def _retrieve(framework: str, **arguments: str) -> str:
    key = "|".join([framework, *(f"{k}={v}" for k, v in sorted(arguments.items()))])
    cache = _disk_cache()
    if key not in cache:
        from sagemaker.core import image_uris

        cache[key] = image_uris.retrieve(framework, **arguments)
        try:
            path = _cache_file()
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(f".{os.getpid()}.tmp")
            tmp.write_text(json.dumps(cache, sort_keys=True))
            tmp.replace(path)
        except OSError:
            pass  # a read-only home only costs the next run the SDK import
    return cache[key]
