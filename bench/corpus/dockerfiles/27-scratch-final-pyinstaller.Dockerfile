# Builds a single static binary of the CLI and ships it in an empty image
FROM python:3.11-slim AS build

RUN apt-get update && apt-get install -y --no-install-recommends binutils patchelf scons \
    && rm -rf /var/lib/apt/lists/*
RUN pip install --no-cache-dir pyinstaller==6.10.0 staticx==0.14.1

WORKDIR /src
COPY . .
RUN pip install --no-cache-dir . \
    && pyinstaller --onefile --name healthprobe healthprobe/__main__.py \
    && staticx dist/healthprobe /healthprobe

FROM scratch
COPY --from=build /healthprobe /healthprobe
COPY --from=build /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/
USER 65534
ENTRYPOINT ["/healthprobe"]
