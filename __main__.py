"""The modelops Pulumi program (see modelops/engine/program.py)."""

from modelops.engine.program import run

run()
