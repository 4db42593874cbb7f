FROM python:3.11

ENV PYTHONUNBUFFERED 1

RUN mkdir /code
WORKDIR /code

# copy the whole project first (invalidates the pip layer on every change)
COPY . /code/
RUN pip install -r requirements.txt

EXPOSE 8000

CMD python manage.py migrate && python manage.py runserver 0.0.0.0:8000
