FROM python:3.12.2-slim-bookworm
# Fake credentials: AWS's documented example key pair.
ENV AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE \
    AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY \
    AWS_DEFAULT_REGION=us-east-1
ARG NPM_TOKEN
ARG GITHUB_TOKEN=ghp_000000000000000000000000000000000000
ENV DATABASE_PASSWORD_FILE=/run/secrets/db_password
ENV APP_SECRET_KEY=""
RUN pip install --no-cache-dir boto3==1.34.0
USER nobody
CMD ["python", "-m", "app"]
