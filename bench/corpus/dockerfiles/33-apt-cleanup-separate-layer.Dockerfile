FROM python:3.10-bullseye

# update and install in separate layers, cleanup in yet another
RUN apt-get update
RUN apt-get install -y --no-install-recommends \
        libxml2-dev \
        libxslt1-dev \
        libjpeg62-turbo-dev
RUN rm -rf /var/lib/apt/lists/*

WORKDIR /srv/scraper
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY . .

RUN useradd scraper
USER scraper
CMD ["scrapyd"]
