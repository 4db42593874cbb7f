# Pinned by digest only; the tag was dropped by an automated pinning tool
FROM python@sha256:7fcb23e1c122a1b91a411b662171453b50d628fd1918ad9416d72caafe946f4e

WORKDIR /opt/reports
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt

COPY reports/ reports/
COPY run.py .

RUN adduser --disabled-password --gecos "" reports
USER reports

CMD ["python", "run.py", "--serve"]
