# smarketing in a container: the app on port 8501, the data in the volume /data (README: "Running it in a
# container"). Build: docker build -t smarketing .   Run: docker run -p 8501:8501 -v smarketing-data:/data smarketing

FROM python:3.11-slim AS build
WORKDIR /src
COPY pyproject.toml setup.py MANIFEST.in README.md requirements.lock app.py ./
COPY .streamlit/config.toml .streamlit/config.toml
COPY pages pages
COPY src src
RUN pip wheel --no-cache-dir --no-deps --wheel-dir /wheels .

FROM python:3.11-slim
ENV PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
# The meeting pack's PDF: WeasyPrint draws text with Pango; Noto CJK for Chinese, Japanese and Korean text
RUN apt-get update && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 \
        fonts-dejavu-core fonts-noto-cjk && rm -rf /var/lib/apt/lists/*
# The dependencies at the exact versions of requirements.lock (the ones the tests run on), then the package
COPY requirements.lock /tmp/requirements.lock
COPY --from=build /wheels /tmp/wheels
RUN pip install --constraint /tmp/requirements.lock /tmp/wheels/smarketing-*.whl && rm -rf /tmp/wheels

RUN useradd --create-home --uid 10001 smarketing && mkdir /data && chown smarketing:smarketing /data
USER smarketing
WORKDIR /home/smarketing
# The database and saved mappings live in the volume; .streamlit/secrets.toml (login) can be mounted at
# /home/smarketing/.streamlit/secrets.toml.
ENV SMARKETING_DB=/data/smarketing.duckdb
VOLUME ["/data"]

EXPOSE 8501
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8501/_stcore/health', timeout=4)"]
CMD ["smarketing", "app", "--host", "0.0.0.0", "--port", "8501"]
