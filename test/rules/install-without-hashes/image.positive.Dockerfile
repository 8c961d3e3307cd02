FROM python:3.12-slim@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
WORKDIR /app
COPY requirements.txt .
RUN pip install --require-hashes -r requirements.txt
# expect-next-line: install-without-hashes medium
RUN pip install --no-cache-dir gunicorn
# expect-next-line: install-without-hashes low
RUN pip install uvicorn==0.30.6
# expect-next-line: install-without-hashes high
RUN --mount=type=secret,id=pip_token PIP_INDEX_URL="https://token:$(cat /run/secrets/pip_token)@pypi.example.com/simple" \
    pip install internal-lib
ENV PIP_REQUIRE_HASHES=1
RUN pip install -r requirements.txt
COPY . .
RUN pip install --no-deps .
RUN ["pip", "install", "--require-hashes", "-r", "requirements.txt"]
