FROM python:3.10

RUN pip install pipenv

WORKDIR /usr/src/app

COPY Pipfile Pipfile.lock ./
RUN pipenv install --system --deploy --ignore-pipfile

COPY . .

ENV DJANGO_SETTINGS_MODULE=blog.settings.production
RUN python manage.py collectstatic --noinput

EXPOSE 8000
CMD ["gunicorn", "blog.wsgi:application", "--bind", "0.0.0.0:8000"]
