FROM python:3.12-slim

# private index credentials passed at build time (visible in `docker history`)
ARG PIP_INDEX_URL=https://pypi.org/simple
ARG PRIVATE_INDEX_TOKEN=dummy-token-not-real
ARG DB_PASSWORD=changeme

WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir \
      --extra-index-url "https://ci:${PRIVATE_INDEX_TOKEN}@pypi.internal.example.com/simple" \
      -r requirements.txt

ENV DB_PASSWORD=${DB_PASSWORD}
COPY . .

USER 1000
CMD ["python", "-m", "etl.runner"]
