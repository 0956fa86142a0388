"""Errors the program raises for the user (not bugs), and the exit code each ends with."""


class DeploymentRefused(Exception):
    """A model that cannot be deployed as pinned, for example an unapproved registry package (exit 1)."""


class UsageError(Exception):
    """The command cannot run as given: a root without a repository, a stack name that names no
    stack file. One line, exit 2, like click's own usage errors."""
