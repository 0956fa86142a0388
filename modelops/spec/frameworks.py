"""Framework containers known to the sagemaker SDK.

Validation reads the SDK's bundled image configuration (JSON files) directly, because importing
`sagemaker.core.image_uris` costs seconds (pandas, the service shapes) and `validate` must stay
fast. Image URIs themselves come from `image_uris.retrieve`, imported only when a program
needs one, and cached on disk per SDK version.

`serving_image` walks the same JSON the way `image_uris.retrieve(image_scope="inference")` does
(sagemaker-core `sagemaker/core/image_uris.py`: the Neuron and Graviton config switches, the
version and base-framework aliases, the Python version, the processor of the instance type, the
region's registry), so that every spec `validate` accepts resolves to an image in `plan`, and
every refusal names the field and the values the SDK knows. tests/test_frameworks.py checks it
against the SDK itself for every framework and version.
"""

from __future__ import annotations

import functools
import importlib.metadata
import importlib.util
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

_SCOPE = "inference"
_GRAVITON_SCOPE = "inference_graviton"

# Serverless endpoints run on x86 CPUs and take no instance type; the SDK picks the CPU image for
# any CPU instance type, so this one stands in for them.
SERVERLESS_INSTANCE_TYPE = "ml.m5.large"

# sagemaker-core `sagemaker/core/fw_utils.py` GRAVITON_ALLOWED_TARGET_INSTANCE_FAMILY and
# GRAVITON_ALLOWED_FRAMEWORKS: the families the SDK serves from its arm64 ("inference_graviton")
# configs, and the frameworks that have one. Copied to keep the SDK import out of `validate`;
# tests/test_frameworks.py fails when the SDK's lists change.
SDK_GRAVITON_FAMILIES = ("m6g", "m6gd", "c6g", "c6gd", "c6gn", "c7g", "r6g", "r6gd")
SDK_GRAVITON_FRAMEWORKS = ("pytorch", "sklearn", "tensorflow", "xgboost")
# Frameworks whose images are built for arm64 only (their config serves them under `cpu`).
ARM64_ONLY_FRAMEWORKS = ("llama-cpp-arm64",)
# Graviton (arm64) families carry a `g` right after the generation: c7g, m6gd, r8g ("Amazon EC2
# instance type naming conventions", docs.aws.amazon.com/ec2/latest/instancetypes/instance-type-names.html).
_ARM64_FAMILY = re.compile(r"^[cmrx]\d+g[a-z]*$")
# Repositories whose tag the SDK completes with the newest Neuron SDK of the version config
# (`retrieve`: "Append sdk version in case of trainium instances", and the huggingface branch).
_NEURON_SDK_REPOSITORIES = (
    "pytorch-training-neuron",
    "pytorch-training-neuronx",
    "huggingface-vllm-inference-neuronx",
    "huggingface-pytorch-inference-neuron",
    "huggingface-pytorch-inference-neuronx",
)
# The SDK resolves these through `framework: huggingface` and the instance type (inference_tool
# neuron on inf1, neuronx on inf2); named directly it builds a tag that no image carries.
_CHOSEN_BY_INSTANCE_TYPE = {"huggingface-neuron": "ml.inf1", "huggingface-neuronx": "ml.inf2"}


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
def _config_file(name: str) -> dict | None:
    directory = _config_dir()
    if directory is None or not (directory / f"{name}.json").is_file():
        return None
    return dict(json.loads((directory / f"{name}.json").read_text()))


def _scope_config(name: str, scope: str) -> tuple[str, dict] | None:
    """The (scope, config) `image_uris._config_for_framework_and_scope` picks: a file with a
    single scope answers every request with that one."""
    config = _config_file(name)
    if config is None:
        return None
    available = config.get("scope", list(config))
    if len(available) == 1:
        scope = available[0]
    if scope not in available:
        return None
    return scope, (config if "scope" in config else config[scope])


def _inference_config(framework: str) -> dict | None:
    found = _scope_config(framework, _SCOPE)
    return found[1] if found and found[0] == _SCOPE else None


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
    return _versions_of(config)


def _versions_of(config: dict) -> tuple[str, ...]:
    return tuple(config.get("versions", {})) + tuple(config.get("version_aliases", {}))


@dataclass(frozen=True)
class ServingImage:
    """What `image_uris.retrieve` needs for one serving image, with the defaults filled in."""

    framework: str
    version: str
    instance_type: str
    base_framework_version: str | None
    py_version: str | None
    inference_tool: str | None
    regions: tuple[str, ...]
    # The ECR repository and the registry account of each region, as `image_uris.retrieve`
    # builds the image from them ("{registry}.dkr.{hostname}/{repository}:{tag}").
    repository: str | None = None
    registries: tuple[tuple[str, str], ...] = ()

    def describe(self) -> str:
        details = ", ".join(x for x in (self.base_framework_version, self.py_version, self.inference_tool) if x)
        return f"{self.framework} {self.version}" + (f" ({details})" if details else "")

    def retrieve_arguments(self, region: str) -> dict[str, str]:
        arguments = {
            "region": region,
            "version": self.version,
            "instance_type": self.instance_type,
            "image_scope": _SCOPE,
            "base_framework_version": self.base_framework_version,
            "py_version": self.py_version,
            "inference_tool": self.inference_tool,
        }
        return {k: v for k, v in arguments.items() if v is not None}


@dataclass(frozen=True)
class ImageRefusal:
    """Why the SDK has no serving image: `field` is the ModelSource field at fault, or
    `instance_type` when the serving instance type (or serverless) is."""

    field: str
    message: str


def instance_family(instance_type: str) -> str:
    """`ml.g5.xlarge` -> `g5` (as `sagemaker.core.common_utils.get_instance_type_family`)."""
    match = re.match(r"^ml[._]([a-z\d-]+)\.?\w*$", instance_type)
    return match[1] if match else ""


def _processor(family: str, offered: list[str]) -> str:
    # `image_uris._processor`: a family named in the config wins, then inf/trn, then g/p GPUs.
    if family in offered:
        return family
    if family.startswith("inf"):
        return "inf"
    if family.startswith("trn"):
        return "trn"
    return "gpu" if family[:1] in ("g", "p") else "cpu"


def _version_key(text: str) -> tuple[int, ...]:
    return tuple(int(n) for n in re.findall(r"\d+", text))


def _py_key(text: str) -> tuple[int, ...]:
    digits = text.removeprefix("py")  # py3 -> (3,), py38 -> (3, 8), py310 -> (3, 10)
    return (int(digits[:1] or 0), int(digits[1:] or -1))


def _listing(values: Any) -> str:
    return ", ".join(values) or "none"


def serving_image(
    framework: str,
    version: str,
    instance_type: str | None,
    base_framework_version: str | None = None,
    py_version: str | None = None,
) -> ServingImage | ImageRefusal:
    """The serving image the SDK resolves for these spec fields on this instance type
    (None: serverless), or why it resolves none. Reads the bundled JSON only."""
    if framework in _CHOSEN_BY_INSTANCE_TYPE:
        return ImageRefusal(
            "framework",
            f"{framework} images are chosen by the sagemaker SDK through framework: huggingface on "
            f"{_CHOSEN_BY_INSTANCE_TYPE[framework]} instances; named directly the SDK builds an image tag "
            "that does not exist",
        )
    serverless = instance_type is None
    instance = SERVERLESS_INSTANCE_TYPE if instance_type is None else instance_type
    family = instance_family(instance)
    config_name, inference_tool, where = framework, None, ""
    if framework == "huggingface" and family.startswith(("inf", "trn")):
        inference_tool = "neuron" if family == "inf1" else "neuronx"
        config_name, where = f"huggingface-{inference_tool}", f" for {instance} (Neuron)"
    elif family.startswith(("inf", "trn")) and framework == "pytorch":
        return ImageRefusal(
            "instance_type",
            f"the sagemaker SDK has no pytorch serving image for {instance} (Neuron): its pytorch-neuron "
            "images are for training. Use framework huggingface, djl-neuronx or an image",
        )
    if "trn" in instance:
        # image_uris._validate_for_suppported_frameworks_and_instance_type takes pytorch only on
        # Trainium, and pytorch has no Neuron serving image (above).
        return ImageRefusal(
            "instance_type", f"the sagemaker SDK has no {framework} serving image for Trainium ({instance})"
        )
    scope = _SCOPE
    arm64 = bool(_ARM64_FAMILY.match(family))
    if family in SDK_GRAVITON_FAMILIES:
        if framework not in SDK_GRAVITON_FRAMEWORKS:
            return ImageRefusal(
                "instance_type",
                f"{instance} is a Graviton (arm64) instance: the sagemaker SDK serves only "
                f"{', '.join(SDK_GRAVITON_FRAMEWORKS)} on {', '.join(SDK_GRAVITON_FAMILIES)}",
            )
        scope, where = _GRAVITON_SCOPE, f" for Graviton ({instance})"
    elif arm64 and framework not in ARM64_ONLY_FRAMEWORKS:
        return ImageRefusal(
            "instance_type",
            f"{instance} is a Graviton (arm64) instance, and the sagemaker SDK maps only "
            f"{', '.join(SDK_GRAVITON_FAMILIES)} to arm64 images: {framework} would get an x86 image",
        )
    if not arm64 and framework in ARM64_ONLY_FRAMEWORKS:
        return ImageRefusal(
            "instance_type", f"{framework} is an arm64 image: serve it on a Graviton instance, not {instance}"
        )
    found = _scope_config(config_name, scope)
    if found is None or found[0] != scope:
        kind = f"only a {found[0]} image" if found else "no image config"
        return ImageRefusal("framework", f"the sagemaker SDK has {kind} for {config_name}, no serving image{where}")
    config = found[1]
    versions, aliases = config.get("versions", {}), config.get("version_aliases", {})
    if version not in versions and version not in aliases:
        return ImageRefusal(
            "framework_version",
            f"{framework} {version!r} has no serving image{where}; the sagemaker SDK knows: "
            + _listing(_versions_of(config)),
        )
    version_config = versions[aliases.get(version, version)]
    base = None
    if framework == "huggingface":
        bases = {k: v for k, v in version_config.items() if k != "version_aliases"}
        base_aliases = version_config.get("version_aliases")
        if not bases or not isinstance(base_aliases, dict) or not isinstance(aliases, dict):
            return ImageRefusal(
                "framework_version", f"the sagemaker SDK's config of {config_name} {version} is incomplete"
            )
        if base_framework_version is None:
            pytorch = sorted((b for b in bases if b.startswith("pytorch")), key=_version_key)
            base = pytorch[-1] if pytorch else sorted(bases, key=_version_key)[-1]
        else:
            base = base_framework_version
        full_base = base_aliases.get(base, base)
        if full_base not in bases or not re.match(r"^(pytorch|tensorflow)", base):
            return ImageRefusal(
                "base_framework_version",
                f"huggingface {version}{where} has no image on base framework {base!r}; the sagemaker SDK knows: "
                + _listing([*bases, *base_aliases]),
            )
        version_config = bases[full_base]
    elif base_framework_version is not None:
        return ImageRefusal(
            "base_framework_version", f"only huggingface images are chosen by base framework, not {framework}"
        )
    if "repository" in version_config:
        pythons = list(version_config.get("py_versions") or [])
    else:
        pythons = [k for k, v in version_config.items() if isinstance(v, dict) and "repository" in v]
    python = py_version
    if not pythons:
        if py_version is not None:
            return ImageRefusal(
                "py_version", f"{framework} {version}{where} images have no Python version choice: remove py_version"
            )
    elif py_version is None:
        python = sorted(pythons, key=_py_key)[-1]
    elif py_version not in pythons:
        return ImageRefusal(
            "py_version",
            f"{framework} {version}{where} has no image for Python {py_version!r}; the sagemaker SDK knows: "
            + _listing(pythons),
        )
    if python is not None and isinstance(version_config.get(python), dict):
        version_config = version_config[python]
    offered = config.get("processors") or version_config.get("processors")
    processor = None
    if offered:
        processor = _processor(family, offered)
        if processor not in offered:
            if serverless:
                message = f"serverless endpoints run on CPU, and {framework} {version} images need {_listing(offered)}"
            elif not any(p in ("cpu", "gpu", "inf", "trn") or re.match(r"^[a-z]+\d", p) for p in offered):
                message = (
                    f"{framework} {version} images are filed under {_listing(offered)}, a processor no "
                    "ml.* instance type maps to in the sagemaker SDK: give the image URI instead"
                )
            else:
                message = (
                    f"{framework} {version}{where} images run on {_listing(offered)} instances; "
                    f"{instance} is {processor}"
                )
            return ImageRefusal("instance_type", message)
    if version_config.get("container_version") and processor not in version_config["container_version"]:
        return ImageRefusal(
            "instance_type", f"the sagemaker SDK's {config_name} {version} config has no {processor} container"
        )
    if version_config.get("repository") in _NEURON_SDK_REPOSITORIES and not version_config.get("sdk_versions"):
        return ImageRefusal(
            "framework_version", f"the sagemaker SDK's {config_name} {version} config names no Neuron SDK"
        )
    deprecated_on_p2 = {"pytorch": (1, 13), "tensorflow": (2, 12)}
    if family == "p2" and framework in deprecated_on_p2 and _version_key(version) >= deprecated_on_p2[framework]:
        # image_uris._validate_instance_deprecation
        return ImageRefusal(
            "instance_type",
            f"the sagemaker SDK refuses P2 instances from pytorch 1.13 and tensorflow 2.12 on: {instance}",
        )
    return ServingImage(
        framework=framework,
        version=version,
        instance_type=instance,
        base_framework_version=base,
        py_version=python,
        inference_tool=inference_tool,
        regions=tuple(sorted(version_config.get("registries", {}))),
        repository=version_config.get("repository"),
        registries=tuple(sorted(version_config.get("registries", {}).items())),
    )


def serving_repository(
    framework: str,
    version: str,
    region: str,
    instance_type: str | None,
    base_framework_version: str | None = None,
    py_version: str | None = None,
) -> str | None:
    """The repository of `image_uri`'s image, `<registry>.dkr.ecr.<region>.<suffix>/<repository>`
    without its tag, from the bundled JSON alone (no sagemaker SDK import, so `validate` stays
    fast): what an execution role's policy names (`modelops.aws.iam.ecr_repository_arn`). None
    where `image_uri` would have no image. tests/test_frameworks.py checks it against the SDK."""
    from modelops.aws.regions import dns_suffix, partition_of

    image = serving_image(framework, version, instance_type, base_framework_version, py_version)
    if isinstance(image, ImageRefusal) or image.repository is None:
        return None
    registry = dict(image.registries).get(region)
    partition = partition_of(region)
    if registry is None or partition is None:
        return None
    return f"{registry}.dkr.ecr.{region}.{dns_suffix(partition)}/{image.repository}"


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


def image_uri(
    framework: str,
    version: str,
    region: str,
    instance_type: str | None,
    base_framework_version: str | None = None,
    py_version: str | None = None,
) -> str:
    """The official serving image for the framework in the region, via the sagemaker SDK.

    `instance_type` None means serverless. Defaults the spec leaves out (base framework, Python)
    are the ones `serving_image` chose and `validate` checked; a refusal here means validation
    was skipped, and it says why instead of the SDK's error.
    """
    image = serving_image(framework, version, instance_type, base_framework_version, py_version)
    if isinstance(image, ImageRefusal):
        raise ValueError(f"{image.field}: {image.message}")
    if region not in image.regions:
        raise ValueError(f"{image.describe()} has no image in {region} (regions: {_listing(image.regions)})")
    return _retrieve(framework, **image.retrieve_arguments(region))


ANALYZER_SCOPES = {"model-monitor": "monitoring", "clarify": "processing"}


@functools.cache
def analyzer_regions(analyzer: str) -> tuple[str, ...]:
    """Regions where the SDK has the analyzer image: the `registries` of its one version
    (`image_uris.retrieve(analyzer, region)` picks the only version, then refuses a region that
    is not listed with "Unsupported region")."""
    found = _scope_config(analyzer, ANALYZER_SCOPES[analyzer])
    if found is None:
        return ()
    return tuple(
        sorted({r for version in found[1].get("versions", {}).values() for r in version.get("registries", {})})
    )


def analyzer_for(monitor: str) -> str:
    """Bias and explainability run SageMaker Clarify; data and model quality the Model Monitor analyzer."""
    return "clarify" if monitor in ("bias", "explainability") else "model-monitor"


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
