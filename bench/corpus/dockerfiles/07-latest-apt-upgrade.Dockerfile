FROM python:latest

MAINTAINER Jane Doe <jane@example.com>

# system deps for psycopg2 and Pillow
RUN apt-get update
RUN apt-get upgrade -y
RUN apt-get install -y libpq-dev libjpeg-dev zlib1g-dev gcc

WORKDIR /usr/src/app

COPY requirements.txt ./
RUN pip install -r requirements.txt

COPY . .

EXPOSE 8000
CMD ["python", "app.py"]
