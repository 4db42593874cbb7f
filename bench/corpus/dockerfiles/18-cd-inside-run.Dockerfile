FROM python:3.12-slim

RUN apt-get update && apt-get install -y --no-install-recommends git \
    && rm -rf /var/lib/apt/lists/*

COPY . /build
RUN cd /build && pip install --no-cache-dir . \
    && cd / && rm -rf /build

RUN mkdir -p /var/lib/ledger && cd /var/lib/ledger && touch ledger.db

RUN useradd ledger && chown -R ledger /var/lib/ledger
USER ledger
WORKDIR /var/lib/ledger

CMD ["ledger", "serve", "--host", "0.0.0.0"]
