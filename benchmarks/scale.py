"""Issue 11's targets, measured as a user runs the commands (whole processes, imports included).

    .venv/bin/python benchmarks/scale.py                          # N = 100 500 1000, median of 3
    .venv/bin/python benchmarks/scale.py --models 1000 --repeat 1

The fleet is benchmarks/compare_cdk's (each model: a canary realtime endpoint with autoscaling,
data capture and rollback alarms, a 5-feature group, a data quality monitor, a model card), so
the plan figures compare with that script's CDK figures. Per N it prints:
- plan: `modelops plan --format json` of the whole stack: wall time, peak memory of the process
  tree (Pss, so forked workers' shared pages count once) and CPU time;
- diff: `modelops diff --base HEAD --format json` after publishing and pinning a new version of
  one model, in a git repository of the fleet;
- validate: `modelops validate` of the N spec files and the stack;
- rehearse: `modelops rehearse` (up to --rehearse-max models; it calls moto per resource).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE / "compare_cdk"))

from compare import write_compare_fleet  # noqa: E402
from measure import Measurement, run_measured  # noqa: E402

REPO = HERE.parent
PYTHON = REPO / ".venv" / "bin" / "python"


def modelops(root: Path, *args: str) -> list[str]:
    return [str(PYTHON), "-m", "modelops", *args, "--root", str(root)]


def git(root: Path, *args: str) -> None:
    identity = ["-c", "user.email=bench@example.com", "-c", "user.name=bench"]
    subprocess.run(["git", *identity, *args], cwd=root, check=True, capture_output=True)


def publish_one_version(root: Path) -> None:
    """model-000 1.0.1: one more instance; the stack pins it."""
    spec = root / "model_specs" / "model-000" / "1.0.0.yaml"
    text = (
        spec.read_text()
        .replace("version: 1.0.0", "version: 1.0.1", 1)
        .replace("instance_count: 1", "instance_count: 2")
    )
    (spec.parent / "1.0.1.yaml").write_text(text)
    stack = root / "stacks" / "Pulumi.dev.yaml"
    stack.write_text(stack.read_text().replace("model-000: 1.0.0", "model-000: 1.0.1"))


def measured(argv: list[str], repeat: int) -> Measurement:
    runs = []
    for _ in range(repeat):
        run = run_measured(argv, cwd=REPO)
        if run.returncode != 0:
            raise SystemExit(f"{' '.join(argv)} exited {run.returncode}")
        runs.append(run)
    return Measurement(
        seconds=statistics.median(r.seconds for r in runs),
        peak_pss_mb=statistics.median(r.peak_pss_mb for r in runs),
        returncode=0,
        cpu_seconds=statistics.median(r.cpu_seconds for r in runs),
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--models", type=int, nargs="+", default=[100, 500, 1000], help="fleet sizes N")
    parser.add_argument("--repeat", type=int, default=3, help="runs per figure; the median is printed")
    parser.add_argument("--rehearse-max", type=int, default=100, help="rehearse fleets up to this size")
    args = parser.parse_args()
    rows = []
    for size in args.models:
        with tempfile.TemporaryDirectory(prefix="modelops-scale-") as tmp:
            root = Path(tmp)
            write_compare_fleet(root, size)
            validate = measured(modelops(root, "validate"), args.repeat)
            plan = measured(modelops(root, "plan", "--stack", "dev", "--format", "json"), args.repeat)
            rehearse = (
                measured(modelops(root, "rehearse", "--stack", "dev"), args.repeat)
                if size <= args.rehearse_max
                else None
            )
            git(root, "init", "-q", "-b", "main")
            git(root, "add", "-A")
            git(root, "commit", "-q", "-m", "fleet")
            publish_one_version(root)
            diff = measured(modelops(root, "diff", "--base", "HEAD", "--stack", "dev", "--format", "json"), args.repeat)
        rows.append((size, plan, diff, validate, rehearse))
        print(f"N={size} done", file=sys.stderr, flush=True)
    print("| N | plan s | plan peak MB | plan CPU s | diff (one model) s | diff peak MB | validate s | rehearse s |")
    print("|---|---|---|---|---|---|---|---|")
    for size, plan, diff, validate, rehearse in rows:
        rehearsed = f"{rehearse.seconds:.1f}" if rehearse else "-"
        print(
            f"| {size} | {plan.seconds:.1f} | {plan.peak_pss_mb:.0f} | {plan.cpu_seconds:.1f} | {diff.seconds:.1f} "
            f"| {diff.peak_pss_mb:.0f} | {validate.seconds:.2f} | {rehearsed} |"
        )


if __name__ == "__main__":
    main()
