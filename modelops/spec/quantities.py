"""Kubernetes resource quantities (`cpu: "500m"`, `memory: 4Gi`), read strictly.

The API server's grammar (`k8s.io/apimachinery/pkg/api/resource/quantity.go`) is

    <quantity> ::= <signedNumber><suffix>
    <suffix>   ::= <binarySI> | <decimalExponent> | <decimalSI>
    <binarySI> ::= Ki | Mi | Gi | Ti | Pi | Ei
    <decimalSI> ::= m | "" | k | M | G | T | P | E

modelops takes the part of it people write for a pod's resources: an unsigned decimal and a
suffix, no exponent (`1e3`), no sign. Whatever the API server would take but a person would not
mean is refused with the reason: `2GB` and `4gi` are not quantities at all, `500m` of memory is
half a byte, a bare `4096` of memory is 4 KiB, and CPU is counted in whole millicores (the
API server rounds `0.0005` up to `1m`).
"""

from __future__ import annotations

import re
from decimal import Decimal

BINARY_SI = {"Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40, "Pi": 2**50, "Ei": 2**60}
DECIMAL_SI = {"m": Decimal("0.001"), "": Decimal(1), "k": Decimal(10**3), "M": Decimal(10**6)}
DECIMAL_SI |= {"G": Decimal(10**9), "T": Decimal(10**12), "P": Decimal(10**15), "E": Decimal(10**18)}
QUANTITY = re.compile(r"^(?P<number>(0|[1-9][0-9]*)(\.[0-9]+)?|\.[0-9]+)(?P<suffix>Ki|Mi|Gi|Ti|Pi|Ei|m|k|M|G|T|P|E|)$")
# No container serves a model in less: a smaller memory quantity is a missing unit.
MIN_MEMORY_BYTES = 2**20


def parse_quantity(text: str) -> Decimal | None:
    """The value of a quantity in base units (cores, bytes), or None when it is not one."""
    match = QUANTITY.match(text)
    if match is None:
        return None
    number, suffix = Decimal(match["number"]), match["suffix"]
    return number * (BINARY_SI[suffix] if suffix in BINARY_SI else DECIMAL_SI[suffix])


def cpu_problem(text: str) -> str | None:
    """Why `text` is not a CPU quantity a replica can request, or None."""
    value = parse_quantity(text)
    if value is None:
        return f'{text!r} is not a Kubernetes CPU quantity: write cores ("2", "0.5") or millicores ("500m")'
    if value <= 0:
        return "a replica needs some CPU: requests equal limits, and a limit of 0 is no limit"
    if value % Decimal("0.001"):
        return f"{text!r} is finer than a millicore, the smallest unit of CPU Kubernetes counts (1m = 0.001)"
    return None


def memory_problem(text: str) -> str | None:
    """Why `text` is not a memory quantity a replica can request, or None."""
    match = QUANTITY.match(text)
    if match is None:
        hint = ""
        unit = re.match(r"^[0-9.]+\s*([A-Za-z]+)$", text)
        if unit and unit[1] not in BINARY_SI and unit[1] not in DECIMAL_SI:
            hint = f" ({unit[1]!r} is not a Kubernetes unit)"
        return (
            f"{text!r} is not a Kubernetes memory quantity{hint}: a number with a unit Ki, Mi, Gi, Ti "
            "(powers of 1024) or k, M, G, T (powers of 1000), such as 512Mi or 4Gi"
        )
    value = parse_quantity(text)
    assert value is not None
    if value <= 0:
        return "a replica needs some memory: requests equal limits, and a limit of 0 is no limit"
    if match["suffix"] == "m":
        return f"{text!r} is millibytes ('m' means 1/1000): write Mi or M for megabytes, such as 512Mi"
    if value < MIN_MEMORY_BYTES and match["suffix"] == "":
        return f"{text!r} is {value} bytes: write the unit, such as {match['number']}Mi"
    if value < MIN_MEMORY_BYTES:
        return f"{text!r} is less than 1Mi, too little for any model server"
    return None
