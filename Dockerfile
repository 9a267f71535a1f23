# Application image for docker-compose.yml. GeoDjango needs GDAL/GEOS/PROJ from the OS.
FROM python:3.11-slim-bookworm
RUN apt-get update && apt-get install -y --no-install-recommends gdal-bin postgresql-client \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY pyproject.toml ./
RUN python - <<'PY' > /tmp/requirements.txt
import tomllib
print("\n".join(tomllib.load(open("pyproject.toml", "rb"))["project"]["dependencies"]))
PY
RUN pip install --no-cache-dir -r /tmp/requirements.txt
COPY . .
RUN useradd --system --home /app ioc && mkdir -p var && chown -R ioc var
USER ioc
EXPOSE 8000 8001
