# escape=`
# Backtick escape (shared with the team's Windows build agents)
FROM python:3.12-slim

ENV APP_DIR=C:\app `
    PYTHONUNBUFFERED=1

WORKDIR /app

COPY requirements.txt .
RUN pip install --no-cache-dir `
        -r requirements.txt `
    && pip check

COPY . .

USER nobody
CMD ["python", "-m", "waitress", "--port=8080", "service:app"]
