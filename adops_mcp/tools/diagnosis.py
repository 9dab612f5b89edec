"""One result shape for every vendor's "why is this not running / not spending?" tool.

A diagnosis is built only from what was read from the vendor in that call: each finding carries the
evidence it rests on (the statuses, approvals, flights, budgets read), and each next step names an
operation with every required argument (or what to ask the user for). The server rewrites the steps
for the surface it lists (an unlisted operation becomes an `adops_call_tool` call). Destructive next
steps still go through the guard: naming one here confirms nothing.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

Severity = Literal["blocking", "warning", "info"]


class Finding(BaseModel):
    code: str = Field(description="Stable machine-readable reason, e.g. approval_pending, flight_ended.")
    severity: Severity = Field(description="blocking stops delivery; warning may limit it; info is context.")
    message: str
    evidence: dict[str, Any] = Field(default_factory=dict, description="The vendor values this rests on.")


class NextStep(BaseModel):
    tool: str = Field(description="The tool to call next, as listed (destructive tools still ask the user).")
    arguments: dict[str, Any] = Field(default_factory=dict, description="Pass exactly these, plus ask_user.")
    why: str
    ask_user: dict[str, str] = Field(
        default_factory=dict, description="Arguments only the user can give (name: what to ask); add them."
    )


class Diagnosis(BaseModel):
    subject: str = Field(description="What was diagnosed, e.g. 'Jivox retail campaign acme-retail/5301'.")
    running: bool = Field(description="True when nothing read blocks delivery.")
    summary: str
    findings: list[Finding]
    next_steps: list[NextStep]
    checked: list[str] = Field(description="The vendor reads this diagnosis rests on.")
    unavailable: list[str] = Field(
        default_factory=list, description="Next steps this server cannot run, and why: tell the user."
    )


class Diagnoser:
    """Collects findings and next steps while a vendor's diagnose flow reads."""

    def __init__(self, subject: str) -> None:
        self.subject = subject
        self.findings: list[Finding] = []
        self.next_steps: list[NextStep] = []
        self.checked: list[str] = []

    def read(self, what: str) -> None:
        self.checked.append(what)

    def find(self, code: str, severity: Severity, message: str, /, **evidence: Any) -> None:
        self.findings.append(Finding(code=code, severity=severity, message=message, evidence=evidence))

    def step(self, tool: str, why: str, /, ask_user: dict[str, str] | None = None, **arguments: Any) -> None:
        """A next call: `arguments` known from what was read, `ask_user` the required ones only the user knows."""
        if not any(s.tool == tool and s.arguments == arguments for s in self.next_steps):
            self.next_steps.append(NextStep(tool=tool, arguments=arguments, why=why, ask_user=ask_user or {}))

    @property
    def blocked(self) -> bool:
        return any(f.severity == "blocking" for f in self.findings)

    def result(self, *, running: bool | None = None, summary: str | None = None) -> Diagnosis:
        running = (not self.blocked) if running is None else running
        if summary is None:
            blocking = [f.message for f in self.findings if f.severity == "blocking"]
            if blocking:
                summary = "Not running: " + " ".join(blocking)
            else:
                summary = "Nothing read blocks delivery." if running else "Not running."
        return Diagnosis(
            subject=self.subject,
            running=running,
            summary=summary,
            findings=self.findings,
            next_steps=self.next_steps,
            checked=self.checked,
        )
