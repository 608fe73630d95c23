"""The base of every refusal a rule of the office's work makes (not a bug, not a bad form).

A service raises a subclass (the workflow's TransitionError, the inbox's ActionError, the
post's PostalError…); str() is the message for the person, a Vietnamese msgid. A view that
catches one runs the service inside `web.unit_of_work.refusal_rolls_back()`, which rolls the
request back before the view re-renders its form with the message.
"""


class DomainError(Exception):
    """A rule refused what was asked; str() is the message to show (a Vietnamese msgid)."""
