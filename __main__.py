"""The modelops Pulumi program (see modelops/engine/program.py).

The repository is the folder of this file, not the installed package's: `pip install .` puts
modelops in site-packages, far from model_specs/ and stacks/.
"""

from pathlib import Path

from modelops.engine.program import run

run(Path(__file__).resolve().parent)
