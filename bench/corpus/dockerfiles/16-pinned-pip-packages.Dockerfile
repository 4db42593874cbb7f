FROM python:3.12-slim

LABEL org.opencontainers.image.title="hello-flask" \
      org.opencontainers.image.version="1.3.0"

RUN pip install --no-cache-dir flask==3.0.3 gunicorn==22.0.0 prometheus-flask-exporter==0.23.1

WORKDIR /app
COPY hello.py .

RUN useradd --uid 10001 --no-create-home hello
USER 10001

EXPOSE 8000
CMD ["gunicorn", "--bind", "0.0.0.0:8000", "--access-logfile", "-", "hello:app"]
