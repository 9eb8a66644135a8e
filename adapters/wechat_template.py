"""The fields of the template message used when the 48-hour customer-service window is closed.

Official-account templates come from WeChat's template library, each with its own field names and
length limits. The default fits a library template with a `thing` field (at most 20 characters)
and a `time` field, e.g. 服务进度提醒 with {{thing1.DATA}} and {{time2.DATA}}; another template
needs another TemplateLayout (see docs/wechat.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class TemplateLayout:
    summary_key: str = "thing1"
    time_key: str = "time2"
    summary_chars: int = 20

    def data(self, text: str, at: datetime) -> dict[str, dict[str, str]]:
        return {
            self.summary_key: {"value": self.summary(text)},
            self.time_key: {"value": f"{at.year}年{at.month}月{at.day}日 {at:%H:%M}"},
        }

    def summary(self, text: str) -> str:
        """The first non-empty line, cut to the field's limit with an ellipsis."""
        first = next((line.strip() for line in text.splitlines() if line.strip()), "")
        if len(first) <= self.summary_chars:
            return first
        return first[: self.summary_chars - 1] + "…"
