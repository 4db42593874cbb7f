# syntax=docker/dockerfile:1.7
FROM python:3.12-slim

RUN <<EOF
set -eux
apt-get update
apt-get install -y --no-install-recommends build-essential libpq-dev
rm -rf /var/lib/apt/lists/*
EOF

WORKDIR /app
COPY requirements.txt .
RUN --mount=type=cache,target=/root/.cache/pip <<EOF
pip install -r requirements.txt
python -m compileall -q /usr/local/lib/python3.12
EOF

COPY . .
RUN <<EOF bash
useradd --uid 10001 web
chown -R web /app
EOF

USER web
CMD ["gunicorn", "config.wsgi", "-b", "0.0.0.0:8000"]
