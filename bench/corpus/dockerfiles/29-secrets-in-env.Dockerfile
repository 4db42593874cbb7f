FROM python:3.11-slim

WORKDIR /app

COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt

COPY . .

# TODO: move these to the deployment config
ENV DJANGO_SETTINGS_MODULE=shop.settings \
    SECRET_KEY=notarealsecret123 \
    DATABASE_URL=postgres://shop:notarealpassword@db:5432/shop
ENV STRIPE_API_KEY=fake-stripe-key-for-docs

RUN python manage.py collectstatic --noinput

EXPOSE 8000
CMD ["gunicorn", "shop.wsgi", "--bind", "0.0.0.0:8000"]
