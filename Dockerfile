# graphsvc service image: the API on the embedded store by default, or on Neo4j with
# GRAPHSVC_STORE=neo4j and the NEO4J_* variables (see docker-compose.yml).
FROM python:3.11-slim

RUN useradd --create-home --uid 10001 graphsvc
WORKDIR /app
COPY pyproject.toml README.md ./
COPY graphsvc ./graphsvc
COPY loaders ./loaders
COPY cypher ./cypher
RUN pip install --no-cache-dir . && rm -rf /app/*

USER graphsvc
ENV GRAPHSVC_DATA_DIR=/home/graphsvc/data
EXPOSE 8000
HEALTHCHECK --interval=10s --timeout=3s --retries=5 \
  CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/health')"
ENTRYPOINT ["graphsvc"]
CMD ["serve", "--host", "0.0.0.0", "--port", "8000"]
