FROM python:3.11-slim-bookworm AS deps
WORKDIR /deps
COPY requirements.txt .
RUN pip install --no-cache-dir --target=/deps/site-packages -r requirements.txt

FROM gcr.io/distroless/python3-debian12:nonroot
LABEL org.opencontainers.image.description="Feature flag service"

COPY --from=deps /deps/site-packages /app/site-packages
COPY flags/ /app/flags/
ENV PYTHONPATH=/app/site-packages:/app
WORKDIR /app

USER nonroot:nonroot
EXPOSE 8080
ENTRYPOINT ["python3", "-m", "flags.server"]
