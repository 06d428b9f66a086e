"""Fixtures shared by the Django-side tests: users, a course and the demo question; and the
switch to a throwaway PostgreSQL cluster (`--postgres`, `--postgres-marked-only`, the
`postgres` mark: see the README's test section)."""

from __future__ import annotations

import contextlib
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.test.utils import override_settings
from rest_framework.test import APIClient

import question_engine
from exams import services
from exams.bank_sync import question_sync
from exams.models import Course, Membership, Paper, Question

DEMO_SLUG = "demo-linear-neuron"
INTEGRATION_DIR = Path(__file__).resolve().parent / "integration"
POSTGRES_URL_KEY = "tensorgrade_postgres_url"  # xdist workerinput: the controller's cluster
_CLUSTER = pytest.StashKey()


def pytest_addoption(parser: pytest.Parser) -> None:
    """--postgres and --postgres-marked-only (see the README's test section)."""
    group = parser.getgroup("tensorgrade")
    group.addoption(
        "--postgres",
        action="store_true",
        help="run the tests on a throwaway PostgreSQL cluster (Debian's postgresql) instead of "
        "SQLite",
    )
    group.addoption(
        "--postgres-marked-only",
        action="store_true",
        help="--postgres, and only the tests marked `postgres` (every test of tests/integration "
        "is); with none among those selected, nothing runs and pytest exits 0",
    )


def _on_postgres(config: pytest.Config) -> bool:
    return config.getoption("postgres") or config.getoption("postgres_marked_only")


def _use_database_url(url: str) -> None:
    """Point Django's default database at `url` before the tests open a connection.

    pytest-django sets Django up (from DATABASE_URL or the SQLite default) before any conftest
    runs, so the default database's settings are updated in place (the connection handler
    shares the dict) and the connection object built while loading the models (only its
    `ops` were read: SQLite and PostgreSQL leave every table name here as it is) is dropped
    unopened; pytest-django then creates the test database there (one per xdist worker).
    """
    import dj_database_url
    from django.db import connections

    if any(opened.connection is not None for opened in connections.all(initialized_only=True)):
        raise pytest.UsageError("--postgres: a database connection was opened before the switch")
    default = settings.DATABASES["default"]
    default.update(dj_database_url.parse(url))
    default["OPTIONS"] = {}  # SQLite's (timeout, transaction mode, WAL)
    default.setdefault("TEST", {})["NAME"] = None  # test_<NAME>, not the SQLite test file
    for alias in [opened.alias for opened in connections.all(initialized_only=True)]:
        del connections[alias]


def pytest_configure(config: pytest.Config) -> None:
    """With --postgres: start the cluster (once per run: xdist workers use the controller's)."""
    if not _on_postgres(config):
        return
    worker_input = getattr(config, "workerinput", None)
    if worker_input is not None:
        _use_database_url(worker_input[POSTGRES_URL_KEY])
        return
    from tests.postgres import ClusterError, PostgresCluster

    try:
        cluster = PostgresCluster()
        cluster.start()
    except ClusterError as error:
        raise pytest.UsageError(f"--postgres: {error}") from error
    config.stash[_CLUSTER] = cluster
    _use_database_url(cluster.database_url())


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node) -> None:  # noqa: ANN001 - xdist's WorkerController
    """xdist: hand the controller's cluster to each worker."""
    cluster = node.config.stash.get(_CLUSTER, None)
    if cluster is not None:
        node.workerinput[POSTGRES_URL_KEY] = cluster.database_url()


def pytest_unconfigure(config: pytest.Config) -> None:
    """Stop the cluster this process started (and delete its folder)."""
    cluster = config.stash.get(_CLUSTER, None)
    if cluster is not None:
        cluster.stop()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark every test of tests/integration `postgres` (except those marked `sqlite_only`); with
    --postgres-marked-only, deselect the tests not marked `postgres`."""
    for item in items:
        if item.path.is_relative_to(INTEGRATION_DIR) and not item.get_closest_marker("sqlite_only"):
            item.add_marker(pytest.mark.postgres)
    if not config.getoption("postgres_marked_only"):
        return
    kept = [item for item in items if item.get_closest_marker("postgres")]
    deselected = [item for item in items if not item.get_closest_marker("postgres")]
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = kept


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """--postgres-marked-only over a selection without a `postgres` test: nothing to do, exit 0
    (the SQLite run before it already failed on a selection without any test)."""
    if session.config.getoption("postgres_marked_only") and exitstatus == (
        pytest.ExitCode.NO_TESTS_COLLECTED
    ):
        session.exitstatus = pytest.ExitCode.OK


# Django's default hasher (PBKDF2, a million iterations) costs about 0.3 s per password: most
# tests make three accounts. Tests hash with MD5, as Django advises for test suites; the
# processes tests start (workers, `make run`) keep the real hashers and never check a password
# made here (they authenticate with tokens and API keys).
FAST_PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(scope="session", autouse=True)
def fast_password_hashing():
    with override_settings(PASSWORD_HASHERS=FAST_PASSWORD_HASHERS):
        yield


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    """Rate-limit counters live in the cache: every test starts with none counted."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def variants_built_on_request(request, monkeypatch):
    """A requested variant is built at once, in the process that requests it, by the variants
    task's own service (`variant_build`), as the worker would build it; a sandbox failure
    leaves it `building`, as the worker's retries would meanwhile. Tests of anything else
    (marking, faults, pages) then never wait for a background build.

    Tests marked `variants_in_background` keep the real path: the build is sent to the
    variants queue when the transaction commits (and a real worker, if the test runs one,
    builds it).
    """
    if request.node.get_closest_marker("variants_in_background"):
        yield
        return
    from exams.services import variants as variant_services
    from question_engine.errors import SandboxFailure

    def build_now(*, variant) -> None:  # noqa: ANN001
        with contextlib.suppress(SandboxFailure):
            variant_services.variant_build(variant_id=variant.pk)
        variant.refresh_from_db()

    monkeypatch.setattr(variant_services, "variant_build_request", build_now)
    yield


@pytest.fixture
def make_user(db):
    def make(username: str) -> object:
        return get_user_model().objects.create_user(username=username, password="pw-" + username)

    return make


@pytest.fixture
def student(make_user):
    return make_user("alice")


@pytest.fixture
def other_student(make_user):
    return make_user("bob")


@pytest.fixture
def instructor(make_user):
    return make_user("prof")


@pytest.fixture
def demo_question(db) -> Question:
    question_sync(definition=question_engine.load_question(settings.BANK_ROOT / DEMO_SLUG))
    return Question.objects.get(slug=DEMO_SLUG)


@pytest.fixture
def course(db, student, other_student, instructor, demo_question) -> Course:
    course = Course.objects.create(slug="nndl", title="Neural Networks")
    course.questions.add(demo_question)
    Membership.objects.create(course=course, user=student, role=Membership.Role.STUDENT)
    Membership.objects.create(course=course, user=other_student, role=Membership.Role.STUDENT)
    Membership.objects.create(course=course, user=instructor, role=Membership.Role.INSTRUCTOR)
    return course


@pytest.fixture
def api_for():
    def client_for(user) -> APIClient:  # noqa: ANN001
        client = APIClient()
        client.force_authenticate(user)
        return client

    return client_for


@pytest.fixture
def make_paper(course, demo_question):
    """Assemble a paper of the course holding the demo question (2 marks).

    `make_paper(title, minutes=30, original=False)`: `minutes=None` for no time limit,
    `original=True` to give every sitting the original exam's numbers.
    """

    def make(
        title: str = "Mock exam", *, minutes: int | None = 30, original: bool = False
    ) -> Paper:
        return services.paper_create(
            course=course,
            title=title,
            time_limit_minutes=minutes,
            use_original_numbers=original,
            items=[(demo_question, Decimal("2"))],
        )

    return make


@pytest.fixture
def course_key(course):
    """A course API key of the `course` fixture: (row, key)."""
    from api_keys import services as api_key_services

    return api_key_services.api_key_create(course=course, name="LMS")


@pytest.fixture
def key_client():
    """`key_client(key)`: an API client sending `Authorization: Api-Key <key>`."""

    def client_for(key: str) -> APIClient:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Api-Key {key}")
        return client

    return client_for
