"""modelops: GitOps for machine-learning models on AWS."""

__version__ = "0.1.0"
