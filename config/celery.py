"""The Celery application; tasks live in the Django apps' tasks modules."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("tensorgrade")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
