# ptm-bot: the Discord bot and its command line in one image.
#   docker build -t ptm-bot .
#   docker run -d --name ptm-bot -e DISCORD_TOKEN=... -v ptm-data:/data ptm-bot
# The catalog (SQLite by default) lives on the /data volume; PostgreSQL: set PTM_BOT_DATABASE_URL.
# Every setting comes from the environment as PTM_BOT_<SECTION>_<KEY> (see config.example.toml).
FROM python:3.12-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# git: `ptm-bot publish` commits the exported list to the list's repository.
RUN apt-get update \
    && apt-get install -y --no-install-recommends git \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /src
COPY pyproject.toml README.md LICENSE ./
COPY bot ./bot
COPY cogs ./cogs
COPY db ./db
# The README's install step, into /opt/ptm-bot, with the PostgreSQL driver.
RUN python3 -m venv /opt/ptm-bot && /opt/ptm-bot/bin/pip install --no-cache-dir '.[postgres]' \
    && rm -rf /src

# A non-root user owns the data volume and nothing else.
RUN useradd --system --uid 10001 --user-group --home-dir /data --shell /usr/sbin/nologin ptm \
    && mkdir -p /data && chown ptm:ptm /data
VOLUME ["/data"]
WORKDIR /data
USER ptm

ENV PATH=/opt/ptm-bot/bin:$PATH \
    HOME=/data \
    MPLCONFIGDIR=/data/.matplotlib \
    PTM_BOT_DATABASE_URL=sqlite+aiosqlite:////data/ptm-bot.sqlite3

# `ptm-bot health` exits 1 (one line per problem) when the deployment is not working.
HEALTHCHECK --interval=5m --timeout=30s --start-period=2m --retries=2 CMD ["ptm-bot", "health"]

ENTRYPOINT ["ptm-bot"]
CMD ["run"]
