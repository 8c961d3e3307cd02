# Stage names are compared case-insensitively; an image on a registry with a port is not a stage.
# expect-next-line: unpinned-base-image medium
FROM registry.example.com:5000/base AS Base
RUN echo base

FROM base AS app
# expect-next-line: unpinned-base-image medium
FROM node:20 AS assets
COPY --from=assets /out /out
