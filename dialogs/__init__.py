"""Conversation logic: dialogs decide, the core (`bot/`) does.

A dialog turn takes the conversation state and the understood message and returns replies,
the new state and effects (open a case, record an unanswered question). It never touches a
database: reads go through the small `CaseDesk` protocol in `dialogs.ports`.
"""
