# syntax=docker/dockerfile:1
FROM python:3.12-slim

WORKDIR /app
COPY <<EOF /app/gunicorn.conf.py
bind = "0.0.0.0:8000"
workers = 2
accesslog = "-"
EOF
COPY requirements.txt .
RUN <<EOT
  pip install --no-cache-dir -r requirements.txt
  useradd --uid 10001 --no-create-home api
EOT
COPY . .
USER api
CMD ["gunicorn", "-c", "/app/gunicorn.conf.py", "api.wsgi:app"]
