FROM python:3.11-slim

RUN apt-get update && apt-get install -y libpq5 && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY . .

RUN useradd -m celery
USER celery

# shell form: signals go to /bin/sh, not to celery
ENTRYPOINT celery -A tasks worker --loglevel=INFO --concurrency=4
