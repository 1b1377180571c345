"""The database tables, as SQLAlchemy Core metadata (portable between SQLite and PostgreSQL).

Times are UTC epoch seconds (float) so both engines store and compare them the same way.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

metadata = MetaData()

source_state = Table(
    "source_state",
    metadata,
    Column("source_id", String(64), primary_key=True),
    Column("last_run_at", Float),
    Column("last_success_at", Float),
    Column("last_error", Text),
    Column("last_error_at", Float),
    Column("consecutive_failures", Integer, nullable=False, default=0),
    Column("blocked_count", Integer, nullable=False, default=0),
    Column("status", String(16), nullable=False, default="new"),
    Column("items_found", Integer, nullable=False, default=0),
    Column("first_run_at", Float),
    Column("last_new_at", Float),
    Column("next_check_at", Float),
    Column("walled_runs", Integer, nullable=False, default=0),
    Column("reported", String(16), nullable=False, default="ok"),
)

seen_items = Table(
    "seen_items",
    metadata,
    Column("source_id", String(64), primary_key=True),
    Column("item_key", String(2048), primary_key=True),
    Column("first_seen_at", Float, nullable=False),
)

# One row per version of an article that is a different story: the same URL edited lightly
# keeps its row; a substantially new text at the same URL is a new story and a new row.
articles = Table(
    "articles",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("url", String(2048), nullable=False, index=True),
    Column("source_id", String(64), nullable=False),
    Column("title", Text, nullable=False),
    Column("language", String(16)),
    Column("published_at", Float),
    Column("first_seen_at", Float, nullable=False),
    Column("blocked", Boolean, nullable=False, default=False),
    Column("story_id", Integer, ForeignKey("stories.id")),
    # MinHash signature (bot.stories.fingerprint), None for short texts
    Column("fingerprint", Text),
    UniqueConstraint("url", "story_id", name="uq_article_url_story"),
)

# A story: the articles that tell it (syndicated copies, other outlets, edited versions).
stories = Table(
    "stories",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("first_seen_at", Float, nullable=False),
    Column("title", Text, nullable=False),
)

# Locality-sensitive hashing bands of each article's fingerprint: finds earlier copies fast.
story_bands = Table(
    "story_bands",
    metadata,
    Column("band", String(40), primary_key=True),
    Column("article_id", Integer, ForeignKey("articles.id"), primary_key=True),
    Column("seen_at", Float, nullable=False, index=True),
)

# Validators of the last answer per watched URL, for conditional requests and change checks.
fetch_cache = Table(
    "fetch_cache",
    metadata,
    Column("url", String(2048), primary_key=True),
    Column("etag", Text),
    Column("last_modified", Text),
    Column("content_hash", String(64)),
    Column("updated_at", Float, nullable=False),
)

alerts = Table(
    "alerts",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("article_id", Integer, ForeignKey("articles.id"), nullable=False),
    Column("topic_id", String(128), nullable=False),
    Column("topic_name", Text, nullable=False),
    Column("score", Float, nullable=False),
    Column("reason", Text, nullable=False),
    Column("snippet", Text, nullable=False),
    Column("marks", Text, nullable=False),  # JSON list of [start, end]
    Column("created_at", Float, nullable=False),
    UniqueConstraint("article_id", "topic_id", name="uq_alert_article_topic"),
)

subscribers = Table(
    "subscribers",
    metadata,
    Column("chat_id", BigInteger, primary_key=True, autoincrement=False),
    Column("user_id", BigInteger),
    Column("chat_type", String(16), nullable=False, default="private"),
    Column("active", Boolean, nullable=False, default=True),
    Column("inactive_reason", Text),
    Column("created_at", Float, nullable=False),
)

subscriptions = Table(
    "subscriptions",
    metadata,
    Column("chat_id", BigInteger, primary_key=True, autoincrement=False),
    Column("topic_id", String(128), primary_key=True),
    Column("created_at", Float, nullable=False),
)

deliveries = Table(
    "deliveries",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("alert_id", Integer, ForeignKey("alerts.id"), nullable=False),
    Column("chat_id", BigInteger, nullable=False),
    Column("state", String(16), nullable=False),  # pending | sending | sent | failed
    Column("attempts", Integer, nullable=False, default=0),
    Column("next_attempt_at", Float, nullable=False),
    Column("last_error", Text),
    Column("created_at", Float, nullable=False),
    Column("sent_at", Float),
    Column("message_id", BigInteger),
    UniqueConstraint("alert_id", "chat_id", name="uq_delivery_alert_chat"),
    Index("ix_delivery_state_chat", "state", "chat_id", "id"),
)

# How a chat wants its alerts: muted until a time, or as a daily digest in its time zone.
chat_prefs = Table(
    "chat_prefs",
    metadata,
    Column("chat_id", BigInteger, primary_key=True, autoincrement=False),
    Column("muted_until", Float),
    Column("digest_at", String(5)),  # HH:MM local time, None: immediate
    Column("timezone", String(64), nullable=False, default="UTC"),
    Column("digest_sent_at", Float),
)

# A group that became a supergroup: its old id, for the chat ids written in config.
chat_migrations = Table(
    "chat_migrations",
    metadata,
    Column("old_chat_id", BigInteger, primary_key=True, autoincrement=False),
    Column("new_chat_id", BigInteger, nullable=False),
    Column("migrated_at", Float, nullable=False),
)

settings = Table(
    "settings",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("value", Text, nullable=False),
)

# The cleaned text of recent articles, kept for the web workbench (inspect, rule backtests) for
# ``web.keep_text`` (7 days by default) and pruned after it. ``matched``: the topic ids that
# matched when the article was recorded (JSON list); ``removed``: what the cleaner stripped.
article_texts = Table(
    "article_texts",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("url", String(2048), nullable=False),
    Column("source_id", String(64), nullable=False),
    Column("title", Text, nullable=False),
    Column("author", Text),
    Column("language", String(16)),
    Column("published_at", Float),
    Column("blocked", Boolean, nullable=False, default=False),
    Column("text", Text, nullable=False),
    Column("removed", Text, nullable=False),  # JSON list of [kind, text]
    Column("matched", Text, nullable=False),  # JSON list of topic ids
    Column("seen_at", Float, nullable=False, index=True),
)
