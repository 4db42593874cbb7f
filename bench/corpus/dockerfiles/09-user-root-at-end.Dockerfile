FROM python:3.12-slim-bookworm

RUN apt-get update && apt-get install -y --no-install-recommends gosu \
    && rm -rf /var/lib/apt/lists/*

RUN useradd -m -u 1000 worker
WORKDIR /home/worker/app

COPY --chown=worker:worker requirements.txt .
USER worker
RUN pip install --user --no-cache-dir -r requirements.txt
COPY --chown=worker:worker . .

# entrypoint fixes volume permissions, then drops privileges with gosu
USER root
COPY docker-entrypoint.sh /usr/local/bin/
RUN chmod +x /usr/local/bin/docker-entrypoint.sh

ENTRYPOINT ["docker-entrypoint.sh"]
CMD ["python", "-m", "worker"]
