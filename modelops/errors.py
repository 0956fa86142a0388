"""Errors the program raises for the user (not bugs), and the exit code each ends with."""


class DeploymentRefused(Exception):
    """A model that cannot be deployed as pinned, for example an unapproved registry package (exit 1)."""


class UsageError(Exception):
    """The command cannot run as given: a root without a repository, a stack name that names no
    stack file. One line, exit 2, like click's own usage errors."""


class ClusterUnavailable(Exception):
    """`verify` or `drift` of a stack with kubernetes models found no cluster to ask: no kubeconfig,
    no such context, an API server that does not answer or rejects the credentials. Nothing was
    compared: one line, exit 3, like AWS refusing a call."""
