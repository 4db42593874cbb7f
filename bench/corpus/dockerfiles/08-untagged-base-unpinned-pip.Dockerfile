FROM python

WORKDIR /app

RUN pip install flask gunicorn redis

COPY app.py .
COPY templates/ templates/

ENV FLASK_ENV=production
EXPOSE 5000

CMD gunicorn -w 2 -b 0.0.0.0:5000 app:app
