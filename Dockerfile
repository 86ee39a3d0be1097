# Kuulolla application image: one server process per container.
FROM python:3.11-slim-bookworm

RUN useradd --system --create-home --home-dir /srv/kuulolla kuulolla
WORKDIR /srv/kuulolla

# The Debian packages of requirements/debian.txt marked "image" (Voikko, curl).
COPY requirements/debian.txt ./requirements/
COPY scripts/lib/debian-packages ./scripts/lib/
RUN apt-get update \
 && apt-get install -y --no-install-recommends $(sh scripts/lib/debian-packages image) \
 && rm -rf /var/lib/apt/lists/* scripts

# The locked versions, every file checked against its hash, wheels only; then the
# project itself without resolving anything, built by the locked setuptools.
COPY requirements/runtime.txt ./requirements/
RUN pip install --no-cache-dir --require-hashes --only-binary :all: -r requirements/runtime.txt
COPY pyproject.toml README.md ./
COPY kuulolla ./kuulolla
RUN pip install --no-cache-dir --no-deps --no-build-isolation . \
 && rm -rf kuulolla pyproject.toml README.md requirements build kuulolla.egg-info

USER kuulolla
ENV KUULOLLA_HOST=0.0.0.0 \
    KUULOLLA_PORT=8000 \
    KUULOLLA_DATA_DIR=/srv/kuulolla/var
EXPOSE 8000
HEALTHCHECK --interval=10s --timeout=3s --retries=3 CMD curl -fsS http://127.0.0.1:8000/healthz || exit 1
CMD ["kuulolla", "serve"]
