FROM debian:bookworm-slim

RUN apt-get update && apt-get install -y \
      python3 python3-pip python3-venv \
    && apt-get clean

WORKDIR /opt/metrics-exporter
COPY requirements.txt .
RUN pip3 install --break-system-packages -r requirements.txt

COPY exporter/ exporter/

EXPOSE 9100
CMD ["python3", "-m", "exporter", "--listen", ":9100"]
