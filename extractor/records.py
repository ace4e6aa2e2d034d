"""Typed records shared by every stage, and their JSON shape (SCHEMA.md)."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from dataclasses import field as _field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from extractor.formulas import Formula


@dataclass(frozen=True, slots=True)
class Span:
    """A character range [start, end) in the document's source text."""

    start: int
    end: int


@dataclass(slots=True)
class Quantity:
    text: str
    value: float
    unit: str
    operator: str = "="
    kind: str = "count"
    span: Span | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "text": self.text,
            "value": _plain_number(self.value),
            "unit": self.unit,
            "operator": self.operator,
            "kind": self.kind,
        }
        if self.span is not None:
            out["start"], out["end"] = self.span.start, self.span.end
        return out


@dataclass(slots=True)
class Deadline:
    text: str
    start: str | None
    end: str | None
    span: Span | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"text": self.text, "start": self.start, "end": self.end}
        if self.span is not None:
            out["start_offset"], out["end_offset"] = self.span.start, self.span.end
        return out


@dataclass(slots=True)
class Organisation:
    code: str | None
    name: str


@dataclass(slots=True)
class Project:
    code: str | None
    name: str
    amount: float | None = None
    amount_unit: str | None = None

    def to_dict(self) -> dict[str, Any]:
        amount = None
        if self.amount is not None:
            amount = {"value": _plain_number(self.amount), "unit": self.amount_unit or "万元"}
        return {"code": self.code, "name": self.name, "amount": amount}


@dataclass(frozen=True, slots=True)
class Label:
    """The classifier's reading of an indicator (extractor/classify.py)."""

    level1: str
    level2: str
    source: str  # rule | model
    confidence: float
    cue: str | None = None  # the rule's id in extractor/data/classes.toml


@dataclass(slots=True)
class Indicator:
    doc: str
    text: str
    span: Span
    field: str = "indicator"
    path: list[str] = _field(default_factory=list)
    name: str | None = None
    level1: str | None = None
    level2: str | None = None
    label_source: str | None = None
    confidence: float | None = None
    target: Quantity | None = None
    quantities: list[Quantity] = _field(default_factory=list)
    deadline: Deadline | None = None
    qualitative: bool = False
    vague: bool = False
    flags: list[str] = _field(default_factory=list)
    unit: Organisation | None = None
    project: Project | None = None
    row: int | None = None
    # funding formulas in the text (8人×1000元×12个月=9.6万元), for the arithmetic checks;
    # not part of the record written out (SCHEMA.md)
    formulas: list[Formula] = _field(default_factory=list)
    inferred: Label | None = None  # what the classifier reads, whatever the heading says
    misfiled: bool = False  # a strong rule disagrees with the document's heading (R21)

    def to_dict(self) -> dict[str, Any]:
        target = None
        if self.target is not None:
            target = {
                "operator": self.target.operator,
                "value": _plain_number(self.target.value),
                "unit": self.target.unit,
                "text": self.target.text,
            }
        return {
            "doc": self.doc,
            "unit": asdict(self.unit) if self.unit else None,
            "project": self.project.to_dict() if self.project else None,
            "field": self.field,
            "path": list(self.path),
            "text": self.text,
            "name": self.name,
            "level1": self.level1,
            "level2": self.level2,
            "label_source": self.label_source,
            "confidence": self.confidence,
            "target": target,
            "quantities": [q.to_dict() for q in self.quantities],
            "deadline": self.deadline.to_dict() if self.deadline else None,
            "qualitative": self.qualitative,
            "vague": self.vague,
            "flags": list(self.flags),
            "start": self.span.start,
            "end": self.span.end,
        }


@dataclass(slots=True)
class EmptyItem:
    """A numbered item with nothing after its marker (`2.` then the next heading)."""

    marker: str
    span: Span
    path: list[str]
    project: Project | None = None


@dataclass(slots=True)
class MoneyRow:
    """A row of amounts: a task of a whole-unit table (总额 / 财政拨款 / 其他资金), a project
    row of a project list, or a 合计 row. Amounts are in `unit` (万元 unless a header says)."""

    label: str
    span: Span
    total: float | None = None
    fiscal: float | None = None
    other: float | None = None
    unit: str = "万元"
    is_sum: bool = False  # a 合计/总计 row
    project: Project | None = None


@dataclass(slots=True)
class GoalBlock:
    """A goal prose block as written (绩效目标 cell, 年度总体目标), whole."""

    text: str
    span: Span
    project: Project | None = None


@dataclass(slots=True)
class Finding:
    """One defect instance (SCHEMA.md "Finding record")."""

    doc: str
    code: str
    severity: str  # error | warning | info
    text: str
    message: str
    suggestion: str
    evidence: dict[str, Any] = _field(default_factory=dict)
    project: str | None = None
    span: Span | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "doc": self.doc, "code": self.code, "severity": self.severity,
            "project": self.project, "text": self.text, "message": self.message,
            "suggestion": self.suggestion, "evidence": self.evidence,
        }
        if self.span is not None:
            out["start"], out["end"] = self.span.start, self.span.end
        return out


@dataclass(slots=True)
class RejectedCandidate:
    """A line the layout walk offered that the plausibility gate (extractor/gate.py) did not
    take as an indicator, with the reason; `indicators extract --explain` lists them."""

    text: str
    span: Span
    reason: str
    explanation: str

    def to_dict(self) -> dict[str, Any]:
        return {"text": self.text, "reason": self.reason, "explanation": self.explanation,
                "start": self.span.start, "end": self.span.end}


@dataclass(slots=True)
class DocumentResult:
    """Everything `extract` learns about one document."""

    doc: str
    text: str
    budget_year: int | None
    unit: Organisation | None
    projects: list[Project]
    indicators: list[Indicator]
    empty_items: list[EmptyItem] = _field(default_factory=list)
    kind: str = "unknown"
    money_rows: list[MoneyRow] = _field(default_factory=list)
    goals: list[GoalBlock] = _field(default_factory=list)  # goal prose blocks, whole
    findings: list[Finding] = _field(default_factory=list)
    rejected: list[RejectedCandidate] = _field(default_factory=list)  # what the gate dropped


def _plain_number(value: float) -> float | int:
    """JSON prints 100 rather than 100.0 when the value is whole."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return int(value)
    return value
