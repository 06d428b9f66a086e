"""Errors raised by the question engine, split by whose fault they are."""


class BankError(Exception):
    """A question folder is malformed or its code failed; the message names the file and field."""


class QuestionRunError(BankError):
    """A question's own code (generate/solve, reference, tests) failed: the question is at fault."""


class SandboxFailure(BankError):
    """The sandbox could not run a job (unreachable, or it failed every try).

    Neither the question nor the student is at fault; the same work succeeds once the sandbox
    recovers, so callers retry later and never turn this into a mark.
    """
