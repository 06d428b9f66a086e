"""Exceptions raised by the marking library."""


class AnswerFormatError(ValueError):
    """The answer text cannot be read as the kind of answer the part asks for.

    The message is shown to the student: it says what was wrong and how to write the answer.
    """


class RuleError(ValueError):
    """A part's marking rule is malformed; the message lists what an author must fix."""
