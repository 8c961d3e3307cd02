ARG PYTHON=python:3.12-slim@sha256:2c3f8c2d3ce4a2b0b4d4e0e93e3e6b1e1c5d1f2e3a4b5c6d7e8f90123456789a
FROM ${PYTHON} AS build
FROM gcr.io/distroless/python3-debian12@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
COPY --from=build /app /app
FROM build
