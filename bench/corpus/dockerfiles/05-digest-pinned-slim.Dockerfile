# Base image pinned by tag AND digest (renovate keeps the digest fresh)
FROM python:3.12-slim@sha256:bcb9eacc314dff4e96c49705d6a62ac94065ca87c2bd94a801120f43ec0db561

LABEL maintainer="platform-team@example.com"

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1

WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt

COPY --chown=1001:1001 . .
USER 1001

EXPOSE 5000
HEALTHCHECK CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:5000/health')"]
CMD ["gunicorn", "-b", "0.0.0.0:5000", "wsgi:application"]
