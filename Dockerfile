# Image for the portal's web (Daphne), worker and beat services of docker-compose.yml.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# ffmpeg: clip exports and motion detection read the gateway's restreams.
RUN apt-get update \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ffmpeg \
    && rm -rf /var/lib/apt/lists/*

RUN useradd --system --uid 10001 --user-group --home-dir /app --shell /usr/sbin/nologin app

WORKDIR /app
COPY requirements.txt ./
RUN pip install -r requirements.txt

COPY . .
# Volumes mounted here start with the image's ownership.
RUN mkdir -p /data /app/staticfiles && chown app:app /data /app/staticfiles

USER app
ENV DJANGO_SETTINGS_MODULE=portal.settings \
    CCTV_DATA_DIR=/data

EXPOSE 8000
# No Daphne access log: it prints raw paths, sign-in links included (nginx keeps one, redacted).
CMD ["daphne", "-b", "0.0.0.0", "-p", "8000", "--proxy-headers", "--access-log", "/dev/null", "portal.asgi:application"]
