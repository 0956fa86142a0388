"""Versions sort by SemVer 2.0 precedence (semver.org, item 11): `latest` in a dev stack, the
previous version a diff compares with and the next patch `validate --base` suggests all take the
highest version by this order."""

from __future__ import annotations

import random

import pytest

from modelops.spec.checks import is_semver, semver_key

# semver.org's own example of precedence, extended with numbers that sort differently as text
# (2 < 11, 9 < 10) and build metadata, which precedence ignores.
ASCENDING = [
    "0.0.1",
    "0.9.0",
    "0.10.0",
    "1.0.0-1",
    "1.0.0-2",
    "1.0.0-11",
    "1.0.0-alpha",
    "1.0.0-alpha.1",
    "1.0.0-alpha.beta",
    "1.0.0-beta",
    "1.0.0-beta.2",
    "1.0.0-beta.11",
    "1.0.0-rc.1",
    "1.0.0",
    "1.0.1",
    "1.9.0",
    "1.10.0",
    "2.0.0",
    "10.0.0",
]


def test_versions_sort_by_semver_precedence() -> None:
    shuffled = ASCENDING[:]
    random.Random(13).shuffle(shuffled)
    assert sorted(shuffled, key=semver_key) == ASCENDING


def test_a_release_comes_after_its_pre_releases() -> None:
    assert semver_key("1.0.0-rc.1") < semver_key("1.0.0") < semver_key("1.0.1-0")


def test_build_metadata_does_not_change_precedence() -> None:
    assert semver_key("1.0.0+build.7") == semver_key("1.0.0")
    assert semver_key("1.0.0-rc.1+001") == semver_key("1.0.0-rc.1")


@pytest.mark.parametrize("text", ["1.2", "v1.2.0", "01.2.0", "1.2.0-", ""])
def test_a_text_that_is_not_semver_sorts_before_every_version(text: str) -> None:
    assert not is_semver(text)
    assert semver_key(text) < semver_key("0.0.0-0") < semver_key("0.0.0")
