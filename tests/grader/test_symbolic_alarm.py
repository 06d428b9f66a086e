"""The sympy time limit: its alarm can never escape as an exception, however early or late."""

import signal

import pytest

from grader.parsing.expression import parse_expression
from grader.symbolic import proves_equal

real_setitimer = signal.setitimer


def log_exp_pair():
    first = parse_expression("log(exp(k))", frozenset({"k"}))
    second = parse_expression("k", frozenset({"k"}))
    return first, second


def fires_at(moment: str):
    """A setitimer that delivers SIGALRM at once when arming or just before disarming."""

    def setitimer(which: int, seconds: float, interval: float = 0.0):
        arming = seconds > 0
        if arming == (moment == "arming"):
            if arming:
                real_setitimer(which, seconds, interval)
            signal.raise_signal(signal.SIGALRM)  # Python runs the handler before returning
        return real_setitimer(which, seconds, interval)

    return setitimer


def test_an_alarm_firing_as_it_is_armed_is_a_quiet_timeout(monkeypatch):
    monkeypatch.setattr(signal, "setitimer", fires_at("arming"))
    assert proves_equal(*log_exp_pair(), {"k": True}) is False


def test_an_alarm_arriving_while_disarming_does_not_escape(monkeypatch):
    monkeypatch.setattr(signal, "setitimer", fires_at("disarming"))
    assert proves_equal(*log_exp_pair(), {"k": True}) is True


@pytest.mark.parametrize("moment", ["arming", "disarming"])
def test_the_previous_handler_is_back_and_no_timer_is_left(monkeypatch, moment):
    seen = []
    previous = signal.signal(signal.SIGALRM, lambda signum, frame: seen.append(signum))
    try:
        monkeypatch.setattr(signal, "setitimer", fires_at(moment))
        proves_equal(*log_exp_pair(), {"k": True})
        monkeypatch.undo()
        assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)
        assert signal.getsignal(signal.SIGALRM) is not None
        signal.raise_signal(signal.SIGALRM)
        assert seen == [signal.SIGALRM]
    finally:
        signal.signal(signal.SIGALRM, previous)
