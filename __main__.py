"""The modelops Pulumi program (see modelops/program.py)."""

from modelops.program import run

run()
