"""Framework images: what `validate` accepts, the sagemaker SDK resolves in `plan`.

`frameworks.serving_image` reads the SDK's bundled JSON the way `image_uris.retrieve` does; these
tests hold it to the SDK itself, for every framework and version it knows, so that nothing passes
`validate` and then dies in `plan`, `rehearse` or `diff`.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from modelops.spec import frameworks
from modelops.spec.checks import check_spec
from modelops.spec.models import ModelSpec
from tests.conftest import assert_problem, edit_yaml, problems, spec_path
from tests.test_stack_rules import stack_file

HF = "sentiment-hf"
HF_VERSION = "1.0.0"
# One instance type per way the SDK picks an image: serverless (None), CPU, GPU, the P2 cut-off,
# Inferentia 1 and 2, Trainium, a Graviton family the SDK maps to arm64 images, and one it does not.
INSTANCE_TYPES = (
    None,
    "ml.m5.large",
    "ml.g5.xlarge",
    "ml.p2.xlarge",
    "ml.inf1.xlarge",
    "ml.inf2.xlarge",
    "ml.trn1.2xlarge",
    "ml.c7g.xlarge",
    "ml.m8g.large",
)
REGIONS = ("eu-west-1", "us-east-1")


@pytest.fixture(scope="module")
def sdk() -> Iterator[Any]:
    """`sagemaker.core.image_uris`, with its file reads memoised: uncached, every `retrieve`
    re-reads the framework's JSON and botocore's 1.2 MB endpoints file, and nothing here changes
    them. The logic under test is untouched."""
    from sagemaker.core import common_utils, image_uris

    patch = pytest.MonkeyPatch()
    patch.setattr(image_uris, "config_for_framework", functools.cache(image_uris.config_for_framework))
    patch.setattr(common_utils, "_botocore_resolver", functools.cache(common_utils._botocore_resolver))
    yield image_uris
    patch.undo()


@pytest.fixture
def image_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """A private image-URI disk cache, so that every `image_uri` call asks the SDK."""
    monkeypatch.setenv("MODELOPS_CACHE_DIR", str(tmp_path / "cache"))
    frameworks._disk_cache.cache_clear()
    yield
    frameworks._disk_cache.cache_clear()


def _sdk_image(sdk: Any, framework: str, version: str, instance_type: str | None, region: str) -> str | None:
    image = frameworks.serving_image(framework, version, instance_type)
    if isinstance(image, frameworks.ServingImage):
        arguments = image.retrieve_arguments(region)
    else:  # what the SDK would get without modelops's defaults
        instance = instance_type or frameworks.SERVERLESS_INSTANCE_TYPE
        arguments = {"region": region, "version": version, "instance_type": instance, "image_scope": "inference"}
    try:
        return str(sdk.retrieve(framework, **arguments))
    except (ValueError, KeyError, AttributeError, TypeError):
        return None


def _wrong_for_serving(framework: str, version: str, instance_type: str | None, uri: str) -> bool:
    """Where `validate` refuses what the SDK answers, the SDK's answer must be unusable."""
    family = frameworks.instance_family(instance_type or frameworks.SERVERLESS_INSTANCE_TYPE)
    arm_instance = bool(re.match(r"^[cmrx]\d+g", family))
    arm_image = "arm64" in uri or "graviton" in uri
    tag = uri.rsplit(":", 1)[-1]
    return (
        "training" in uri  # a training image (pytorch on Neuron)
        or arm_instance != arm_image  # an image for the other CPU architecture
        or not any(part in tag for part in (version, version.split("-")[0]))  # another version than asked
    )


@pytest.mark.parametrize("framework", frameworks.known_frameworks())
def test_validate_accepts_exactly_what_the_sdk_resolves(sdk: Any, framework: str) -> None:
    versions = frameworks.known_versions(framework)
    assert versions
    for version in versions:
        for instance_type in INSTANCE_TYPES:
            image = frameworks.serving_image(framework, version, instance_type)
            uri = _sdk_image(sdk, framework, version, instance_type, "eu-west-1")
            case = f"{framework} {version} on {instance_type or 'serverless'}"
            if isinstance(image, frameworks.ServingImage):
                assert "eu-west-1" in image.regions, case
                assert uri is not None and ".dkr.ecr.eu-west-1.amazonaws.com/" in uri, case
            else:
                assert image.message and image.field in (
                    "framework",
                    "framework_version",
                    "base_framework_version",
                    "py_version",
                    "instance_type",
                ), case
                assert uri is None or _wrong_for_serving(framework, version, instance_type, uri), (
                    f"{case}: validate refuses ({image.message}) what the SDK resolves to {uri}"
                )


def _newest(versions: tuple[str, ...]) -> str:
    return max(versions, key=lambda v: tuple(int(n) for n in re.findall(r"\d+", v)))


def _spec(framework: str, version: str, instance_type: str | None) -> ModelSpec:
    serving: dict[str, Any] = {"mode": "serverless"} if instance_type is None else {"instance_type": instance_type}
    return ModelSpec.model_validate(
        {
            "apiVersion": "modelops/v1",
            "kind": "ModelSpec",
            "metadata": {"name": "probe", "version": "1.0.0", "owner": "o@example.com", "description": "probe"},
            "model": {"artifact": "s3://bucket/model.tar.gz", "framework": framework, "framework_version": version},
            "serving": serving,
        }
    )


@pytest.mark.parametrize("framework", frameworks.known_frameworks())
def test_every_framework_with_its_defaults_gets_an_image_or_a_clear_refusal(
    framework: str, image_cache: None, project: Path
) -> None:
    version = _newest(frameworks.known_versions(framework) or ())
    candidates = (None, "ml.m5.xlarge", "ml.g5.xlarge", "ml.inf2.xlarge", "ml.inf1.xlarge", "ml.c7g.xlarge")
    accepted = [
        instance_type
        for instance_type in candidates  # None: serverless
        if not [f for f in check_spec(_spec(framework, version, instance_type)) if f[0][0] in ("model", "serving")]
    ]
    if not accepted:
        # validate refuses the framework on every instance type: it must say so on the spec file
        def use_framework(data: Any) -> None:
            data["model"].update(framework=framework, framework_version=version)
            data["model"].pop("base_framework_version")
            data["model"].pop("py_version")

        edit_yaml(spec_path(project, HF, HF_VERSION), use_framework)
        found = [p for p in problems(project) if p.file.endswith(f"{HF}/{HF_VERSION}.yaml")]
        assert found and all(p.line >= 1 and p.message for p in found), framework
        return
    for region in REGIONS:
        image = frameworks.serving_image(framework, version, accepted[0])
        assert isinstance(image, frameworks.ServingImage)
        if region in image.regions:
            uri = frameworks.image_uri(framework, version, region, accepted[0])
            assert re.match(rf"^\d{{12}}\.dkr\.ecr\.{region}\.amazonaws\.com(\.cn)?/[a-z0-9.-]+:\S+$", uri), uri
            # what validate measures a pool's role policy with, without the SDK (modelops.aws.pool_role)
            assert frameworks.serving_repository(framework, version, region, accepted[0]) == uri.rsplit(":", 1)[0]
        else:  # the per-stack rule refuses the pin
            assert region not in image.regions


def test_the_sdk_graviton_lists_are_the_ones_modelops_copies() -> None:
    from sagemaker.core import fw_utils

    assert set(frameworks.SDK_GRAVITON_FAMILIES) == set(fw_utils.GRAVITON_ALLOWED_TARGET_INSTANCE_FAMILY)
    assert set(frameworks.SDK_GRAVITON_FRAMEWORKS) == set(fw_utils.GRAVITON_ALLOWED_FRAMEWORKS)


def test_huggingface_defaults_to_the_newest_pytorch_and_python(image_cache: None) -> None:
    image = frameworks.serving_image("huggingface", "4.37.0", "ml.m5.xlarge")
    assert isinstance(image, frameworks.ServingImage)
    assert (image.base_framework_version, image.py_version) == ("pytorch2.1.0", "py310")
    uri = frameworks.image_uri("huggingface", "4.37.0", "eu-west-1", "ml.m5.xlarge")
    assert uri.endswith("/huggingface-pytorch-inference:2.1.0-transformers4.37.0-cpu-py310-ubuntu22.04")


def test_huggingface_on_inferentia2_gets_the_neuronx_image(image_cache: None) -> None:
    uri = frameworks.image_uri("huggingface", "4.36.2", "us-east-1", "ml.inf2.xlarge")
    assert "/huggingface-pytorch-inference-neuronx:2.1.2-transformers4.36.2-neuronx-py310-sdk" in uri


def test_example_huggingface_spec_plans_with_the_pinned_image(image_cache: None) -> None:
    image = frameworks.image_uri("huggingface", "4.51.3", "eu-west-1", "ml.m5.xlarge", "pytorch2.6.0", "py312")
    assert image.endswith("huggingface-pytorch-inference:2.6.0-transformers4.51.3-cpu-py312-ubuntu22.04")


def _hf(change: Any) -> Any:
    def apply(data: Any) -> None:
        change(data["model"], data["serving"])

    return apply


def _set(**fields: Any) -> Any:
    def change(model: dict, serving: dict) -> None:
        for name, value in fields.items():
            target = serving if name in ("instance_type", "mode") else model
            if value is None:
                target.pop(name, None)
            else:
                target[name] = value

    return change


# (id, fields to set on model_specs/sentiment-hf/1.0.0.yaml, problem field, message fragment)
CASES = [
    (
        "unknown-base-framework",
        _set(base_framework_version="pytorch9.9"),
        "model.base_framework_version",
        "no image on base framework 'pytorch9.9'; the sagemaker SDK knows: pytorch2.6.0",
    ),
    (
        "unknown-python",
        _set(py_version="py27"),
        "model.py_version",
        "huggingface 4.51.3 has no image for Python 'py27'; the sagemaker SDK knows: py312",
    ),
    (
        "base-framework-of-another-framework",
        _set(framework="pytorch", framework_version="2.1", base_framework_version="pytorch2.1.0", py_version=None),
        "model.base_framework_version",
        "only huggingface images are chosen by base framework, not pytorch",
    ),
    (
        "python-without-choice",
        _set(framework="blazingtext", framework_version="1", base_framework_version=None, py_version="py310"),
        "model.py_version",
        "blazingtext 1 images have no Python version choice",
    ),
    (
        "gpu-only-on-cpu",
        _set(framework="huggingface-llm", framework_version="3.0.1", base_framework_version=None, py_version=None),
        "serving.instance_type",
        "huggingface-llm 3.0.1 images run on gpu instances; ml.m5.xlarge is cpu",
    ),
    (
        "version-without-neuron-image",
        _set(framework_version="4.49.0", base_framework_version=None, py_version=None, instance_type="ml.inf2.xlarge"),
        "model.framework_version",
        "huggingface '4.49.0' has no serving image for ml.inf2.xlarge (Neuron); the sagemaker SDK knows: 4.28.1",
    ),
    (
        "processor-no-instance-type-reaches",
        _set(
            framework="huggingface-vllm-neuronx",
            framework_version="0.4.4",
            base_framework_version=None,
            py_version=None,
            instance_type="ml.inf2.xlarge",
        ),
        "serving.instance_type",
        "huggingface-vllm-neuronx 0.4.4 images are filed under neuronx, a processor no ml.* instance type maps to",
    ),
    (
        "neuronx-named-directly",
        _set(framework="huggingface-neuronx", framework_version="4.36.2", base_framework_version=None, py_version=None),
        "model.framework",
        "huggingface-neuronx images are chosen by the sagemaker SDK through framework: huggingface on ml.inf2",
    ),
    (
        "graviton-version",
        _set(
            framework="xgboost",
            framework_version="1.7-1",
            base_framework_version=None,
            py_version=None,
            instance_type="ml.c7g.xlarge",
        ),
        "model.framework_version",
        "xgboost '1.7-1' has no serving image for Graviton (ml.c7g.xlarge); the sagemaker SDK knows: 1.3-1, 1.5-1",
    ),
    (
        "graviton-framework",
        _set(instance_type="ml.c7g.xlarge"),
        "serving.instance_type",
        "ml.c7g.xlarge is a Graviton (arm64) instance: the sagemaker SDK serves only pytorch, sklearn",
    ),
    (
        "arm64-family-without-arm64-image",
        _set(
            framework="xgboost",
            framework_version="1.7-1",
            base_framework_version=None,
            py_version=None,
            instance_type="ml.m8g.large",
        ),
        "serving.instance_type",
        "xgboost would get an x86 image",
    ),
    (
        "arm64-image-on-x86",
        _set(framework="llama-cpp-arm64", framework_version="1.0", base_framework_version=None, py_version=None),
        "serving.instance_type",
        "llama-cpp-arm64 is an arm64 image: serve it on a Graviton instance, not ml.m5.xlarge",
    ),
    (
        "pytorch-on-neuron",
        _set(
            framework="pytorch",
            framework_version="2.1",
            base_framework_version=None,
            py_version=None,
            instance_type="ml.inf2.xlarge",
        ),
        "serving.instance_type",
        "its pytorch-neuron images are for training",
    ),
    (
        "trainium",
        _set(instance_type="ml.trn1.2xlarge"),
        "serving.instance_type",
        "the sagemaker SDK has no huggingface serving image for Trainium (ml.trn1.2xlarge)",
    ),
    (
        "p2-deprecated",
        _set(
            framework="pytorch",
            framework_version="2.1",
            base_framework_version=None,
            py_version=None,
            instance_type="ml.p2.xlarge",
        ),
        "serving.instance_type",
        "the sagemaker SDK refuses P2 instances from pytorch 1.13 and tensorflow 2.12 on",
    ),
    (
        "python-with-an-image",
        _set(
            framework=None,
            framework_version=None,
            base_framework_version=None,
            image="123456789012.dkr.ecr.eu-west-1.amazonaws.com/sentiment:1.0.0",
        ),
        "model.py_version",
        "py_version only goes with 'framework' + 'framework_version'",
    ),
]


@pytest.mark.parametrize(("change", "field", "fragment"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_framework_image_rule(project: Path, change: Any, field: str, fragment: str) -> None:
    edit_yaml(spec_path(project, HF, HF_VERSION), _hf(change))
    assert_problem(problems(project), field, fragment, f"{HF}/{HF_VERSION}.yaml")


def test_serverless_gets_the_cpu_image_or_a_refusal_on_its_mode(project: Path) -> None:
    edit_yaml(
        spec_path(project, "sentiment-api", "0.2.0"),
        lambda d: d["model"].update(framework="huggingface-tei", framework_version="1.8.2"),
    )
    assert_problem(
        problems(project),
        "serving.mode",
        "serverless endpoints run on CPU, and huggingface-tei 1.8.2 images need gpu",
        "sentiment-api/0.2.0.yaml",
    )


def test_framework_choices_with_a_registry_package_are_refused(project: Path) -> None:
    edit_yaml(spec_path(project), lambda d: d["model"].update(py_version="py310"))
    assert_problem(problems(project), "model.py_version", "py_version is not allowed with 'package'")


def test_framework_choices_with_kubernetes_serving_are_refused(project: Path) -> None:
    def to_kubernetes(data: Any) -> None:
        data["serving"] = {"target": "kubernetes", "kubernetes": {"runtime": "kserve"}}

    edit_yaml(spec_path(project, HF, HF_VERSION), to_kubernetes)
    assert_problem(
        problems(project),
        "model.base_framework_version",
        "base_framework_version chooses a SageMaker image; kubernetes serving takes none",
    )


def test_an_environment_override_that_breaks_the_image_is_named(project: Path) -> None:
    def cpu_image_with_a_gpu_override(data: Any) -> None:
        data["model"].update(framework="huggingface-tei-cpu", framework_version="1.8.2")
        for name in ("base_framework_version", "py_version"):
            data["model"].pop(name)
        data["environments"] = {"dev": {"serving": {"instance_type": "ml.g5.xlarge"}}}

    edit_yaml(spec_path(project, HF, HF_VERSION), cpu_image_with_a_gpu_override)
    problem = assert_problem(
        problems(project), "serving.instance_type", "huggingface-tei-cpu 1.8.2 images run on cpu instances"
    )
    assert "after the dev override" in problem.message


def test_framework_without_an_image_in_the_stack_region(project: Path) -> None:
    # sagemaker-core's xgboost.json lists no ap-southeast-7 registry for 1.7-1 (botocore knows the region)
    assert "ap-southeast-7" not in frameworks.serving_image("xgboost", "1.7-1", "ml.c5.xlarge").regions  # type: ignore[union-attr]
    edit_yaml(stack_file(project, "dev"), lambda d: d["config"].update({"aws:region": "ap-southeast-7"}))
    problem = assert_problem(
        problems(project),
        "model.framework_version",
        "xgboost 1.7-1 has no image in ap-southeast-7, the region of stack dev; the sagemaker SDK has it in",
        "fraud-detector/3.1.0.yaml",
    )
    assert "close: ap-southeast-4, ap-southeast-3" in problem.message


def test_image_uri_refuses_instead_of_crashing_in_the_sdk() -> None:
    with pytest.raises(ValueError, match="has no image in ap-southeast-7"):
        frameworks.image_uri("xgboost", "1.7-1", "ap-southeast-7", "ml.c5.xlarge")
    refused = r"base_framework_version: huggingface 4\.51\.3 has no image on base framework"
    with pytest.raises(ValueError, match=refused):
        frameworks.image_uri("huggingface", "4.51.3", "eu-west-1", "ml.m5.xlarge", "pytorch1.0")
