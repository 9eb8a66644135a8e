# The assistant as a container image (docker-compose.yml runs it with PostgreSQL).
FROM python:3.11-slim
WORKDIR /app
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 CA_DATA_DIR=/data CA_HOST=0.0.0.0
COPY pyproject.toml README.md ./
COPY bot bot
COPY dialogs dialogs
COPY nlu nlu
COPY knowledge knowledge
COPY adapters adapters
RUN pip install --no-cache-dir ".[postgres]"
VOLUME /data
EXPOSE 8000
CMD ["python", "-m", "bot", "serve"]
