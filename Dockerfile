# AfterSale runtime image: one binary, `aftersale`, that runs any service (`aftersale serve order`, …) and every
# tool (`aftersale health`, `aftersale seed`, …). Nothing is compiled here: scripts/container-context builds the
# release binary on the host (static Swift stdlib) and puts it, with the .debs of the two C libraries it links
# dynamically (libprotobuf-c1, libsqlite3-0), into dist/. The build needs no network. See docs/DEPLOYMENT.md.
#
#   scripts/container-context && docker build -t aftersale .
#   podman build --build-arg BASE_IMAGE=localdebian:bookworm -t aftersale .
ARG BASE_IMAGE=debian:bookworm-slim
FROM ${BASE_IMAGE}

COPY dist/debs/ /tmp/aftersale-debs/
RUN dpkg -i /tmp/aftersale-debs/*.deb \
 && rm -rf /tmp/aftersale-debs \
 && groupadd --system --gid 10001 aftersale \
 && useradd --system --uid 10001 --gid aftersale --home-dir /var/lib/aftersale --no-create-home \
      --shell /usr/sbin/nologin aftersale \
 && install -d -o aftersale -g aftersale -m 0750 /var/lib/aftersale \
 && install -d -o aftersale -g aftersale -m 0755 /run/aftersale

COPY dist/aftersale /usr/local/bin/aftersale
# Fails the build here, not at start, if a shared library is missing.
RUN aftersale --help >/dev/null

USER aftersale:aftersale
WORKDIR /var/lib/aftersale
ENTRYPOINT ["aftersale"]
CMD ["--help"]
