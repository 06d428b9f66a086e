"""Errors raised by the question-bank library."""


class BankError(Exception):
    """A question folder is malformed or its code failed; the message names the file and field."""


class QuestionRunError(BankError):
    """A question's generate/solve failed (or the sandbox could not run it)."""
