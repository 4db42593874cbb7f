# ---- build stage -------------------------------------------------------
FROM python:3.11-slim AS build

RUN python -m venv /venv
ENV PATH="/venv/bin:$PATH"

WORKDIR /src
COPY requirements.lock .
RUN pip install --no-cache-dir --require-hashes -r requirements.lock

COPY app/ ./app/

# ---- runtime stage -----------------------------------------------------
FROM gcr.io/distroless/python3-debian12

COPY --from=build /venv/lib/python3.11/site-packages /app/site-packages
COPY --from=build /src/app /app/app

WORKDIR /app
ENV PYTHONPATH=/app/site-packages

EXPOSE 8080
ENTRYPOINT ["python3", "-m", "uvicorn", "app.main:app", "--host", "0.0.0.0", "--port", "8080"]
