FROM python:3.12 AS builder

RUN useradd -m builder
USER builder
WORKDIR /home/builder

COPY --chown=builder requirements.txt .
RUN pip wheel --no-cache-dir --wheel-dir /home/builder/wheels -r requirements.txt

FROM python:3.12-slim

WORKDIR /app
COPY --from=builder /home/builder/wheels /wheels
RUN pip install --no-cache-dir /wheels/* && rm -rf /wheels

COPY . .

# NOTE: no USER here -- final image runs as root
CMD ["gunicorn", "--bind", ":8000", "notes.wsgi"]
