FROM python:3.12-slim AS builder

ENV POETRY_VERSION=1.8.3 \
    POETRY_VIRTUALENVS_IN_PROJECT=true \
    POETRY_NO_INTERACTION=1

RUN pip install --no-cache-dir "poetry==${POETRY_VERSION}"

WORKDIR /app
COPY pyproject.toml poetry.lock ./
RUN poetry install --only main --no-root && rm -rf "$POETRY_CACHE_DIR"

COPY catalog ./catalog
RUN poetry install --only main

FROM python:3.12-slim AS runtime

ENV VIRTUAL_ENV=/app/.venv \
    PATH="/app/.venv/bin:$PATH"

COPY --from=builder /app /app
WORKDIR /app

RUN useradd --system --uid 999 catalog
USER catalog

EXPOSE 8000
HEALTHCHECK --interval=15s CMD python -c "import socket; socket.create_connection(('localhost', 8000), 2)"
CMD ["uvicorn", "catalog.main:app", "--host", "0.0.0.0", "--port", "8000"]
