"""Words wrap where they should: table headers never break mid-word on a desktop (the progress
tables' "Attempts"), and the instructor's export and regrade pages, whose <select>s list long
question titles, do not scroll sideways on a 390 px phone."""

from __future__ import annotations

import pytest

from exams import services
from exams.models import Question
from tests.browser.conftest import assert_no_sideways_scroll, login
from tests.integration.conftest import broker, redis_url  # noqa: F401  (real Redis for the queue)
from tests.progress.helpers import answered

LONG_TITLE = (
    "A single linear neuron with a squared-error loss: forward pass, loss and the gradient "
    "of the loss with respect to every weight"
)

# For every <th> in <main>: the words whose letters sit on more than one line (broken mid-word).
BROKEN_HEADER_WORDS = """
() => {
  const broken = [];
  for (const th of document.querySelectorAll("main th")) {
    const walker = document.createTreeWalker(th, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      for (const match of node.data.matchAll(/\\S+/g)) {
        const range = document.createRange();
        range.setStart(node, match.index);
        range.setEnd(node, match.index + match[0].length);
        const tops = new Set([...range.getClientRects()].map((r) => Math.round(r.top)));
        if (tops.size > 1) broken.push(match[0]);
      }
    }
  }
  return broken;
}
"""


@pytest.mark.integration
@pytest.mark.slow
def test_headers_keep_whole_words_and_instructor_selects_fit_a_phone(
    broker,  # noqa: F811
    live_server,
    new_page,
    course,
    student,
    instructor,
    demo_question,
    make_paper,
):
    Question.objects.filter(pk=demo_question.pk).update(title=LONG_TITLE)
    demo_question.refresh_from_db()
    paper = make_paper(LONG_TITLE)
    for right in (1, 2):
        attempt = services.attempt_start_paper(student=student, paper=paper, mode="practice")
        answered(attempt, student, demo_question, right=right)

    desktop = new_page("desktop")
    login(desktop, student)
    desktop.goto(f"/courses/{course.slug}/progress/")
    desktop.wait_for_selector("main table th")
    assert desktop.locator("main th", has_text="Attempts").count() >= 1
    assert desktop.evaluate(BROKEN_HEADER_WORDS) == []

    phone = new_page("phone")
    login(phone, instructor)
    for path in ("export", "regrades"):
        phone.goto(f"/instructor/courses/{course.slug}/{path}/")
        phone.wait_for_selector("main select")
        assert_no_sideways_scroll(phone, f"the {path} page")
