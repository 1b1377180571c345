FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app

COPY pyproject.toml README.md ./
COPY bot ./bot
# the postgres extra (psycopg, Procrastinate) lets the same image run `newsbot worker`; the web
# extra serves /healthz (the health check), /metrics and the workbench
RUN pip install --no-cache-dir ".[postgres,web]" && useradd --create-home --uid 10001 newsbot \
    && mkdir -p /app/data && chown newsbot /app/data

COPY config ./config
USER newsbot
ENV NEWSBOT_CONFIG=/app/config/newsbot.yaml \
    NEWSBOT_DATABASE_URL=sqlite:////app/data/newsbot.db \
    NEWSBOT_WEB_LISTEN=127.0.0.1:8080

# /healthz: 200 when the event loop, the database, the scheduler and the delivery loop answer
HEALTHCHECK --interval=30s --timeout=10s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8080/healthz', timeout=8)"]

ENTRYPOINT ["newsbot"]
CMD ["run"]
