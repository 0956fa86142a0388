"""Kubernetes serving as plain manifests, KServe's admission rules, and offline checks."""
