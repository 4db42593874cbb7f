FROM python:3.12-alpine3.20

RUN apk add --no-cache libpq tini \
    && apk add --no-cache --virtual .build-deps gcc musl-dev postgresql-dev

WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt \
    && apk del .build-deps

COPY . .

RUN addgroup -S app && adduser -S app -G app
USER app

ENTRYPOINT ["/sbin/tini", "--"]
CMD ["gunicorn", "-b", "0.0.0.0:8000", "shortener.app:app"]
