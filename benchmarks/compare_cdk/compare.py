"""modelops plan against AWS CDK synth on the same fleet: wall time and peak memory side by side.

    .venv/bin/python benchmarks/compare_cdk/compare.py                      # N = 100 500 1000, median of 3
    .venv/bin/python benchmarks/compare_cdk/compare.py --models 100 --repeat 1 --lean

Each of the N models is a realtime endpoint with autoscaling, data capture and a canary rollout
guarded by two alarms, a 5-feature group, a data quality monitor and a model card, in a stack
with a KMS key. modelops runs as a user runs it (`python -m modelops plan --format json` under
the project's .venv, output to /dev/null); the CDK side runs app.py under
benchmarks/compare_cdk/.venv, which synthesises cdk.out as `cdk synth` would. Both are timed
as whole processes, imports and start-up included, and memory is the peak Pss of the process
tree (measure.py): the CDK's tree includes its node process. See README.md for set-up.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from collections import Counter
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
sys.path.insert(0, str(HERE.parent))

from fleet import model_spec, write_spec, write_stack  # noqa: E402
from measure import Measurement, run_measured  # noqa: E402

MODELOPS_PYTHON = REPO / ".venv" / "bin" / "python"
CDK_PYTHON = HERE / ".venv" / "bin" / "python"
ACCOUNT, REGION, ENVIRONMENT = "123456789012", "eu-west-1", "dev"
KMS_KEY_ARN = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/9a8b7c6d-5e4f-3a2b-1c0d-e9f8a7b6c5d4"
FEATURES = [
    ("id", "string"),
    ("ts", "fractional"),
    ("amount", "fractional"),
    ("items", "integral"),
    ("country", "string"),
]


def compare_spec(index: int) -> dict:
    spec = model_spec(index, "1.0.0")
    del spec["environments"]  # keep the canary in dev: its rollback alarms belong to the fleet
    spec["monitoring"] = {"schedule": "daily", "data_quality": {"enabled": True}}
    spec["features"] = {
        "groups": [
            {
                "name": f"group-{index:03d}",
                "record_identifier": "id",
                "event_time": "ts",
                "features": [{"name": name, "type": kind} for name, kind in FEATURES],
                "online": {"enabled": True},
                "offline": {"enabled": True},
            }
        ]
    }
    return spec


def cdk_model(spec: dict) -> dict:
    """What app.py needs of one spec, flattened."""
    serving = spec["serving"]
    return {
        "name": spec["metadata"]["name"],
        "version": spec["metadata"]["version"],
        "owner": spec["metadata"]["owner"],
        "description": spec["metadata"]["description"],
        "risk": spec["metadata"]["risk"],
        "image": spec["model"]["image"],
        "artifact": spec["model"]["artifact"],
        "environment": spec["model"]["environment"],
        "instance_type": serving["instance_type"],
        "instance_count": serving["instance_count"],
        "min_instances": serving["autoscaling"]["min_instances"],
        "max_instances": serving["autoscaling"]["max_instances"],
        "target_invocations_per_instance": serving["autoscaling"]["target_invocations_per_instance"],
        "sampling_percent": serving["data_capture"]["sampling_percent"],
        "max_p99_latency_ms": serving["rollout"]["alarms"]["max_p99_latency_ms"],
        "feature_groups": spec["features"]["groups"],
    }


def write_compare_fleet(root: Path, models: int) -> Path:
    """model_specs/ and stacks/ for modelops, fleet.json for the CDK app, from the same specs."""
    specs = [compare_spec(index) for index in range(models)]
    for spec in specs:
        write_spec(root, spec)
    write_stack(root, {spec["metadata"]["name"]: spec["metadata"]["version"] for spec in specs}, kmsKeyArn=KMS_KEY_ARN)
    fleet = {
        "account": ACCOUNT,
        "region": REGION,
        "environment": ENVIRONMENT,
        "kms_key_arn": KMS_KEY_ARN,
        "models": [cdk_model(spec) for spec in specs],
    }
    path = root / "fleet.json"
    path.write_text(json.dumps(fleet))
    return path


class Runner:
    """The commands of both sides for one fleet directory."""

    def __init__(self, root: Path, models_per_stack: int) -> None:
        self.root = root
        self.fleet_json = root / "fleet.json"
        self.cdk_out = root / "cdk.out"
        self.models_per_stack = models_per_stack
        self.modelops_env = user_environment()
        self.cdk_env = {**self.modelops_env, "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION": node_major()}

    def modelops_argv(self) -> list[str]:
        plan = ["plan", "--stack", ENVIRONMENT, "--root", str(self.root), "--format", "json"]
        return [str(MODELOPS_PYTHON), "-m", "modelops", *plan]

    def cdk_argv(self, lean: bool) -> list[str]:
        app = [str(HERE / "app.py"), str(self.fleet_json), str(self.cdk_out)]
        app += ["--models-per-stack", str(self.models_per_stack)]
        # -O drops the `if __debug__:` runtime type checks of jsii's Python bindings.
        return [str(CDK_PYTHON), "-O", *app, "--lean"] if lean else [str(CDK_PYTHON), *app]

    def modelops(self) -> Measurement:
        return checked("modelops plan", run_measured(self.modelops_argv(), env=self.modelops_env, cwd=REPO))

    def cdk(self, lean: bool = False) -> Measurement:
        shutil.rmtree(self.cdk_out, ignore_errors=True)  # `cdk synth` starts from an empty cdk.out too
        return checked("CDK synth", run_measured(self.cdk_argv(lean), env=self.cdk_env, cwd=HERE))

    def modelops_types(self) -> Counter[str]:
        argv, env = self.modelops_argv(), self.modelops_env
        plan = subprocess.run(argv, env=env, cwd=REPO, capture_output=True, text=True, check=True)
        return Counter(r["type"] for r in json.loads(plan.stdout)["resources"] if r["custom"])

    def cdk_types(self) -> Counter[str]:
        self.cdk()
        counts: Counter[str] = Counter()
        for template in self.cdk_out.glob("*.template.json"):
            counts.update(r["Type"] for r in json.loads(template.read_text())["Resources"].values())
        return counts


def user_environment() -> dict[str, str]:
    """This environment, but writing bytecode caches as Python does by default: without them each
    run would compile the CDK's bindings (tens of MB of source; under -O, the lean runs) and
    modelops' own modules from source."""
    return {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}


def node_major() -> str:
    """jsii prints a banner on every run under an end-of-life node unless its major is listed."""
    node = shutil.which("node")
    if node is None:
        sys.exit("the CDK needs node on PATH")
    output = subprocess.run([node, "--version"], capture_output=True, text=True, check=True).stdout
    return output.strip().lstrip("v").split(".")[0]


def checked(label: str, measurement: Measurement) -> Measurement:
    if measurement.returncode != 0:
        sys.exit(f"{label} failed with exit code {measurement.returncode} (its stderr is above)")
    return measurement


def per_model_census(models_per_stack: int, lean: bool) -> tuple[Counter[str], Counter[str]]:
    """Resources one more model adds on each side: a 2-model fleet minus a 1-model fleet.

    Also the warm-up: these first runs fill the page cache, __pycache__ and jsii's package cache."""
    counts = []
    for models in (1, 2):
        with tempfile.TemporaryDirectory() as tmp:
            write_compare_fleet(Path(tmp), models)
            runner = Runner(Path(tmp), models_per_stack)
            counts.append((runner.modelops_types(), runner.cdk_types()))
            if lean:
                runner.cdk(lean=True)
    (modelops_1, cdk_1), (modelops_2, cdk_2) = counts
    return modelops_2 - modelops_1, cdk_2 - cdk_1


# Pulumi type -> the CloudFormation type app.py declares for it (None: no counterpart).
COUNTERPARTS = {
    "aws:sagemaker/model:Model": "AWS::SageMaker::Model",
    "aws:sagemaker/endpointConfiguration:EndpointConfiguration": "AWS::SageMaker::EndpointConfig",
    "aws:sagemaker/endpoint:Endpoint": "AWS::SageMaker::Endpoint",
    "aws:iam/role:Role": "AWS::IAM::Role",
    "aws:iam/rolePolicy:RolePolicy": "AWS::IAM::Policy",
    "aws:appautoscaling/target:Target": "AWS::ApplicationAutoScaling::ScalableTarget",
    "aws:appautoscaling/policy:Policy": "AWS::ApplicationAutoScaling::ScalingPolicy",
    "aws:cloudwatch/metricAlarm:MetricAlarm": "AWS::CloudWatch::Alarm",
    "aws:cloudwatch/eventRule:EventRule": "AWS::Events::Rule",
    "aws:sagemaker/featureGroup:FeatureGroup": "AWS::SageMaker::FeatureGroup",
    "aws:sagemaker/dataQualityJobDefinition:DataQualityJobDefinition": "AWS::SageMaker::DataQualityJobDefinition",
    "aws:sagemaker/monitoringSchedule:MonitoringSchedule": "AWS::SageMaker::MonitoringSchedule",
    "pulumi-python:dynamic/sagemaker:ModelCard": "AWS::SageMaker::ModelCard",
    # Work-arounds for what pulumi-aws cannot do (add features in place; update an autoscaled
    # endpoint): the CDK app declares nothing for them.
    "pulumi-python:dynamic/sagemaker:FeatureAdditions": None,
    "pulumi-python:dynamic/sagemaker:ScalingPause": None,
    "pulumi-python:dynamic/sagemaker:ScalingResume": None,
}


def print_census(modelops: Counter[str], cdk: Counter[str]) -> None:
    print(f"Resources per model: modelops {sum(modelops.values())}, CDK {sum(cdk.values())}\n")
    print("| modelops (Pulumi type) | n | CDK (CloudFormation type) | n |")
    print("|---|---|---|---|")
    shown = set()
    for kind, count in sorted(modelops.items()):
        counterpart = COUNTERPARTS.get(kind)
        shown.add(counterpart)
        print(f"| {kind} | {count} | {counterpart or '-'} | {cdk[counterpart] if counterpart else ''} |")
    for kind, count in sorted(cdk.items()):
        if kind not in shown:
            print(f"| - | | {kind} | {count} |")
    print()


def median_of(runs: list[Measurement], field: Callable[[Measurement], float]) -> float:
    return statistics.median(field(run) for run in runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--models", type=int, nargs="+", default=[100, 500, 1000], help="fleet sizes N")
    parser.add_argument("--repeat", type=int, default=3, help="runs per side and size; the median is reported")
    parser.add_argument("--lean", action="store_true", help="also time the CDK with validation and metadata off")
    parser.add_argument("--models-per-stack", type=int, default=1, help="models per CDK stack (at most 500 resources)")
    args = parser.parse_args()
    for python, setup in ((MODELOPS_PYTHON, "make setup"), (CDK_PYTHON, "see benchmarks/compare_cdk/README.md")):
        if not python.exists():
            sys.exit(f"{python} is missing: {setup}")

    print_census(*per_model_census(args.models_per_stack, args.lean))
    rows = []
    for models in args.models:
        with tempfile.TemporaryDirectory() as tmp:
            write_compare_fleet(Path(tmp), models)
            runner = Runner(Path(tmp), args.models_per_stack)
            runs: dict[str, list[Measurement]] = {"modelops": [], "cdk": [], "lean": []}
            for attempt in range(1, args.repeat + 1):
                # Interleaved, so that a burst of load from others on the machine hits both sides.
                runs["modelops"].append(runner.modelops())
                runs["cdk"].append(runner.cdk())
                if args.lean:
                    runs["lean"].append(runner.cdk(lean=True))
                latest = ", ".join(f"{side} {r[-1].seconds:.1f} s" for side, r in runs.items() if r)
                print(f"N={models} run {attempt}/{args.repeat}: {latest}", file=sys.stderr)
        rows.append((models, runs))

    sides = ["modelops", "cdk", "lean"] if args.lean else ["modelops", "cdk"]
    print("| N | modelops plan s | CDK synth s | ratio | peak MB modelops | peak MB CDK |", end="")
    print(" CDK lean s | ratio lean | peak MB CDK lean |" if args.lean else "", end="")
    print(" CPU s modelops | CPU s CDK |" + (" CPU s CDK lean |" if args.lean else ""))
    print("|---" * (8 + 4 * args.lean) + "|")
    for models, runs in rows:
        seconds = {side: median_of(runs[side], lambda m: m.seconds) for side in sides}
        peak = {side: median_of(runs[side], lambda m: m.peak_pss_mb) for side in sides}
        cpu = {side: median_of(runs[side], lambda m: m.cpu_seconds) for side in sides}
        cells = [str(models)]
        cells += [f"{seconds['modelops']:.1f}", f"{seconds['cdk']:.1f}", f"{seconds['modelops'] / seconds['cdk']:.2f}"]
        cells += [f"{peak['modelops']:.0f}", f"{peak['cdk']:.0f}"]
        if args.lean:
            cells += [f"{seconds['lean']:.1f}", f"{seconds['modelops'] / seconds['lean']:.2f}", f"{peak['lean']:.0f}"]
        cells += [f"{cpu[side]:.1f}" for side in sides]
        print("| " + " | ".join(cells) + " |")
    print(f"\nMedian of {args.repeat}; ratio = modelops plan s / CDK synth s (below 1: modelops is faster);")
    print("CPU s = user + system time of the whole process tree.")


if __name__ == "__main__":
    main()
