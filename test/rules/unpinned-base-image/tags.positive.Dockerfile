# syntax=docker/dockerfile:1
ARG PYTHON_VERSION=3.12
ARG BASE_IMAGE

# expect-next-line: unpinned-base-image medium
FROM python:${PYTHON_VERSION}-slim AS build
RUN pip install --require-hashes -r requirements.txt

# expect-next-line: unpinned-base-image medium
FROM --platform=$BUILDPLATFORM ghcr.io/example/tools AS tools

FROM build AS test
RUN pytest

# expect-next-line: unpinned-base-image low
FROM ${BASE_IMAGE}

FROM scratch
COPY --from=build /app /app
