# graphsvc service image: the API on the embedded store by default, or on Neo4j with
# GRAPHSVC_STORE=neo4j and the NEO4J_* variables (see docker-compose.yml).

# The explorer's bundle, from the npm packages its package-lock.json pins.
FROM node:20-slim AS explorer
WORKDIR /src/graphsvc/explorer/web
COPY graphsvc/explorer/web/package.json graphsvc/explorer/web/package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY graphsvc/explorer/web/build.mjs ./
COPY graphsvc/explorer/web/src ./src
RUN npm run build

FROM python:3.11-slim

RUN useradd --create-home --uid 10001 graphsvc
WORKDIR /app
COPY pyproject.toml setup.py MANIFEST.in README.md ./
COPY graphsvc ./graphsvc
COPY --from=explorer /src/graphsvc/explorer/static ./graphsvc/explorer/static
COPY loaders ./loaders
COPY cypher ./cypher
RUN pip install --no-cache-dir . && rm -rf /app/*

USER graphsvc
ENV GRAPHSVC_DATA_DIR=/home/graphsvc/data
# Made here, so that a volume mounted on it starts out as graphsvc's own.
RUN mkdir -p "$GRAPHSVC_DATA_DIR"
EXPOSE 8000
HEALTHCHECK --interval=10s --timeout=3s --retries=5 \
  CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/health')"
ENTRYPOINT ["graphsvc"]
CMD ["serve", "--host", "0.0.0.0", "--port", "8000"]
