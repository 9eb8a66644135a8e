"""The staff web console at /console: review, act on, answer and report the collected cases.

Names and phones are masked everywhere; revealing one needs a reason and is logged (pii_reveals).
"""

from bot.console.router import console_router

__all__ = ["console_router"]
