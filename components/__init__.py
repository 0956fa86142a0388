"""Pulumi ComponentResources, one cloud concept per file."""
