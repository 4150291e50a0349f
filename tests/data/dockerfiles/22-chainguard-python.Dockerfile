FROM cgr.dev/chainguard/python:latest-dev AS builder
WORKDIR /app
RUN python -m venv /app/venv
ENV PATH="/app/venv/bin:$PATH"
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt

FROM cgr.dev/chainguard/python:latest
WORKDIR /app
COPY --from=builder /app/venv /app/venv
COPY main.py .
ENV PATH="/app/venv/bin:$PATH"
ENTRYPOINT ["python", "main.py"]
