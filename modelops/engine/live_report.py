"""What `verify` and `drift` report: one check per live object, and the summary people read."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Check:
    subject: str
    ok: bool
    message: str


@dataclass
class LiveReport:
    command: str  # verify | drift
    stack: str
    checks: list[Check]
    against: str = "AWS"

    @property
    def ok(self) -> bool:
        return all(c.ok for c in self.checks)

    def summary(self) -> str:
        failed_mark = "FAIL" if self.command == "verify" else "DRIFT"
        lines = [f"{self.command} stack {self.stack} against {self.against}"]
        # One line per check, even when AWS's FailureReason spans several.
        lines += [f"  {'ok ' if c.ok else failed_mark} {c.subject}: {' '.join(c.message.split())}" for c in self.checks]
        failed = sum(not c.ok for c in self.checks)
        lines.append(f"{len(self.checks) - failed} checks passed, {failed} failed")
        return "\n".join(lines)
