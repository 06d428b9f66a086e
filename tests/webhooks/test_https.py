"""Over HTTPS the certificate is checked against the URL's host name, while the connection goes
to the address that was checked (a receiver on 127.0.0.1 with a certificate for `localhost`)."""

from __future__ import annotations

import shutil
import ssl
import subprocess

import pytest

from tests.webhooks.receiver import Receiver, verify
from webhooks import services
from webhooks.tasks import send_delivery

pytestmark = pytest.mark.django_db


@pytest.fixture
def certificate(tmp_path):
    """A self-signed certificate for `localhost` (made with the openssl command)."""
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.skip("the openssl command is not installed (Debian: apt-get install openssl)")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        [openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"]
        + ["-keyout", str(key), "-out", str(cert), "-subj", "/CN=localhost"]
        + ["-addext", "subjectAltName=DNS:localhost"],
        check=True,
        capture_output=True,
    )
    return cert, key


@pytest.fixture
def tls_receiver(certificate):
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(*certificate)
    receiver = Receiver(tls=context).start()
    yield receiver
    receiver.stop()


def _send(course, receiver, marked, capture) -> tuple:
    endpoint = services.webhook_endpoint_create(course=course, url=receiver.url(host="localhost"))
    with capture():
        (delivery,) = services.deliveries_create_for_marking(submission=marked)
        status = send_delivery(delivery.pk)
    delivery.refresh_from_db()
    return endpoint, delivery, status


def test_a_trusted_certificate_for_the_host_name_is_accepted(
    course,
    tls_receiver,
    certificate,
    loopback_allowed,
    monkeypatch,
    marked,
    django_capture_on_commit_callbacks,
):
    monkeypatch.setenv("SSL_CERT_FILE", str(certificate[0]))
    endpoint, delivery, status = _send(
        course, tls_receiver, marked, django_capture_on_commit_callbacks
    )
    assert status == "succeeded", delivery.last_error
    (request,) = tls_receiver.requests
    assert request.headers["host"] == f"localhost:{tls_receiver.port}"
    assert verify(secret=endpoint.secret, headers=request.headers, body=request.body)


def test_an_untrusted_certificate_is_a_failed_attempt(
    course, tls_receiver, loopback_allowed, marked, django_capture_on_commit_callbacks
):
    _, delivery, status = _send(course, tls_receiver, marked, django_capture_on_commit_callbacks)
    assert status == "pending" and tls_receiver.requests == []
    assert "CERTIFICATE_VERIFY_FAILED" in delivery.last_error
