FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
# Pango, HarfBuzz's subsetter (WeasyPrint's fast font subsetting) and fonts for WeasyPrint (PDF
# reports); pg_dump and pg_restore for `manage.py backup`.
RUN apt-get update \
 && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 \
    libharfbuzz-subset0 fonts-dejavu-core postgresql-client \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY pyproject.toml README.md ./
RUN pip install --no-cache-dir .
COPY . .
RUN SECRET_KEY=collectstatic-only-build-time-key-that-is-long-enough-to-pass-checks \
    ALLOWED_HOSTS=build DATABASE_URL=sqlite:////tmp/build.sqlite3 \
    python manage.py collectstatic --noinput

RUN useradd --create-home ips && mkdir -p /app/media && chown ips /app/media
USER ips
EXPOSE 8000
# docker-compose.yml's web service runs this same command after migrating (tests/test_project.py
# holds the two equal, and tests/production/test_smoke.py runs it). No control socket: nothing
# here uses gunicornc, and its default path ($HOME/.gunicorn/gunicorn.ctl) is shared by every
# gunicorn one user starts, so two on one machine would take each other's.
CMD ["gunicorn", "config.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--no-control-socket"]
