FROM ubuntu:22.04

ENV DEBIAN_FRONTEND=noninteractive

RUN apt-get update && apt-get install -y python3 python3-pip sudo curl wget \
    && rm -rf /var/lib/apt/lists/*

RUN useradd -m -s /bin/bash dev && echo "dev ALL=(ALL) NOPASSWD:ALL" >> /etc/sudoers
USER dev
WORKDIR /home/dev/app

COPY --chown=dev . .
RUN sudo pip3 install --upgrade pip && sudo pip3 install -r requirements.txt

CMD python3 server.py
