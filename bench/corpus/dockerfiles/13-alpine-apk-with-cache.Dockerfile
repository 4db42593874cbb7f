FROM python:3.11-alpine

RUN apk update
RUN apk add build-base libffi-dev openssl-dev postgresql-dev

WORKDIR /usr/src/app

COPY requirements.txt .
RUN pip install --upgrade pip
RUN pip install -r requirements.txt

COPY . .

EXPOSE 5000
CMD ["python", "-m", "flask", "run", "--host=0.0.0.0"]
