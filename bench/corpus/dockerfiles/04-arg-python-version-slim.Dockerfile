# Python version is overridable at build time:
#   docker build --build-arg PYTHON_VERSION=3.13 .
ARG PYTHON_VERSION=3.12
FROM python:${PYTHON_VERSION}-slim

ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONUNBUFFERED=1

WORKDIR /srv/app

COPY requirements.txt ./
RUN pip install -r requirements.txt

COPY src/ ./src/

RUN useradd --create-home --uid 10001 appuser
USER appuser

CMD ["gunicorn", "-c", "src/gunicorn.conf.py", "src.app:create_app()"]
