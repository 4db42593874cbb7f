FROM python:3.11 AS compile
WORKDIR /home/app
COPY requirements.txt .
RUN pip install --user -r requirements.txt

FROM python:3.11-slim AS runtime
RUN useradd --create-home app
COPY --from=compile --chown=app /root/.local /home/app/.local
ENV PATH=/home/app/.local/bin:$PATH

WORKDIR /home/app/src
COPY --chown=app . .
USER app

CMD ["python", "bot.py"]
