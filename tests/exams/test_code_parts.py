"""Code parts through the web layer: starter in the editor, visible tests, graded submissions."""

from __future__ import annotations

import pytest
from django.conf import settings

import question_engine
from exams import services
from exams.bank_sync import question_sync
from exams.models import Question, Submission
from question_engine.code_parts import code_part

SLUG = "code-layer-norm"


@pytest.fixture
def code_question(course) -> Question:
    question_sync(definition=question_engine.load_question(settings.BANK_ROOT / SLUG))
    question = Question.objects.get(slug=SLUG)
    course.questions.add(question)
    return question


def _solution_source() -> str:
    return code_part(question_engine.load_question(settings.BANK_ROOT / SLUG), "impl").solution


def _start(api) -> dict:
    response = api.post("/api/v1/attempts/", {"question": SLUG}, format="json")
    assert response.status_code == 201, response.content
    return response.json()


@pytest.mark.django_db
def test_variant_shows_the_starter_but_not_the_reference(code_question, student, api_for):
    attempt = _start(api_for(student))
    part = attempt["questions"][0]["variant"]["parts"][0]
    assert part["kind"] == "code"
    assert "def " in part["starter"] or "class " in part["starter"]
    assert _solution_source() not in str(attempt)
    assert part["starter"].strip() not in part["prompt_md"]
    assert "Starter code" not in part["prompt_html"]


@pytest.mark.django_db
def test_visible_tests_run_on_draft_code_without_storing_anything(code_question, student, api_for):
    api = api_for(student)
    attempt = _start(api)
    url = f"/api/v1/attempts/{attempt['id']}/run-tests/"
    response = api.post(url, {"part": "impl", "source": _solution_source()}, format="json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "visible_tests_passed"
    assert body["visible_points"] == body["visible_max_points"] > 0
    assert "score" not in body and "max_score" not in body
    assert all(test["visibility"] == "visible" for test in body["details"])
    assert not Submission.objects.exists()


@pytest.mark.django_db
def test_syntax_error_is_a_400_with_the_line_and_costs_nothing(code_question, student, api_for):
    api = api_for(student)
    attempt = _start(api)
    broken = "def layer_norm(X, alpha, beta, eps=1e-4):\n    return (X\n"
    response = api.post(
        f"/api/v1/attempts/{attempt['id']}/run-tests/",
        {"part": "impl", "source": broken},
        format="json",
    )
    assert response.status_code == 400
    assert "line" in response.json()["error"]["message"]
    lines = response.json()["error"]["details"]["error_lines"]["impl"]
    assert [error["line"] for error in lines] == [2]
    submitted = api.post(
        f"/api/v1/attempts/{attempt['id']}/submissions/",
        {"answers": {"impl": broken}},
        format="json",
    )
    assert submitted.status_code == 400
    assert submitted.json()["error"]["details"]["error_lines"]["impl"] == lines
    assert not Submission.objects.exists()


@pytest.mark.django_db
def test_a_visible_test_run_names_the_line_of_the_student_s_code_that_raised(
    code_question, student, api_for
):
    api = api_for(student)
    attempt = _start(api)
    # Variants ask for a function or a module: this source fails the same way in both, on line 5.
    source = (
        "import torch\nfrom torch import nn\n\ndef layer_norm(X, alpha, beta, eps=1e-4):\n"
        "    return X.nope()\n\n\nclass LayerNorm(nn.Module):\n"
        "    def __init__(self, num_features, eps=1e-4):\n        super().__init__()\n"
        "        self.alpha = nn.Parameter(torch.ones(num_features))\n"
        "        self.beta = nn.Parameter(torch.zeros(num_features))\n\n"
        "    def forward(self, X):\n        return layer_norm(X, self.alpha, self.beta)\n"
    )
    response = api.post(
        f"/api/v1/attempts/{attempt['id']}/run-tests/",
        {"part": "impl", "source": source},
        format="json",
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert [error["line"] for error in body["error_lines"]] == [5], body["feedback"]
    (error,) = body["error_lines"]
    assert "AttributeError" in error["message"]


@pytest.mark.django_db
def test_submitted_solution_is_graded_with_full_marks(code_question, course, student):
    attempt = services.attempt_start_question(
        student=student, course=course, question=code_question
    )
    submission = services.submission_create(
        attempt=attempt, student=student, answers={"impl": _solution_source()}
    )
    graded = services.submission_grade(submission_id=submission.pk)
    assert graded.feedback["impl"]["status"] == "correct"
    assert float(graded.score) == float(graded.max_score) == 8.0
