FROM python:3.12-slim

ENV PIP_NO_CACHE_DIR=1 \
    PYTHONUNBUFFERED=1 \
    APP_HOME=/app

WORKDIR $APP_HOME

COPY pyproject.toml README.md ./
COPY src ./src
RUN pip install .

# numeric uid so that k8s runAsNonRoot can verify it
USER 1000:1000

EXPOSE 8080
ENTRYPOINT ["python", "-m", "inventory"]
CMD ["serve", "--port", "8080"]
