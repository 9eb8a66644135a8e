"""Frozen types the knowledge layer hands to dialogs."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Citation:
    """Where a fact comes from: the document, the place in it, and the document's year."""

    source_id: str  # e.g. "sz-demo-2014"
    title: str  # the document's own title, e.g. 深圳市“社区建设示范点”项目实施方案
    locator: str  # item number / section, e.g. "四、项目资金的预算及用途"
    year: str  # "2014", or "年份不详" for undated sources
    status: str = ""  # e.g. "征求意见稿" for drafts; shown as "2014 年征求意见稿"

    def render(self) -> str:
        year = f"{self.year} 年" if self.year.isdigit() else self.year
        when = f"{year}{self.status}" if self.status else year
        return f"来源:《{self.title}》{self.locator}({when})"


@dataclass(frozen=True, slots=True)
class Topic:
    """A knowledge topic offered as a numbered choice when the assistant is unsure."""

    record_id: str
    title: str
    question: str  # a question that, asked again, retrieves this record


@dataclass(frozen=True, slots=True)
class PolicyAnswer:
    """A short answer that leads with the fact asked for; `citations` is never empty."""

    record_id: str
    text: str
    citations: tuple[Citation, ...]
    score: float


@dataclass(frozen=True, slots=True)
class RetrievalResult:
    """`answer` is set only when retrieval is confident; otherwise `suggestions` are the closest topics."""

    answer: PolicyAnswer | None
    suggestions: tuple[Topic, ...]
    confidence: float
