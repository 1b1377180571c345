FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app

COPY pyproject.toml README.md ./
COPY bot ./bot
# the postgres extra (psycopg, Procrastinate) lets the same image run `newsbot worker`
RUN pip install --no-cache-dir ".[postgres]" && useradd --create-home --uid 10001 newsbot \
    && mkdir -p /app/data && chown newsbot /app/data

COPY config ./config
USER newsbot
ENV NEWSBOT_CONFIG=/app/config/newsbot.yaml \
    NEWSBOT_DATABASE_URL=sqlite:////app/data/newsbot.db

ENTRYPOINT ["newsbot"]
CMD ["run"]
