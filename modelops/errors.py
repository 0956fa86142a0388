"""Errors the program raises for the user (not bugs): shown as one line, exit code 1."""


class DeploymentRefused(Exception):
    """A model that cannot be deployed as pinned, for example an unapproved registry package."""
