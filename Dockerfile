# One image for web, worker and sandbox; each compose service picks its command.

# The code editor's bundle, built from the committed npm lockfile (nothing is fetched at run time).
FROM node:20-bookworm-slim AS assets
WORKDIR /build/frontend/assets
COPY frontend/assets/package.json frontend/assets/package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY frontend/assets/build.mjs ./
COPY frontend/assets/src ./src
RUN npm run build

FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
RUN apt-get update \
    && apt-get install -y --no-install-recommends libseccomp2 \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY pyproject.toml README.md ./
COPY api_keys ./api_keys
COPY config ./config
COPY exams ./exams
COPY grader ./grader
COPY sandbox ./sandbox
COPY frontend ./frontend
COPY --from=assets /build/frontend/static/frontend/build ./frontend/static/frontend/build
COPY question_engine ./question_engine
COPY lti ./lti
COPY lti_grades ./lti_grades
COPY bank ./bank
COPY webhooks ./webhooks
COPY results ./results
COPY autosave ./autosave
COPY manual_marking ./manual_marking
COPY progress ./progress
COPY regrades ./regrades
COPY operations ./operations
COPY artefacts ./artefacts
COPY manage.py ./
RUN pip install torch==2.13.0 && pip install '.[postgres]'
RUN SECRET_KEY=collectstatic-only TENSORGRADE_VAR_DIR=/tmp/build python manage.py collectstatic --noinput \
    && useradd --system --uid 10001 --home /app tensorgrade
ENV TENSORGRADE_VAR_DIR=/var/lib/tensorgrade
