# Payments webhook receiver
FROM python:3.12-slim-bookworm

ARG APP_VERSION=0.0.0-dev
LABEL org.opencontainers.image.version=$APP_VERSION

RUN apt-get update \
 && apt-get install -y --no-install-recommends curl ca-certificates \
 && rm -rf /var/lib/apt/lists/*

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
WORKDIR /app

COPY requirements/base.txt requirements/prod.txt requirements/
RUN pip install -r requirements/prod.txt

COPY webhooks/ webhooks/
COPY gunicorn.conf.py .

RUN useradd --uid 10001 --create-home webhooks
USER webhooks

EXPOSE 8000
HEALTHCHECK --interval=20s --timeout=5s --start-period=10s --retries=3 \
  CMD curl -fsS http://127.0.0.1:8000/-/ready || exit 1
ENTRYPOINT ["gunicorn"]
CMD ["--config", "gunicorn.conf.py", "webhooks.app:create_app()"]
