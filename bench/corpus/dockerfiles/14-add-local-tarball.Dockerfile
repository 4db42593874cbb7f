FROM python:3.10-slim

WORKDIR /opt/billing

# release tarball produced by `python -m build --sdist` in CI
ADD dist/billing-2.4.1.tar.gz /opt/billing/
ADD requirements.txt /opt/billing/requirements.txt
ADD config/ /etc/billing/

RUN pip install --no-cache-dir -r requirements.txt \
    && pip install --no-cache-dir /opt/billing/billing-2.4.1

RUN useradd -r billing
USER billing

CMD ["billing-server", "--config", "/etc/billing/billing.toml"]
