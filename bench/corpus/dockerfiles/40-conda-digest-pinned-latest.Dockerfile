# Mixed pinning: builder by digest, runtime floats on latest
FROM continuumio/miniconda3@sha256:154f164bd23be611d4f5a1e6238872ae64e3adf85937264c17b247c76e86c6a8 AS env
COPY environment.yml /tmp/environment.yml
RUN conda env create -p /opt/env -f /tmp/environment.yml \
    && conda clean -afy

FROM debian:latest
COPY --from=env /opt/env /opt/env
ENV PATH=/opt/env/bin:$PATH

WORKDIR /app
COPY model_server/ model_server/

EXPOSE 8080
CMD ["python", "-m", "model_server", "--port", "8080"]
