# Image for the portal's web (Daphne), worker and beat services of docker-compose.yml.

# Browser libraries from the npm registry, pinned by package-lock.json (hls.js; the dev tools
# such as Azurite stay out). Only node_modules goes into the image, not Node itself:
# collectstatic (the compose file's "migrate" service) publishes the files named in
# settings.NPM_STATIC_FILES from there.
FROM node:20-bookworm-slim AS npm
WORKDIR /build
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund

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
COPY --from=npm /build/node_modules ./node_modules
# Volumes mounted here start with the image's ownership.
RUN mkdir -p /data /app/staticfiles && chown app:app /data /app/staticfiles

USER app
ENV DJANGO_SETTINGS_MODULE=portal.settings \
    CCTV_DATA_DIR=/data

EXPOSE 8000
# No Daphne access log: it prints raw paths, sign-in links included (nginx keeps one, redacted).
CMD ["daphne", "-b", "0.0.0.0", "-p", "8000", "--proxy-headers", "--access-log", "/dev/null", "portal.asgi:application"]
